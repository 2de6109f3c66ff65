"""The expert's record: profile, consented sensitive data, and what the roster knows of them."""

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, Text, event, text
from sqlmodel import Field, Relationship, SQLModel

from roster.models._common import new_public_id, utcnow
from roster.models.states import CodeType, RosterStatus
from roster.recruiting.names import MAX_KEY, name_key

_CASCADE = {"cascade": "all, delete-orphan"}


class Expert(SQLModel, table=True):
    """An electoral expert and where they stand on the roster (`roster_status`, see the taxonomy).

    ``gender``, ``disability`` and ``birth_year`` are set only while the matching
    ``*_consent_at`` is set: withdrawing consent clears both.
    """

    __table_args__ = (
        CheckConstraint("gender IS NULL OR gender_consent_at IS NOT NULL", name="gender_consented"),
        CheckConstraint(
            "disability IS NULL OR disability_consent_at IS NOT NULL", name="disability_consented"
        ),
        CheckConstraint(
            "birth_year IS NULL OR birth_year_consent_at IS NOT NULL", name="birth_year_consented"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, unique=True, index=True, max_length=32)
    external_id: str = Field(unique=True, index=True, max_length=64)
    user_id: int | None = Field(
        default=None, foreign_key="user.id", unique=True, ondelete="SET NULL"
    )
    full_name: str = Field(max_length=200, index=True)
    # The name folded for finding (``roster.recruiting.names``), kept by ``_keep_name_key``.
    name_key: str = Field(
        default="", max_length=MAX_KEY, index=True, sa_column_kwargs={"server_default": text("''")}
    )
    email: str = Field(max_length=254, index=True)
    residence_country: str | None = Field(default=None, max_length=2)
    gender: str | None = Field(default=None, max_length=16)
    gender_consent_at: datetime | None = None
    disability: bool | None = None
    disability_consent_at: datetime | None = None
    birth_year: int | None = None
    birth_year_consent_at: datetime | None = None
    roster_status: RosterStatus = Field(
        default=RosterStatus.APPLICANT, sa_type=CodeType(RosterStatus), index=True
    )
    seniority: str | None = Field(default=None, max_length=4)
    years_experience: int | None = None
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    cv_stored_name: str | None = Field(default=None, max_length=64)
    cv_original_name: str | None = Field(default=None, max_length=255)
    cv_uploaded_at: datetime | None = None
    merged_into_id: int | None = Field(default=None, foreign_key="expert.id", ondelete="SET NULL")
    profile_confirmed_at: datetime = Field(default_factory=utcnow)
    stale_reminder_sent_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Optimistic locking: every write compares and increments it.
    version: int = Field(default=1)

    user: Optional["User"] = Relationship(back_populates="expert")  # noqa: F821
    nationalities: list["ExpertNationality"] = Relationship(
        back_populates="expert",
        sa_relationship_kwargs={**_CASCADE, "order_by": "ExpertNationality.position"},
    )
    languages: list["ExpertLanguage"] = Relationship(
        back_populates="expert",
        sa_relationship_kwargs={**_CASCADE, "order_by": "ExpertLanguage.position"},
    )
    skills: list["ExpertSkill"] = Relationship(
        back_populates="expert",
        sa_relationship_kwargs={**_CASCADE, "order_by": "ExpertSkill.position"},
    )
    accessibility: list["ExpertAccessibility"] = Relationship(
        back_populates="expert",
        sa_relationship_kwargs={**_CASCADE, "order_by": "ExpertAccessibility.position"},
    )
    availability: list["AvailabilityWindow"] = Relationship(
        back_populates="expert",
        sa_relationship_kwargs={**_CASCADE, "order_by": "AvailabilityWindow.start"},
    )
    deployments: list["Deployment"] = Relationship(
        back_populates="expert",
        sa_relationship_kwargs={**_CASCADE, "order_by": "Deployment.start"},
    )
    status_history: list["RosterStatusChange"] = Relationship(
        back_populates="expert",
        sa_relationship_kwargs={**_CASCADE, "order_by": "RosterStatusChange.changed_at"},
    )


@event.listens_for(Expert, "before_insert")
@event.listens_for(Expert, "before_update")
def _keep_name_key(_mapper: object, _connection: object, expert: Expert) -> None:
    """Every write of ``full_name`` through the ORM writes its ``name_key`` too.

    Bulk writes that bypass the ORM (``roster.interchange.store``) set it themselves.
    """
    key = name_key(expert.full_name or "")
    if expert.name_key != key:
        expert.name_key = key


class ExpertNationality(SQLModel, table=True):
    """A nationality (ISO 3166-1 alpha-2); the UN regional group is derived from it."""

    __tablename__ = "expert_nationality"

    expert_id: int = Field(foreign_key="expert.id", primary_key=True, ondelete="CASCADE")
    country: str = Field(primary_key=True, max_length=2, index=True)
    position: int = Field(default=0)

    expert: Expert = Relationship(back_populates="nationalities")


class ExpertLanguage(SQLModel, table=True):
    """A language (BCP 47 tag) and the level at which the expert works in it."""

    __tablename__ = "expert_language"

    expert_id: int = Field(foreign_key="expert.id", primary_key=True, ondelete="CASCADE")
    code: str = Field(primary_key=True, max_length=35, index=True)
    level: str = Field(max_length=6)
    position: int = Field(default=0)

    expert: Expert = Relationship(back_populates="languages")


class ExpertSkill(SQLModel, table=True):
    """An expertise area with years, self-declared until a recruiter verifies it."""

    __tablename__ = "expert_skill"

    expert_id: int = Field(foreign_key="expert.id", primary_key=True, ondelete="CASCADE")
    code: str = Field(primary_key=True, max_length=64, index=True)
    years: int | None = None
    position: int = Field(default=0)
    verified_at: datetime | None = None
    verified_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")

    expert: Expert = Relationship(back_populates="skills")


class ExpertAccessibility(SQLModel, table=True):
    """An accessibility expertise (CRPD article 29) code from the taxonomy."""

    __tablename__ = "expert_accessibility"

    expert_id: int = Field(foreign_key="expert.id", primary_key=True, ondelete="CASCADE")
    code: str = Field(primary_key=True, max_length=64, index=True)
    position: int = Field(default=0)

    expert: Expert = Relationship(back_populates="accessibility")


class AvailabilityWindow(SQLModel, table=True):
    """A period in which the expert can deploy (both days included)."""

    __tablename__ = "availability_window"
    __table_args__ = (CheckConstraint('start <= "end"', name="window_ordered"),)

    id: int | None = Field(default=None, primary_key=True)
    expert_id: int = Field(foreign_key="expert.id", index=True, ondelete="CASCADE")
    start: date
    end: date

    expert: Expert = Relationship(back_populates="availability")


class Deployment(SQLModel, table=True):
    """A past deployment, with the rating given after it."""

    __table_args__ = (
        CheckConstraint('start <= "end"', name="deployment_ordered"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    expert_id: int = Field(foreign_key="expert.id", index=True, ondelete="CASCADE")
    mission: str | None = Field(default=None, max_length=300)
    country: str = Field(max_length=2)
    role: str = Field(max_length=200)
    start: date
    end: date
    rating: int | None = None
    comments: str | None = Field(default=None, sa_column=Column(Text))
    # Set when the deployment was recorded through a mission in this system.
    mission_role_id: int | None = Field(
        default=None, foreign_key="mission_role.id", ondelete="SET NULL"
    )

    expert: Expert = Relationship(back_populates="deployments")


class RosterStatusChange(SQLModel, table=True):
    """Who moved an expert from one roster status to another, when and why.

    Written by ``roster.policy.roster_status.change_roster_status``, and by imports.
    """

    __tablename__ = "roster_status_change"

    id: int | None = Field(default=None, primary_key=True)
    expert_id: int = Field(foreign_key="expert.id", index=True, ondelete="CASCADE")
    from_status: RosterStatus | None = Field(default=None, sa_type=CodeType(RosterStatus))
    to_status: RosterStatus = Field(sa_type=CodeType(RosterStatus))
    changed_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    changed_at: datetime = Field(default_factory=utcnow)
    reason: str = Field(default="", max_length=1000)

    expert: Expert = Relationship(back_populates="status_history")


__all__ = [
    "AvailabilityWindow",
    "Deployment",
    "Expert",
    "ExpertAccessibility",
    "ExpertLanguage",
    "ExpertNationality",
    "ExpertSkill",
    "RosterStatusChange",
]
