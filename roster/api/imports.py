"""Imports: files of expert records sent by partner systems, run as jobs, all or nothing."""

from flask import current_app, g, request
from pydantic import BaseModel
from werkzeug.exceptions import NotFound

from roster.accounts.tokens import KEEPERS
from roster.api.kernel import answer, api, described, idempotent, raw_body
from roster.auth.access import token_required
from roster.db import get_session
from roster.i18n import translate
from roster.interchange.runs import MEDIA_TYPES, create_run, progress_key, run_of
from roster.jobs import jobs_of
from roster.messages import N_, Message
from roster.models import ImportRun, ImportState

# The largest file read, in bytes: under the app's limit on any request's body. A larger
# roster goes in several files, or through ``flask roster import``.
MAX_IMPORT_BODY = 5 * 1024 * 1024


class ImportProblem(BaseModel):
    """A problem that stopped the import: its line (0: the file), field path and words."""

    line: int
    path: str
    message: str
    external_id: str | None


class ImportProgress(BaseModel):
    """How far the import got: records read, of how many the file holds (None: unknown)."""

    rows_read: int
    rows_total: int | None


class ImportResult(BaseModel):
    """What a finished import wrote (all zero when it failed: nothing was written)."""

    created: int
    updated: int
    unchanged: int
    duplicates: int | None


class ImportRunPublic(BaseModel):
    """An import sent to the API: its state, progress, outcome and problems."""

    id: str
    state: ImportState
    format: str
    size: int
    progress: ImportProgress
    result: ImportResult
    problems: list[ImportProblem]
    created_at: str
    started_at: str | None
    finished_at: str | None


def _public(run: ImportRun) -> dict:
    read = run.rows_read
    if run.state == ImportState.RUNNING.value:
        read = jobs_of(current_app).queue.get(progress_key(run.public_id), peek=True) or 0
    return ImportRunPublic(
        id=run.public_id,
        state=ImportState(run.state),
        format=run.format,
        size=run.size,
        progress=ImportProgress(rows_read=read, rows_total=run.rows_total),
        result=ImportResult(
            created=run.created,
            updated=run.updated,
            unchanged=run.unchanged,
            duplicates=run.duplicates,
        ),
        problems=[ImportProblem(**problem) for problem in run.problems],
        created_at=run.created_at.isoformat(),
        started_at=run.started_at.isoformat() if run.started_at else None,
        finished_at=run.finished_at.isoformat() if run.finished_at else None,
    ).model_dump(mode="json")


def _location(run: ImportRun) -> str:
    return f"/api/v1/imports/{run.public_id}"


@api.post("/imports")
@api.doc(tags=["Imports"])
@token_required("roster:write", *KEEPERS)
@described(
    request="expert",
    request_types=tuple(MEDIA_TYPES),
    responses={202: ImportRunPublic},
)
@idempotent
def create_import():
    """Import experts from a file: JSON Lines of expert records, or the interchange's CSV.

    The file runs as a job, all or nothing: every record is written and committed at
    the end, or none is. Follow `Location` for its state, progress and problems, each
    with its line and field path. Audited as an import.
    """
    content = raw_body(types=tuple(MEDIA_TYPES), limit=MAX_IMPORT_BODY)
    run = create_run(
        session=get_session(),
        user=g._login_user,
        content=content,
        kind=MEDIA_TYPES[request.mimetype],
    )
    return answer(_public(run), 202, location=_location(run))


@api.get("/imports/<public_id>")
@api.doc(tags=["Imports"])
@token_required("roster:write", *KEEPERS)
@described(responses={200: ImportRunPublic})
def read_import(public_id: str):
    """An import's state (queued, running, done, failed), progress and problems.

    Only the account that sent it, or an admin, sees it.
    """
    run = run_of(session=get_session(), public_id=public_id, user=g._login_user)
    if run is None:
        raise NotFound(
            translate(Message(N_("There is no such import, or it is not yours to see.")))
        )
    return answer(_public(run))
