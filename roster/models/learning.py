"""What the matcher learned from the roster's decisions, and which weights are in use.

A ``LearningRun`` is one fit of the score's weights and shapes on the roster's history
(``Matcher.fit(..., history=...)``), kept as it came out: the weights, the shapes and the
matcher's account of where they came from (``learning_``: source, counts, validation).
A ``WeightsAdoption`` is one decision about which weights the roster ranks with: a run
adopted, or the defaults restored (``run_id`` None). The newest adoption is in force;
the rows before it are the history of who chose what, when.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from roster.models._common import new_public_id, utcnow


class LearningRun(SQLModel, table=True):
    """One fit of the weights on the roster's decisions; ``created_by_id`` None: a command."""

    __tablename__ = "learning_run"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, unique=True, index=True, max_length=32)
    # Criterion -> weight, in matching.scoring.CRITERIA order; the defaults when too
    # little history (``learning["source"] == "defaults"``).
    weights: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Criterion -> the name of the shape by which it earns credit.
    shapes: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The matcher's ``learning_``: source, reason, counts, default weights, validation;
    # source "failed" (no weights, no shapes): the history could not be read, and why.
    learning: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")

    @property
    def learned(self) -> bool:
        """Whether the history was enough to learn from (else the weights are the defaults)."""
        return self.learning.get("source") == "learned"

    @property
    def failed(self) -> bool:
        """Whether the history could not be read (``learning["reason"]`` says why): no weights."""
        return self.learning.get("source") == "failed"


class WeightsAdoption(SQLModel, table=True):
    """The roster ranks with a run's weights from ``at`` on; ``run_id`` None: the defaults."""

    __tablename__ = "weights_adoption"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = Field(
        default=None, foreign_key="learning_run.id", ondelete="RESTRICT", index=True
    )
    at: datetime = Field(default_factory=utcnow)
    # None: the command line (or an account removed since).
    by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


__all__ = ["LearningRun", "WeightsAdoption"]
