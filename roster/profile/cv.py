"""The expert's CV: a PDF checked by its content, stored outside static/ under a random name.

pypdf reads each upload in a child process (``pdf_probe.py``) limited in memory and CPU
time, so that no file, however hostile, can stall or exhaust the web worker.

Files follow the database: a replaced or erased CV is deleted only once the
transaction commits, and a newly written one is deleted again if it rolls back.
"""

import logging
import re
import secrets
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import event
from sqlmodel import Session

from roster.models import Expert, utcnow
from roster.profile.services import ProfileChanged, ProfileInvalid, lock

MAX_CV_BYTES = 5 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
PROBE = Path(__file__).with_name("pdf_probe.py")
# The probe stops itself after 5 s of CPU; this is for a machine too busy to give it that.
PROBE_SECONDS = 15
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.pdf$")
# What follows the last dot is an extension when it looks like one ("html", "PDF", "docx"),
# not when it is a version or a date ("v1.2", "CV 2024.05") or a phrase ("Dr. Diallo").
_EXTENSION = re.compile(r"\.(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,10}$")
_PDF_SUFFIX = re.compile(r"\.pdf$", re.IGNORECASE)
log = logging.getLogger(__name__)

NOT_PDF = (
    "This file is not a PDF document (whatever its name says). Please save your CV "
    "as PDF and upload that file."
)
PROBLEMS = {
    "encrypted": (
        "This PDF is protected by a password or encryption, so recruiters could not open "
        "it. Please save your CV as PDF without protection and upload that file."
    ),
    "no-pages": "This PDF has no pages. Please save your CV as PDF and upload that file.",
    "unreadable": (
        "This file cannot be read as a PDF document: it is damaged, or only named like "
        "one. Please save your CV as PDF again and upload that file."
    ),
    "too-complex": (
        "This PDF is too complex to be checked, so it was not accepted. Please save your "
        'CV as PDF again ("Print to PDF" makes a simple file) and upload that file.'
    ),
}


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


def too_large(size: int | None) -> str:
    """The message for a file over 5 MB, with its size when it is known."""
    if size is None:
        return "The file is larger than 5 MB, the largest CV accepted."
    shown = f"{size / 1024 / 1024:.1f}"
    if float(shown) <= MAX_CV_BYTES / 1024 / 1024:  # 5 MB and a few bytes is not "5.0 MB".
        return "The file is a little over 5 MB; the largest CV accepted is 5 MB."
    return f"The file is {shown} MB; the largest CV accepted is 5 MB."


def probe(data: bytes) -> str:
    """Read ``data`` with pypdf in a child process under limits; return the probe's verdict."""
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(PROBE)],
            input=data,
            capture_output=True,
            timeout=PROBE_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        log.warning("The PDF check ran out of time (%d s); the file is refused.", PROBE_SECONDS)
        return "too-complex"
    verdict = done.stdout.decode("ascii", "replace").strip()
    if done.returncode != 0 or verdict not in {"ok", *PROBLEMS}:
        # Killed at its CPU limit (SIGXCPU), or out of memory before it could answer.
        log.warning(
            "The PDF check stopped (status %s): %s",
            done.returncode,
            done.stderr.decode("utf-8", "replace")[-500:],
        )
        return "too-complex"
    return verdict


def pdf_problem(data: bytes, *, size: int | None = None) -> str | None:
    """Say why ``data`` is not an acceptable CV, or return None.

    Acceptable: at most 5 MB (``size`` is the whole file's, when ``data`` was cut short),
    starting as a PDF does, and read by pypdf as an unencrypted PDF of one page or more.
    """
    size = len(data) if size is None else size
    if not data:
        return "The file is empty. Please choose your CV as a PDF file."
    if size > MAX_CV_BYTES or len(data) > MAX_CV_BYTES:
        return too_large(max(size, len(data)))
    if not data.startswith(PDF_MAGIC):
        return NOT_PDF
    verdict = probe(data)
    return None if verdict == "ok" else PROBLEMS[verdict]


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


def store_cv(
    *,
    session: Session,
    expert: Expert,
    version: int,
    data: bytes,
    filename: str | None,
    folder: Path,
    size: int | None = None,
) -> None:
    """Store a new CV, replacing (and, after commit, deleting) the previous one.

    ``size`` is the uploaded file's, when ``data`` holds only its first bytes.

    Raises:
        ProfileInvalid: keyed ``cv``, when the file is empty, too large, not a PDF, or a
            PDF that is encrypted, has no page or cannot be read.
        ProfileChanged: stale ``version``.
    """
    if expert.version != version:
        raise ProfileChanged()  # before the probe's seconds of work, not after
    if problem := pdf_problem(data, size=size):
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
