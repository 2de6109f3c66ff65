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
from roster.profiles.rows import CodedRows
from roster.profiles.services import lock, sync_children
from roster.refusal import Refused
from roster.validation import clean_text


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


def _level(level: object) -> object:
    if level not in LANGUAGE_LEVELS:
        raise Refused.at(
            "",
            N_("Choose your level in this language (%(levels)s)."),
            levels=", ".join(LANGUAGE_LEVELS),
        )
    return level


LANGUAGE_ROWS = CodedRows(
    name="languages",
    second="level",
    read_code=_language,
    check_second=_level,
    rank=level_rank,
    too_many=N_("Give at most %(most)s languages."),
    no_code=N_("Type the language, or set its level back to empty."),
    twice=N_("%(code)s was given twice; the higher level is kept."),
)


def read_languages(rows: Sequence[tuple[str, str]]) -> tuple[list[dict], list[Message]]:
    """Read (typed language, level) rows; return the language rows and notes.

    Blank rows are skipped; a language named twice keeps its higher level.

    Raises:
        ProfileInvalid: at ``languages[<row>].code`` / ``languages[<row>].level``.
    """
    return LANGUAGE_ROWS.read(rows)


def save_languages(
    *, session: Session, expert: Expert, version: int, rows: Sequence[tuple[str, str]]
) -> list[Message]:
    """Replace the profile's languages with ``rows``; return notes of what was understood."""
    languages, notes = read_languages(rows)
    lock(session=session, expert=expert, version=version)
    sync_children(expert.languages, languages, key="code", make=ExpertLanguage)
    session.add(expert)
    return notes
