"""A roster-status change for many experts at once: all of a search's result, or ticked rows.

``plan_status_change`` says what would happen (how many move from which status, how many
cannot and why) without writing; ``apply_status_change`` makes the change through
``roster.policy.roster_status.change_roster_status`` for each expert, in the caller's one
transaction, skipping those whose change the status machine does not allow. The plan
carries a fingerprint of the experts and statuses it was made for: if the result changed
before the change runs, nothing is written and the person sees the new plan.
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from roster.messages import N_, Message
from roster.models import AuditEvent, Expert, RosterStatus, User
from roster.policy.roster_status import ROSTER_STATUSES, change_roster_status
from roster.policy.transitions import TransitionRefused
from roster.recruiting.search import SearchCriteria, conditions
from roster.refusal import Changed, Refused

MAX_BULK = 1_000
SHOWN_NAMES = 20
BULK_ACTION = "experts.bulk_status"
PREVIEW_REASON = "(checked before the reason is given)"


class BulkRefused(Refused):
    """A bulk change that cannot run: no expert, too many, no such status, or no reason."""


class BulkChanged(Changed):
    """The experts or their statuses changed since the plan was shown; nothing written."""


@dataclass(frozen=True)
class BulkGroup:
    """The experts of one current status: whether they can move, and why not if not."""

    from_status: RosterStatus
    count: int
    names: tuple[str, ...]
    refusal: Message | None = None


@dataclass(frozen=True)
class BulkPlan:
    """What a bulk status change would do."""

    to: RosterStatus
    movable: list[BulkGroup]
    blocked: list[BulkGroup]
    fingerprint: str

    @property
    def will_move(self) -> int:
        """How many experts the change would move."""
        return sum(group.count for group in self.movable)

    @property
    def cannot_move(self) -> int:
        """How many experts the change would skip."""
        return sum(group.count for group in self.blocked)


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk status change did."""

    to: RosterStatus
    moved: int
    skipped: list[tuple[str, Message]] = field(default_factory=list)


def _experts(
    session: Session, criteria: SearchCriteria, chosen: Sequence[str] | None
) -> list[Expert]:
    statement = select(Expert).where(*conditions(criteria))
    if chosen is not None:
        if not chosen:
            raise BulkRefused.at("experts", N_("Tick at least one expert, or choose all results."))
        statement = statement.where(Expert.public_id.in_(list(chosen)[: MAX_BULK + 1]))
    experts = list(session.scalars(statement.order_by(Expert.id).limit(MAX_BULK + 1)))
    if not experts:
        raise BulkRefused.at(
            "", N_("The search finds no expert, so there is no one to change. Nothing was changed.")
        )
    if len(experts) > MAX_BULK:
        raise BulkRefused.at(
            "",
            N_(
                "A change applies to at most %(most)s experts at once; this search finds more. "
                "Narrow the search and try again."
            ),
            most=MAX_BULK,
        )
    return experts


def _target(to: object) -> RosterStatus:
    try:
        return RosterStatus.parse(to)
    except ValueError:
        raise BulkRefused.at("to", N_("Choose the roster status to move the experts to.")) from None


def _fingerprint(experts: Sequence[Expert]) -> str:
    text = ",".join(f"{e.id}:{RosterStatus(e.roster_status).value}" for e in experts)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def plan_status_change(
    *,
    session: Session,
    criteria: SearchCriteria,
    chosen: Sequence[str] | None,
    to: object,
    by: User,
) -> BulkPlan:
    """What moving the experts of a search to ``to`` would do; nothing is written.

    Args:
        session: the session to read in.
        criteria: the search whose result is changed.
        chosen: public ids of ticked rows among the result, or None for all of it.
        to: the status to move them to (a code).
        by: who would make the change.
    Raises:
        BulkRefused: ``to`` is no status; no expert is found or ticked; more than
            ``MAX_BULK`` are.
    """
    wanted = _target(to)
    experts = _experts(session, criteria, chosen)
    by_status: dict[RosterStatus, list[Expert]] = defaultdict(list)
    for expert in experts:
        by_status[RosterStatus(expert.roster_status)].append(expert)
    movable, blocked = [], []
    for status in RosterStatus:
        group = by_status.get(status)
        if not group:
            continue
        names = tuple(expert.full_name for expert in group[:SHOWN_NAMES])
        try:
            ROSTER_STATUSES.check(
                current=status, to=wanted, by=by, expert=group[0], reason=PREVIEW_REASON
            )
        except TransitionRefused as refusal:
            blocked.append(BulkGroup(status, len(group), names, refusal.message))
        else:
            movable.append(BulkGroup(status, len(group), names))
    return BulkPlan(wanted, movable, blocked, _fingerprint(experts))


def apply_status_change(
    *,
    session: Session,
    criteria: SearchCriteria,
    chosen: Sequence[str] | None,
    to: object,
    by: User,
    reason: str,
    fingerprint: str,
) -> BulkOutcome:
    """Move the experts of a search to ``to`` with one reason, each through the machine.

    Experts whose change is not allowed are skipped and named in the outcome. One audit
    event records the whole change (criteria, counts; not the reason, which each expert's
    history row keeps, as ``change_roster_status`` does); each expert's change writes its
    own history row and audit event.

    Raises:
        BulkRefused: as ``plan_status_change``; or the reason is missing, too long or
            unstorable (nothing written); or no expert can move.
        BulkChanged: the result is not the one ``fingerprint`` was made for.
    """
    plan = plan_status_change(session=session, criteria=criteria, chosen=chosen, to=to, by=by)
    if plan.fingerprint != fingerprint:
        raise BulkChanged(
            Message(
                N_(
                    "The experts found, or their statuses, changed since the change was "
                    "shown. Nothing was changed: look at the new numbers and confirm again."
                )
            )
        )
    if not plan.movable:
        raise BulkRefused.at(
            "to", N_("None of these experts can move to this status. Nothing was changed.")
        )
    experts = _experts(session, criteria, chosen)
    movable = {group.from_status for group in plan.movable}
    first = next(e for e in experts if RosterStatus(e.roster_status) in movable)
    try:  # the reason is the same for all: refuse it once, before anything is written
        ROSTER_STATUSES.check(
            current=RosterStatus(first.roster_status),
            to=plan.to,
            by=by,
            expert=first,
            reason=reason,
        )
    except TransitionRefused as refusal:
        raise BulkRefused(refusal.problems) from None
    moved, skipped = 0, []
    for expert in experts:
        try:
            with session.begin_nested():
                change_roster_status(
                    session=session, expert=expert, to=plan.to, by=by, reason=reason
                )
        except TransitionRefused as refusal:
            skipped.append((expert.full_name, refusal.message))
        else:
            moved += 1
    session.add(
        AuditEvent(
            actor_id=by.id,
            action="experts.bulk_status",
            detail={
                "criteria": criteria.as_detail(),
                "ticked": len(chosen) if chosen is not None else None,
                "to": plan.to.value,
                "moved": moved,
                "skipped": len(skipped),
            },
        )
    )
    return BulkOutcome(plan.to, moved, skipped)
