"""Needs assessments, their roles, shortlists and what happened to each candidate."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Text, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from roster.models._common import new_public_id, utcnow
from roster.models.states import CandidateOutcome, CodeType

_CASCADE = {"cascade": "all, delete-orphan"}


class NeedsAssessment(SQLModel, table=True):
    """A mission's needs, entered by a planner after a request for electoral assistance."""

    __tablename__ = "needs_assessment"
    __table_args__ = (CheckConstraint('start <= "end"', name="needs_ordered"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, unique=True, index=True, max_length=32)
    external_id: str = Field(unique=True, index=True, max_length=64)
    title: str = Field(default="", max_length=300)
    country: str = Field(max_length=2)
    start: date
    end: date
    gender_target: float = Field(default=0.5)
    max_region_share: float | None = None
    exclude_nationals: bool = Field(default=True)
    allow_partial_availability: bool = Field(default=False)
    # Names, nationality and other identifying details stay behind neutral labels on the
    # shortlists until a decision is recorded or a planner reveals one (audited).
    blind_review: bool = Field(default=False)
    # Days after a call-out before those who have not answered are reminded, once.
    reminder_days: int = Field(default=5)
    status: str = Field(default="open", max_length=16)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)

    roles: list["MissionRole"] = Relationship(
        back_populates="needs",
        sa_relationship_kwargs={**_CASCADE, "order_by": "MissionRole.position"},
    )


class MissionRole(SQLModel, table=True):
    """A role of a needs assessment; its requirements are kept in the interchange codes."""

    __tablename__ = "mission_role"
    __table_args__ = (UniqueConstraint("needs_id", "role_key"),)

    id: int | None = Field(default=None, primary_key=True)
    needs_id: int = Field(foreign_key="needs_assessment.id", index=True, ondelete="CASCADE")
    role_key: str = Field(max_length=64)
    position: int = Field(default=0)
    title: str = Field(max_length=300)
    positions: int = Field(default=1)
    seniority: str | None = Field(default=None, max_length=4)
    min_years: int | None = None
    required_skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    desired_skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    required_languages: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    desired_languages: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    accessibility_expertise: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    start: date | None = None
    end: date | None = None

    needs: NeedsAssessment = Relationship(back_populates="roles")
    shortlists: list["Shortlist"] = Relationship(
        back_populates="role", sa_relationship_kwargs=_CASCADE
    )


class Shortlist(SQLModel, table=True):
    """A ranked, explained shortlist produced by the matcher for one role, kept as issued."""

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, unique=True, index=True, max_length=32)
    role_id: int = Field(foreign_key="mission_role.id", index=True, ondelete="CASCADE")
    requested_k: int
    weights: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    eligible_count: int = Field(default=0)
    constraints: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    # The role as asked for when the shortlist was issued (needs.schema.json's role, with
    # the mission's terms and any widening), and the roster revision it was matched on.
    request: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    roster_revision: int | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)

    role: MissionRole = Relationship(back_populates="shortlists")
    entries: list["ShortlistEntry"] = Relationship(
        back_populates="shortlist",
        sa_relationship_kwargs={**_CASCADE, "order_by": "ShortlistEntry.rank"},
    )


class ShortlistEntry(SQLModel, table=True):
    """One candidate on a shortlist: rank, score, per-criterion scores and reasons."""

    __tablename__ = "shortlist_entry"
    __table_args__ = (UniqueConstraint("shortlist_id", "rank"),)

    id: int | None = Field(default=None, primary_key=True)
    shortlist_id: int = Field(foreign_key="shortlist.id", index=True, ondelete="CASCADE")
    # Null once the expert has been erased: the shortlist stays, without the person.
    expert_id: int | None = Field(default=None, foreign_key="expert.id", ondelete="SET NULL")
    rank: int
    score: float
    criteria: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The reasons as ``{"code", "params", "text"}`` (matching.messages), shown in the
    # page's language; empty for shortlists kept before they were stored.
    reason_codes: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )

    shortlist: Shortlist = Relationship(back_populates="entries")


class CandidateDecision(SQLModel, table=True):
    """What happened to a candidate for a role: contacted, selected, deployed, evaluated ...

    One row per decision, written by ``roster.policy.candidacy.record_outcome``; the
    candidacy stands at its latest row.
    """

    __tablename__ = "candidate_decision"

    id: int | None = Field(default=None, primary_key=True)
    role_id: int = Field(foreign_key="mission_role.id", index=True, ondelete="CASCADE")
    expert_id: int | None = Field(
        default=None, foreign_key="expert.id", ondelete="SET NULL", index=True
    )
    shortlist_entry_id: int | None = Field(
        default=None, foreign_key="shortlist_entry.id", ondelete="SET NULL"
    )
    outcome: CandidateOutcome = Field(sa_type=CodeType(CandidateOutcome))
    rating: int | None = None
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decided_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    decided_at: datetime = Field(default_factory=utcnow)


class CallOut(SQLModel, table=True):
    """A candidate asked whether they are available for a role, by mail with signed links.

    One per candidate and role. The answer links work once: ``answered_at`` is set by
    the first; ``withdrawn_at`` closes them when the planner withdraws the call-out.
    """

    __tablename__ = "call_out"
    __table_args__ = (UniqueConstraint("role_id", "expert_id"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, unique=True, index=True, max_length=32)
    role_id: int = Field(foreign_key="mission_role.id", index=True, ondelete="CASCADE")
    expert_id: int | None = Field(
        default=None, foreign_key="expert.id", index=True, ondelete="SET NULL"
    )
    shortlist_entry_id: int | None = Field(
        default=None, foreign_key="shortlist_entry.id", ondelete="SET NULL"
    )
    sent_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    sent_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    answer: str | None = Field(default=None, max_length=16)
    answered_at: datetime | None = None
    reminded_at: datetime | None = None
    withdrawn_at: datetime | None = None


class CandidateReveal(SQLModel, table=True):
    """A planner's reveal of a candidate's identity on a blind shortlist (also audited)."""

    __tablename__ = "candidate_reveal"
    __table_args__ = (UniqueConstraint("role_id", "expert_id"),)

    id: int | None = Field(default=None, primary_key=True)
    role_id: int = Field(foreign_key="mission_role.id", index=True, ondelete="CASCADE")
    expert_id: int = Field(foreign_key="expert.id", index=True, ondelete="CASCADE")
    revealed_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    revealed_at: datetime = Field(default_factory=utcnow)


class UnmetDemand(SQLModel, table=True):
    """A role the roster could not fill, or with fewer eligible experts than positions.

    Written when a shortlist is issued short, or a role is closed unfilled; recruiters
    read the log to see where the roster is thin. ``binding`` is the single requirement
    that excludes the most otherwise-eligible experts, as ``{"code", "params", "text"}``.
    """

    __tablename__ = "unmet_demand"
    __table_args__ = (UniqueConstraint("role_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    role_id: int = Field(foreign_key="mission_role.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)  # "short" (pool below positions) or "unfilled"
    positions: int
    eligible_count: int
    binding: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    recorded_at: datetime = Field(default_factory=utcnow)
