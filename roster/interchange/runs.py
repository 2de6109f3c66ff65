"""Imports sent as files (by the API): kept, run by a job, all or nothing, and reported.

An import is a row (``ImportRun``) holding the file until its job has run. The job reads
it through the same importer as ``flask roster import`` (``import_file``): every record
validated, written in one transaction that commits at the end or not at all, audited as
``roster.import``. Its progress (records read) is kept in the job queue's storage while
it runs, since the import's own transaction holds SQLite's write lock until it ends; its
outcome (what was written, or every problem with its line and field path) is written on
the row, in the import's transaction when it succeeds.

Typed, keyword-only, the session passed in where there is one; no request state.
"""

import csv
import io
import logging
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import defer
from sqlmodel import Session

from roster.interchange.services import ImportFailed, ImportReport, Problem, import_file
from roster.models import ImportRun, ImportState, User, utcnow

logger = logging.getLogger(__name__)

# The formats a file may be sent in, by the media type that names it.
MEDIA_TYPES = {"application/x-ndjson": "jsonl", "text/csv": "csv"}
# The progress is written to the queue's storage every this many records.
PROGRESS_EVERY = 200
PENDING = "roster_imports_pending"
FAILED_TO_RUN = "the import could not run to its end; nothing was imported. Send it again."
# A queued import not started after this long is queued again (its job was lost with the
# queue, or never queued); one running this long had its worker stopped under it.
QUEUE_AGAIN_AFTER = timedelta(minutes=10)
GIVE_UP_AFTER = timedelta(hours=2)
# A finished import's report (its problems name records and quote values) is kept this
# long for its sender to read; the audit trail keeps that it happened.
KEPT_FOR = timedelta(days=30)


def progress_key(public_id: str) -> str:
    """The key of an import's progress in the job queue's storage."""
    return f"import-progress:{public_id}"


def count_records(content: bytes, kind: str) -> int | None:
    """How many records the file holds (its non-blank lines, or its CSV rows after the
    header); None when it cannot be read so far (the import will say why)."""
    if kind == "jsonl":
        return sum(1 for line in content.splitlines() if line.strip())
    try:
        rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
        return max(0, sum(1 for row in rows if any(cell.strip() for cell in row)) - 1)
    except (UnicodeDecodeError, csv.Error):
        return None


def create_run(*, session: Session, user: User, content: bytes, kind: str) -> ImportRun:
    """Keep a file to import for ``user``; its job is queued once the session commits."""
    run = ImportRun(
        user_id=user.id,
        format=kind,
        size=len(content),
        content=content,
        rows_total=count_records(content, kind),
    )
    session.add(run)
    session.flush()
    session.info.setdefault(PENDING, []).append(run.public_id)
    return run


def take_committed(session: Session) -> list[str]:
    """The public ids of the imports kept in the transaction the session just committed."""
    return session.info.pop(PENDING, [])


def forget_rolled_back(session: Session) -> None:
    """Rolled back, the imports were never kept: there is nothing to run."""
    session.info.pop(PENDING, None)


def run_of(*, session: Session, public_id: str, user: User) -> ImportRun | None:
    """The import ``public_id`` if ``user`` sent it or is an admin (else None: not theirs)."""
    if not isinstance(public_id, str) or len(public_id) > 32:
        return None
    run = session.scalar(
        select(ImportRun).options(defer(ImportRun.content)).where(ImportRun.public_id == public_id)
    )
    if run is None or (run.user_id != user.id and not user.has_role("admin")):
        return None
    return run


def problem_json(problem: Problem) -> dict[str, Any]:
    """An interchange problem as an import keeps it: its line, field path and words."""
    return {
        "line": problem.line,
        "path": problem.field or "",
        "message": problem.message,
        "external_id": problem.external_id,
    }


