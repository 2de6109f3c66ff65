"""A role's candidates as planners see them, and what a planner does to one.

``issued_candidates`` and ``preview_candidates`` read the candidates of a shortlist (kept
or live) with where each candidacy stands, its call-out and whether it is hidden by blind
review; ``record_candidate_outcome`` moves a candidacy on, unless someone else did first;
``reveal`` and ``record_contact_view`` show a hidden or selected candidate, audited.
Gender never reaches a card (``planner_reasons``), disability never at all.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from roster.messages import N_, Message
from roster.missions.shortlists import CO, Matched, experts_by_external_id
from roster.models import (
    AuditEvent,
    CallOut,
    CandidateDecision,
    CandidateOutcome,
    CandidateReveal,
    Expert,
    MissionRole,
    NeedsAssessment,
    RosterStatus,
    Shortlist,
    ShortlistEntry,
    User,
)
from roster.policy.candidacy import OUTCOME_RULES, current_outcome, record_outcome
from roster.policy.privacy import ViewPurpose
from roster.policy.standing import standing_of
from roster.policy.transitions import REQUIRED
from roster.refusal import Changed, Refused

BEYOND_SHORTLISTED = frozenset(set(CO) - {CO.SHORTLISTED})
CONTACT_OUTCOMES = frozenset({CO.SELECTED, CO.DEPLOYED, CO.COMPLETED})


class OutcomeChanged(Changed):
    """Someone recorded another outcome for the candidate since the page was shown."""


# The lists of an expert's record a candidate's card shows.
CARD_LISTS = (
    "nationalities",
    "languages",
    "skills",
    "accessibility",
    "availability",
    "deployments",
)


# --- reading a role's shortlists ----------------------------------------------------------


def role_by_key(*, session: Session, public_id: str, role_key: str) -> MissionRole | None:
    """The role ``role_key`` of the needs assessment with this public id, if there is one."""
    if len(public_id) > 32 or len(role_key) > 64:
        return None
    return session.scalar(
        select(MissionRole)
        .join(NeedsAssessment)
        .where(NeedsAssessment.public_id == public_id, MissionRole.role_key == role_key)
    )


def shortlists_of(*, session: Session, role: MissionRole) -> list[Shortlist]:
    """The role's shortlists as issued, the newest first."""
    return list(
        session.scalars(
            select(Shortlist)
            .where(Shortlist.role_id == role.id)
            .order_by(Shortlist.created_at.desc(), Shortlist.id.desc())
        )
    )


def shortlist_of(*, session: Session, role: MissionRole, public_id: str) -> Shortlist | None:
    """The role's shortlist with this public id, if there is one."""
    if len(public_id) > 32:
        return None
    return session.scalar(
        select(Shortlist).where(Shortlist.role_id == role.id, Shortlist.public_id == public_id)
    )


def shortlist_by_public_id(*, session: Session, public_id: str) -> Shortlist | None:
    """The shortlist with this public id, whichever role it is of, if there is one."""
    if len(public_id) > 32:
        return None
    return session.scalar(select(Shortlist).where(Shortlist.public_id == public_id))


@dataclass
class Candidate:
    """One candidate as a role's page shows them.

    ``hidden``: a blind review keeps who they are behind "Candidate <rank>" (no name, id,
    nationality or contact is given to the page). ``expert`` is None once erased.
    """

    rank: int
    score: float
    criteria: dict[str, float]
    reasons: list[dict[str, Any]]
    expert: Expert | None
    entry: ShortlistEntry | None = None
    hidden: bool = False
    outcome: CandidateOutcome | None = None
    call_out: CallOut | None = None
    changed_since: bool = False
    left_roster: bool = False
    next_outcomes: list[tuple[CandidateOutcome, bool]] = field(default_factory=list)

    @property
    def erased(self) -> bool:
        """The candidate is no longer on the roster at all (the entry lost its expert)."""
        return self.entry is not None and self.expert is None

    @property
    def may_see_contact(self) -> bool:
        """Contact details and the CV are for candidates selected or beyond."""
        return self.expert is not None and self.outcome in CONTACT_OUTCOMES


# Reasons that tell a planner one person's place was moved by the gender balance: from
# them and the totals, anyone could tell who counts as a woman. Planners see gender only
# as totals; the shortlist as issued keeps these reasons (the contract's output).
GENDER_MOVES = ("rank.raised.balance", "rank.lowered")
GENDER_MOVE_TEXTS = ("raised by the balance rule", "moved down to position")


def planner_reasons(codes: list[dict[str, Any]], texts: list[str]) -> list[dict[str, Any]]:
    """A candidate's reasons as a planner sees them: without moves by the gender balance."""
    if codes:
        return [c for c in codes if not str(c.get("code", "")).startswith(GENDER_MOVES)]
    return [{"text": t} for t in texts if not t.startswith(GENDER_MOVE_TEXTS)]


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) if moment.tzinfo else moment


