"""The roster's memory of its candidacies as ``decisions.schema.json`` has it.

A candidacy (one expert for one role) is a series of ``CandidateDecision`` rows; its record
stands at the latest of them (by time, then by the order written). Erased experts (their
decisions kept without the person) are left out: the record would name no one.
"""

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from sqlalchemy import Row, select
from sqlmodel import Session

from roster.interchange.formats import FileRejected, write_records
from roster.models import (
    CandidateDecision,
    CandidateOutcome,
    Expert,
    MissionRole,
    NeedsAssessment,
    ShortlistEntry,
)

__all__ = ["decision_records", "export_decisions"]

MAX_REASON = 500  # decisions.schema.json
EXPLAINED = {CandidateOutcome.NOT_SELECTED, CandidateOutcome.WITHDRAWN}


def decision_records(session: Session, *, needs_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Yield one record per candidate and role, as it stands at its last decision.

    ``needs_id`` (an assessment's id in the format) keeps that assessment's records only.

    Records come in the order of the needs assessments' ids, their roles' order, and the
    experts' ids. Each has ``needs_id``, ``role_id``, ``external_id`` (the expert's) and
    ``outcome`` (the latest); ``rank`` when a decision came from a shortlist entry (the
    latest such), ``reason`` (the note, for not_selected and withdrawn, at most 500
    characters), ``rating`` (from the latest completed decision rated), ``decided_at``
    (the latest decision's time, ISO 8601 with its UTC offset).
    """
    query = (
        select(
            NeedsAssessment.external_id.label("needs_id"),
            MissionRole.role_key.label("role_id"),
            Expert.external_id.label("external_id"),
            CandidateDecision.role_id.label("role_row"),
            CandidateDecision.expert_id.label("expert_row"),
            CandidateDecision.outcome,
            CandidateDecision.rating,
            CandidateDecision.note,
            CandidateDecision.decided_at,
            ShortlistEntry.rank,
        )
        .join(MissionRole, MissionRole.id == CandidateDecision.role_id)
        .join(NeedsAssessment, NeedsAssessment.id == MissionRole.needs_id)
        .join(Expert, Expert.id == CandidateDecision.expert_id)
        .outerjoin(ShortlistEntry, ShortlistEntry.id == CandidateDecision.shortlist_entry_id)
        .order_by(
            NeedsAssessment.external_id,
            MissionRole.position,
            MissionRole.id,
            Expert.external_id,
            CandidateDecision.decided_at,
            CandidateDecision.id,
        )
        .execution_options(yield_per=1000)
    )
    if needs_id is not None:
        query = query.where(NeedsAssessment.external_id == needs_id)
    rows = session.execute(query)
    try:
        for _, decisions in groupby(rows, key=lambda row: (row.role_row, row.expert_row)):
            yield _record(list(decisions))
    finally:
        rows.close()  # a reader that stops early leaves no server-side cursor open


def _record(decisions: Sequence[Row]) -> dict[str, Any]:
    """One candidacy's record from its decisions, oldest first."""
    last = decisions[-1]
    outcome = CandidateOutcome(last.outcome)
    record: dict[str, Any] = {
        "needs_id": last.needs_id,
        "role_id": last.role_id,
        "external_id": last.external_id,
        "outcome": outcome.value,
    }
    ranks = [d.rank for d in decisions if d.rank is not None]
    if ranks:
        record["rank"] = ranks[-1]
    if outcome in EXPLAINED and (note := " ".join(last.note.split())):
        record["reason"] = note if len(note) <= MAX_REASON else note[: MAX_REASON - 1] + "…"
    ratings = [
        d.rating
        for d in decisions
        if CandidateOutcome(d.outcome) == CandidateOutcome.COMPLETED and d.rating is not None
    ]
    if ratings:
        record["rating"] = ratings[-1]
    record["decided_at"] = _aware(last.decided_at).isoformat()
    return record


def _aware(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite gives them back without their zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def export_decisions(*, session: Session, path: Path) -> int:
    """Write every candidacy's record to a .jsonl file; return how many.

    The file appears only when complete.

    Raises:
        FileRejected: the path does not name a .jsonl file.
    """
    if path.suffix.lower() != ".jsonl":
        raise FileRejected(f"{path.name}: decisions are written as JSON Lines (.jsonl)")
    return write_records(path, decision_records(session))
