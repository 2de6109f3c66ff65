"""The expert's CV: a PDF checked by its content, stored outside static/ under a random name.

Files follow the database: a replaced or erased CV is deleted only once the
transaction commits, and a newly written one is deleted again if it rolls back.
"""

import re
import secrets
import unicodedata
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event
from sqlmodel import Session

from roster.models import Expert, utcnow
from roster.profile.services import ProfileInvalid, lock

MAX_CV_BYTES = 5 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"
# "%%EOF" ends a PDF, followed at most by a line break and, from some writers, padding.
END_WINDOW = 1024
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.pdf$")


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once the session's transaction commits (never if it rolls back)."""
    event.listen(session, "after_commit", lambda _session: action(), once=True)


def after_rollback(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` if the session's transaction rolls back before it commits."""
    state = {"committed": False}
    event.listen(session, "after_commit", lambda _session: state.update(committed=True), once=True)
    event.listen(
        session,
        "after_rollback",
        lambda _session: None if state["committed"] else action(),
        once=True,
    )


def remove_quietly(path: Path) -> None:
    """Delete a file if it is there."""
    path.unlink(missing_ok=True)


def pdf_problem(data: bytes) -> str | None:
    """Say why ``data`` is not an acceptable CV, or return None: PDF by content, 5 MB at most."""
    if not data:
        return "The file is empty. Please choose your CV as a PDF file."
    if len(data) > MAX_CV_BYTES:
        return f"The file is {len(data) / 1024 / 1024:.1f} MB; the largest CV accepted is 5 MB."
    if not data.startswith(PDF_MAGIC) or PDF_END not in data[-END_WINDOW:]:
        return (
            "This file is not a PDF document (whatever its name says). Please save your CV "
            "as PDF and upload that file."
        )
    return None


def display_name(filename: str | None) -> str:
    """The name to show for an uploaded file: no folders, no control characters, 255 at most."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    if not name:
        return "cv.pdf"
    if len(name) > 255:
        stem, dot, suffix = name.rpartition(".")
        name = (
            (stem[: 254 - len(suffix)] + dot + suffix) if dot and len(suffix) < 10 else name[:255]
        )
    return name


def cv_path(*, expert: Expert, folder: Path) -> Path | None:
    """Where the expert's CV is stored, if it has one that is there."""
    name = expert.cv_stored_name
    if not name or not _STORED_NAME.match(name):
        return None
    path = folder / name
    return path if path.is_file() else None


def store_cv(
    *,
    session: Session,
    expert: Expert,
    version: int,
    data: bytes,
    filename: str | None,
    folder: Path,
) -> None:
    """Store a new CV, replacing (and, after commit, deleting) the previous one.

    Raises:
        ProfileInvalid: keyed ``cv``, when the file is empty, too large or not a PDF.
        ProfileChanged: stale ``version``.
    """
    if problem := pdf_problem(data):
        raise ProfileInvalid({"cv": problem})
    lock(session=session, expert=expert, version=version)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.pdf"
    path = folder / stored
    path.write_bytes(data)
    after_rollback(session, lambda: remove_quietly(path))
    if old := cv_path(expert=expert, folder=folder):
        after_commit(session, lambda: remove_quietly(old))
    expert.cv_stored_name, expert.cv_original_name = stored, display_name(filename)
    expert.cv_uploaded_at = utcnow()
    session.add(expert)


def remove_cv(*, session: Session, expert: Expert, version: int, folder: Path) -> None:
    """Remove the expert's CV; the file goes once the change is committed."""
    lock(session=session, expert=expert, version=version)
    if old := cv_path(expert=expert, folder=folder):
        after_commit(session, lambda: remove_quietly(old))
    expert.cv_stored_name = expert.cv_original_name = expert.cv_uploaded_at = None
    session.add(expert)
