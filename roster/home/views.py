"""The home page: the roster at a glance."""

from flask import Blueprint, render_template
from flask_login import current_user

from roster.auth.access import public
from roster.db import get_session
from roster.home.services import (
    REGION_LABELS,
    SMALL_COUNT,
    STATUS_LABELS,
    roster_overview,
)
from roster.missions.progress import open_needs_count
from roster.models import RoleName

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
@public
def index():
    """Show aggregate figures of the roster; a planner also sees the assessments in progress."""
    session = get_session()
    planner = current_user.is_authenticated and current_user.has_role(
        RoleName.PLANNER, RoleName.ADMIN
    )
    return render_template(
        "home/index.html",
        overview=roster_overview(session=session),
        open_needs=open_needs_count(session=session) if planner else None,
        status_labels=STATUS_LABELS,
        region_labels=REGION_LABELS,
        small_count=SMALL_COUNT,
    )
