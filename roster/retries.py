"""The answers kept for retried API requests (``Idempotency-Key``), and how long."""

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from roster.models import IdempotentRequest, utcnow

# A retry comes within seconds or hours; a day later the key may serve a new request.
KEPT_FOR = timedelta(hours=24)


def expired(record: IdempotentRequest, *, now: datetime | None = None) -> bool:
    """Whether ``record`` is past its day: its key no longer replays it."""
    return record.created_at < (now or utcnow()) - KEPT_FOR


def forget_old_answers(*, session: Session, now: datetime | None = None) -> int:
    """Delete the answers kept longer than ``KEPT_FOR``; return how many went."""
    result = session.execute(
        delete(IdempotentRequest).where(IdempotentRequest.created_at < (now or utcnow()) - KEPT_FOR)
    )
    return result.rowcount or 0
