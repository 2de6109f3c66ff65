"""Vetting: the queue of profiles under review, verified expertise, and the decisions.

The queue lists the profiles under review, the longest waiting first: each waits since
it last entered ``under_review`` (its status history says when). A recruiter marks each
expertise area verified, with a note of the evidence seen, or leaves it self-declared;
and decides through the roster-status machine (``roster.policy.roster_status``), which
says which decisions are open to whom, audits them and tells the expert.

Typed, keyword-only, the session passed in; no request state. A write compares the
profile's ``version`` first: a page built from an older version gets ``VettingChanged``
(nothing written), so a decision taken on a profile that changed meanwhile is sent
again only once its maker has seen the change.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, false, func, or_, select, update
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from roster.messages import N_, Message
from roster.models import (
    AuditEvent,
    Expert,
    ExpertSkill,
    RosterStatus,
    RosterStatusChange,
    User,
    utcnow,
)
from roster.policy.roster_status import ROSTER_STATUS_RULES, change_roster_status
from roster.policy.standing import Standing, standing_of
from roster.policy.transitions import REQUIRED, TransitionRefused
from roster.refusal import Changed, Problems, Refused
from roster.validation import clean_text

RS = RosterStatus
PAGE_SIZE = 25
MAX_EVIDENCE = 500  # ExpertSkill.verification_note, and AuditEvent.reason
VETTERS = frozenset({Standing.RECRUITER, Standing.ADMIN})

CHANGED_MESSAGE = Message(
    N_(
        "This profile changed since you opened it (perhaps someone else decided, or the "
        "expert edited it). Look at it again below; what you entered is kept: send it again "
        "if it still stands."
    )
)


class VettingRefused(Refused):
    """Vetting input that cannot be accepted: at ``page``, ``code``, ``note`` or ``to``."""


class VettingChanged(Changed):
    """The profile changed since the vetting page was opened; nothing was written."""

    def __init__(self) -> None:
        super().__init__(CHANGED_MESSAGE)


# --- the queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """A profile in the queue, and since when it waits."""

    expert: Expert
    since: datetime
    days: int


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, the longest waiting first."""

    entries: list[Waiting]
    total: int
    number: int
    pages: int


def _entered_review():
    """When each expert last entered ``under_review``, from their status history."""
    return (
        select(
            RosterStatusChange.expert_id.label("expert_id"),
            func.max(RosterStatusChange.changed_at).label("since"),
        )
        .where(RosterStatusChange.to_status == RS.UNDER_REVIEW)
        .group_by(RosterStatusChange.expert_id)
        .subquery()
    )


