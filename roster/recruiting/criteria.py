"""A search as criteria: read from a page's address, refused in plain words, written back.

A search lives in the page's address (GET), so it can be bookmarked and shared:
``parse_criteria`` reads the address's arguments into a ``SearchCriteria`` (or refuses
them, naming the filter), ``SearchCriteria.to_query`` writes the canonical address back.
``roster.recruiting.search`` turns criteria into results and counts.

The address's arguments (each may be left out; repeated ones are "any of" unless said):

======================  =============================================================
``q``                   name or reference: every word of the name, folded by
                        ``roster.recruiting.names`` (accents, transliterations), or a
                        part of the reference
``text``                words that must all appear in the summary (any case)
``skill``               expertise areas (taxonomy codes), repeated
``match``               ``all`` (default) or ``any`` of the expertise areas
``expertise``           ``verified`` or ``self-declared``: which expertise counts
``lang``, ``level``     a language (BCP 47) at a minimum level (CEFR A1 to C2, native)
``sign``                ``1``: works in any sign language
``access``              accessibility expertise (taxonomy codes), repeated, any of
``region``              UN regional group of a nationality, repeated
``nationality``         nationality (ISO 3166-1 alpha-2), repeated
``status``              roster status (taxonomy code), repeated
``from``, ``to``        available for the whole period (inside one availability window)
``seniority``           a minimum grade (P2 < P3 < P4 < P5 < D1)
``years``               a minimum of years of experience
``stale``               ``1``: profile not confirmed for a year
======================  =============================================================

Merged records (``merged_into_id`` set) are never found: their survivor is.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, Literal
from urllib.parse import urlencode

import pycountry

from matching.vocabulary import (
    ACCESSIBILITY_EXPERTISE,
    EXPERTISE_AREAS,
    LANGUAGE_LEVELS,
    SENIORITY,
    UN_REGIONAL_GROUPS,
    VocabularyError,
    language_name,
)
from roster.messages import N_
from roster.models import (
    RosterStatus,
)
from roster.refusal import Problems, Refused
from roster.search import MAX_SEARCH
from roster.validation import UnstorableText, storable_text

PAGE_SIZE = 25
MAX_VALUES = 50  # of one repeated argument: more is no search a person makes
MAX_YEARS = 80
STALE_AFTER = timedelta(days=365)
SORTS = ("name", "years", "confirmed", "registered")
Sort = str  # a member of SORTS, or one prefixed with "-" for the other way round

# The arguments an address may hold, in the canonical order of ``to_query``.
ARGUMENTS = (
    "q",
    "text",
    "skill",
    "match",
    "expertise",
    "lang",
    "level",
    "sign",
    "access",
    "region",
    "nationality",
    "status",
    "from",
    "to",
    "seniority",
    "years",
    "stale",
)


class SearchRefused(Refused):
    """Search arguments that name no value of their filter; the path is the argument."""


@dataclass(frozen=True)
class SearchCriteria:
    """What a search asks for; the defaults ask for nothing (every expert)."""

    name: str = ""
    text: str = ""
    skills: tuple[str, ...] = ()
    skills_match: Literal["all", "any"] = "all"
    expertise: Literal["", "verified", "self-declared"] = ""
    language: str = ""
    language_level: str = ""
    sign_language: bool = False
    accessibility: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()
    statuses: tuple[RosterStatus, ...] = ()
    available_from: date | None = None
    available_to: date | None = None
    seniority: str = ""
    min_years: int | None = None
    stale: bool = False

    def arguments(self) -> list[tuple[str, str]]:
        """The criteria as the address's (argument, value) pairs, defaults left out."""
        pairs: list[tuple[str, str]] = []
        single = {
            "q": self.name,
            "text": self.text,
            "match": "any" if self.skills_match == "any" and self.skills else "",
            "expertise": self.expertise,
            "lang": self.language,
            "level": self.language_level,
            "sign": "1" if self.sign_language else "",
            "from": self.available_from.isoformat() if self.available_from else "",
            "to": self.available_to.isoformat() if self.available_to else "",
            "seniority": self.seniority,
            "years": "" if self.min_years is None else str(self.min_years),
            "stale": "1" if self.stale else "",
        }
        repeated = {
            "skill": self.skills,
            "access": self.accessibility,
            "region": self.regions,
            "nationality": self.nationalities,
            "status": tuple(status.value for status in self.statuses),
        }
        for name in ARGUMENTS:
            if name in repeated:
                pairs += [(name, value) for value in repeated[name]]
            elif single[name]:
                pairs.append((name, single[name]))
        return pairs

    def to_query(self) -> str:
        """The canonical query string (no ``?``): equal criteria give equal strings."""
        return urlencode(self.arguments())

    def is_empty(self) -> bool:
        """Whether the criteria ask for nothing (every expert is found)."""
        return self == SearchCriteria()

    def as_detail(self) -> dict[str, Any]:
        """The criteria as an audit event's detail: only what was asked, JSON-ready."""
        detail: dict[str, Any] = {}
        for name, value in self.arguments():
            detail.setdefault(name, []).append(value)
        return {name: values if len(values) > 1 else values[0] for name, values in detail.items()}


