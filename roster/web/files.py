"""Files the roster hands out: CVs, always as PDF attachments, never shown in the browser."""

from pathlib import Path

from flask import Response, abort, current_app
from flask_babel import gettext

from roster.cvs import content_disposition, cv_path, display_name
from roster.models import Expert


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
