"""The roster's one text rule refuses exactly Unicode's control characters, lone surrogates
and the controls of text direction (all of them in one line, the overrides in several)."""

import sys
import unicodedata

import pytest

from matching.storable import UnstorableText, describe_unstorable, storable_text

DIRECTION_CONTROLS = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}
OVERRIDES = {"LRO", "RLO"}


def refused_by_unicode(char: str, *, multiline: bool) -> bool:
    """What the rule should refuse, from Unicode's own categories and bidirectional classes."""
    if multiline and char in "\n\t":
        return False
    direction = unicodedata.bidirectional(char)
    return unicodedata.category(char) in ("Cc", "Cs") or (
        direction in (OVERRIDES if multiline else DIRECTION_CONTROLS)
    )


@pytest.mark.parametrize("multiline", [False, True])
def test_the_refused_characters_are_controls_surrogates_and_direction_controls(multiline):
    every = [chr(code) for code in range(sys.maxunicode + 1)]
    refused = [c for c in every if refused_by_unicode(c, multiline=multiline)]
    # 65 controls, 2,048 surrogates, and 9 direction controls; or, in several lines, the
    # 2 overrides but neither the line feed nor the tab.
    assert len(refused) == 65 + 2048 + (2 - 2 if multiline else 9)
    for char in refused:
        with pytest.raises(UnstorableText) as caught:
            storable_text(f"a{char}b", multiline=multiline)
        assert caught.value.character == char
    unwanted = set(refused)
    kept = "".join(c for c in every if c not in unwanted)
    assert storable_text(f"a{kept}b", multiline=multiline) == f"a{kept}b"


@pytest.mark.parametrize("multiline", [False, True])
def test_the_direction_marks_are_kept_in_every_field(multiline):
    for mark in "\u200e\u200f\u061c":
        assert storable_text(f"x{mark}y", multiline=multiline) == f"x{mark}y"


def test_a_direction_control_is_named_in_words():
    assert describe_unstorable("\u202e") == (
        "holds an invisible right-to-left override (U+202E), "
        "which would change the order in which the text is shown"
    )
    assert "first strong isolate (U+2068)" in describe_unstorable("\u2068")


@pytest.mark.parametrize(
    "value, multiline, stored",
    [
        ("  Awa Ndiaye\t", False, "Awa Ndiaye"),
        ("\u2003Awa\u00a0Ndiaye\u3000", False, "Awa\u00a0Ndiaye"),
        ("\r\nLine one\r\nLine two\r\n", True, "Line one\nLine two"),
        ("\tfirst\n\tsecond", True, "first\n\tsecond"),
    ],
)
def test_surrounding_whitespace_goes_and_windows_line_breaks_become_plain(value, multiline, stored):
    assert storable_text(value, multiline=multiline) == stored


def test_a_lone_carriage_return_is_refused_rather_than_guessed_at():
    with pytest.raises(UnstorableText, match="carriage return"):
        storable_text("one\rtwo", multiline=True)
