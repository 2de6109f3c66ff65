"""The roster's change log: one row per change to what the matcher reads."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from roster.models._common import utcnow


class RosterChange(SQLModel, table=True):
    """A committed change to the experts the matcher reads; its ``id`` is the roster revision.

    Written by ``roster.revisions`` in the transaction of the change, never by a
    service. ``expert_id`` names the expert changed, or is None for "many or unknown"
    (a bulk import, a statement on many rows): a fitted matcher older than such a row
    reads everything again. No foreign key: the row outlives an erased expert.
    """

    __tablename__ = "roster_change"
    # Revisions only grow: SQLite would otherwise give a pruned top id out again.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    expert_id: int | None = None
    at: datetime = Field(default_factory=utcnow)
