"""A needs file uploaded, reviewed, then saved: nothing is written before the review is confirmed.

The review page carries the record it shows back to the save in a signed hidden field
(the planner need not choose the file again, and what is saved is exactly what was
reviewed: the signature refuses any change, and it expires after an hour). It also
carries the version of the assessment the file would replace, so that a save by someone
else in between is told (409) rather than overwritten.
"""

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from roster.auth.access import roles_required
from roster.db import get_session
from roster.i18n import translate
from roster.missions import assessments
from roster.missions.needs_file import (
    MAX_NEEDS_FILE,
    NeedsFileUnreadable,
    read_needs_file,
    too_large,
)
from roster.missions.records import NeedsInvalid, checked_needs
from roster.models import NeedsAssessment
from roster.needs.forms import ReviewedForm, UploadForm
from roster.needs.pages import PLANNERS, blueprint
from roster.refusal import Changed
from roster.web.forms import show_refusal
from roster.web.pages import render_form

REVIEW_HOURS = 1
UPLOAD = "needs/upload.html"
REVIEW = "needs/review.html"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="roster-needs-review")


def _existing(external_id: str) -> NeedsAssessment | None:
    return get_session().scalar(
        select(NeedsAssessment).where(NeedsAssessment.external_id == external_id)
    )


@blueprint.route("/needs/upload", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def upload():
    """Upload a needs file: its record reviewed (what would be saved, or every problem)."""
    form = UploadForm()
    if not form.validate_on_submit():
        return render_form(UPLOAD, form, 400 if form.is_submitted() else 200)
    stream = form.file.data.stream
    data = stream.read(MAX_NEEDS_FILE + 1)
    try:
        if len(data) > MAX_NEEDS_FILE:
            raise too_large(stream.seek(0, 2))
        record, notes = checked_needs(read_needs_file(data))
    except NeedsFileUnreadable as refusal:
        show_refusal(form, refusal)
        return render_form(UPLOAD, form, 413 if len(data) > MAX_NEEDS_FILE else 400)
    except NeedsInvalid as refusal:
        return render_form(
            REVIEW, UploadForm(formdata=None), 400, problems=refusal.problems, record=None
        )
    existing = _existing(record["id"])
    token = _signer().dumps(
        {
            "by": current_user.public_id,
            "record": record,
            "notes": notes,
            "replaces": existing.version if existing else None,
        }
    )
    return render_form(
        REVIEW,
        ReviewedForm(formdata=None, data={"reviewed": token}),
        record=record,
        notes=notes,
        existing=existing,
        problems=(),
    )


@blueprint.post("/needs/upload/save")
@roles_required(*PLANNERS)
def save_upload():
    """Save the record reviewed; a save by someone else since the review is told (409)."""
    form = ReviewedForm()
    try:
        if not form.validate_on_submit():
            raise BadSignature("no reviewed record")
        reviewed = _signer().loads(form.reviewed.data, max_age=REVIEW_HOURS * 3600)
        if reviewed.get("by") != current_user.public_id:
            raise BadSignature("reviewed by someone else")
    except BadSignature:
        upload_form = UploadForm(formdata=None)
        upload_form.form_errors.append(
            gettext(
                "The reviewed file could not be read back (it is over an hour old, or was "
                "changed). Nothing was saved: please upload the file again."
            )
        )
        return render_form(UPLOAD, upload_form, 400)
    record = reviewed["record"]
    existing = _existing(record["id"])
    try:
        if existing is not None and reviewed["replaces"] is None:
            raise Changed(assessments.SAVED_FIRST)
        needs, _ = assessments.save_assessment(
            session=get_session(),
            record=record,
            by=current_user,
            needs=existing,
            version=reviewed["replaces"],
        )
    except Changed as changed:
        # The review no longer shows what the save would replace: review it again.
        upload_form = UploadForm(formdata=None)
        upload_form.form_errors += [
            translate(changed.message),
            gettext("Nothing was saved: upload the file again to review it against it."),
        ]
        return render_form(UPLOAD, upload_form, 409, replaced=existing)
    except NeedsInvalid as refusal:  # a role with candidates dropped, say
        return render_form(
            REVIEW, UploadForm(formdata=None), 400, problems=refusal.problems, record=None
        )
    flash(gettext("Needs assessment saved."), "success")
    for note in reviewed["notes"]:
        flash(note, "info")
    return redirect(url_for("needs.assessment", public_id=needs.public_id))


@blueprint.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """A request over the upload's limit: the upload page with the size in plain words (413)."""
    form = UploadForm(formdata=None)
    form.file.errors = [translate(too_large(request.content_length).problems[0].message)]
    return render_form(UPLOAD, form, 413)
