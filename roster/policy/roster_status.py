"""Roster statuses as a state machine: who may move an expert where, with which reason.

``change_roster_status`` is the one way a page or a service changes an expert's
status; it writes the history row the expert reads and an audit event. Imports
are data loads by staff: they may set any status of the taxonomy (``CodeType``
refuses any other) and write their own history rows (``roster.interchange.store``).

Who must say why, beyond the contract's ``declined`` and ``suspended``: staff
whenever they act on the expert's behalf or against their wish (sending a submission
back, starting a review the expert did not ask for, reconsidering a decline,
making someone inactive, lifting a suspension, withdrawing someone from the roster),
because the expert reads the reason in their status history. The expert's own
changes (submitting, stepping back, returning, leaving) need no reason.

Whenever staff change the status, the expert is told in the same transaction: the
change is handed to each notice registered with ``on_staff_decision`` (the app registers
``roster.status_mail``, which queues a mail with the new status in words, the reason and
a link to their status history, sent after the commit), so every page and bulk action
that decides tells the expert. The rules import no mail or web module, hence the hook.
The expert's own changes are not announced to them, and imports, which write their own
history rows, mail nobody.
"""

from collections.abc import Callable

from sqlalchemy import inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from roster.messages import N_, Message
from roster.models import Expert, RosterStatus, RosterStatusChange, User, utcnow
from roster.policy.standing import Standing, standing_of
from roster.policy.transitions import OPTIONAL, REQUIRED, Rules, StateMachine, TransitionRefused

RS = RosterStatus
OWNER, RECRUITER, ADMIN = Standing.OWNER, Standing.RECRUITER, Standing.ADMIN
STAFF_WITH_REASON = {RECRUITER: REQUIRED, ADMIN: REQUIRED}

ROSTER_STATUS_RULES: Rules = {
    (None, RS.APPLICANT): {OWNER: OPTIONAL},  # registers online
    (RS.APPLICANT, RS.UNDER_REVIEW): {OWNER: OPTIONAL, **STAFF_WITH_REASON},  # submits
    (RS.UNDER_REVIEW, RS.APPLICANT): {OWNER: OPTIONAL, **STAFF_WITH_REASON},  # back to complete
    (RS.UNDER_REVIEW, RS.ROSTERED): {RECRUITER: OPTIONAL, ADMIN: OPTIONAL},  # vetted
    (RS.UNDER_REVIEW, RS.DECLINED): STAFF_WITH_REASON,
    (RS.DECLINED, RS.UNDER_REVIEW): STAFF_WITH_REASON,  # reconsidered
    (RS.ROSTERED, RS.INACTIVE): {OWNER: OPTIONAL, **STAFF_WITH_REASON},  # on request, or stale
    (RS.INACTIVE, RS.ROSTERED): {OWNER: OPTIONAL, RECRUITER: OPTIONAL, ADMIN: OPTIONAL},
    (RS.ROSTERED, RS.SUSPENDED): STAFF_WITH_REASON,
    (RS.INACTIVE, RS.SUSPENDED): STAFF_WITH_REASON,
    (RS.SUSPENDED, RS.ROSTERED): STAFF_WITH_REASON,  # suspension lifted
    **{
        (start, RS.WITHDRAWN): {OWNER: OPTIONAL, ADMIN: REQUIRED}
        for start in (
            RS.APPLICANT,
            RS.UNDER_REVIEW,
            RS.ROSTERED,
            RS.DECLINED,
            RS.INACTIVE,
            RS.SUSPENDED,
        )
    },
    (RS.WITHDRAWN, RS.APPLICANT): {OWNER: OPTIONAL},  # comes back, to be vetted again
}

# Told of each change made by staff, in its transaction: (session, expert, history row).
StaffDecisionNotice = Callable[[Session, Expert, RosterStatusChange], None]
_NOTICES: list[StaffDecisionNotice] = []


def on_staff_decision(notice: StaffDecisionNotice) -> None:
    """Have ``notice`` told of every roster status change made by staff (once, however often)."""
    if notice not in _NOTICES:
        _NOTICES.append(notice)


ROSTER_STATUSES = StateMachine(
    codes=RosterStatus,
    rules=ROSTER_STATUS_RULES,
    max_reason=1000,  # RosterStatusChange.reason
    reader=N_("the expert"),
    action="roster.status_changed",
)


def change_roster_status(
    *,
    session: Session,
    expert: Expert,
    to: RosterStatus | str,
    by: User,
    reason: str = "",
) -> RosterStatusChange:
    """Move ``expert`` to the status ``to``, if ``by`` may; keep the history and audit it.

    A profile not stored yet enters the roster here (from no status to
    ``applicant``); it is added to the session and flushed. Otherwise the status is
    changed by one compare-and-set UPDATE, so two people changing it at once cannot
    both succeed from the same status; the profile's version moves on.

    Args:
        session: the session to write in; the caller commits.
        expert: whose status changes.
        to: the new status, a member or its code.
        by: who changes it: the expert themself or a member of staff.
        reason: why; required where ``ROSTER_STATUS_RULES`` says so. The expert reads it,
            in their history and, when staff make the change, in the notice telling them.
    Returns:
        The history row written.
    Raises:
        TransitionRefused: ``to`` is no status, the change is not allowed, not to
            ``by``, or lacks its reason; or the status changed meanwhile. Nothing is
            written.
    """
    new = not inspect(expert).has_identity
    current = None if new else RosterStatus(expert.roster_status)
    wanted, text = ROSTER_STATUSES.check(
        current=current, to=to, by=by, expert=expert, reason=reason
    )
    if new:
        expert.roster_status = wanted
        session.add(expert)
        session.flush()
    else:
        _compare_and_set(session, expert, current, wanted)
    change = RosterStatusChange(
        expert_id=expert.id,
        from_status=current,
        to_status=wanted,
        changed_by_id=by.id,
        reason=text,
    )
    session.add(change)
    ROSTER_STATUSES.audit(session, by=by, expert=expert, current=current, wanted=wanted)
    if not new and Standing.OWNER not in standing_of(user=by, expert=expert):
        for notice in _NOTICES:
            notice(session, expert, change)
    return change


def _compare_and_set(
    session: Session, expert: Expert, current: RosterStatus, wanted: RosterStatus
) -> None:
    now = utcnow()
    version = session.scalar(
        update(Expert)
        .where(Expert.id == expert.id, Expert.roster_status == current)
        .values(roster_status=wanted, version=Expert.version + 1, updated_at=now)
        .returning(Expert.version)
        .execution_options(synchronize_session=False)
    )
    if version is None:
        actual = session.scalar(select(Expert.roster_status).where(Expert.id == expert.id))
        raise TransitionRefused(
            Message(
                N_(
                    "The roster status changed meanwhile: it is now %(state)s. "
                    "Nothing was changed; look at the profile again."
                ),
                {"state": RosterStatus(actual).word},
            )
        )
    for name, value in (("roster_status", wanted), ("version", version), ("updated_at", now)):
        set_committed_value(expert, name, value)


def status_markdown() -> str:
    """The roster status rules as the Markdown table published in the README."""
    return ROSTER_STATUSES.markdown()


def status_history(*, session: Session, expert_id: int) -> list[RosterStatusChange]:
    """The profile's roster status changes, oldest first."""
    return list(
        session.scalars(
            select(RosterStatusChange)
            .where(RosterStatusChange.expert_id == expert_id)
            .order_by(RosterStatusChange.changed_at, RosterStatusChange.id)
        )
    )
