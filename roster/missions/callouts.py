"""Call-outs: asking shortlisted candidates by mail whether they are available for a role.

A planner calls out candidates whose candidacy for the role stands at ``shortlisted``:
each candidacy moves to ``contacted`` (through ``record_outcome``), a ``CallOut`` is
kept, and a mail goes to the expert with two signed links, "I am available" and "I am
not available", on the configured public address. A link opens a page that asks the
expert to confirm; the confirmation records the answer through ``record_outcome`` in
the name of a ``MailedLink`` (the expert, who may have no account: the rules let such a
link record an answer and nothing else). A signed-in expert answers the same way from
their own page, in their own name.

The links are signed for this one purpose, carry the call-out's public id and the
answer, and work once, while the call-out is open: not answered, not withdrawn, and not
past ``expires_at`` (a number of days after it was sent, or the role's start if that is
sooner). Every use of a link, accepted or refused, is audited, with ids only.

Those who have not answered get one reminder, ``reminder_days`` (of the needs
assessment) after the call-out, with fresh links; the first links still work.

Mail is written to the outbox in the caller's transaction and goes out once it commits.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlmodel import Session

from matching.vocabulary import VocabularyError, country_name
from roster.i18n import long_date
from roster.links import public_url
from roster.mail import compose
from roster.messages import N_, Message
from roster.models import (
    AuditEvent,
    CallOut,
    CandidateOutcome,
    Expert,
    MissionRole,
    NeedsAssessment,
    Shortlist,
    ShortlistEntry,
    User,
    utcnow,
)
from roster.outbox import queue_mail
from roster.policy.candidacy import current_outcome, record_outcome
from roster.policy.standing import MailedLink, Standing, standing_of
from roster.policy.transitions import TransitionRefused
from roster.refusal import OneProblem, Problems, Refused

DEFAULT_DAYS = 14
REPLY_SALT = "roster-call-out-reply"
# The endpoint of the public reply page (the ``replies`` feature), for mailed links.
REPLY_ENDPOINT = "replies.reply"


class Answer(StrEnum):
    """What an expert answers to a call-out: the candidacy's outcome of the same code."""

    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"

    @property
    def outcome(self) -> CandidateOutcome:
        """The candidate outcome this answer records."""
        return CandidateOutcome(self.value)


class CallOutRefused(Refused):
    """A call-out (or its withdrawal) that cannot be made; nothing was written."""


class ReplyRefused(OneProblem):
    """An answer that is not taken: the link is tampered with, expired, used or withdrawn.

    ``why`` is the kind, as the audit trail records it: ``tampered``, ``expired``,
    ``reused``, ``withdrawn``, ``gone`` (the call-out no longer exists) or
    ``not_allowed`` (the candidacy moved on meanwhile).
    """

    def __init__(self, message: Message, *, why: str, call_out: CallOut | None = None) -> None:
        super().__init__(message)
        self.why = why
        self.call_out = call_out


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; they are stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ReplyLinks:
    """Signs and reads the answer links of call-outs (their own salt, never a reset's).

    Attributes:
        secret_key: the app's secret key.
        days: how long a call-out stays open at most; a link is refused this long
            after it was signed, whatever the call-out's own end.
    """

    secret_key: str
    days: int = DEFAULT_DAYS

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=REPLY_SALT)

    def token(self, call_out: CallOut, answer: Answer) -> str:
        """A token answering ``call_out`` with ``answer``."""
        return self._serializer().dumps({"call_out": call_out.public_id, "answer": answer.value})

    def url(self, call_out: CallOut, answer: Answer) -> str:
        """The link to mail: ``{ROSTER_BASE_URL}/reply/<token>``."""
        return public_url(REPLY_ENDPOINT, token=self.token(call_out, answer))

    def read(self, token: str) -> tuple[str, Answer]:
        """The call-out's public id and the answer a token carries.

        Raises:
            ReplyRefused: the token is not one of ours, was altered (``tampered``), or
                was signed more than ``days`` ago (``expired``).
        """
        serializer = self._serializer()
        try:
            payload = serializer.loads(token, max_age=self.days * 86400)
        except SignatureExpired:
            raise ReplyRefused(
                Message(
                    N_(
                        "This link has expired. If you are still available, please say so "
                        "to whoever called you out."
                    )
                ),
                why="expired",
            ) from None
        except BadSignature:
            raise _tampered() from None
        if not isinstance(payload, dict):
            raise _tampered()
        public_id, answer = payload.get("call_out"), payload.get("answer")
        if not isinstance(public_id, str) or answer not in {a.value for a in Answer}:
            raise _tampered()
        return public_id, Answer(answer)


