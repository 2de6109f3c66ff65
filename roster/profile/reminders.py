"""Stale profiles: not confirmed for twelve months, shown to their owner and reminded once."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from roster.models import Expert, utcnow

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
    """Send one reminder to each stale profile with an account that was not yet reminded.

    ``send(email, full_name)`` sends the message. A reminded profile is not reminded
    again until its owner confirms or updates it (which clears the mark).

    Returns:
        How many reminders were sent.
    """
    now = now or utcnow()
    experts = list(
        session.scalars(
            select(Expert)
            .where(
                Expert.profile_confirmed_at < now - STALE_AFTER,
                Expert.stale_reminder_sent_at.is_(None),
                Expert.user_id.is_not(None),
            )
            .order_by(Expert.id)
        )
    )
    for expert in experts:
        send(expert.email, expert.full_name)
        expert.stale_reminder_sent_at = now
        session.add(expert)
    return len(experts)
