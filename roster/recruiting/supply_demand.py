"""Supply against demand: rostered experts against what needs assessments asked for.

For each expertise area and UN official language (and each pair of them, for the
heatmap): the rostered experts, as the small-count rule publishes them; the positions
of roles whose requirements name it, in needs assessments entered in the period; and
the positions of those roles left unmet in the planner's unmet-demand log. Positions
are not people, so they are never withheld. The roles are a few hundred rows, counted
here; the experts are counted by the database (``roster.recruiting.diversity``).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

import langcodes
from sqlalchemy import select
from sqlmodel import Session

from roster.models import MissionRole, NeedsAssessment, UnmetDemand
from roster.policy.privacy import Figure, Hidden, PublishedTable


@dataclass(frozen=True)
class GapRow:
    """Supply against demand for one expertise area or UN official language.

    ``supply`` counts people (withheld as the rule says); ``asked`` and ``unmet`` are
    positions of roles, not people.
    """

    kind: str  # "area" or "language"
    code: str
    supply: Figure
    asked: int
    unmet: int

    @property
    def per_position(self) -> float | None:
        """Rostered experts per position asked, where both are known."""
        if not self.asked or isinstance(self.supply, Hidden):
            return None
        return self.supply / self.asked

    @property
    def band(self) -> str:
        """How thin the supply is: a word the heatmap shows beside its colour."""
        if isinstance(self.supply, Hidden):
            return "small" if self.supply == Hidden.SMALL else "withheld"
        if not self.asked:
            return "no-demand" if self.supply else "none"
        ratio = self.supply / self.asked
        return "thin" if ratio < 2 else "limited" if ratio < 5 else "ample"


def months_before(day: date, months: int) -> date:
    """The day ``months`` months before ``day`` (the 28th at most, so that every month has it)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, 28))


def _base(code: str) -> str | None:
    try:
        return langcodes.Language.get(code).language
    except ValueError:
        return None


def supply_and_demand(
    *,
    session: Session,
    by_area: PublishedTable,
    by_language: PublishedTable,
    pairs: PublishedTable,
    since: date,
) -> tuple[tuple[GapRow, ...], tuple[tuple[GapRow, ...], ...]]:
    """Rostered experts against the positions asked since ``since`` and left unmet.

    Args:
        session: an open database session.
        by_area: the rostered experts by expertise area (its row totals), as published.
        by_language: the rostered experts working in each UN official language.
        pairs: the rostered experts by expertise area and UN official language.
        since: the first day of the needs assessments counted (by their creation) and
            of the unmet-demand log.
    Returns:
        The rows of expertise areas then of languages, and the heatmap's rows: each
        expertise area by each UN official language (roles asking for both). Positions
        are roles' positions: required skills and languages times positions.
    """
    start = datetime.combine(since, datetime.min.time(), UTC)
    roles = session.exec(
        select(
            MissionRole.id,
            MissionRole.positions,
            MissionRole.required_skills,
            MissionRole.required_languages,
        )
        .join(NeedsAssessment, NeedsAssessment.id == MissionRole.needs_id)
        .where(NeedsAssessment.created_at >= start)
    ).all()
    short: dict[int, int] = {}
    for role_id, kind, positions, eligible in session.exec(
        select(
            UnmetDemand.role_id, UnmetDemand.kind, UnmetDemand.positions, UnmetDemand.eligible_count
        ).where(UnmetDemand.recorded_at >= start)
    ).all():
        missing = positions if kind == "unfilled" else max(positions - eligible, 0)
        short[role_id] = max(short.get(role_id, 0), missing)
    asked, unmet = Counter(), Counter()
    for role_id, positions, skills, spoken in roles:
        role_areas = set(skills or ())
        role_languages = {_base(item.get("code", "")) for item in spoken or ()}
        wanted = {("area", code) for code in role_areas} | {("language", c) for c in role_languages}
        wanted |= {("pair", a, c) for a in role_areas for c in role_languages}
        for want in wanted:
            asked[want] += positions
            unmet[want] += short.get(role_id, 0)
    rows = [
        GapRow("area", area, by_area.row_totals[i], asked[("area", area)], unmet[("area", area)])
        for i, area in enumerate(by_area.rows)
    ]
    rows += [
        GapRow(
            "language",
            code,
            by_language.cells[i][0],
            asked[("language", code)],
            unmet[("language", code)],
        )
        for i, code in enumerate(by_language.rows)
    ]
    heatmap = tuple(
        tuple(
            GapRow(
                "pair",
                f"{area}|{code}",
                pairs.cells[i][j],
                asked[("pair", area, code)],
                unmet[("pair", area, code)],
            )
            for j, code in enumerate(pairs.columns)
        )
        for i, area in enumerate(pairs.rows)
    )
    return tuple(rows), heatmap
