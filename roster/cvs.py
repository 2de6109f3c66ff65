"""CV files: where they are kept, the name they are handed out under, and their lifetime.

CVs are stored outside ``static/`` under a random name; files follow the database: a
replaced or erased CV is deleted only once the transaction commits, and a newly written
one is deleted again if it rolls back. No Flask here: the pages hand files out with
``roster.web.files``.
"""

import logging
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import event
from sqlmodel import Session

from roster.models import Expert

_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.pdf$")
# What follows the last dot is an extension when it looks like one ("html", "PDF", "docx"),
# not when it is a version or a date ("v1.2", "CV 2024.05") or a phrase ("Dr. Diallo").
_EXTENSION = re.compile(r"\.(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,10}$")
_PDF_SUFFIX = re.compile(r"\.pdf$", re.IGNORECASE)
log = logging.getLogger(__name__)


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


def display_name(filename: str | None) -> str:
    """The name to show and download a CV under: the uploaded name's stem, always ``.pdf``.

    No folders, no control characters, no leading dot, 255 characters at most; any other
    extension (``cv.html``) is replaced, and a name without one gains ``.pdf``.
    """
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    stem = _PDF_SUFFIX.sub("", _EXTENSION.sub("", name).rstrip(". ")).strip(". ")
    stem = stem[: 255 - len(".pdf")].rstrip(". ") or "cv"
    return stem + ".pdf"


def content_disposition(name: str) -> str:
    """A Content-Disposition header that makes a browser save the file as ``name``.

    ``filename`` is an ASCII stand-in for old clients; ``filename*`` (RFC 6266 and 5987)
    carries the exact name, percent-encoded, so no quote or byte of it can end the header.
    Werkzeug's ``send_file`` writes the same two, but its stand-in for a name wholly in
    Cyrillic, Arabic or Chinese script is ``.pdf``, a hidden file on many systems; this
    one is ``cv.pdf``.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r'["\\%]', "_", ascii_name).strip()
    if not ascii_name.lower().removesuffix(".pdf").strip():
        ascii_name = "cv.pdf"
    exact = quote(name, safe="!#$&+-.^_`|~")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{exact}"


def cv_path(*, expert: Expert, folder: Path) -> Path | None:
    """Where the expert's CV is stored, if it has one that is there."""
    name = expert.cv_stored_name
    if not name or not _STORED_NAME.match(name):
        return None
    path = folder / name
    return path if path.is_file() else None
