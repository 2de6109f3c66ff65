"""The home page: the roster at a glance."""

from flask import Blueprint, render_template

from roster.auth.access import public
from roster.db import get_session
from roster.home.services import (
    REGION_LABELS,
    SMALL_COUNT,
    STATUS_LABELS,
    roster_overview,
)

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
@public
def index():
    """Show aggregate figures of the roster."""
    return render_template(
        "home/index.html",
        overview=roster_overview(session=get_session()),
        status_labels=STATUS_LABELS,
        region_labels=REGION_LABELS,
        small_count=SMALL_COUNT,
    )
