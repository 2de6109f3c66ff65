"""The experts' answers to call-outs: through a mailed link, or signed in; once, audited.

A link opens a page that shows what it answers (``read_reply``, which writes nothing:
mail scanners open links); confirming it records the answer in the name of a
``MailedLink`` (``answer_by_link``). A signed-in expert answers their own call-out in
their own name (``answer_call_out``). Either way the answer goes through
``record_outcome``, sets ``answered_at`` and is audited (``callout.answered``); a call-out
withdrawn, answered already or closed refuses it in plain words (``ReplyRefused``), and
the refusal is audited (``callout.refused``, with its kind and ids only).
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from roster.messages import N_, Message
from roster.missions.reply_links import (
    Answer,
    ReplyLinks,
    ReplyRefused,
    aware,
    last_day,
    role_period,
)
from roster.models import (
    AuditEvent,
    CallOut,
    Expert,
    MissionRole,
    NeedsAssessment,
    User,
    utcnow,
)
from roster.policy.candidacy import record_outcome
from roster.policy.standing import MailedLink
from roster.policy.transitions import TransitionRefused


@dataclass(frozen=True)
class Reply:
    """A link's call-out and answer, as the reply page shows them before it is confirmed."""

    call_out: CallOut
    answer: Answer
    role: MissionRole
    needs: NeedsAssessment

    @property
    def period(self) -> tuple[date, date]:
        """The role's dates."""
        return role_period(self.role)

    @property
    def last_day(self) -> date:
        """The last day an answer is taken."""
        return last_day(self.call_out)


def reply_of(*, session: Session, call_out: CallOut) -> Reply:
    """The call-out with its role, and the answer it holds (for the thank-you page)."""
    role = session.get(MissionRole, call_out.role_id)
    return Reply(
        call_out=call_out,
        answer=Answer(call_out.answer or Answer.AVAILABLE),
        role=role,
        needs=role.needs,
    )


def _check_open(call_out: CallOut, now: datetime) -> None:
    """Refuse an answer to a call-out that is withdrawn, answered or closed."""
    if call_out.withdrawn_at is not None:
        raise ReplyRefused(
            Message(
                N_("This call-out was withdrawn on %(date)s: there is nothing to answer."),
                {"date": aware(call_out.withdrawn_at).date()},
            ),
            why="withdrawn",
            call_out=call_out,
        )
    if call_out.answered_at is not None:
        text = (
            N_("You already answered on %(date)s: you are available.")
            if call_out.answer == Answer.AVAILABLE
            else N_("You already answered on %(date)s: you are not available.")
        )
        raise ReplyRefused(
            Message(text, {"date": aware(call_out.answered_at).date()}),
            why="reused",
            call_out=call_out,
        )
    if now >= aware(call_out.expires_at):
        raise ReplyRefused(
            Message(
                N_(
                    "This call-out closed on %(date)s, so answers are no longer taken. If you "
                    "are still available, please say so to whoever called you out."
                ),
                {"date": aware(call_out.expires_at).date()},
            ),
            why="expired",
            call_out=call_out,
        )


def _call_out_of(session: Session, public_id: str) -> CallOut:
    found = session.scalars(select(CallOut).where(CallOut.public_id == public_id)).first()
    if found is None or found.expert_id is None:
        raise ReplyRefused(
            Message(N_("This call-out no longer exists: there is nothing to answer.")),
            why="gone",
        )
    return found


def read_reply(
    *, session: Session, links: ReplyLinks, token: str, now: datetime | None = None
) -> Reply:
    """What a link answers, for the page that asks to confirm it. Reads only.

    Raises:
        ReplyRefused: the link is tampered with or expired, or its call-out is gone,
            withdrawn, answered or closed. Nothing is written (not even an audit
            event: mail scanners open links, and a GET never writes).
    """
    public_id, answer = links.read(token)
    found = _call_out_of(session, public_id)
    _check_open(found, now or utcnow())
    role = session.get(MissionRole, found.role_id)
    return Reply(call_out=found, answer=answer, role=role, needs=role.needs)


