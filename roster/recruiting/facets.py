"""How many experts of a search's result hold each value of each facet (``Facets``); in SQL."""

from collections import defaultdict
from dataclasses import dataclass, field, fields

from sqlalchemy import (
    Select,
    String,
    cast,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlmodel import Session

from matching.vocabulary import (
    UN_MEMBER_STATES,
)
from roster.models import (
    Expert,
    ExpertAccessibility,
    ExpertLanguage,
    ExpertNationality,
    ExpertSkill,
)
from roster.recruiting.conditions import conditions
from roster.recruiting.criteria import SearchCriteria


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


def _regions(by_country: dict[str, int], twice: list[tuple[int, str]]) -> list[tuple[str, int]]:
    """Experts per UN regional group: per country, summed, less the experts counted twice."""
    totals: dict[str, int] = {}
    for country, count in by_country.items():
        if group := UN_MEMBER_STATES.get(country):
            totals[group] = totals.get(group, 0) + count
    seen: set[tuple[int, str]] = set()
    for expert_id, country in twice:
        if group := UN_MEMBER_STATES.get(country):
            if (expert_id, group) in seen:
                totals[group] -= 1
            seen.add((expert_id, group))
    return sorted(((g, n) for g, n in totals.items() if n), key=lambda pair: (-pair[1], pair[0]))


def _facet_statement(criteria: SearchCriteria, *, any_merged: bool = True) -> Select:
    """One statement of (facet, code, count) rows: the result's ids are found once.

    For a search that asks for something, the ids are a materialised common table
    expression that every facet reads; for the whole roster, each table is grouped as
    it is, the merged records left out. Besides the facets, ``multi`` rows name the
    nationalities of the experts who hold several (expert id as the count), so that an
    expert of two nationalities of one group is counted once for it.
    """
    if criteria.is_empty() and not any_merged:

        def among(column):
            return true()
    elif criteria.is_empty():
        merged = select(Expert.id).where(Expert.merged_into_id.is_not(None)).scalar_subquery()

        def among(column):
            return column.not_in(merged)
    else:
        matched = (
            select(Expert.id.label("id")).where(*conditions(criteria)).cte("matched")
        ).prefix_with("MATERIALIZED")

        def among(column):
            return column.in_(select(matched.c.id))

    def grouped(name: str, column, expert_id) -> Select:
        return (
            select(literal(name).label("facet"), column.label("code"), func.count().label("n"))
            .where(among(expert_id))
            .group_by(column)
        )

    several = (
        select(ExpertNationality.expert_id)
        .group_by(ExpertNationality.expert_id)
        .having(func.count() > 1)
    )
    skilled = func.count(func.distinct(ExpertSkill.expert_id))
    return union_all(
        grouped("expertise", ExpertSkill.code, ExpertSkill.expert_id),
        grouped("language", ExpertLanguage.code, ExpertLanguage.expert_id),
        grouped("accessibility", ExpertAccessibility.code, ExpertAccessibility.expert_id),
        grouped("country", ExpertNationality.country, ExpertNationality.expert_id),
        grouped("status", cast(Expert.roster_status, String), Expert.id),
        grouped("seniority", Expert.seniority, Expert.id),
        select(literal("skilled"), literal(""), skilled).where(among(ExpertSkill.expert_id)),
        select(literal("verified"), literal(""), skilled).where(
            among(ExpertSkill.expert_id), ExpertSkill.verified_at.is_not(None)
        ),
        select(literal("multi"), ExpertNationality.country, ExpertNationality.expert_id).where(
            ExpertNationality.expert_id.in_(several), among(ExpertNationality.expert_id)
        ),
    )


def sql_facet_counts(*, session: Session, criteria: SearchCriteria) -> Facets:
    """How many of the experts matching ``criteria`` hold each value of each facet, in SQL.

    The search page counts in memory (``roster.recruiting.search.facet_counts``); this
    is the same count as one statement, which tests compare with it.

    Each facet counts experts (an expert of two nationalities of one group counts once
    for the group); values of a facet that no matching expert holds are left out. One
    statement (``_facet_statement``); the experts' wide rows are never read for it.
    """
    found: dict[str, dict[str, int]] = defaultdict(dict)
    twice: list[tuple[int, str]] = []
    any_merged = (
        session.scalar(select(Expert.id).where(Expert.merged_into_id.is_not(None)).limit(1))
        is not None
    )
    for facet, code, count in session.execute(_facet_statement(criteria, any_merged=any_merged)):
        if facet == "multi":
            twice.append((count, code))
        elif code is not None:
            found[facet][code] = count

    def ranked(facet: str) -> list[tuple[str, int]]:
        return sorted(found[facet].items(), key=lambda pair: (-pair[1], pair[0]))

    verified = found["verified"].get("", 0)
    declared = found["skilled"].get("", 0) - verified
    return Facets(
        status=ranked("status"),
        region=_regions(found["country"], twice),
        expertise=ranked("expertise"),
        language=ranked("language"),
        accessibility=ranked("accessibility"),
        seniority=ranked("seniority"),
        verified=[
            (code, n) for code, n in (("verified", verified), ("self-declared", declared)) if n
        ],
    )
