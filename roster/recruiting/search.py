"""Finding experts by what they can do: criteria read from an address, results and counts.

A search lives in the page's address (GET), so it can be bookmarked and shared:
``parse_criteria`` reads the address's arguments into a ``SearchCriteria`` (or refuses
them, naming the filter), ``SearchCriteria.to_query`` writes the canonical address back,
``search_statement`` is the SELECT of the matching experts' ids (for other services:
saved searches, exports, bulk actions), ``run_search`` gives one sorted page of them
and ``facet_counts`` how many of them hold each value of each facet.

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

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, Literal
from urllib.parse import urlencode

import pycountry
from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from matching.vocabulary import (
    ACCESSIBILITY_EXPERTISE,
    EXPERTISE_AREAS,
    LANGUAGE_LEVELS,
    SENIORITY,
    UN_MEMBER_STATES,
    UN_REGIONAL_GROUPS,
    VocabularyError,
    language_name,
)
from roster.messages import N_
from roster.models import (
    AvailabilityWindow,
    Expert,
    ExpertAccessibility,
    ExpertLanguage,
    ExpertNationality,
    ExpertSkill,
    RosterStatus,
    utcnow,
)
from roster.recruiting.names import name_tokens
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


@dataclass(frozen=True)
class SearchPage:
    """One page of a search's results, and where it stands among the pages."""

    experts: list[Expert]
    total: int
    number: int
    pages: int
    sort: Sort
    per_page: int = PAGE_SIZE


