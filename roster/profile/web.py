"""The profile blueprint and what its views share: the current profile and the save flow."""

from collections.abc import Callable, Iterator
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField

from roster.db import get_session
from roster.models import Expert
from roster.profile import display, services
from roster.profile.cv import content_disposition, cv_path, display_name

blueprint = Blueprint("profile", __name__, url_prefix="/me")
blueprint.context_processor(display.context)


def current_expert() -> Expert | None:
    """The signed-in user's profile, read in this request's session."""
    return services.expert_for_user(session=get_session(), user_id=current_user.id)


def start_first():
    """Send someone without a profile to the section that creates it."""
    flash("Start with your identity and nationality: saving them creates your profile.", "info")
    return redirect(url_for("profile.identity"))


def cv_folder() -> Path:
    """Where CVs are stored: inside the instance folder, never under static/."""
    return Path(current_app.instance_path) / "cvs"


def leaves(fields) -> Iterator[Field]:
    """Every input field of a form, rows of lists included."""
    for field in fields:
        if isinstance(field, FieldList):
            yield from leaves(field.entries)
        elif isinstance(field, FormField):
            yield from leaves(field.form)
        else:
            yield field


def attach_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    """Put a service's messages on the fields they name; the others on the form."""
    by_name = {field.name: field for field in leaves(form)}
    for name, message in errors.items():
        field = by_name.get(name)
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def problems(form: FlaskForm) -> list[tuple[str | None, str]]:
    """(field id or None, message) for the error summary at the top of a page."""
    found: list[tuple[str | None, str]] = [(None, m) for m in form.form_errors]
    for field in leaves(form):
        if field.name == "csrf_token":
            if field.errors:
                found.append((None, "The form expired. Please send it again."))
            continue
        found += [(field.id, message) for message in field.errors]
    return found


def set_version(form: FlaskForm, version: int) -> None:
    """Make a re-rendered form carry the profile's current version."""
    form.version.data = version
    form.version.raw_data = [str(version)]


def render(template: str, form: FlaskForm, status: int = 200, **context):
    """Render a section with its error summary."""
    return render_template(template, form=form, problems=problems(form), **context), status


def save_section(
    form: FlaskForm,
    template: str,
    save: Callable[[], list[str] | None],
    *,
    saved: str,
    expert: Expert | None,
    next_url: str | None = None,
    **context,
):
    """Validate, save and redirect; or re-render with messages: 400 invalid, 409 changed."""
    status = 200
    if form.validate_on_submit():
        try:
            notes = save() or []
        except services.ProfileChanged:
            form.form_errors.append(services.CHANGED_MESSAGE)
            set_version(form, expert.version if expert is not None else 0)
            status = 409
        except services.ProfileInvalid as error:
            attach_errors(form, error.errors)
            status = 400
        else:
            flash(saved, "success")
            for note in notes:
                flash(note, "info")
            return redirect(next_url or url_for("profile.overview"))
    elif form.is_submitted():
        status = 400
    return render(template, form, status, expert=expert, **context)


def cv_response(expert: Expert) -> Response:
    """The expert's CV as a download: a PDF attachment named ``.pdf``, never rendered."""
    path = cv_path(expert=expert, folder=cv_folder())
    if path is None:
        abort(404, "There is no CV on this profile.")
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
