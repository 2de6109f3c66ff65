"""The outbox: mail written in the transaction that causes it, sent after that commits."""

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from roster.models._common import new_public_id, utcnow


class OutboxMessage(SQLModel, table=True):
    """One message to send. ``sent_at`` is set once it went out; until then a failure
    leaves ``last_error`` and the time of the next try, and ``claimed_until`` marks the
    sender that holds it, so that no two senders send it twice."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, unique=True, index=True, max_length=32)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=255)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    attempts: int = Field(default=0)
    last_error: str = Field(default="", max_length=500)
    # None once sent, or once the sender gave up: then the sweep no longer picks it.
    next_attempt_at: datetime | None = Field(default_factory=utcnow, index=True)
    claimed_until: datetime | None = None
