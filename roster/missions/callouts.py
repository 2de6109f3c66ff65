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
The links are made and read in ``reply_links``, the answers recorded in ``replies``;
this module passes on what callers need of both.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from roster.i18n import country_display, in_language, long_date, mail_language, saved_language
from roster.mail import compose
from roster.messages import N_, Message
from roster.missions.replies import (
    Reply,
    answer_by_link,
    answer_call_out,
    audit_detail,
    is_open,
    read_reply,
    reply_of,
)
from roster.missions.reply_links import (
    DEFAULT_DAYS,
    Answer,
    ReplyLinks,
    ReplyRefused,
    aware,
    closing_time,
    last_day,
    reply_links,
    role_period,
)
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
from roster.policy.standing import Standing, standing_of
from roster.refusal import Problems, Refused

# The answering side and the links are used through this module too.
__all__ = [
    "DEFAULT_DAYS",
    "Answer",
    "CallOutRefused",
    "Reply",
    "ReplyLinks",
    "ReplyRefused",
    "answer_by_link",
    "answer_call_out",
    "call_out",
    "call_out_by_public_id",
    "call_outs_for_role",
    "experts_by_public_id",
    "is_open",
    "read_reply",
    "remind_due",
    "reply_links",
    "reply_of",
    "role_by_key",
    "withdraw_call_out",
]


class CallOutRefused(Refused):
    """A call-out (or its withdrawal) that cannot be made; nothing was written."""


# --- sending ---------------------------------------------------------------------------------


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
            stands = CandidateOutcome(outcome).word if outcome else Message(N_("not a candidate"))
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
    # The mail and the pages its links open are in the expert's language.
    language = mail_language(saved_language(expert.user)).tag
    with in_language(language):
        country = country_display(needs.country)
    mail = compose(
        "call_out",
        to=expert.email,
        language=language,
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
        available_link=links.url(call_out, Answer.AVAILABLE, language),
        unavailable_link=links.url(call_out, Answer.UNAVAILABLE, language),
    )
    queue_mail(session=session, mail=mail)


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
            date=aware(call_out.withdrawn_at).date(),
        )
    if call_out.answered_at is not None:
        raise CallOutRefused.at(
            "",
            N_(
                "This call-out was answered on %(date)s: record what follows on the candidacy "
                "instead."
            ),
            date=aware(call_out.answered_at).date(),
        )
    call_out.withdrawn_at = now
    session.add(call_out)
    role = session.get(MissionRole, call_out.role_id)
    session.add(
        AuditEvent(
            actor_id=by.id,
            action="callout.withdrawn",
            subject_expert_id=call_out.expert_id,
            detail=audit_detail(call_out, role),
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
        if aware(found.sent_at) + timedelta(days=days) > now:
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
