"""Likely duplicates: pairs of expert records that may be the same person, and what was decided."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from roster.models._common import new_public_id, utcnow


class PairStatus(StrEnum):
    """Where a likely duplicate stands: waiting for review, or decided."""

    OPEN = "open"
    NOT_SAME = "not_same"  # remembered: the pair is never shown again
    MERGED = "merged"


class FoundBy(StrEnum):
    """How a pair was found."""

    REGISTRATION = "registration"
    IMPORT = "import"
    SWEEP = "sweep"


class DuplicatePair(SQLModel, table=True):
    """Two expert records that may be one person: ``first_id`` < ``second_id``, one row a pair.

    ``evidence`` says what agrees and what differs, as codes (``name``, ``email``,
    ``birth_year`` ...), never the values themselves, so that the row holds no
    personal data beyond the two ids.
    """

    __tablename__ = "duplicate_pair"
    __table_args__ = (
        UniqueConstraint("first_id", "second_id"),
        CheckConstraint("first_id < second_id", name="pair_ordered"),
        # The review list: open pairs, best score first.
        Index("ix_duplicate_pair_status_score", "status", "score", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, unique=True, index=True, max_length=32)
    first_id: int = Field(foreign_key="expert.id", index=True, ondelete="CASCADE")
    second_id: int = Field(foreign_key="expert.id", index=True, ondelete="CASCADE")
    score: float
    evidence: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    found_by: str = Field(max_length=16)
    found_at: datetime = Field(default_factory=utcnow)
    status: str = Field(default=PairStatus.OPEN.value, max_length=16)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    decided_at: datetime | None = None


class DuplicateKey(SQLModel, table=True):
    """A blocking key of an expert record: records are compared only when they share one.

    Kept by ``roster.recruiting.duplicates`` (at registration, import, merge, and the
    sweep, which rebuilds them all).
    """

    __tablename__ = "duplicate_key"

    key: str = Field(primary_key=True, max_length=80)
    expert_id: int = Field(
        foreign_key="expert.id", primary_key=True, index=True, ondelete="CASCADE"
    )


__all__ = ["DuplicateKey", "DuplicatePair", "FoundBy", "PairStatus"]
