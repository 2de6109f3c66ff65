"""Named lists of experts that a recruiter keeps, and saved searches that may be watched."""

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from roster.models._common import new_public_id, utcnow


class ExpertList(SQLModel, table=True):
    """A named list of experts, private to its owner unless ``shared`` (then readable by
    planners and recruiters). Only its owner changes it."""

    __tablename__ = "expert_list"
    __table_args__ = (UniqueConstraint("owner_id", "name", name="uq_expert_list_owner_name"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, unique=True, index=True, max_length=32)
    owner_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    shared: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Optimistic locking: renaming and sharing compare and increment it.
    version: int = Field(default=1)


class ExpertListEntry(SQLModel, table=True):
    """An expert on a list: once at most."""

    __tablename__ = "expert_list_entry"

    list_id: int = Field(foreign_key="expert_list.id", primary_key=True, ondelete="CASCADE")
    expert_id: int = Field(
        foreign_key="expert.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    added_at: datetime = Field(default_factory=utcnow)
    added_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class SavedSearch(SQLModel, table=True):
    """A search kept by name: its canonical query string, run again from a link. Watched,
    it mails its owner once a day the experts who newly match."""

    __tablename__ = "saved_search"
    __table_args__ = (UniqueConstraint("owner_id", "name", name="uq_saved_search_owner_name"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, unique=True, index=True, max_length=32)
    owner_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    query: str = Field(sa_column=Column(Text, nullable=False))
    watched: bool = Field(default=False, index=True)
    last_digest_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)


class SavedSearchMatch(SQLModel, table=True):
    """An expert who matched a watched search at its last digest (or when watching began).

    A digest deletes the experts who no longer match, then inserts those who match now
    and are not here, stamped with the digest's time: they are its news. An expert who
    stops matching and matches again is news again.
    """

    __tablename__ = "saved_search_match"

    saved_search_id: int = Field(
        foreign_key="saved_search.id", primary_key=True, ondelete="CASCADE"
    )
    expert_id: int = Field(
        foreign_key="expert.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    # When the expert came to match: the run that inserted the row.
    seen_at: datetime = Field(default_factory=utcnow)
