"""Stale profiles: not confirmed for twelve months, shown to their owner and reminded once."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from roster.models import Expert, User, utcnow

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


def remind_stale(
    *, session: Session, send: Callable[[str, str], None], now: datetime | None = None
) -> int:
    """Send one reminder to each stale profile whose account is active and not yet reminded.

    ``send(email, full_name)`` sends the message. A reminded profile is not reminded
    again until its owner confirms or updates it (which clears the mark). Each
    reminder is committed as soon as it is sent: a mail that went out cannot be
    rolled back, so a failure halfway must not make the next run send it again.

    Returns:
        How many reminders were sent.

    Raises:
        Whatever ``send`` raises; the reminders sent before it are recorded.
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
    for expert in experts:
        send(expert.email, expert.full_name)
        expert.stale_reminder_sent_at = now
        session.add(expert)
        session.commit()
    return len(experts)
