"""Languages and expertise areas of a profile: typed names read as codes, with notes.

Rows come as typed (``"Francais"``, ``"voter registraton"``); each is normalised by
``matching.vocabulary`` and the note of what was understood is returned, so the
expert sees it. Unknown names are an error on their row, never a silent drop.
"""

from collections.abc import Sequence

from sqlmodel import Session

from matching.vocabulary import (
    LANGUAGE_LEVELS,
    VocabularyError,
    level_rank,
    normalise_language,
    normalise_skill,
)
from roster.models import Expert, ExpertLanguage, ExpertSkill
from roster.profile.services import (
    ProfileInvalid,
    checked,
    clean_text,
    lock,
    sync_children,
    whole_number,
)

MAX_ROWS = 20


def _sentence(note: str) -> str:
    return note[:1].upper() + note[1:] + "."


def _language(text: str) -> tuple[str, str | None]:
    cleaned = clean_text(text, label="Language", max_length=100)
    try:
        found = normalise_language(cleaned)
    except VocabularyError:
        raise ValueError(
            f"We did not recognise '{cleaned}' as a language. Type its English name "
            "(like French) or its code (like fr)."
        ) from None
    return found.code, found.note


def _skill(text: str) -> tuple[str, str | None]:
    cleaned = clean_text(text, label="Expertise area", max_length=200)
    try:
        found = normalise_skill(cleaned)
    except VocabularyError:
        raise ValueError(
            f"We did not recognise '{cleaned}' as an expertise area. Choose one of "
            "the suggestions, or type its name."
        ) from None
    return found.code, found.note


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_languages(rows: Sequence[tuple[str, str]]) -> tuple[list[dict], list[str]]:
    """Read (typed language, level) rows; return the language rows and notes.

    Blank rows are skipped; a language named twice keeps its higher level.

    Raises:
        ProfileInvalid: keyed ``languages-<row>-code`` / ``languages-<row>-level``.
    """
    errors: dict[str, str] = {}
    found: dict[str, dict] = {}
    notes: list[str] = []
    for index, (text, level) in enumerate(rows):
        prefix = f"languages-{index}"
        if _blank(text) and _blank(level):
            continue
        if index >= MAX_ROWS:
            errors[f"{prefix}-code"] = f"Give at most {MAX_ROWS} languages."
            break
        if _blank(text):
            errors[f"{prefix}-code"] = "Type the language, or set its level back to empty."
            continue
        read = checked(errors, f"{prefix}-code", lambda t=text: _language(t))
        if level not in LANGUAGE_LEVELS:
            errors[f"{prefix}-level"] = (
                f"Choose your level in this language ({', '.join(LANGUAGE_LEVELS)})."
            )
        if read is None or f"{prefix}-level" in errors:
            continue
        code, note = read
        if note:
            notes.append(_sentence(note))
        if code in found:
            notes.append(f"{code} was given twice; the higher level is kept.")
            if level_rank(level) <= level_rank(found[code]["level"]):
                continue
        found[code] = {"code": code, "level": level}
    if errors:
        raise ProfileInvalid(errors)
    return [row | {"position": i} for i, row in enumerate(found.values())], notes


def save_languages(
    *, session: Session, expert: Expert, version: int, rows: Sequence[tuple[str, str]]
) -> list[str]:
    """Replace the profile's languages with ``rows``; return notes of what was understood."""
    languages, notes = read_languages(rows)
    lock(session=session, expert=expert, version=version)
    sync_children(expert.languages, languages, key="code", make=ExpertLanguage)
    session.add(expert)
    return notes


def read_skills(rows: Sequence[tuple[str, int | None]]) -> tuple[list[dict], list[str]]:
    """Read (typed expertise area, years) rows; return the skill rows and notes.

    Raises:
        ProfileInvalid: keyed ``skills-<row>-code`` / ``skills-<row>-years``.
    """
    errors: dict[str, str] = {}
    found: dict[str, dict] = {}
    notes: list[str] = []
    for index, (text, years) in enumerate(rows):
        prefix = f"skills-{index}"
        if _blank(text) and years is None:
            continue
        if index >= MAX_ROWS:
            errors[f"{prefix}-code"] = f"Give at most {MAX_ROWS} expertise areas."
            break
        if _blank(text):
            errors[f"{prefix}-code"] = "Type the expertise area, or clear its years."
            continue
        read = checked(errors, f"{prefix}-code", lambda t=text: _skill(t))
        checked(
            errors,
            f"{prefix}-years",
            lambda y=years: whole_number(y, label="Years", low=0, high=70),
        )
        if read is None or f"{prefix}-years" in errors:
            continue
        code, note = read
        if note:
            notes.append(_sentence(note))
        if code in found:
            notes.append(f"{code} was given twice; the larger number of years is kept.")
            if (years or 0) <= (found[code]["years"] or 0):
                continue
        found[code] = {"code": code, "years": years}
    if errors:
        raise ProfileInvalid(errors)
    return [row | {"position": i} for i, row in enumerate(found.values())], notes


def save_skills(
    *, session: Session, expert: Expert, version: int, rows: Sequence[tuple[str, int | None]]
) -> list[str]:
    """Replace the expertise areas; a recruiter's verification stays on areas still declared."""
    skills, notes = read_skills(rows)
    lock(session=session, expert=expert, version=version)
    sync_children(expert.skills, skills, key="code", make=ExpertSkill)
    session.add(expert)
    return notes