def _blind(role: MissionRole, expert_id: int | None, outcome, revealed: set[int]) -> bool:
    if not role.needs.blind_review or expert_id is None:
        return False
    return expert_id not in revealed and outcome not in BEYOND_SHORTLISTED


def next_outcomes(
    *, role: MissionRole, expert: Expert, current: CandidateOutcome | None, by: User
) -> list[tuple[CandidateOutcome, bool]]:
    """The outcomes ``by`` may record next for the candidacy, and whether each needs a reason."""
    standing = standing_of(user=by, expert=expert)
    found = []
    for (start, to), allowed in OUTCOME_RULES.items():
        if start != current or to in {o for o, _ in found}:
            continue
        makers = standing & allowed.keys()
        if makers:
            found.append((to, any(allowed[m] is REQUIRED for m in makers)))
    order = list(CO)
    return sorted(found, key=lambda pair: order.index(pair[0]))


def issued_candidates(
    *,
    session: Session,
    role: MissionRole,
    shortlist: Shortlist,
    viewer: User,
    cards: bool = True,
) -> list[Candidate]:
    """The candidates of an issued shortlist as it was, with where each stands now.

    ``cards`` False leaves the lists a card shows (languages, expertise ...) unread, for
    a reader that needs only who each candidate is and where they stand (the API's).
    """
    entries = list(shortlist.entries)
    ids = [e.expert_id for e in entries if e.expert_id is not None]
    state = _RoleState.read(session, role, ids, cards=cards)
    issued_at = _naive(shortlist.created_at)
    candidates = []
    for entry in entries:
        expert = state.experts.get(entry.expert_id) if entry.expert_id else None
        outcome = state.outcomes.get(entry.expert_id)
        candidate = Candidate(
            rank=entry.rank,
            score=entry.score,
            criteria=dict(entry.criteria),
            reasons=planner_reasons(entry.reason_codes, entry.reasons),
            expert=expert,
            entry=entry,
            hidden=_blind(role, entry.expert_id, outcome, state.revealed),
            outcome=outcome,
            call_out=state.call_outs.get(entry.expert_id),
        )
        if expert is not None:
            candidate.changed_since = _naive(expert.updated_at) > issued_at
            candidate.left_roster = expert.roster_status != RosterStatus.ROSTERED
            candidate.next_outcomes = next_outcomes(
                role=role, expert=expert, current=outcome, by=viewer
            )
        candidates.append(candidate)
    return candidates


def preview_candidates(
    *, session: Session, role: MissionRole, matched: Matched, cards: bool = True
) -> list[Candidate]:
    """The candidates of a live (not issued) shortlist, with where each stands on the role."""
    experts = experts_by_external_id(session, matched.external_ids)
    state = _RoleState.read(session, role, [e.id for e in experts.values()], cards=cards)
    candidates = []
    for found in matched.result["candidates"]:
        expert = experts.get(found["external_id"])
        expert_id = expert.id if expert else None
        outcome = state.outcomes.get(expert_id)
        candidates.append(
            Candidate(
                rank=found["rank"],
                score=found["score"],
                criteria=dict(found["criteria"]),
                reasons=planner_reasons(found.get("reason_codes", []), found.get("reasons", [])),
                expert=expert,
                hidden=_blind(role, expert_id, outcome, state.revealed),
                outcome=outcome,
                call_out=state.call_outs.get(expert_id),
            )
        )
    return candidates


@dataclass
class _RoleState:
    """Where the role's candidacies stand: outcomes, call-outs and reveals, by expert id."""

    experts: dict[int, Expert]
    outcomes: dict[int, CandidateOutcome]
    call_outs: dict[int, CallOut]
    revealed: set[int]

    @classmethod
    def read(
        cls, session: Session, role: MissionRole, expert_ids: list[int], *, cards: bool = True
    ) -> "_RoleState":
        if not expert_ids:
            return cls({}, {}, {}, set())
        # What a card shows of each candidate, read in one query a list rather than a
        # query a list a candidate (60 queries on a page of ten).
        shown = select(Expert).where(Expert.id.in_(expert_ids))
        if cards:
            shown = shown.options(*(selectinload(getattr(Expert, name)) for name in CARD_LISTS))
        experts = {e.id: e for e in session.scalars(shown)}
        outcomes: dict[int, CandidateOutcome] = {}
        decisions = session.execute(
            select(CandidateDecision.expert_id, CandidateDecision.outcome)
            .where(
                CandidateDecision.role_id == role.id,
                CandidateDecision.expert_id.in_(expert_ids),
            )
            .order_by(CandidateDecision.decided_at, CandidateDecision.id)
        )
        for expert_id, outcome in decisions:
            outcomes[expert_id] = outcome  # the latest wins
        call_outs = {
            c.expert_id: c
            for c in session.scalars(
                select(CallOut).where(CallOut.role_id == role.id, CallOut.expert_id.in_(expert_ids))
            )
        }
        revealed = set(
            session.scalars(
                select(CandidateReveal.expert_id).where(
                    CandidateReveal.role_id == role.id, CandidateReveal.expert_id.in_(expert_ids)
                )
            )
        )
        return cls(experts, outcomes, call_outs, revealed)