def answer_call_out(
    *,
    session: Session,
    call_out: CallOut,
    answer: Answer | str,
    by: User | MailedLink,
    now: datetime | None = None,
) -> CallOut:
    """Record the expert's answer to an open call-out, once; audited.

    Args:
        session: the session to write in; the caller commits.
        call_out: the call-out answered.
        answer: ``available`` or ``unavailable``.
        by: the expert signed in, or the ``MailedLink`` of the expert's own call-out.
        now: the time of the answer.
    Returns:
        The call-out, its ``answer`` and ``answered_at`` set.
    Raises:
        ReplyRefused: the call-out is withdrawn, answered or closed, or the candidacy
            can no longer take the answer; a refusal event is audited, nothing else
            is written.
    """
    now = now or utcnow()
    try:
        chosen = Answer(answer)
    except ValueError:
        raise ReplyRefused(
            Message(N_("Choose whether you are available or not.")), why="tampered"
        ) from None
    try:
        _answer(session, call_out, chosen, by, now)
    except ReplyRefused as refused:
        _audit_refusal(session, refused, by=by, answer=chosen)
        raise
    return call_out


def _answer(
    session: Session, call_out: CallOut, answer: Answer, by: User | MailedLink, now: datetime
) -> None:
    # One answer per call-out, even from two tabs at once: the row is locked (PostgreSQL;
    # SQLite has one writer), then read again.
    session.execute(select(CallOut.id).where(CallOut.id == call_out.id).with_for_update())
    session.refresh(call_out)
    _check_open(call_out, now)
    expert = session.get(Expert, call_out.expert_id) if call_out.expert_id else None
    if expert is None:
        raise ReplyRefused(
            Message(N_("This call-out no longer exists: there is nothing to answer.")),
            why="gone",
            call_out=call_out,
        )
    role = session.get(MissionRole, call_out.role_id)
    try:
        record_outcome(session=session, role=role, expert=expert, to=answer.outcome, by=by)
    except TransitionRefused as refusal:
        raise ReplyRefused(
            Message(N_("Your answer could not be recorded: %(why)s"), {"why": refusal.message}),
            why="not_allowed",
            call_out=call_out,
        ) from None
    call_out.answer, call_out.answered_at = answer.value, now
    session.add(call_out)
    session.add(
        AuditEvent(
            actor_id=by.id,
            action="callout.answered",
            subject_expert_id=expert.id,
            detail=audit_detail(call_out, role, answer=answer.value, via=_via(by)),
        )
    )


def answer_by_link(
    *, session: Session, links: ReplyLinks, token: str, now: datetime | None = None
) -> CallOut:
    """Record the answer a mailed link carries, in the name of that link; audited.

    Raises:
        ReplyRefused: as ``read_reply`` and ``answer_call_out``. The refusal is audited
            (``callout.refused``, with its kind and the call-out's id where the link
            names one); the caller must keep that event although it answers with an
            error.
    """
    now = now or utcnow()
    try:
        public_id, answer = links.read(token)
        found = _call_out_of(session, public_id)
    except ReplyRefused as refused:
        _audit_refusal(session, refused, by=None, answer=None)
        raise
    return answer_call_out(
        session=session,
        call_out=found,
        answer=answer,
        by=MailedLink(expert_id=found.expert_id),
        now=now,
    )


def _via(by: User | MailedLink | None) -> str:
    return "account" if isinstance(by, User) else "mailed_link"


def audit_detail(call_out: CallOut, role: MissionRole | None, **more: str | None) -> dict[str, Any]:
    """An audit event's detail about a call-out: its id, the needs and role, and ``more``."""
    detail: dict[str, Any] = {"call_out": call_out.public_id}
    if role is not None:
        detail |= {"needs": role.needs.external_id, "role": role.role_key}
    return detail | {key: value for key, value in more.items() if value is not None}


def _audit_refusal(
    session: Session, refused: ReplyRefused, *, by: User | MailedLink | None, answer: Answer | None
) -> None:
    found = refused.call_out
    role = session.get(MissionRole, found.role_id) if found is not None else None
    detail = (
        audit_detail(found, role, why=refused.why, via=_via(by), answer=answer and answer.value)
        if found is not None
        else {"why": refused.why, "via": _via(by)}
    )
    session.add(
        AuditEvent(
            actor_id=by.id if by is not None else None,
            action="callout.refused",
            subject_expert_id=found.expert_id if found is not None else None,
            detail=detail,
        )
    )


def is_open(call_out: CallOut, *, now: datetime | None = None) -> bool:
    """Whether the call-out still takes an answer."""
    try:
        _check_open(call_out, now or utcnow())
    except ReplyRefused:
        return False
    return True
