"""The roster's one text rule refuses exactly Unicode's control characters and lone surrogates."""

import sys
import unicodedata

import pytest

from matching.storable import UnstorableText, storable_text


@pytest.mark.parametrize("multiline", [False, True])
def test_the_refused_characters_are_exactly_categories_cc_and_cs(multiline):
    allowed_inside = "\n\t" if multiline else ""
    every = [chr(code) for code in range(sys.maxunicode + 1)]
    refused = [
        c for c in every if unicodedata.category(c) in ("Cc", "Cs") and c not in allowed_inside
    ]
    assert len(refused) == 65 + 2048 - len(allowed_inside)
    for char in refused:
        with pytest.raises(UnstorableText) as caught:
            storable_text(f"a{char}b", multiline=multiline)
        assert caught.value.character == char
    unwanted = set(refused)
    kept = "".join(c for c in every if c not in unwanted)
    assert storable_text(f"a{kept}b", multiline=multiline) == f"a{kept}b"


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