@dataclass(frozen=True)
class Facets:
    """How many experts of a result hold each value of each facet (values as codes).

    Each facet is a list of (code, count), largest count first, values held by no one
    of the result left out. ``verified`` has the codes ``verified`` (at least one
    expertise verified) and ``self-declared`` (expertise, none verified).
    """

    status: list[tuple[str, int]] = field(default_factory=list)
    region: list[tuple[str, int]] = field(default_factory=list)
    expertise: list[tuple[str, int]] = field(default_factory=list)
    language: list[tuple[str, int]] = field(default_factory=list)
    accessibility: list[tuple[str, int]] = field(default_factory=list)
    seniority: list[tuple[str, int]] = field(default_factory=list)
    verified: list[tuple[str, int]] = field(default_factory=list)

    def items(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """(facet name, its counts) in the order the page shows them."""
        return [(f.name, getattr(self, f.name)) for f in fields(self)]


# --- reading the address ---------------------------------------------------------------


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


@cache
def sign_language_codes() -> tuple[str, ...]:
    """ISO 639-3 codes of every sign language (``ase``, ``bfi``, ``fsl`` ...)."""
    return tuple(
        sorted(
            language.alpha_3
            for language in pycountry.languages
            if "sign language" in language.name.lower()
        )
    )


def region_of_country() -> ColumnElement:
    """A SQL expression: the UN regional group of ``ExpertNationality.country`` (or NULL)."""
    return case(UN_MEMBER_STATES, value=ExpertNationality.country, else_=None)


# --- the statement -----------------------------------------------------------------------


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _has(table, *conditions) -> ColumnElement:
    # Correlated to the expert only: a facet grouping the same child table stays apart.
    return exists().where(table.expert_id == Expert.id, *conditions).correlate(Expert)


def _skill_kind(criteria: SearchCriteria) -> list[ColumnElement]:
    if criteria.expertise == "verified":
        return [ExpertSkill.verified_at.is_not(None)]
    if criteria.expertise == "self-declared":
        return [ExpertSkill.verified_at.is_(None)]
    return []


def _name_condition(text: str) -> ColumnElement:
    pattern = _like(text)
    tokens = name_tokens(text)
    folded = [Expert.name_key.like(_like(token), escape="\\") for token in tokens]
    return or_(
        and_(*folded) if folded else false(),
        func.lower(Expert.full_name).like(pattern, escape="\\"),
        func.lower(Expert.external_id).like(pattern, escape="\\"),
    )


def _language_condition(criteria: SearchCriteria) -> ColumnElement:
    code = criteria.language
    same = or_(
        func.lower(ExpertLanguage.code) == code.lower(),
        func.lower(ExpertLanguage.code).like(_like(code).removesuffix("%") + "-%", escape="\\"),
    )
    if criteria.language_level:
        at_least = LANGUAGE_LEVELS[LANGUAGE_LEVELS.index(criteria.language_level) :]
        return _has(ExpertLanguage, same, ExpertLanguage.level.in_(at_least))
    return _has(ExpertLanguage, same)


def conditions(criteria: SearchCriteria, *, now: datetime | None = None) -> list[ColumnElement]:
    """The WHERE conditions on ``Expert`` of a search (merged records always left out)."""
    found: list[ColumnElement] = [Expert.merged_into_id.is_(None)]
    if criteria.name:
        found.append(_name_condition(criteria.name))
    for word in criteria.text.split():
        found.append(func.lower(Expert.summary).like(_like(word), escape="\\"))
    kind = _skill_kind(criteria)
    if criteria.skills and criteria.skills_match == "all":
        found += [_has(ExpertSkill, ExpertSkill.code == code, *kind) for code in criteria.skills]
    elif criteria.skills:
        found.append(_has(ExpertSkill, ExpertSkill.code.in_(criteria.skills), *kind))
    elif kind:
        found.append(_has(ExpertSkill, *kind))
    if criteria.language:
        found.append(_language_condition(criteria))
    if criteria.sign_language:
        found.append(_has(ExpertLanguage, ExpertLanguage.code.in_(sign_language_codes())))
    if criteria.accessibility:
        found.append(
            _has(ExpertAccessibility, ExpertAccessibility.code.in_(criteria.accessibility))
        )
    if criteria.regions:
        members = [code for code, group in UN_MEMBER_STATES.items() if group in criteria.regions]
        found.append(_has(ExpertNationality, ExpertNationality.country.in_(members)))
    if criteria.nationalities:
        found.append(_has(ExpertNationality, ExpertNationality.country.in_(criteria.nationalities)))
    if criteria.statuses:
        found.append(Expert.roster_status.in_(criteria.statuses))
    if criteria.available_from and criteria.available_to:
        found.append(
            _has(
                AvailabilityWindow,
                AvailabilityWindow.start <= criteria.available_from,
                AvailabilityWindow.end >= criteria.available_to,
            )
        )
    if criteria.seniority:
        found.append(Expert.seniority.in_(SENIORITY[SENIORITY.index(criteria.seniority) :]))
    if criteria.min_years is not None:
        found.append(Expert.years_experience >= criteria.min_years)
    if criteria.stale:
        found.append(Expert.profile_confirmed_at < (now or utcnow()) - STALE_AFTER)
    return found


def search_statement(criteria: SearchCriteria, *, session: Session | None = None) -> Select:
    """A SELECT of the ids of the experts matching ``criteria``, unordered.

    ``session`` is accepted for callers that hold one; the statement does not need it.
    """
    return select(Expert.id).where(*conditions(criteria))


def order_by(sort: Sort) -> list:
    """The ORDER BY of a sort: its column, missing values last, then the id."""
    descending = sort.startswith("-")
    column = {
        "name": Expert.full_name,
        "years": Expert.years_experience,
        "confirmed": Expert.profile_confirmed_at,
        "registered": Expert.created_at,
    }[sort.removeprefix("-")]
    ordered = column.desc().nulls_last() if descending else column.asc().nulls_last()
    return [ordered, Expert.id]


def ordered_statement(criteria: SearchCriteria, sort: Sort = "name") -> Select:
    """A SELECT of the matching experts, in the order ``sort`` names."""
    return select(Expert).where(*conditions(criteria)).order_by(*order_by(sort))


def count_matches(*, session: Session, criteria: SearchCriteria) -> int:
    """How many experts match ``criteria``."""
    return session.scalar(select(func.count(Expert.id)).where(*conditions(criteria))) or 0


def run_search(
    *,
    session: Session,
    criteria: SearchCriteria,
    page: int = 1,
    sort: Sort = "name",
    per_page: int = PAGE_SIZE,
) -> SearchPage:
    """One page of the experts matching ``criteria``, in the order ``sort`` names.

    The experts come with their nationalities, languages and expertise loaded.

    Raises:
        SearchRefused: at ``page``, a page before the first or after the last (a
            result of no expert has one page, empty).
    """
    total = count_matches(session=session, criteria=criteria)
    pages = max(1, math.ceil(total / per_page))
    if page < 1 or page > pages:
        raise SearchRefused.at(
            "page",
            N_("There is no page %(page)s: the result has %(pages)s page(s)."),
            page=page,
            pages=pages,
        )
    experts = list(
        session.scalars(
            ordered_statement(criteria, sort)
            .options(
                selectinload(Expert.nationalities),
                selectinload(Expert.languages),
                selectinload(Expert.skills),
            )
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return SearchPage(
        experts=experts, total=total, number=page, pages=pages, sort=sort, per_page=per_page
    )


# --- facet counts ------------------------------------------------------------------------


def _grouped(session: Session, statement: Select) -> list[tuple[str, int]]:
    counts = [(code, count) for code, count in session.execute(statement) if code is not None]
    return sorted(counts, key=lambda pair: (-pair[1], str(pair[0])))


def facet_counts(*, session: Session, criteria: SearchCriteria) -> Facets:
    """How many of the experts matching ``criteria`` hold each value of each facet.

    Each facet counts experts (an expert of two nationalities of one group counts once
    for the group); values of a facet that no matching expert holds are left out.
    """
    where = conditions(criteria)
    count = func.count(Expert.id)

    def by_child(table, column) -> list[tuple[str, int]]:
        return _grouped(
            session,
            select(column, func.count(func.distinct(table.expert_id)))
            .join(Expert, Expert.id == table.expert_id)
            .where(*where)
            .group_by(column),
        )

    status = _grouped(
        session, select(Expert.roster_status, count).where(*where).group_by(Expert.roster_status)
    )
    verified_any = func.max(case((ExpertSkill.verified_at.is_not(None), 1), else_=0))
    kinds = (
        select(verified_any.label("verified"))
        .join(Expert, Expert.id == ExpertSkill.expert_id)
        .where(*where)
        .group_by(ExpertSkill.expert_id)
        .subquery()
    )
    verified = _grouped(
        session,
        select(
            case((kinds.c.verified == 1, "verified"), else_="self-declared"), func.count()
        ).group_by(kinds.c.verified),
    )
    return Facets(
        status=[(RosterStatus(code).value, n) for code, n in status],
        region=by_child(ExpertNationality, region_of_country()),
        expertise=by_child(ExpertSkill, ExpertSkill.code),
        language=by_child(ExpertLanguage, ExpertLanguage.code),
        accessibility=by_child(ExpertAccessibility, ExpertAccessibility.code),
        seniority=_grouped(
            session, select(Expert.seniority, count).where(*where).group_by(Expert.seniority)
        ),
        verified=verified,
    )
