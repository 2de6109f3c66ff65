"""Needs assessments to and from files in the contract's format: .json (one or a list), .jsonl.

An import is all or nothing: every assessment is checked first, each problem reported
with its line (the JSON Lines line, or where the item starts in a JSON list), its path in
the format and the reason; only when all are valid are they saved, each through
``roster.missions.records.save_needs`` (new, or in place of the assessment of the same id,
roles with candidates kept). An export writes what an import reads back unchanged.
"""

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from roster.interchange.formats import FileRejected, FormatError, read_records, write_records
from roster.interchange.services import ImportFailed, ImportReport, Problem
from roster.missions.records import NeedsInvalid, checked_needs, needs_record, save_needs
from roster.models import AuditEvent, NeedsAssessment, User
from roster.refusal import Refused

__all__ = [
    "MAX_BYTES",
    "ImportFailed",
    "export_needs",
    "import_needs",
    "import_needs_records",
    "needs_file_problem",
]

# A needs assessment is a few kilobytes; ten megabytes is thousands of them, or no needs file.
MAX_BYTES = 10 * 1024 * 1024
SUFFIXES = (".json", ".jsonl")
NOUN = "needs assessment"


def needs_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a needs file by its name (format), or None."""
    if path.suffix.lower() not in SUFFIXES:
        return f"{path.name}: needs assessments are read and written as .json or .jsonl"
    return None


def import_needs(*, session: Session, path: Path, by: User | None = None) -> ImportReport:
    """Import the needs assessments of a .json or .jsonl file, all or nothing.

    Args:
        session: the session to write in; the caller commits only if this returns.
        path: the file: .json (one assessment or a list of them) or .jsonl (one a line),
            at most ``MAX_BYTES``.
        by: who imports (None for the command line), for the audit trail.
    Returns:
        The report: assessments read, created, updated, unchanged, and normalisation notes.
    Raises:
        ImportFailed: the file or any assessment is invalid; every problem is in its
            report and nothing may be committed.
    """
    report = ImportReport(source=path.name)
    if problem := needs_file_problem(path):
        report.problems.append(Problem(0, problem))
    elif (size := path.stat().st_size) > MAX_BYTES:
        report.problems.append(
            Problem(
                0,
                f"{path.name} is {size / 1024 / 1024:.1f} MB; a needs file may be at most "
                f"{MAX_BYTES // 1024 // 1024} MB",
            )
        )
    if not report.ok:
        raise ImportFailed(report)
    records = read_records(path, noun=NOUN, lone_object=True)
    return import_needs_records(session=session, records=records, source=path.name, by=by)


def import_needs_records(
    *,
    session: Session,
    records: Iterable[tuple[int, Any]],
    source: str,
    by: User | None = None,
) -> ImportReport:
    """Check numbered needs assessments, then save them all, or nothing.

    Args:
        session: the session to write in; the caller commits only if this returns.
        records: ``(line, record or FormatError)`` pairs, as ``read_records`` yields them.
        source: how the report names the input (a file's name).
        by: who imports (None for the command line), for the audit trail.
    Returns:
        The report of a successful import.
    Raises:
        ImportFailed: any assessment is invalid (or the input unreadable), including one
            that would drop a role already matched; nothing may be committed.
    """
    report = ImportReport(source=source)
    checked = list(_checked_all(report, records))
    if report.ok:
        for line, record in checked:
            _save(session, report, line, record, by)
    if not report.ok:
        raise ImportFailed(report)
    session.add(
        AuditEvent(
            actor_id=by.id if by else None,
            action="needs.import",
            detail={
                "source": source,
                "read": report.read,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
    )
    return report


def _checked_all(
    report: ImportReport, records: Iterable[tuple[int, Any]]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The valid assessments in canonical form; the problems of the others in ``report``."""
    seen: dict[str, int] = {}
    try:
        for line, item in records:
            report.read += 1
            if isinstance(item, FormatError):
                report.problems.append(Problem(line, str(item)))
                continue
            shown = _shown_id(item.get("id"))
            try:
                record, notes = checked_needs(item)
            except Refused as refused:
                report.problems.extend(
                    Problem(line, str(found.message), found.path or None, shown)
                    for found in refused.problems
                )
                continue
            if (first := seen.get(record["id"])) is not None:
                report.problems.append(
                    Problem(line, f"duplicate id: already used on line {first}", "id", shown)
                )
                continue
            seen[record["id"]] = line
            for note in notes:
                report.note(line, note)
            yield line, record
    except (FileRejected, FormatError) as error:
        report.problems.append(Problem(0, str(error)))


def _save(
    session: Session, report: ImportReport, line: int, record: dict[str, Any], by: User | None
) -> None:
    existing = session.scalar(
        select(NeedsAssessment).where(NeedsAssessment.external_id == record["id"])
    )
    if existing is not None and checked_needs(needs_record(existing))[0] == record:
        report.unchanged += 1
        return
    try:
        save_needs(session=session, record=record, by=by)
    except NeedsInvalid as refused:
        report.problems.extend(
            Problem(line, str(found.message), found.path or None, record["id"])
            for found in refused.problems
        )
        return
    if existing is None:
        report.created += 1
    else:
        report.updated += 1


def _shown_id(value: object) -> str | None:
    """The assessment's id as a problem names it, if it is one."""
    return value[:64] if isinstance(value, str) and value.strip() else None


def export_needs(*, session: Session, path: Path) -> int:
    """Write every needs assessment to a .json (a list) or .jsonl file; return how many.

    The records are as ``needs.schema.json`` has them, in the order of their ids; an
    import of the file changes nothing. The file appears only when complete.

    Raises:
        FileRejected: the path names neither .json nor .jsonl.
    """
    if problem := needs_file_problem(path):
        raise FileRejected(problem)
    query = (
        select(NeedsAssessment)
        .options(selectinload(NeedsAssessment.roles))  # type: ignore[arg-type]
        .order_by(NeedsAssessment.external_id)
    )
    return write_records(path, (needs_record(needs) for needs in session.scalars(query)))
