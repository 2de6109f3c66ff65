"""Import and export of expert records: all-or-nothing, streamed, reported line by line."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from matching.records import RecordError, normalise_expert
from matching.storable import UnstorableText, storable_text
from roster.interchange.formats import (
    FileRejected,
    FormatError,
    Progress,
    read_records,
    write_records,
)
from roster.interchange.store import iter_records, write_experts
from roster.models import AuditEvent, Expert, FoundBy
from roster.recruiting.duplicates import check_records

BATCH_SIZE = 1000
# Up to this many records, an import looks for their likely duplicates itself; a larger
# file's are found by the nightly sweep (``flask roster duplicates sweep``).
IMPORT_CHECK_LIMIT = 5000
LINES_SHOWN = 5


@dataclass(frozen=True)
class Problem:
    """Why one record (or the file) cannot be imported."""

    line: int
    message: str
    field: str | None = None
    external_id: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        who = f" ({self.external_id})" if self.external_id else ""
        what = f"{self.field}: " if self.field else ""
        return f"{where}{who}: {what}{self.message}"


@dataclass
class NoteGroup:
    """One normalisation note and the lines it applied to (a few named, all counted)."""

    lines: list[int] = field(default_factory=list)
    count: int = 0

    def add(self, line: int) -> None:
        """Count one more line, naming the first few."""
        self.count += 1
        if len(self.lines) < LINES_SHOWN:
            self.lines.append(line)


@dataclass
class ImportReport:
    """What an import read, changed and normalised, and what stopped it."""

    source: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Likely duplicates newly found among the records imported; None: left to the sweep.
    duplicates: int | None = 0
    notes: dict[str, NoteGroup] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Say whether the import may be committed."""
        return not self.problems

    def note(self, line: int, text: str) -> None:
        """Record a normalisation note for a line."""
        self.notes.setdefault(text, NoteGroup()).add(line)

    def note_lines(self) -> Iterator[str]:
        """Describe each note with the lines it applied to."""
        for text, group in sorted(self.notes.items(), key=lambda item: item[1].lines[0]):
            lines = ", ".join(str(n) for n in group.lines)
            more = (
                f" and {group.count - len(group.lines)} more"
                if group.count > len(group.lines)
                else ""
            )
            yield f"{text} (line{'s' if group.count > 1 else ''} {lines}{more})"


class ImportFailed(Exception):
    """The import was refused; nothing was written. Carries the full report."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            f"{len(report.problems)} problem(s) in {report.source}; nothing was imported"
        )
        self.report = report


def import_file(
    *,
    session: Session,
    path: Path,
    actor_id: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a .jsonl, .json or .csv file of expert records, all or nothing.

    Args:
        session: the session to write in; the caller commits only if this returns.
        path: the file; its suffix names its format.
        actor_id: the user importing, for the status history and audit trail.
        on_progress: called with the bytes read so far, for a progress bar.
    Returns:
        The report of a successful import.
    Raises:
        ImportFailed: any record or the file itself is invalid; nothing may be committed.
    """
    progress = Progress()

    def numbered() -> Iterator[tuple[int, Any]]:
        for item in read_records(path, progress):
            if on_progress:
                on_progress(progress.read)
            yield item

    return import_records(session=session, records=numbered(), source=path.name, actor_id=actor_id)


def import_records(
    *,
    session: Session,
    records: Iterable[tuple[int, Any]],
    source: str,
    actor_id: int | None = None,
) -> ImportReport:
    """Validate, normalise and upsert numbered records by ``external_id``, all or nothing.

    Writes go out in batches while every record is valid; after the first problem the
    rest of the input is still checked, so that every problem is reported, but nothing
    more is written, and ``ImportFailed`` tells the caller to roll back.
    """
    report = ImportReport(source=source)
    seen: dict[str, int] = {}
    batch: list[tuple[int, dict]] = []
    try:
        for line, item in records:
            report.read += 1
            record = _checked(report, line, item, seen)
            if record is not None and report.ok:
                batch.append((line, record))
                if len(batch) >= BATCH_SIZE:
                    _flush(session, batch, report, actor_id)
    except (FileRejected, FormatError) as error:
        report.problems.append(Problem(0, str(error)))
    if report.ok and batch:
        _flush(session, batch, report, actor_id)
    if not report.ok:
        raise ImportFailed(report)
    report.duplicates = _check_duplicates(session, list(seen))
    session.add(
        AuditEvent(
            actor_id=actor_id,
            action="roster.import",
            detail={
                "source": source,
                "read": report.read,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "duplicates": report.duplicates,
            },
        )
    )
    return report


def _check_duplicates(session: Session, external_ids: list[str]) -> int | None:
    """Record the likely duplicates of the imported records; None when the file is too large
    to check here (the nightly sweep finds them)."""
    if len(external_ids) > IMPORT_CHECK_LIMIT:
        return None
    session.flush()
    ids: list[int] = []
    for start in range(0, len(external_ids), 500):
        ids += session.scalars(
            select(Expert.id).where(Expert.external_id.in_(external_ids[start : start + 500]))
        )
    return check_records(session=session, expert_ids=ids, found_by=FoundBy.IMPORT)


def _checked(report: ImportReport, line: int, item: Any, seen: dict[str, int]) -> dict | None:
    if isinstance(item, FormatError):
        report.problems.append(Problem(line, str(item)))
        return None
    external_id = _shown_id(item.get("external_id"))
    try:
        record, notes = normalise_expert(item)
    except RecordError as error:
        report.problems.extend(Problem(line, e.message, e.field, external_id) for e in error.errors)
        return None
    if (first := seen.get(record["external_id"])) is not None:
        report.problems.append(
            Problem(
                line,
                f"duplicate external_id: already used on line {first}",
                "external_id",
                external_id,
            )
        )
        return None
    seen[record["external_id"]] = line
    if "deployments" not in item:
        record.pop("deployments", None)  # Absent, not empty: keep the stored history.
    for note in notes:
        report.note(line, note)
    return record


def _shown_id(value: Any) -> str | None:
    """The external_id to name in a problem; not one that would print control characters."""
    if not isinstance(value, str):
        return None
    try:
        return storable_text(value) or None
    except UnstorableText:
        return None


def _flush(
    session: Session, batch: list[tuple[int, dict]], report: ImportReport, actor_id: int | None
) -> None:
    ids = dict(
        session.execute(
            select(Expert.external_id, Expert.id).where(
                Expert.external_id.in_([record["external_id"] for _, record in batch])
            )
        ).all()
    )
    counts = write_experts(
        session,
        [(record, ids.get(record["external_id"])) for _, record in batch],
        reason=f"imported from {report.source}",
        actor_id=actor_id,
    )
    report.created += counts["created"]
    report.updated += counts["updated"]
    report.unchanged += counts["unchanged"]
    batch.clear()


def export_file(*, session: Session, path: Path, actor_id: int | None = None) -> int:
    """Write every expert to ``path`` in the format its suffix names; return the count."""
    count = write_records(path, iter_records(session))
    session.add(
        AuditEvent(
            actor_id=actor_id,
            action="roster.export",
            detail={"target": path.name, "experts": count},
        )
    )
    return count
