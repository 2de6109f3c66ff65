"""Which text the roster stores: one rule for its web forms and its imports alike.

Text is stored as :func:`storable_text` returns it: Windows line breaks (CR LF) read
as plain line feeds, spaces and line breaks at either end removed (so a leading tab
goes too), and no control character left inside, except line feeds and tabs in a
multi-line field (a summary, a deployment's comments). No database stores NUL,
PostgreSQL no unpaired surrogate, and nobody types the others on purpose; a lone
carriage return is refused rather than guessed at.

Unicode's invisible controls of text direction are refused too: the embeddings,
overrides and isolates (U+202A-U+202E, U+2066-U+2069) in every one-line field, the
overrides (U+202D, U+202E) in multi-line fields as well. Everything else, any script,
emoji or punctuation, and the direction marks (U+200E, U+200F, U+061C), is kept as typed.
"""

import re
import unicodedata
from collections.abc import Iterable

# Unicode's control characters (category Cc: U+0000-U+001F and U+007F-U+009F) and
# unpaired surrogates (Cs), spelled out: unicodedata would cost a call per character.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff"
# The characters of bidirectional classes LRE, RLE, PDF, LRO, RLO (U+202A-U+202E) and
# LRI, RLI, FSI, PDI (U+2066-U+2069). Invisible, each changes the order in which the
# text after it is shown, up to the end of its paragraph unless closed: an override
# reverses letters, so that "\u202eelbuod" shows as "double"; an embedding or isolate
# reorders words and numbers. A one-line value is shown inside sentences, table rows,
# mail and file names, where an unclosed one reorders what follows (the date after a
# name, the rest of a mail's line) and an override makes a name or a reference read as
# another. No script needs them in a name: the Unicode bidirectional algorithm shows
# Arabic and Hebrew names in their order by itself. So a one-line field refuses all nine.
_DIRECTION_CONTROLS = "\u202a-\u202e\u2066-\u2069"
# A multi-line field (a summary, a deployment's comments) refuses the overrides only:
# they make a reader see words other than those stored, and the matcher reads the
# summary's stored words. Embeddings and isolates never reorder the letters of a word;
# mixed-direction prose may use them (Unicode's advice is to wrap a phrase of the other
# direction in an isolate), and pages show each such field as a block of its own
# (dir="auto"), where an unclosed one ends with the field.
_OVERRIDES = "\u202d\u202e"
# Kept everywhere: the marks LRM, RLM and ALM (U+200E, U+200F, U+061C). Each is an
# invisible letter of one direction, with no reach: it reorders no letter and only
# decides which side a neighbouring space, bracket or digit goes to, which is what
# writers of Arabic and Hebrew use them for, in names too (a Latin initial or a bracket
# beside an Arabic name), and what their keyboards type. Refusing them would refuse
# names typed as they should be; and pages show stored text isolated (<bdi>,
# dir="auto"), so a mark cannot move the text around it.
_ONE_LINE = re.compile(f"[\n\t{_CONTROLS}{_DIRECTION_CONTROLS}]")
_MULTI_LINE = re.compile(f"[{_CONTROLS}{_OVERRIDES}]")
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class UnstorableText(ValueError):
    """Text holding a character that cannot be stored; ``character`` is the first such."""

    def __init__(self, character: str) -> None:
        self.character = character
        super().__init__(describe_unstorable(character))


def describe_character(character: str) -> str:
    """Name a refused character for a person: "an invisible right-to-left override (U+202E)"."""
    code = f"U+{ord(character):04X}"
    if character in DIRECTION_CONTROLS:
        return f"an invisible {unicodedata.name(character).lower()} ({code})"
    if character == "\n":
        return "a line break"
    return f"the control character {code}"


def describe_unstorable(character: str) -> str:
    """Say in words why ``character`` cannot be stored (for import reports)."""
    if character == "\n":
        return "holds a line break, but this field is a single line"
    if character in DIRECTION_CONTROLS:
        return (
            f"holds {describe_character(character)}, which would change the order in "
            "which the text is shown"
        )
    code = f"U+{ord(character):04X}"
    if character == "\r":
        return f"holds a carriage return ({code}) not followed by a line feed, which is not stored"
    if "\ud800" <= character <= "\udfff":
        return f"holds {code}, half of a character without its other half, which cannot be stored"
    return f"holds the control character {code}, which cannot be stored"


def storable_text(value: str, *, multiline: bool = False) -> str:
    """Return ``value`` as the roster stores it, or raise ``UnstorableText``.

    CR LF becomes LF and surrounding whitespace is removed; any control character
    left (other than LF and tab where ``multiline``), or a control of text direction
    (only an override where ``multiline``), refuses the whole text.
    """
    text = value.replace("\r\n", "\n").strip() if "\r" in value else value.strip()
    found = (_MULTI_LINE if multiline else _ONE_LINE).search(text)
    if found:
        raise UnstorableText(found.group())
    return text


# Strings lie at most this deep in an expert record (record > deployments > one of
# them); deeper values are not walked, and the schema refuses them.
_DEEPEST = 3

Part = str | int


def storable_texts(
    value: object, *, multiline: frozenset[tuple[str, ...]]
) -> tuple[object, list[tuple[str, str]], list[str]]:
    """Return a JSON value with every string in it as stored, the problems and the notes.

    ``multiline`` names the multi-line fields by their keys, list positions left out
    (``("summary",)``, ``("deployments", "comments")``). A string that cannot be stored
    is left as it was and gives a problem ``(path, reason)``, its path as people read
    it (``languages[2].code``); a trimmed string gives a note. Objects and lists in
    which nothing changed are returned as they were, not copied: an import walks every
    record.
    """
    problems: list[tuple[str, str]] = []
    notes: list[str] = []

    def text(value: str, parts: tuple[Part, ...], keys: tuple[str, ...]) -> str:
        try:
            stored = storable_text(value, multiline=keys in multiline)
        except UnstorableText as error:
            problems.append((_path(parts), str(error)))
            return value
        if stored != value:
            plain = value.replace("\r\n", "\n")
            if plain != value:
                notes.append(
                    f"{_path(parts)}: Windows line breaks (CR LF) read as plain line breaks"
                )
            if stored != plain:
                notes.append(f"{_path(parts)}: spaces or line breaks at the start or end removed")
            return stored
        return value

    def walk(value: object, parts: tuple[Part, ...], keys: tuple[str, ...]) -> object:
        if isinstance(value, str):
            return text(value, parts, keys)
        items: Iterable[tuple[Part, object]]
        if isinstance(value, dict):
            items, nested = value.items(), True
        elif isinstance(value, list):
            items, nested = enumerate(value), False
        else:
            return value
        copy: dict | list | None = None
        for key, item in items:
            if isinstance(item, str) and not _ONE_LINE.search(item) and item == item.strip():
                continue  # Stored as it is, in any field: the common case, kept cheap.
            if len(parts) + 1 >= _DEEPEST and not isinstance(item, str):
                continue
            new = walk(item, (*parts, key), (*keys, str(key)) if nested else keys)
            if new is not item:
                copy = copy if copy is not None else (dict(value) if nested else list(value))
                copy[key] = new
        return value if copy is None else copy

    return walk(value, (), ()), problems, notes


def _path(parts: tuple[Part, ...]) -> str:
    """A path as people read it: ``languages[2].code``; an empty key is shown as ''."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = part or "''"
            text = f"{text}.{name}" if text else name
    return text
