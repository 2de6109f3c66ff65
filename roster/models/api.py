"""What the API keeps: personal access tokens, and the answers to idempotent requests."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from roster.models._common import new_public_id, utcnow


class ApiToken(SQLModel, table=True):
    """A personal access token: its owner's rights, narrowed to its scopes, until it expires.

    Only a hash of the secret is kept (SHA-256: the secret is 256 random bits, so a slow
    password hash would buy nothing and cost every request). ``prefix`` is the secret's
    first characters, shown in the list so that its owner can tell tokens apart.
    """

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, unique=True, index=True, max_length=32)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    secret_hash: str = Field(unique=True, index=True, max_length=64)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    user: "User" = Relationship()  # noqa: F821


class IdempotentRequest(SQLModel, table=True):
    """A request that created something, kept under its ``Idempotency-Key`` for a day.

    A retry with the same key and the same request gets the stored answer again and
    creates nothing; the same key with another request is refused.
    """

    __tablename__ = "idempotent_request"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotent_request_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)
    status: int = Field(default=0)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    headers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
