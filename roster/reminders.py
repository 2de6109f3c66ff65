"""Stale profiles: not confirmed for twelve months, shown to their owner and reminded once."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from roster.i18n import saved_language
from roster.links import public_url
from roster.mail import compose
from roster.models import Expert, User, utcnow
from roster.outbox import queue_mail

STALE_AFTER = timedelta(days=365)


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; they are stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_stale(expert: Expert, *, now: datetime | None = None) -> bool:
    """Whether the profile was last confirmed or updated more than a year ago."""
    return _aware(expert.profile_confirmed_at) < (now or utcnow()) - STALE_AFTER


def confirm_profile(*, session: Session, expert: Expert) -> None:
    """Record that the expert checked the profile and it is still right."""
    expert.profile_confirmed_at = utcnow()
    expert.stale_reminder_sent_at = None
    session.add(expert)


def remind_stale(*, session: Session, now: datetime | None = None) -> int:
    """Queue one reminder to each stale profile whose account is active and not yet reminded.

    A reminded profile is not reminded again until its owner confirms or updates it
    (which clears the mark). The reminders and the marks are written in the caller's
    transaction: the outbox sends each once it commits, so a mail server that is down
    loses none (they wait in the outbox and are tried again) and a second run repeats none.

    Returns:
        How many reminders were queued.
    """
    now = now or utcnow()
    experts = list(
        session.scalars(
            select(Expert)
            .join(User, Expert.user_id == User.id)
            .where(
                Expert.profile_confirmed_at < now - STALE_AFTER,
                Expert.stale_reminder_sent_at.is_(None),
                User.disabled.is_(False),
            )
            .order_by(Expert.id)
        )
    )
    link = public_url("profile.overview")
    for expert in experts:
        mail = compose(
            "stale_reminder",
            to=expert.email,
            language=saved_language(expert.user),
            name=expert.full_name,
            link=link,
        )
        queue_mail(session=session, mail=mail)
        expert.stale_reminder_sent_at = now
        session.add(expert)
    return len(experts)
