"""How codes and dates read on the pages: names for codes, suggestions for the choosers."""

from datetime import date
from functools import cache

import pycountry
from flask_babel import format_date

from matching.vocabulary import (
    ACCESSIBILITY_EXPERTISE,
    EXPERTISE_AREAS,
    OFFICIAL_UN_LANGUAGES,
    VocabularyError,
    country_name,
    language_name,
)
from roster.policy.privacy import PURPOSE_OF_SENSITIVE


def long_date(day: date) -> str:
    """A date as people read it, in the page's language: 1 March 2027."""
    return format_date(day, "long")


def country_label(code: str | None) -> str:
    """'Mali (ML)' for ML; the code itself if it is not a country."""
    if not code:
        return ""
    try:
        return f"{country_name(code)} ({code})"
    except VocabularyError:
        return code


def language_label(code: str) -> str:
    """'French (fr)' for fr."""
    try:
        return f"{language_name(code)} ({code})"
    except VocabularyError:
        return code


def skill_label(code: str) -> str:
    """The taxonomy's label of an expertise area."""
    return EXPERTISE_AREAS.get(code, code)


def accessibility_label(code: str) -> str:
    """The taxonomy's label of an accessibility expertise."""
    return ACCESSIBILITY_EXPERTISE.get(code, code)


@cache
def language_suggestions() -> tuple[tuple[str, str], ...]:
    """(code, name) of the UN's six languages first, then every ISO 639-1 language by name."""
    common = sorted(
        ((lang.alpha_2, lang.name) for lang in pycountry.languages if hasattr(lang, "alpha_2")),
        key=lambda pair: pair[1],
    )
    first = [(code, language_name(code)) for code in OFFICIAL_UN_LANGUAGES]
    return tuple(first + [pair for pair in common if pair[0] not in OFFICIAL_UN_LANGUAGES])


@cache
def country_suggestions() -> tuple[str, ...]:
    """Every ISO 3166-1 country's name, alphabetically."""
    return tuple(sorted(country_name(c.alpha_2) for c in pycountry.countries))


def context() -> dict:
    """Template helpers shared by the expert's and the staff's profile pages."""
    return {
        "country_label": country_label,
        "language_label": language_label,
        "skill_label": skill_label,
        "accessibility_label": accessibility_label,
        "long_date": long_date,
        "language_suggestions": language_suggestions,
        "country_suggestions": country_suggestions,
        "expertise_areas": EXPERTISE_AREAS,
        "sensitive_purpose": PURPOSE_OF_SENSITIVE,
    }