def call_out_state(call_out: CallOut | None, now: datetime | None = None) -> str | None:
    """Where a call-out stands: awaiting, reminded, available, unavailable, withdrawn, expired."""
    if call_out is None:
        return None
    if call_out.withdrawn_at is not None:
        return "withdrawn"
    if call_out.answer in ("available", "unavailable"):
        return call_out.answer
    moment = _naive(now or datetime.now(UTC))
    if _naive(call_out.expires_at) < moment:
        return "expired"
    return "reminded" if call_out.reminded_at is not None else "awaiting"


# --- acting on a candidate ------------------------------------------------------------------


def record_candidate_outcome(
    *,
    session: Session,
    role: MissionRole,
    entry: ShortlistEntry,
    by: User,
    to: str,
    shown_at: str,
    reason: str = "",
    rating: int | None = None,
) -> CandidateDecision:
    """Record what happened to a shortlist's candidate, if it still stands where it was shown.

    Args:
        shown_at: the outcome the planner saw (its code, "" for none).
    Raises:
        OutcomeChanged: someone recorded another outcome meanwhile; nothing is written.
        roster.policy.transitions.TransitionRefused: the machine refuses the change.
    """
    if entry.expert_id is None:
        raise Refused.at("", N_("This candidate is no longer on the roster."))
    expert = session.get(Expert, entry.expert_id)
    session.execute(select(MissionRole.id).where(MissionRole.id == role.id).with_for_update())
    current = current_outcome(session=session, role_id=role.id, expert_id=expert.id)
    if (current.value if current else "") != (shown_at or ""):
        raise OutcomeChanged(
            Message(
                N_(
                    "Someone else recorded “%(outcome)s” for this candidate first. "
                    "Nothing you entered was lost: check it and record again."
                ),
                {"outcome": Message(OUTCOME_WORDS[current]) if current else ""},
            )
        )
    return record_outcome(
        session=session,
        role=role,
        expert=expert,
        to=to,
        by=by,
        reason=reason,
        rating=rating,
        shortlist_entry=entry,
    )


OUTCOME_WORDS: dict[CandidateOutcome, str] = {
    CO.SHORTLISTED: N_("shortlisted"),
    CO.CONTACTED: N_("contacted"),
    CO.AVAILABLE: N_("available"),
    CO.UNAVAILABLE: N_("unavailable"),
    CO.NO_RESPONSE: N_("no response"),
    CO.PROPOSED: N_("proposed"),
    CO.SELECTED: N_("selected"),
    CO.NOT_SELECTED: N_("not selected"),
    CO.DEPLOYED: N_("deployed"),
    CO.COMPLETED: N_("completed"),
    CO.WITHDRAWN: N_("withdrawn"),
}


def reveal(*, session: Session, role: MissionRole, entry: ShortlistEntry, by: User) -> None:
    """Reveal who a candidate of a blind shortlist is, to every planner of the role; audited.

    Revealing one already revealed changes nothing.
    """
    if entry.expert_id is None:
        raise Refused.at("", N_("This candidate is no longer on the roster."))
    known = session.scalar(
        select(CandidateReveal).where(
            CandidateReveal.role_id == role.id, CandidateReveal.expert_id == entry.expert_id
        )
    )
    if known is not None:
        return
    session.add(CandidateReveal(role_id=role.id, expert_id=entry.expert_id, revealed_by_id=by.id))
    session.add(
        AuditEvent(
            actor_id=by.id,
            action="candidate.revealed",
            subject_expert_id=entry.expert_id,
            detail={"needs": role.needs.external_id, "role": role.role_key, "rank": entry.rank},
        )
    )


def record_contact_view(
    *, session: Session, role: MissionRole, expert: Expert, by: User, what: str
) -> None:
    """Audit a planner's look at a selected candidate's contact details or CV.

    Written as staff's views are (``profile.view`` or ``cv.download``, purpose "deployment
    follow-up"), so the expert reads it among the views of their profile.

    Raises:
        Refused: the candidate is not selected (or beyond) for the role.
    """
    outcome = current_outcome(session=session, role_id=role.id, expert_id=expert.id)
    if outcome not in CONTACT_OUTCOMES:
        raise Refused.at(
            "", N_("Contact details and the CV are shown once a candidate is selected.")
        )
    mission = role.needs.title or role.needs.external_id
    session.add(
        AuditEvent(
            actor_id=by.id,
            action="cv.download" if what == "cv" else "profile.view",
            subject_expert_id=expert.id,
            reason=f"{role.title} ({mission})"[:500],
            detail={"purpose": ViewPurpose.DEPLOYMENT_FOLLOW_UP.value},
        )
    )
