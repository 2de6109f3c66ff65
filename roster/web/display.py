"""How codes read on the profile pages: names for codes, suggestions for the choosers.

Words shown for codes (a roster status, a gender, the taxonomy's labels) and dates go
through translation and the page's locale; names of countries and languages come from
Babel's localised data (CLDR) for the page's language, and in English from the roster's
vocabulary, as before.
"""

from datetime import datetime
from functools import cache

import pycountry
from flask_babel import get_locale, gettext

from matching.vocabulary import (
    ACCESSIBILITY_EXPERTISE,
    EXPERTISE_AREAS,
    OFFICIAL_UN_LANGUAGES,
    VocabularyError,
    country_name,
    language_name,
)
from roster.i18n import country_display, language_display, long_date
from roster.messages import N_
from roster.models.states import RosterStatus
from roster.policy.privacy import PURPOSE_OF_SENSITIVE

# Codes of taxonomy.json as the pages word them (in English, the code's own words).
ROSTER_STATUS_WORDS = RosterStatus.words()
GENDER_WORDS = {
    "woman": N_("woman"),
    "man": N_("man"),
    "non-binary": N_("non-binary"),
    "self-described": N_("self-described"),
    "undisclosed": N_("undisclosed"),
}
LEVEL_WORDS = {"native": N_("native")}


def country_label(code: str | None) -> str:
    """'Mali (ML)' for ML; the code itself if it is not a country."""
    if not code:
        return ""
    try:
        country_name(code)
    except VocabularyError:
        return code
    return f"{country_display(code)} ({code})"


def language_label(code: str) -> str:
    """'French (fr)' for fr; 'français (fr)' on a French page."""
    try:
        language_name(code)
    except VocabularyError:
        return code
    return f"{language_display(code)} ({code})"


def skill_label(code: str) -> str:
    """The taxonomy's label of an expertise area, translated (``babel.cfg`` extracts it)."""
    return gettext(EXPERTISE_AREAS[code]) if code in EXPERTISE_AREAS else code


def accessibility_label(code: str) -> str:
    """The taxonomy's label of an accessibility expertise, translated."""
    return gettext(ACCESSIBILITY_EXPERTISE[code]) if code in ACCESSIBILITY_EXPERTISE else code


def _worded(words: dict[str, str], code: str | None) -> str:
    return gettext(words[code]) if code in words else (code or "")


def status_label(code: str | None) -> str:
    """A roster status in words: 'under review' for under_review."""
    return _worded(ROSTER_STATUS_WORDS, code)


def gender_label(code: str | None) -> str:
    """A gender code of the taxonomy in words."""
    return _worded(GENDER_WORDS, code)


def level_label(level: str | None) -> str:
    """A language level: A1 to C2 as they are, 'native' in words."""
    return _worded(LEVEL_WORDS, level)


def timestamp(moment: datetime) -> str:
    """A moment to the minute, in UTC: 2027-03-01 09:30 UTC."""
    return gettext("%(time)s UTC", time=moment.strftime("%Y-%m-%d %H:%M"))


def language_suggestions() -> tuple[tuple[str, str], ...]:
    """(code, name) of the UN's six languages first, then every ISO 639-1 language by name.

    Named in the page's language (sorted by its collation where Babel names them).
    """
    return _language_suggestions(str(get_locale() or "en"))


@cache
def _language_suggestions(locale: str) -> tuple[tuple[str, str], ...]:
    in_english = locale.startswith("en")
    common = sorted(
        (
            (lang.alpha_2, lang.name if in_english else language_display(lang.alpha_2))
            for lang in pycountry.languages
            if hasattr(lang, "alpha_2")
        ),
        key=lambda pair: pair[1].casefold(),
    )
    first = [(code, language_display(code)) for code in OFFICIAL_UN_LANGUAGES]
    return tuple(first + [pair for pair in common if pair[0] not in OFFICIAL_UN_LANGUAGES])


def country_suggestions() -> tuple[str, ...]:
    """Every ISO 3166-1 country's name in the page's language, alphabetically.

    A name suggested is a name read back (``roster.validation.country_code``).
    """
    return _country_suggestions(str(get_locale() or "en"))


@cache
def _country_suggestions(locale: str) -> tuple[str, ...]:
    if locale.startswith("en"):
        return tuple(sorted(country_name(c.alpha_2) for c in pycountry.countries))
    return tuple(
        sorted((country_display(c.alpha_2) for c in pycountry.countries), key=str.casefold)
    )


def context() -> dict:
    """Template helpers shared by the expert's and the staff's profile pages."""
    return {
        "country_label": country_label,
        "language_label": language_label,
        "skill_label": skill_label,
        "accessibility_label": accessibility_label,
        "status_label": status_label,
        "gender_label": gender_label,
        "level_label": level_label,
        "long_date": long_date,
        "timestamp": timestamp,
        "language_suggestions": language_suggestions,
        "country_suggestions": country_suggestions,
        "expertise_areas": EXPERTISE_AREAS,
        "sensitive_purpose": gettext(PURPOSE_OF_SENSITIVE),
    }
