"""Accounts and the roles they hold."""

import secrets
from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Optional

from sqlmodel import Field, Relationship, SQLModel

from roster.models._common import new_public_id, utcnow


class RoleName(StrEnum):
    """What a user may do: a user may hold several roles."""

    EXPERT = "expert"
    RECRUITER = "recruiter"
    PLANNER = "planner"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The role as people name it: 'mission planner', 'administrator'."""
        return {"planner": "mission planner", "admin": "administrator"}.get(self.value, self.value)


# The roles of the Electoral Assistance Division's staff, most powerful first.
STAFF_ROLES = (RoleName.ADMIN, RoleName.RECRUITER, RoleName.PLANNER)


class User(SQLModel, table=True):
    """A person who logs in: an expert, or staff of the Electoral Assistance Division."""

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, unique=True, index=True, max_length=32)
    email: str = Field(unique=True, index=True, max_length=254)
    display_name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=255)
    # Rotated on logout, password change and disabling: it is what the session cookie
    # carries, so every session issued before the rotation stops working.
    session_token: str = Field(
        default_factory=lambda: secrets.token_urlsafe(24), unique=True, index=True, max_length=64
    )
    disabled: bool = Field(default=False)
    email_confirmed_at: datetime | None = None
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = None
    last_login_at: datetime | None = None
    password_changed_at: datetime = Field(default_factory=utcnow)
    # When the owner chose the password. None while a staff account waits for its
    # invitation: it was opened with a random password nobody knows.
    password_chosen_at: datetime | None = None
    # When an admin removed the staff account. The row stays as a tombstone, so that the
    # audit trail and experts' view records still name who acted; it keeps the name
    # and nothing else that could sign in or be written to.
    removed_at: datetime | None = None
    # The language the user chose for the pages and their mail (a tag of
    # ``roster.i18n.SHIPPED``); None until they choose one. A value no longer offered
    # reads as no choice.
    language: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    roles: list["UserRole"] = Relationship(
        back_populates="user",
        sa_relationship_kwargs={
            "cascade": "all, delete-orphan",
            "foreign_keys": "[UserRole.user_id]",
        },
    )
    expert: Optional["Expert"] = Relationship(back_populates="user")  # noqa: F821

    # What Flask-Login asks of a user object. The session carries ``session_token``,
    # not the primary key, so rotating the token ends every session at once.
    is_authenticated: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False

    @property
    def is_active(self) -> bool:
        """A disabled account cannot log in or keep a session."""
        return not self.disabled

    def get_id(self) -> str:
        """Return what the session cookie stores for this user."""
        return self.session_token

    def has_role(self, *names: RoleName | str) -> bool:
        """Say whether the user holds any of the given roles."""
        held = {role.role for role in self.roles}
        return any(str(name) in held for name in names)


class UserRole(SQLModel, table=True):
    """One role held by one user, with who granted it and when."""

    __tablename__ = "user_role"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(primary_key=True, max_length=16)
    granted_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    granted_at: datetime = Field(default_factory=utcnow)

    user: User = Relationship(
        back_populates="roles", sa_relationship_kwargs={"foreign_keys": "[UserRole.user_id]"}
    )