def _values(args: Mapping[str, Any], name: str) -> list[str]:
    if hasattr(args, "getlist"):
        raw = args.getlist(name)
    else:
        raw = args.get(name, [])
        raw = [raw] if isinstance(raw, str) else list(raw)
    return [value.strip() for value in raw if isinstance(value, str) and value.strip()]


def _one(args: Mapping[str, Any], name: str, problems: Problems) -> str:
    values = _values(args, name)
    if len(set(values)) > 1:
        problems.add(name, N_("The filter “%(filter)s” can have one value only."), filter=name)
        return ""
    return values[0] if values else ""


def _words(value: str, name: str, problems: Problems) -> str:
    if len(value) > MAX_SEARCH:
        problems.add(
            name,
            N_(
                "The search “%(filter)s” is %(length)s characters long; it can be at most "
                "%(most)s characters."
            ),
            filter=name,
            length=len(value),
            most=MAX_SEARCH,
        )
        return ""
    try:
        return storable_text(value)
    except UnstorableText:
        problems.add(
            name,
            N_("The search “%(filter)s” holds a character that no profile holds."),
            filter=name,
        )
        return ""


def _codes(
    args: Mapping[str, Any], name: str, known, problems: Problems, *, upper: bool = False
) -> tuple[str, ...]:
    values = _values(args, name)
    if len(values) > MAX_VALUES:
        problems.add(
            name,
            N_("The filter “%(filter)s” can have at most %(most)s values."),
            filter=name,
            most=MAX_VALUES,
        )
        return ()
    chosen: list[str] = []
    for value in values:
        code = value.upper() if upper else value
        if code not in known:
            problems.add(
                name,
                N_("The filter “%(filter)s” has no value “%(value)s”."),
                filter=name,
                value=value[:60],
            )
        elif code not in chosen:
            chosen.append(code)
    return tuple(chosen)


def _flag(args: Mapping[str, Any], name: str, problems: Problems) -> bool:
    value = _one(args, name, problems)
    if value not in ("", "1", "0"):
        problems.add(name, N_("The filter “%(filter)s” is on (1) or off (0)."), filter=name)
    return value == "1"


def _day(args: Mapping[str, Any], name: str, problems: Problems) -> date | None:
    value = _one(args, name, problems)
    if not value:
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else date.fromisoformat("bad")
    except ValueError:
        problems.add(
            name,
            N_("The date “%(filter)s” must be a day written as 2027-03-01."),
            filter=name,
        )
        return None


def _whole(args: Mapping[str, Any], name: str, problems: Problems, most: int) -> int | None:
    value = _one(args, name, problems)
    if not value:
        return None
    if not re.fullmatch(r"\d{1,3}", value) or int(value) > most:
        problems.add(
            name,
            N_("The filter “%(filter)s” is a whole number from 0 to %(most)s."),
            filter=name,
            most=most,
        )
        return None
    return int(value)


def _language(value: str, problems: Problems) -> str:
    if not value:
        return ""
    try:
        if len(value) > 35 or not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", value):
            raise VocabularyError(value)
        language_name(value)
    except VocabularyError:
        problems.add("lang", N_("The filter “lang” has no language “%(value)s”."), value=value[:60])
        return ""
    return value.lower() if "-" not in value else value


