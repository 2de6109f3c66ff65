"""The expert's CV: a PDF checked by its content, stored outside static/ under a random name.

pypdf reads each upload in a child process (``pdf_probe.py``) limited in memory and CPU
time, so that no file, however hostile, can stall or exhaust the web worker. Where the
files are and how long they live: ``roster.cvs``.
"""

import logging
import secrets
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session

from roster.cvs import after_commit, after_rollback, cv_path, display_name, remove_quietly
from roster.messages import N_, Message
from roster.models import Expert, utcnow
from roster.profiles.services import ProfileChanged, ProfileInvalid, lock
from roster.refusal import Problem

MAX_CV_BYTES = 5 * 1024 * 1024
# Each upload costs a child process reading the PDF for up to five seconds: one budget per
# account, whether the file comes from the profile page or the API (a limiter's scope).
UPLOADS_PER_HOUR = "20 per hour"
UPLOADS_SCOPE = "cv-upload"
PDF_MAGIC = b"%PDF-"
PROBE = Path(__file__).with_name("pdf_probe.py")
# The probe stops itself after 5 s of CPU; this is for a machine too busy to give it that.
PROBE_SECONDS = 15
log = logging.getLogger(__name__)

NOT_PDF = N_(
    "This file is not a PDF document (whatever its name says). Please save your CV "
    "as PDF and upload that file."
)
PROBLEMS = {
    "encrypted": N_(
        "This PDF is protected by a password or encryption, so recruiters could not open "
        "it. Please save your CV as PDF without protection and upload that file."
    ),
    "no-pages": N_("This PDF has no pages. Please save your CV as PDF and upload that file."),
    "unreadable": N_(
        "This file cannot be read as a PDF document: it is damaged, or only named like "
        "one. Please save your CV as PDF again and upload that file."
    ),
    "too-complex": N_(
        "This PDF is too complex to be checked, so it was not accepted. Please save your "
        'CV as PDF again ("Print to PDF" makes a simple file) and upload that file.'
    ),
}


def too_large(size: int | None) -> Message:
    """The message for a file over 5 MB, with its size when it is known."""
    if size is None:
        return Message(N_("The file is larger than 5 MB, the largest CV accepted."))
    shown = f"{size / 1024 / 1024:.1f}"
    if float(shown) <= MAX_CV_BYTES / 1024 / 1024:  # 5 MB and a few bytes is not "5.0 MB".
        return Message(N_("The file is a little over 5 MB; the largest CV accepted is 5 MB."))
    return Message(N_("The file is %(size)s MB; the largest CV accepted is 5 MB."), {"size": shown})


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


def pdf_problem(data: bytes, *, size: int | None = None) -> Message | None:
    """Say why ``data`` is not an acceptable CV, or return None.

    Acceptable: at most 5 MB (``size`` is the whole file's, when ``data`` was cut short),
    starting as a PDF does, and read by pypdf as an unencrypted PDF of one page or more.
    """
    size = len(data) if size is None else size
    if not data:
        return Message(N_("The file is empty. Please choose your CV as a PDF file."))
    if size > MAX_CV_BYTES or len(data) > MAX_CV_BYTES:
        return too_large(max(size, len(data)))
    if not data.startswith(PDF_MAGIC):
        return Message(NOT_PDF)
    verdict = probe(data)
    return None if verdict == "ok" else Message(PROBLEMS[verdict])


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
        ProfileInvalid: at ``cv``, when the file is empty, too large, not a PDF, or a
            PDF that is encrypted, has no page or cannot be read.
        ProfileChanged: stale ``version``.
    """
    if expert.version != version:
        raise ProfileChanged()  # before the probe's seconds of work, not after
    if problem := pdf_problem(data, size=size):
        raise ProfileInvalid(Problem("cv", problem))
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
