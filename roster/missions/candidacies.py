"""The expert's own view of their candidacies: the roles they were considered for.

Reads only. What it gives an expert is about themself alone: the role, the mission,
where their candidacy stands, an open call-out to answer, and, when they were not
selected, what their own shortlist entry says they lacked and the reason recorded.
Never who else was considered, nor how many, nor their own rank among them.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from roster.missions.replies import is_open
from roster.missions.reply_links import last_day, role_period
from roster.models import (
    CallOut,
    CandidateDecision,
    CandidateOutcome,
    MissionRole,
    Shortlist,
    ShortlistEntry,
    utcnow,
)

# The matcher's reasons that say what a candidate lacked (matching.messages).
LACKING_CODES = frozenset(
    {"skill.desired.missing", "language.desired.missing", "accessibility.lacks"}
)

# Where a candidacy takes the expert's answer to a call-out (a late one too).
ANSWERABLE = frozenset({CandidateOutcome.CONTACTED, CandidateOutcome.NO_RESPONSE})


@dataclass(frozen=True)
class Candidacy:
    """One role the expert was considered for, as they see it.

    Attributes:
        role: the role (its title and dates); ``role.needs`` is the mission.
        outcome: where the candidacy stands (its latest decision); None when the expert
            is on a shortlist of the role without a decision yet.
        decided_at: when that decision was recorded.
        call_out: the call-out still waiting for the expert's answer, if any.
        lacking: when not selected, the expert's own entry's reasons that name what
            they lacked, as ``{"code", "params", "text"}``.
        reason: when not selected, the reason recorded with the decision.
    """

    role: MissionRole
    outcome: CandidateOutcome | None
    decided_at: datetime | None
    call_out: CallOut | None
    lacking: list[dict[str, Any]]
    reason: str

    @property
    def period(self) -> tuple[date, date]:
        """The role's dates."""
        return role_period(self.role)

    @property
    def last_day(self) -> date | None:
        """The last day the open call-out takes an answer."""
        return last_day(self.call_out) if self.call_out else None


def _latest_decisions(session: Session, expert_id: int) -> dict[int, CandidateDecision]:
    rows = session.scalars(
        select(CandidateDecision)
        .where(CandidateDecision.expert_id == expert_id)
        .order_by(CandidateDecision.decided_at, CandidateDecision.id)
    )
    return {row.role_id: row for row in rows}  # the latest per role wins


def _own_entries(session: Session, expert_id: int) -> dict[int, ShortlistEntry]:
    rows = session.execute(
        select(Shortlist.role_id, ShortlistEntry)
        .join(Shortlist, ShortlistEntry.shortlist_id == Shortlist.id)
        .where(ShortlistEntry.expert_id == expert_id)
        .order_by(Shortlist.created_at, Shortlist.id)
    )
    return {role_id: entry for role_id, entry in rows}  # the newest shortlist per role wins


def candidacies_of(
    *, session: Session, expert_id: int, now: datetime | None = None
) -> list[Candidacy]:
    """The roles ``expert_id`` was considered for, the latest mission first.

    A role counts once the expert is on one of its shortlists or has a decision for it.
    Only the expert's own rows are read: no other candidate's entry, decision or count.
    """
    now = now or utcnow()
    decisions = _latest_decisions(session, expert_id)
    entries = _own_entries(session, expert_id)
    role_ids = set(decisions) | set(entries)
    if not role_ids:
        return []
    roles = {
        r.id: r for r in session.scalars(select(MissionRole).where(MissionRole.id.in_(role_ids)))
    }
    call_outs = {
        c.role_id: c
        for c in session.scalars(
            select(CallOut).where(CallOut.expert_id == expert_id, CallOut.role_id.in_(role_ids))
        )
    }
    found = []
    for role_id, role in roles.items():
        decision = decisions.get(role_id)
        outcome = CandidateOutcome(decision.outcome) if decision else None
        waiting = call_outs.get(role_id)
        not_selected = outcome is CandidateOutcome.NOT_SELECTED
        entry = entries.get(role_id)
        found.append(
            Candidacy(
                role=role,
                outcome=outcome,
                decided_at=decision.decided_at if decision else None,
                call_out=waiting
                if waiting and outcome in ANSWERABLE and is_open(waiting, now=now)
                else None,
                lacking=[r for r in entry.reason_codes if r.get("code") in LACKING_CODES]
                if not_selected and entry
                else [],
                reason=decision.note if not_selected and decision else "",
            )
        )
    found.sort(key=lambda c: (c.period[0], c.role.position), reverse=True)
    return found


def own_call_out(*, session: Session, expert_id: int, public_id: str) -> CallOut | None:
    """The expert's own call-out by its public id; None for anyone else's."""
    return session.scalars(
        select(CallOut).where(CallOut.public_id == public_id, CallOut.expert_id == expert_id)
    ).first()
