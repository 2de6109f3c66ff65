"""What planners and recruiters read about needs assessments: lists, progress, unmet demand.

Reads only. A role's progress counts its candidates by where each stands now, that is
by the latest ``CandidateDecision`` of each candidate, for many roles in one query.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from roster.models import (
    CandidateDecision,
    CandidateOutcome,
    MissionRole,
    NeedsAssessment,
    UnmetDemand,
)

CO = CandidateOutcome
# The stages a role's progress shows, and the latest outcomes each one counts.
STAGES: dict[str, tuple[CandidateOutcome, ...]] = {
    "shortlisted": (CO.SHORTLISTED,),
    "contacted": (CO.CONTACTED, CO.NO_RESPONSE),
    "available": (CO.AVAILABLE, CO.PROPOSED),
    "selected": (CO.SELECTED,),
    "deployed": (CO.DEPLOYED, CO.COMPLETED),
}
_STAGE_OF = {outcome: stage for stage, outcomes in STAGES.items() for outcome in outcomes}
CLOSED_PER_PAGE = 20


@dataclass
class Progress:
    """A role's candidates by where they stand now; ``candidates`` counts every one."""

    candidates: int = 0
    stages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))


def role_progress(*, session: Session, role_ids: Iterable[int]) -> dict[int, Progress]:
    """Each role's ``Progress``, read in one query; a role without candidates has zeros.

    Args:
        session: an open session.
        role_ids: the roles to count.
    Returns:
        ``{role id: Progress}`` for every id given.
    """
    ids = list(role_ids)
    found = {role_id: Progress() for role_id in ids}
    if not ids:
        return found
    # Each candidate's decisions newest first; an erased candidate (no expert) counts alone.
    candidate = func.coalesce(CandidateDecision.expert_id, -CandidateDecision.id)
    latest = (
        select(
            CandidateDecision.role_id,
            CandidateDecision.outcome,
            func.row_number()
            .over(
                partition_by=(CandidateDecision.role_id, candidate),
                order_by=(CandidateDecision.decided_at.desc(), CandidateDecision.id.desc()),
            )
            .label("newest"),
        )
        .where(CandidateDecision.role_id.in_(ids))
        .subquery()
    )
    counts = session.execute(
        select(latest.c.role_id, latest.c.outcome, func.count())
        .where(latest.c.newest == 1)
        .group_by(latest.c.role_id, latest.c.outcome)
    )
    for role_id, outcome, count in counts:
        progress = found[role_id]
        progress.candidates += count
        stage = _STAGE_OF.get(CandidateOutcome(outcome))
        if stage is not None:
            progress.stages[stage] += count
    return found


def _with_roles(query):
    return query.options(selectinload(NeedsAssessment.roles))


def open_needs(*, session: Session) -> list[NeedsAssessment]:
    """The assessments in progress, the soonest to start first, roles loaded."""
    query = (
        select(NeedsAssessment)
        .where(NeedsAssessment.status == "open")
        .order_by(NeedsAssessment.start, NeedsAssessment.id)
    )
    return list(session.scalars(_with_roles(query)))


def closed_needs(
    *, session: Session, page: int = 1, per_page: int = CLOSED_PER_PAGE
) -> tuple[list[NeedsAssessment], bool]:
    """A page of the closed assessments, the latest to start first, and whether more follow."""
    query = (
        select(NeedsAssessment)
        .where(NeedsAssessment.status != "open")
        .order_by(NeedsAssessment.start.desc(), NeedsAssessment.id.desc())
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page + 1)
    )
    found = list(session.scalars(_with_roles(query)))
    return found[:per_page], len(found) > per_page


def open_needs_count(*, session: Session) -> int:
    """How many assessments are in progress."""
    return session.scalar(
        select(func.count()).select_from(NeedsAssessment).where(NeedsAssessment.status == "open")
    )


@dataclass(frozen=True)
class UnmetRow:
    """One entry of the unmet-demand log, with its role and assessment."""

    recorded_at: datetime
    kind: str
    needs_public_id: str
    needs_external_id: str
    needs_title: str
    country: str
    role_key: str
    role_title: str
    positions: int
    eligible_count: int
    binding: dict[str, Any] | None


def unmet_demand(*, session: Session, limit: int = 200) -> list[UnmetRow]:
    """The unmet-demand log, newest first, at most ``limit`` entries."""
    rows = session.execute(
        select(UnmetDemand, MissionRole, NeedsAssessment)
        .join(MissionRole, MissionRole.id == UnmetDemand.role_id)
        .join(NeedsAssessment, NeedsAssessment.id == MissionRole.needs_id)
        .order_by(UnmetDemand.recorded_at.desc(), UnmetDemand.id.desc())
        .limit(limit)
    )
    return [
        UnmetRow(
            recorded_at=unmet.recorded_at,
            kind=unmet.kind,
            needs_public_id=needs.public_id,
            needs_external_id=needs.external_id,
            needs_title=needs.title,
            country=needs.country,
            role_key=role.role_key,
            role_title=role.title,
            positions=unmet.positions,
            eligible_count=unmet.eligible_count,
            binding=unmet.binding,
        )
        for unmet, role, needs in rows
    ]
