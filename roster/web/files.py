"""Files the roster hands out: CVs, always as PDF attachments, never shown in the browser;
the search's experts as CSV."""

from datetime import date
from pathlib import Path

from flask import Response, abort, current_app, stream_with_context
from flask_babel import gettext
from sqlmodel import Session

from roster.cvs import content_disposition, cv_path, display_name
from roster.db import engines
from roster.models import Expert
from roster.recruiting import export
from roster.recruiting.criteria import SearchCriteria, Sort
from roster.spreadsheet import csv_lines


def cv_folder() -> Path:
    """Where CVs are stored: inside the instance folder, never under static/."""
    return Path(current_app.instance_path) / "cvs"


def cv_download(expert: Expert) -> Response:
    """The expert's CV as a download: a PDF attachment named ``.pdf``, never rendered."""
    path = cv_path(expert=expert, folder=cv_folder())
    if path is None:
        abort(404, gettext("There is no CV on this profile."))
    # Read whole (5 MB at most): no file handle outlives the request. The name is made
    # again from the stored one, so a CV stored before names were checked ends in .pdf too.
    return Response(
        path.read_bytes(),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": content_disposition(display_name(expert.cv_original_name)),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def experts_csv(*, criteria: SearchCriteria, sort: Sort, rows: int) -> Response:
    """The search's experts as a CSV attachment, its export already recorded (``rows`` of them).

    Streamed from a session of its own on the read engine: the request's session, with the
    export's audit row, is committed and closed before the first line is read.
    """
    read = engines().read

    def body():
        yield "\ufeff"  # so that spreadsheets read the text as UTF-8
        with Session(read) as session:
            yield from csv_lines(export.export_rows(session=session, criteria=criteria, sort=sort))

    name = f"experts-{date.today().isoformat()}.csv"
    return Response(
        stream_with_context(body()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "X-Rows": str(rows),
        },
    )
