"""The needs pages' blueprint and what their views and templates share."""

from datetime import date

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext

from roster.db import get_session
from roster.i18n import binding_text
from roster.missions.assessments import needs_by_public_id
from roster.missions.needs_file import MAX_NEEDS_FILE
from roster.missions.progress import STAGES
from roster.models import MissionRole, NeedsAssessment, RoleName
from roster.web import display

blueprint = Blueprint("needs", __name__)
PLANNERS = (RoleName.PLANNER, RoleName.ADMIN)
READERS_OF_UNMET_DEMAND = (RoleName.RECRUITER, RoleName.PLANNER, RoleName.ADMIN)
# A request carrying a needs file, or the reviewed record back: the file's limit and room
# for the form around it (the app's own limit is the CV's).
UPLOAD_REQUEST_LIMIT = MAX_NEEDS_FILE + 256 * 1024


def needs_or_404(public_id: str) -> NeedsAssessment:
    """The assessment at ``public_id``, or a 404 page in plain words."""
    needs = needs_by_public_id(session=get_session(), public_id=public_id)
    if needs is None:
        abort(404, gettext("There is no needs assessment at this address."))
    return needs


def role_url(needs: NeedsAssessment, role: MissionRole) -> str:
    """The role's page: its shortlist and its candidates' outcomes."""
    return url_for("shortlists.role", public_id=needs.public_id, role_key=role.role_key)


def team_url(needs: NeedsAssessment) -> str:
    """The mission's proposed team."""
    return url_for("teams.team", public_id=needs.public_id)


@blueprint.url_value_preprocessor
def _upload_limits(endpoint: str | None, values: dict | None) -> None:
    # Before any before_request reads the form (the CSRF check does): the needs file's
    # own limit on the two requests that carry it, the app's elsewhere.
    if endpoint in ("needs.upload", "needs.save_upload"):
        request.max_content_length = UPLOAD_REQUEST_LIMIT
        request.max_form_memory_size = UPLOAD_REQUEST_LIMIT


@blueprint.context_processor
def _context() -> dict:
    return display.context() | {
        "role_url": role_url,
        "team_url": team_url,
        "binding_text": binding_text,
        "stages": STAGES,
        "as_date": date.fromisoformat,
    }
