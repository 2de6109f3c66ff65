"""The audit trail: who did what to whose data, when and why."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from roster.models._common import utcnow


class AuditEvent(SQLModel, table=True):
    """One audited action. ``subject_expert_id`` is nulled when the expert is erased,
    and ``detail`` never holds personal data, so the row can outlive the person."""

    __tablename__ = "audit_event"
    # The trail is read newest first, filtered by one of these: each index hands the
    # newest matching rows over in order, so a page reads its 50 rows and no more.
    # Their first column serves the foreign keys and erasure as a single index would.
    __table_args__ = (
        Index("ix_audit_event_action_at", "action", "at", "id"),
        Index("ix_audit_event_actor_id_at", "actor_id", "at", "id"),
        Index("ix_audit_event_subject_expert_id_at", "subject_expert_id", "at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    action: str = Field(max_length=64)
    subject_expert_id: int | None = Field(
        default=None, foreign_key="expert.id", ondelete="SET NULL"
    )
    reason: str = Field(default="", max_length=500)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
