"""The languages an expert works in, with levels; typed names read as language codes.

Rows come as typed (``"Francais"``); each is normalised by ``matching.vocabulary`` and
the note of what was understood is returned, so the expert sees it. An unknown name is
an error on its row, never a silent drop.
"""

from collections.abc import Sequence

from sqlmodel import Session

from matching.vocabulary import LANGUAGE_LEVELS, VocabularyError, level_rank, normalise_language
from roster.messages import N_, Message
from roster.models import Expert, ExpertLanguage
from roster.profile.services import ProfileInvalid, lock, sync_children
from roster.refusal import Problems, Refused
from roster.validation import clean_text

MAX_ROWS = 20


def understood(note: str) -> Message:
    """The vocabulary's note of what a typed name was read as, as a sentence."""
    return Message(N_("%(note)s."), {"note": note[:1].upper() + note[1:]})


def blank(value: object) -> bool:
    """Whether a cell of a row was left empty."""
    return value is None or (isinstance(value, str) and not value.strip())


def _language(text: str) -> tuple[str, str | None]:
    cleaned = clean_text(text, label=Message(N_("Language")), max_length=100)
    try:
        found = normalise_language(cleaned)
    except VocabularyError:
        raise Refused.at(
            "",
            N_(
                "We did not recognise '%(text)s' as a language. Type its English name "
                "(like French) or its code (like fr)."
            ),
            text=cleaned,
        ) from None
    return found.code, found.note


def read_languages(rows: Sequence[tuple[str, str]]) -> tuple[list[dict], list[Message]]:
    """Read (typed language, level) rows; return the language rows and notes.

    Blank rows are skipped; a language named twice keeps its higher level.

    Raises:
        ProfileInvalid: at ``languages[<row>].code`` / ``languages[<row>].level``.
    """
    problems = Problems()
    found: dict[str, dict] = {}
    notes: list[Message] = []
    for index, (text, level) in enumerate(rows):
        row = f"languages[{index}]"
        if blank(text) and blank(level):
            continue
        if index >= MAX_ROWS:
            problems.add(f"{row}.code", N_("Give at most %(most)s languages."), most=MAX_ROWS)
            break
        if blank(text):
            problems.add(f"{row}.code", N_("Type the language, or set its level back to empty."))
            continue
        read = problems.check(f"{row}.code", lambda t=text: _language(t))
        if level not in LANGUAGE_LEVELS:
            problems.add(
                f"{row}.level",
                N_("Choose your level in this language (%(levels)s)."),
                levels=", ".join(LANGUAGE_LEVELS),
            )
        if read is None or problems.has(f"{row}.level"):
            continue
        code, note = read
        if note:
            notes.append(understood(note))
        if code in found:
            notes.append(
                Message(N_("%(code)s was given twice; the higher level is kept."), {"code": code})
            )
            if level_rank(level) <= level_rank(found[code]["level"]):
                continue
        found[code] = {"code": code, "level": level}
    problems.raise_if_any(ProfileInvalid)
    return [row | {"position": i} for i, row in enumerate(found.values())], notes


def save_languages(
    *, session: Session, expert: Expert, version: int, rows: Sequence[tuple[str, str]]
) -> list[Message]:
    """Replace the profile's languages with ``rows``; return notes of what was understood."""
    languages, notes = read_languages(rows)
    lock(session=session, expert=expert, version=version)
    sync_children(expert.languages, languages, key="code", make=ExpertLanguage)
    session.add(expert)
    return notes
