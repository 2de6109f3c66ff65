"""Helpers shared by the table modules: clocks and identifiers."""

import secrets
from datetime import UTC, datetime

from sqlmodel import SQLModel


def utcnow() -> datetime:
    """Return the current time, aware and in UTC, as every timestamp column stores it."""
    return datetime.now(UTC)


def new_public_id() -> str:
    """Return an unguessable identifier for URLs (never the sequential primary key)."""
    return secrets.token_urlsafe(12)


# Named constraints let migrations alter them later, SQLite's batch mode included.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