def vetting_queue(
    *, session: Session, page: int = 1, per_page: int = PAGE_SIZE, now: datetime | None = None
) -> QueuePage:
    """The profiles under review, oldest first by when they entered review, by page.

    A profile with no history row saying when it entered review (loaded so by an older
    import) waits since it was created.

    Args:
        session: where to read.
        page: the page wanted, from 1.
        per_page: profiles per page.
        now: the moment waits are counted to (tests set it).
    Raises:
        VettingRefused: at ``page``, a page before the first or after the last.
    """
    entered = _entered_review()
    since = func.coalesce(entered.c.since, Expert.created_at, type_=_MOMENT)
    statement = (
        select(Expert, since.label("since"))
        .outerjoin(entered, entered.c.expert_id == Expert.id)
        .where(Expert.roster_status == RS.UNDER_REVIEW)
    )
    total = (
        session.scalar(
            select(func.count()).select_from(Expert).where(Expert.roster_status == RS.UNDER_REVIEW)
        )
        or 0
    )
    pages = max(1, math.ceil(total / per_page))
    if not 1 <= page <= pages:
        raise VettingRefused.at(
            "page",
            N_("There is no page %(page)s of the queue: it has pages 1 to %(pages)s."),
            page=page,
            pages=pages,
        )
    rows = session.execute(
        statement.options(selectinload(Expert.nationalities), selectinload(Expert.skills))
        .order_by(since, Expert.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    moment = _aware(now or utcnow())
    entries = [
        Waiting(expert=expert, since=_aware(when), days=max(0, (moment - _aware(when)).days))
        for expert, when in rows
    ]
    return QueuePage(entries=entries, total=total, number=page, pages=pages)


def queue_after(
    *,
    session: Session,
    after: tuple[datetime, str] | None,
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> tuple[list[Waiting], tuple[datetime, str] | None]:
    """Up to ``limit`` profiles of the queue after ``after``, in the queue's order (keyset).

    The order is ``vetting_queue``'s (since when each waits, then the id); a page starts
    after the last profile of the one before, named by when it waited since and its
    public id, so profiles entering or leaving the queue meanwhile move nothing.

    Returns:
        The profiles, and the position after the last one (None on the last page).
    """
    entered = _entered_review()
    since = func.coalesce(entered.c.since, Expert.created_at, type_=_MOMENT)
    statement = (
        select(Expert, since.label("since"))
        .outerjoin(entered, entered.c.expert_id == Expert.id)
        .where(Expert.roster_status == RS.UNDER_REVIEW)
    )
    if after is not None:
        moment, public_id = after
        anchor = session.scalar(select(Expert.id).where(Expert.public_id == public_id))
        tie = and_(since == moment, Expert.id > anchor) if anchor is not None else false()
        statement = statement.where(or_(since > moment, tie))
    rows = session.execute(
        statement.options(selectinload(Expert.nationalities), selectinload(Expert.skills))
        .order_by(since, Expert.id)
        .limit(limit + 1)
    ).all()
    moment = _aware(now or utcnow())
    entries = [
        Waiting(expert=expert, since=_aware(when), days=max(0, (moment - _aware(when)).days))
        for expert, when in rows[:limit]
    ]
    if len(rows) <= limit:
        return entries, None
    last_expert, last_since = rows[limit - 1]
    return entries, (last_since, last_expert.public_id)


def waiting_since(*, session: Session, expert: Expert) -> datetime | None:
    """Since when a profile under review waits; None for a profile not under review."""
    if expert.roster_status != RS.UNDER_REVIEW:
        return None
    last = session.scalar(
        select(func.max(RosterStatusChange.changed_at, type_=_MOMENT)).where(
            RosterStatusChange.expert_id == expert.id,
            RosterStatusChange.to_status == RS.UNDER_REVIEW,
        )
    )
    return _aware(last or expert.created_at)


_MOMENT = Expert.__table__.c.created_at.type


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- expertise ---------------------------------------------------------------------------


def verify_expertise(
    *,
    session: Session,
    expert: Expert,
    code: str,
    by: User,
    verified: bool,
    note: str,
    version: int,
) -> ExpertSkill:
    """Mark one expertise area verified with the evidence seen, or self-declared again.

    Verifying needs a note of the evidence (a certificate, a reference, a past
    deployment); it is kept on the area and in the audit row. Un-verifying clears the
    mark and the note, which the audit row (``expertise.unverified``) keeps. Either way
    the profile's version moves on; the matcher counts a verified area for more.

    Args:
        session: where to write; the caller commits.
        expert: whose area it is.
        code: the expertise area's code, as on the profile.
        by: the recruiter or administrator (never the expert themself).
        verified: True to verify, False to leave it self-declared.
        note: the evidence, required to verify; ignored when un-verifying.
        version: the profile's version the page was built from.
    Returns:
        The area as written.
    Raises:
        VettingRefused: not staff, the area is not on the profile, or no evidence noted.
        VettingChanged: ``version`` is not the stored one; nothing written.
    """
    _check_vetter(by, expert)
    skill = next((s for s in expert.skills if s.code == code), None)
    if skill is None:
        raise VettingRefused.at("code", N_("This expertise area is not on the profile any more."))
    problems = Problems()
    text = problems.check(
        "note",
        lambda: clean_text(
            note or "", label=Message(N_("Evidence")), max_length=MAX_EVIDENCE, multiline=True
        ),
    )
    if verified and not text and not problems.has("note"):
        problems.add(
            "note", N_("Please note the evidence you saw (a certificate, a reference, a mission).")
        )
    problems.raise_if_any(VettingRefused)
    _lock(session, expert, version)
    if verified:
        skill.verified_at, skill.verified_by_id, skill.verification_note = utcnow(), by.id, text
        action, kept = "expertise.verified", text
    else:
        kept = skill.verification_note or ""
        skill.verified_at = skill.verified_by_id = skill.verification_note = None
        action = "expertise.unverified"
    session.add(skill)
    session.add(
        AuditEvent(
            actor_id=by.id,
            action=action,
            subject_expert_id=expert.id,
            reason=kept,
            detail={"skill": code},
        )
    )
    return skill


def _check_vetter(by: User, expert: Expert) -> None:
    if not standing_of(user=by, expert=expert) & VETTERS:
        raise VettingRefused.at(
            "", N_("Only a recruiter or an administrator can vet a profile, and not their own.")
        )


def _lock(session: Session, expert: Expert, version: int) -> None:
    """Compare and increment the profile's version (the expert's own edits do the same)."""
    if expert.version != version:
        raise VettingChanged()
    written = session.execute(
        update(Expert)
        .where(Expert.id == expert.id, Expert.version == version)
        .values(version=version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:
        raise VettingChanged()
    session.refresh(expert, ["version", "updated_at"])


# --- decisions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """A change of roster status open to someone: where to, in words, and whether to say why."""

    to: RosterStatus
    words: str
    reason_required: bool


# How each change reads as a recruiter's decision. A change not named here reads as
# "change to <status>" (none today: a test checks every rule is worded).
DECISION_WORDS: dict[tuple[RosterStatus, RosterStatus], str] = {
    (RS.APPLICANT, RS.UNDER_REVIEW): N_("Start the review"),
    (RS.UNDER_REVIEW, RS.ROSTERED): N_("Put on the roster"),
    (RS.UNDER_REVIEW, RS.DECLINED): N_("Decline, with a reason"),
    (RS.UNDER_REVIEW, RS.APPLICANT): N_("Ask for more information (a message to the expert)"),
    (RS.DECLINED, RS.UNDER_REVIEW): N_("Reconsider: review again"),
    (RS.ROSTERED, RS.INACTIVE): N_("Mark inactive"),
    (RS.INACTIVE, RS.ROSTERED): N_("Reactivate"),
    (RS.ROSTERED, RS.SUSPENDED): N_("Suspend, with a reason"),
    (RS.INACTIVE, RS.SUSPENDED): N_("Suspend, with a reason"),
    (RS.SUSPENDED, RS.ROSTERED): N_("Reactivate: lift the suspension"),
    **{
        (start, RS.WITHDRAWN): N_("Withdraw from the roster")
        for (start, to), allowed in ROSTER_STATUS_RULES.items()
        if to == RS.WITHDRAWN and Standing.ADMIN in allowed
    },
}


def decisions_for(*, expert: Expert, user: User) -> list[Decision]:
    """The decisions the status machine offers ``user`` on ``expert``'s current status.

    In the taxonomy's order of the statuses; empty for someone who may decide nothing.
    """
    current = RosterStatus(expert.roster_status)
    standing = standing_of(user=user, expert=expert) - {Standing.OWNER}
    found = []
    for (start, to), allowed in ROSTER_STATUS_RULES.items():
        makers = standing & allowed.keys()
        if start == current and makers:
            found.append(
                Decision(
                    to=to,
                    words=DECISION_WORDS.get((start, to), N_("Change the status")),
                    reason_required=any(allowed[m] is REQUIRED for m in makers),
                )
            )
    order = list(RosterStatus)
    return sorted(found, key=lambda d: order.index(d.to))


def decide(
    *,
    session: Session,
    expert: Expert,
    to: RosterStatus | str,
    by: User,
    reason: str,
    version: int,
) -> RosterStatusChange:
    """Take a decision on a profile through the roster-status machine.

    The machine writes the history row the expert reads, audits the change and mails
    the expert (``change_roster_status``).

    Args:
        session: where to write; the caller commits.
        expert: whose status changes.
        to: the new status.
        by: the recruiter or administrator deciding.
        reason: why, or the message to the expert; required where the rules say so.
        version: the profile's version the page was built from.
    Returns:
        The history row written.
    Raises:
        TransitionRefused: the machine does not allow the change to ``by``, or it lacks
            its reason (at ``to`` or ``reason``), in plain words.
        VettingChanged: the profile changed since ``version`` (another decision came
            first); nothing written.
    """
    if not to:
        raise TransitionRefused(Message(N_("Choose a decision.")))
    if expert.version != version:
        raise VettingChanged()
    before = expert.roster_status
    try:
        return change_roster_status(session=session, expert=expert, to=to, by=by, reason=reason)
    except TransitionRefused:
        now = session.scalar(select(Expert.roster_status).where(Expert.id == expert.id))
        if now != before:  # another decision came first: the compare-and-set refused
            raise VettingChanged() from None
        raise