def _tampered() -> ReplyRefused:
    text = N_("This link is not valid. Please check that you copied all of it from the email.")
    return ReplyRefused(Message(text), why="tampered")


def reply_links(config: Mapping[str, Any]) -> ReplyLinks:
    """The reply links of an app's configuration (``SECRET_KEY``, ``CALL_OUT_DAYS``)."""
    return ReplyLinks(config["SECRET_KEY"], int(config.get("CALL_OUT_DAYS", DEFAULT_DAYS)))


# --- sending ---------------------------------------------------------------------------------


def role_period(role: MissionRole) -> tuple[date, date]:
    """The role's dates: its own, or the mission's."""
    return role.start or role.needs.start, role.end or role.needs.end


def closing_time(role: MissionRole, *, sent: datetime, days: int) -> datetime:
    """When a call-out sent at ``sent`` closes: ``days`` later, or at the role's start if
    that is sooner (and still to come: a call-out for a role under way runs its days)."""
    start = datetime.combine(role_period(role)[0], time.min, tzinfo=UTC)
    end = sent + timedelta(days=days)
    return start if sent < start < end else end


def latest_entry(session: Session, *, role_id: int, expert_id: int) -> ShortlistEntry | None:
    """The expert's entry on the newest shortlist of the role that has one."""
    return session.scalars(
        select(ShortlistEntry)
        .join(Shortlist, ShortlistEntry.shortlist_id == Shortlist.id)
        .where(Shortlist.role_id == role_id, ShortlistEntry.expert_id == expert_id)
        .order_by(Shortlist.created_at.desc(), Shortlist.id.desc())
        .limit(1)
    ).first()


def _who(session: Session, role: MissionRole, expert: Expert) -> Message | str:
    """How a refusal names a candidate: by name, or by rank while the review is blind."""
    if not role.needs.blind_review:
        return expert.full_name
    entry = latest_entry(session, role_id=role.id, expert_id=expert.id)
    if entry is None:
        return Message(N_("a candidate not on the shortlist"))
    return Message(N_("the candidate ranked %(rank)s"), {"rank": entry.rank})


def _check_candidates(
    session: Session, role: MissionRole, experts: Sequence[Expert]
) -> list[Expert]:
    problems = Problems()
    if not experts:
        problems.add("candidates", N_("Choose at least one candidate to call out."))
    chosen: dict[int, Expert] = {}
    for index, expert in enumerate(experts):
        if expert.id in chosen:
            continue
        chosen[expert.id] = expert
        path, who = f"candidates[{index}]", _who(session, role, expert)
        outcome = current_outcome(session=session, role_id=role.id, expert_id=expert.id)
        if outcome is not CandidateOutcome.SHORTLISTED:
            stands = Message(outcome.label) if outcome else Message(N_("not a candidate"))
            problems.add(
                path,
                N_(
                    "%(who)s cannot be called out: only shortlisted candidates can, and this "
                    "candidacy is %(outcome)s."
                ),
                who=who,
                outcome=stands,
            )
        elif session.scalar(
            select(CallOut.id).where(CallOut.role_id == role.id, CallOut.expert_id == expert.id)
        ):
            problems.add(path, N_("%(who)s was already called out for this role."), who=who)
    problems.raise_if_any(CallOutRefused)
    return list(chosen.values())


