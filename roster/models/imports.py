"""Imports sent by partner systems: the file, kept until it has run, and what it did."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary
from sqlmodel import Field, SQLModel

from roster.models._common import new_public_id, utcnow


class ImportState(StrEnum):
    """Where an import stands: waiting for the job queue, running, or finished."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # every record written, in one transaction
    FAILED = "failed"  # nothing written; ``problems`` says why, line by line


class ImportRun(SQLModel, table=True):
    """A file of expert records sent to the API, imported by a job, all or nothing.

    ``content`` is the file as sent, kept only until the job has run (then emptied: the
    records are in the roster, or were refused). ``problems`` are the interchange's
    problems: ``{"line", "path", "message", "external_id"}``, the line counted from 1
    (0 for the file as a whole) and the path in the record's terms (``languages[0].level``).
    """

    __tablename__ = "import_run"
    __table_args__ = (Index("ix_import_run_user_id_id", "user_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, unique=True, index=True, max_length=32)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    format: str = Field(max_length=8)
    size: int = Field(default=0)
    content: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    state: str = Field(default=ImportState.QUEUED.value, max_length=16)
    rows_total: int | None = None
    rows_read: int = Field(default=0)
    created: int = Field(default=0)
    updated: int = Field(default=0)
    unchanged: int = Field(default=0)
    duplicates: int | None = None
    problems: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None


__all__ = ["ImportRun", "ImportState"]