def _finish(run: ImportRun, report: ImportReport, state: ImportState) -> None:
    run.state = state.value
    run.rows_read = report.read
    run.created, run.updated, run.unchanged = report.created, report.updated, report.unchanged
    run.duplicates = report.duplicates
    run.problems = [problem_json(p) for p in report.problems]
    run.finished_at = utcnow()
    run.content = b""


def execute(
    *,
    open_session: Callable[[], Any],
    public_id: str,
    on_progress: Callable[[int], None] = lambda read: None,
) -> ImportState | None:
    """Run the import ``public_id``: all its records written and committed, or none.

    Args:
        open_session: makes a session scope (commits at its end, rolls back on error).
        on_progress: told how many records were read so far, now and then.
    Returns:
        The state it ended in; None if it was not waiting to run (run already, or gone).
    """
    with open_session() as session:
        run = session.scalar(
            select(ImportRun).where(ImportRun.public_id == public_id).with_for_update()
        )
        if run is None or run.state != ImportState.QUEUED.value:
            return None
        run.state, run.started_at = ImportState.RUNNING.value, utcnow()
        content, kind, user_id = run.content, run.format, run.user_id
    read = 0

    def counted(_bytes: int) -> None:
        nonlocal read
        read += 1
        if read % PROGRESS_EVERY == 0:
            on_progress(read)

    with tempfile.TemporaryDirectory(prefix="roster-import-") as folder:
        path = Path(folder) / f"import-{public_id}.{kind}"
        path.write_bytes(content)
        del content
        try:
            with open_session() as session:
                report = import_file(
                    session=session, path=path, actor_id=user_id, on_progress=counted
                )
                run = session.scalar(select(ImportRun).where(ImportRun.public_id == public_id))
                _finish(run, report, ImportState.DONE)
            return ImportState.DONE
        except ImportFailed as failure:
            report = failure.report
        except Exception:  # noqa: BLE001  (told on the row and in the log; nothing was written)
            logger.exception("Import %s could not run.", public_id)
            report = ImportReport(source=path.name, read=read, problems=[Problem(0, FAILED_TO_RUN)])
    with open_session() as session:
        run = session.scalar(select(ImportRun).where(ImportRun.public_id == public_id))
        _finish(run, report, ImportState.FAILED)
        run.created = run.updated = run.unchanged = 0
    return ImportState.FAILED


def sweep_runs(*, session: Session, now: datetime | None = None) -> list[str]:
    """Fail the imports whose worker stopped while they ran, and find those to queue again.

    An import left running past ``GIVE_UP_AFTER`` wrote nothing (its transaction ended
    with its worker): it is failed, saying so, and its file dropped. Finished imports
    older than ``KEPT_FOR`` go. Returns the public ids of the imports queued longer than
    ``QUEUE_AGAIN_AFTER``: running one twice is harmless, since a job runs only an
    import still queued.
    """
    now = now or utcnow()
    session.execute(
        delete(ImportRun).where(
            ImportRun.state.in_([ImportState.DONE.value, ImportState.FAILED.value]),
            ImportRun.finished_at < now - KEPT_FOR,
        )
    )
    for run in session.scalars(
        select(ImportRun).where(
            ImportRun.state == ImportState.RUNNING.value,
            ImportRun.started_at < now - GIVE_UP_AFTER,
        )
    ):
        _finish(
            run,
            ImportReport(source="", read=run.rows_read, problems=[Problem(0, FAILED_TO_RUN)]),
            ImportState.FAILED,
        )
    return list(
        session.scalars(
            select(ImportRun.public_id).where(
                ImportRun.state == ImportState.QUEUED.value,
                ImportRun.created_at < now - QUEUE_AGAIN_AFTER,
            )
        )
    )


__all__ = [
    "MEDIA_TYPES",
    "count_records",
    "create_run",
    "execute",
    "forget_rolled_back",
    "problem_json",
    "progress_key",
    "run_of",
    "sweep_runs",
    "take_committed",
]