def call_out(
    *,
    session: Session,
    role: MissionRole,
    experts: Sequence[Expert],
    by: User,
    links: ReplyLinks,
    now: datetime | None = None,
) -> list[CallOut]:
    """Call out shortlisted candidates for ``role``: all of them, or none.

    Each candidacy moves to ``contacted``, a ``CallOut`` is kept (open for
    ``links.days`` days, or until the role starts if that is sooner), and a mail with
    the two answer links is queued to the expert.

    Args:
        session: the session to write in; the caller commits (the mail goes out then).
        role: the role of the needs assessment.
        experts: the candidates; each must stand at ``shortlisted`` for the role and
            not have been called out for it before. Repeats count once.
        by: the planner or administrator calling out.
        links: signs the answer links.
        now: the time of sending (tests move it).
    Returns:
        The call-outs written, in the order of ``experts``.
    Raises:
        CallOutRefused: no candidate, or one who is not shortlisted or was already called
            out (each named, by rank on a blind shortlist); nothing is written.
        TransitionRefused: ``by`` may not record the contact; nothing is written.
    """
    now = now or utcnow()
    chosen = _check_candidates(session, role, experts)
    made = []
    with session.no_autoflush:
        for expert in chosen:
            entry = latest_entry(session, role_id=role.id, expert_id=expert.id)
            record_outcome(
                session=session,
                role=role,
                expert=expert,
                to=CandidateOutcome.CONTACTED,
                by=by,
                shortlist_entry=entry,
            )
            made.append(
                CallOut(
                    role_id=role.id,
                    expert_id=expert.id,
                    shortlist_entry_id=entry.id if entry else None,
                    sent_by_id=by.id,
                    sent_at=now,
                    expires_at=closing_time(role, sent=now, days=links.days),
                )
            )
    for made_one, expert in zip(made, chosen, strict=True):
        session.add(made_one)
        _queue_call_out_mail(session, made_one, role, expert, links, reminder=False)
    return made


def _queue_call_out_mail(
    session: Session,
    call_out: CallOut,
    role: MissionRole,
    expert: Expert,
    links: ReplyLinks,
    *,
    reminder: bool,
) -> None:
    start, end = role_period(role)
    needs = role.needs
    try:
        country = country_name(needs.country)
    except VocabularyError:
        country = needs.country
    mail = compose(
        "call_out",
        to=expert.email,
        reminder=reminder,
        name=expert.full_name,
        role_title=role.title,
        mission_title=needs.title or needs.external_id,
        country=country,
        start=start,
        end=end,
        last_day=last_day(call_out),
        long_date=long_date,
        has_account=expert.user_id is not None,
        available_link=links.url(call_out, Answer.AVAILABLE),
        unavailable_link=links.url(call_out, Answer.UNAVAILABLE),
    )
    queue_mail(session=session, mail=mail)


# --- answering -------------------------------------------------------------------------------


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


