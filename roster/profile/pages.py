"""The profile's blueprint and what every one of its pages needs: the signed-in expert's profile."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext
from flask_login import current_user

from roster.db import get_session
from roster.models import Expert
from roster.profiles.services import expert_for_user
from roster.web import display

blueprint = Blueprint("profile", __name__, url_prefix="/me")
blueprint.context_processor(display.context)


def current_expert() -> Expert | None:
    """The signed-in user's profile, read in this request's session."""
    return expert_for_user(session=get_session(), user_id=current_user.id)


def start_first():
    """Send someone without a profile to the section that creates it."""
    flash(
        gettext("Start with your identity and nationality: saving them creates your profile."),
        "info",
    )
    return redirect(url_for("profile.identity"))
