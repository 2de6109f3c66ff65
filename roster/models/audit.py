"""The audit trail: who did what to whose data, when and why."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from roster.models._common import utcnow


class AuditEvent(SQLModel, table=True):
    """One audited action. ``subject_expert_id`` is nulled when the expert is erased,
    and ``detail`` never holds personal data, so the row can outlive the person."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL", index=True
    )
    action: str = Field(max_length=64, index=True)
    subject_expert_id: int | None = Field(
        default=None, foreign_key="expert.id", ondelete="SET NULL", index=True
    )
    reason: str = Field(default="", max_length=500)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