def last_day(call_out: CallOut) -> date:
    """The last day a call-out takes an answer (it closes at the start of the next, or
    at the time of day it was sent)."""
    return (_aware(call_out.expires_at) - timedelta(seconds=1)).date()


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
                {"date": _aware(call_out.withdrawn_at).date()},
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
            Message(text, {"date": _aware(call_out.answered_at).date()}),
            why="reused",
            call_out=call_out,
        )
    if now >= _aware(call_out.expires_at):
        raise ReplyRefused(
            Message(
                N_(
                    "This call-out closed on %(date)s, so answers are no longer taken. If you "
                    "are still available, please say so to whoever called you out."
                ),
                {"date": _aware(call_out.expires_at).date()},
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
            Message(
                N_("Your answer could not be recorded: %(why)s"), {"why": str(refusal.message)}
            ),
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
            detail=_detail(call_out, role, answer=answer.value, via=_via(by)),
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


def _detail(call_out: CallOut, role: MissionRole | None, **more: str | None) -> dict[str, Any]:
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
        _detail(found, role, why=refused.why, via=_via(by), answer=answer and answer.value)
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


# --- the planner's side ----------------------------------------------------------------------


def withdraw_call_out(
    *, session: Session, call_out: CallOut, by: User, now: datetime | None = None
) -> CallOut:
    """Withdraw an unanswered call-out: its links refuse from now on; audited.

    The candidacy stays where it stands (``contacted``): the planner records what
    follows through ``record_outcome``.

    Raises:
        CallOutRefused: ``by`` is not a planner or an administrator (or is the expert),
            or the call-out is already withdrawn or answered; nothing is written.
    """
    now = now or utcnow()
    expert = session.get(Expert, call_out.expert_id) if call_out.expert_id else None
    standing = standing_of(user=by, expert=expert) if expert else frozenset()
    if expert is not None and not standing & {Standing.PLANNER, Standing.ADMIN}:
        raise CallOutRefused.at(
            "", N_("Only a mission planner or an administrator can withdraw a call-out.")
        )
    if call_out.withdrawn_at is not None:
        raise CallOutRefused.at(
            "",
            N_("This call-out was already withdrawn on %(date)s."),
            date=_aware(call_out.withdrawn_at).date(),
        )
    if call_out.answered_at is not None:
        raise CallOutRefused.at(
            "",
            N_(
                "This call-out was answered on %(date)s: record what follows on the candidacy "
                "instead."
            ),
            date=_aware(call_out.answered_at).date(),
        )
    call_out.withdrawn_at = now
    session.add(call_out)
    role = session.get(MissionRole, call_out.role_id)
    session.add(
        AuditEvent(
            actor_id=by.id,
            action="callout.withdrawn",
            subject_expert_id=call_out.expert_id,
            detail=_detail(call_out, role),
        )
    )
    return call_out


def call_outs_for_role(*, session: Session, role_id: int) -> dict[int, CallOut]:
    """The role's call-outs by expert id, for the shortlist page's replies. Reads only."""
    rows = session.scalars(
        select(CallOut).where(CallOut.role_id == role_id, CallOut.expert_id.is_not(None))
    )
    return {row.expert_id: row for row in rows}


def role_by_key(*, session: Session, needs_public_id: str, role_key: str) -> MissionRole | None:
    """The role ``role_key`` of the needs assessment ``needs_public_id``, None if none."""
    return session.scalars(
        select(MissionRole)
        .join(NeedsAssessment, MissionRole.needs_id == NeedsAssessment.id)
        .where(NeedsAssessment.public_id == needs_public_id, MissionRole.role_key == role_key)
    ).first()


def experts_by_public_id(*, session: Session, public_ids: Sequence[str]) -> list[Expert]:
    """The experts named by ``public_ids``, in their order.

    Raises:
        CallOutRefused: an id names no expert (``candidates[i]``).
    """
    wanted = [value for value in public_ids if value]
    found = {
        expert.public_id: expert
        for expert in session.scalars(select(Expert).where(Expert.public_id.in_(wanted)))
    }
    problems = Problems()
    for index, value in enumerate(wanted):
        if value not in found:
            problems.add(
                f"candidates[{index}]",
                N_("One of the candidates chosen is not on the roster any more."),
            )
    problems.raise_if_any(CallOutRefused)
    return [found[value] for value in wanted]


def call_out_by_public_id(*, session: Session, public_id: str) -> CallOut | None:
    """A call-out by its public id, None if there is none."""
    return session.scalars(select(CallOut).where(CallOut.public_id == public_id)).first()


def is_open(call_out: CallOut, *, now: datetime | None = None) -> bool:
    """Whether the call-out still takes an answer."""
    try:
        _check_open(call_out, now or utcnow())
    except ReplyRefused:
        return False
    return True


# --- reminders -------------------------------------------------------------------------------


def remind_due(*, session: Session, links: ReplyLinks, now: datetime | None = None) -> int:
    """Remind, once, each expert who has not answered a call-out within its needs
    assessment's ``reminder_days``, while the call-out is open and the candidacy still
    waits at ``contacted``. Each reminder carries fresh links; the first ones still work.

    Idempotent: a call-out is claimed by one atomic update of ``reminded_at`` before
    its mail is queued, so two runs at once, or a second run, remind no one twice.

    Returns:
        How many reminders were queued.
    """
    now = now or utcnow()
    rows = session.execute(
        select(CallOut, NeedsAssessment.reminder_days)
        .join(MissionRole, CallOut.role_id == MissionRole.id)
        .join(NeedsAssessment, MissionRole.needs_id == NeedsAssessment.id)
        .where(
            CallOut.answered_at.is_(None),
            CallOut.withdrawn_at.is_(None),
            CallOut.reminded_at.is_(None),
            CallOut.expert_id.is_not(None),
            CallOut.expires_at > now,
        )
        .order_by(CallOut.id)
    ).all()
    reminded = 0
    for found, days in rows:
        if _aware(found.sent_at) + timedelta(days=days) > now:
            continue
        waiting = current_outcome(session=session, role_id=found.role_id, expert_id=found.expert_id)
        if waiting is not CandidateOutcome.CONTACTED:
            continue
        claimed = session.execute(
            update(CallOut)
            .where(CallOut.id == found.id, CallOut.reminded_at.is_(None))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue
        role = session.get(MissionRole, found.role_id)
        expert = session.get(Expert, found.expert_id)
        _queue_call_out_mail(session, found, role, expert, links, reminder=True)
        reminded += 1
    return reminded