def parse_criteria(args: Mapping[str, Any]) -> SearchCriteria:
    """Read a search from an address's arguments (a ``MultiDict`` or name -> values).

    Unknown arguments are ignored (``page`` and ``sort`` are the page's own).

    Raises:
        SearchRefused: every argument that names no value of its filter, each at its
            argument's name, in plain words: an unknown code or level, a reversed or
            half-given period, a level without a language, a search over 200 characters.
    """
    problems = Problems()
    name = _words(_one(args, "q", problems), "q", problems)
    text = _words(_one(args, "text", problems), "text", problems)
    match = _one(args, "match", problems) or "all"
    if match not in ("all", "any"):
        problems.add("match", N_("The filter “match” is “all” or “any”."))
    expertise = _one(args, "expertise", problems)
    if expertise not in ("", "verified", "self-declared"):
        problems.add("expertise", N_("The filter “expertise” is “verified” or “self-declared”."))
        expertise = ""
    language = _language(_one(args, "lang", problems), problems)
    level = _one(args, "level", problems)
    if level and level not in LANGUAGE_LEVELS:
        problems.add(
            "level",
            N_("The filter “level” has no level “%(value)s”: use one of %(levels)s."),
            value=level[:60],
            levels=", ".join(LANGUAGE_LEVELS),
        )
    elif level and not language and not problems.has("lang"):
        problems.add("level", N_("Choose the language that the level is for."))
    seniority = _one(args, "seniority", problems)
    if seniority and seniority not in SENIORITY:
        problems.add(
            "seniority",
            N_("The filter “seniority” has no grade “%(value)s”: use one of %(grades)s."),
            value=seniority[:60],
            grades=", ".join(SENIORITY),
        )
    start, end = _day(args, "from", problems), _day(args, "to", problems)
    if (start is None) != (end is None) and not problems.has("from") and not problems.has("to"):
        problems.add(
            "to" if end is None else "from",
            N_("Give both the first and the last day of the period the expert is available for."),
        )
    elif start and end and start > end:
        problems.add(
            "to",
            N_("The period ends (%(end)s) before it starts (%(start)s)."),
            start=start,
            end=end,
        )
    criteria = SearchCriteria(
        name=name,
        text=text,
        skills=_codes(args, "skill", EXPERTISE_AREAS, problems),
        skills_match="any" if match == "any" else "all",
        expertise=expertise,  # type: ignore[arg-type]
        language=language,
        language_level=level if level in LANGUAGE_LEVELS else "",
        sign_language=_flag(args, "sign", problems),
        accessibility=_codes(args, "access", ACCESSIBILITY_EXPERTISE, problems),
        regions=_codes(args, "region", UN_REGIONAL_GROUPS, problems),
        nationalities=_codes(args, "nationality", _countries(), problems, upper=True),
        statuses=tuple(
            RosterStatus(code)
            for code in _codes(args, "status", {s.value for s in RosterStatus}, problems)
        ),
        available_from=start,
        available_to=end,
        seniority=seniority if seniority in SENIORITY else "",
        min_years=_whole(args, "years", problems, MAX_YEARS),
        stale=_flag(args, "stale", problems),
    )
    problems.raise_if_any(SearchRefused)
    return criteria


def parse_page(value: str | None) -> int:
    """The page number asked for: a whole number from 1 (1 when not given).

    Raises:
        SearchRefused: at ``page``, for anything else.
    """
    if value is None or value == "":
        return 1
    if not re.fullmatch(r"\d{1,6}", value.strip()) or int(value) < 1:
        raise SearchRefused.at("page", N_("The page number must be a whole number from 1."))
    return int(value)


def parse_sort(value: str | None) -> Sort:
    """The order asked for (``name`` when not given).

    Raises:
        SearchRefused: at ``sort``, for an order that is not one of ``SORTS``.
    """
    if not value:
        return "name"
    if value.removeprefix("-") not in SORTS:
        raise SearchRefused.at(
            "sort",
            N_("The results can be sorted by %(sorts)s only."),
            sorts=", ".join(SORTS),
        )
    return value


@cache
def _countries() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)
