"""The CV, what the roster holds (page and JSON download), who looked, and erasure."""

import io
import json
from pathlib import Path

from flask import Response, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.exceptions import RequestEntityTooLarge

from roster.auth.access import roles_required
from roster.auth.passwords import verify_password
from roster.db import get_session
from roster.errors import render_error
from roster.extensions import limiter
from roster.models import RoleName
from roster.policy import privacy
from roster.profile import cv, transparency
from roster.profile.erasure import erase_account
from roster.profile.forms import ConfirmForm, CvForm, DeleteForm
from roster.profile.web import (
    blueprint,
    current_expert,
    cv_folder,
    cv_response,
    render,
    save_section,
    start_first,
)

EXPERT = RoleName.EXPERT


def _account_or_address() -> str:
    """Whose uploads a limit counts: the signed-in account's, else the address's.

    The account's row number, not its public id: the counter outlives an erasure by up
    to an hour, and must name nobody then.
    """
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return request.remote_addr or "unknown"


@blueprint.route("/cv", methods=["GET", "POST"])
@limiter.limit(
    "20 per hour",
    methods=["POST"],
    key_func=_account_or_address,
    # Each upload costs a child process reading the PDF for up to five seconds.
    error_message="Too many CV uploads. Please wait an hour and try again.",
)
@roles_required(EXPERT)
def cv_upload():
    """Upload a CV (PDF by content, 5 MB at most), replacing the previous one."""
    expert = current_expert()
    if expert is None:
        return start_first()
    form = CvForm() if request.method == "POST" else CvForm(data={"version": expert.version})

    def save():
        upload = form.cv.data
        data = upload.stream.read(cv.MAX_CV_BYTES + 1)
        cv.store_cv(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            data=data,
            # The rest stays unread; the spooled upload knows the whole size.
            size=upload.stream.seek(0, io.SEEK_END) if len(data) > cv.MAX_CV_BYTES else None,
            filename=upload.filename,
            folder=cv_folder(),
        )

    return save_section(
        form,
        "profile/cv.html",
        save,
        expert=expert,
        saved="Your CV is uploaded.",
        next_url=url_for("profile.cv_upload"),
        remove_form=ConfirmForm(formdata=None),
    )


@blueprint.errorhandler(RequestEntityTooLarge)
def cv_too_large(error: RequestEntityTooLarge):
    """A request over MAX_CONTENT_LENGTH: the CV page with its form and the message (413).

    The request was cut before its form was read (by the CSRF check, after the access
    check), so nothing was saved; elsewhere in /me the plain 413 page answers.
    """
    expert = current_expert() if _is_expert() and request.endpoint == "profile.cv_upload" else None
    if expert is None:
        return render_error(413)
    form = CvForm(formdata=None, data={"version": expert.version})
    form.cv.errors = [cv.too_large(request.content_length)]
    return render(
        "profile/cv.html", form, 413, expert=expert, remove_form=ConfirmForm(formdata=None)
    )


def _is_expert() -> bool:
    return current_user.is_authenticated and current_user.has_role(EXPERT)


@blueprint.post("/cv/remove")
@roles_required(EXPERT)
def cv_remove():
    """Remove the CV from the profile."""
    expert = current_expert()
    if expert is None:
        return start_first()
    form = CvForm(formdata=None, data={"version": expert.version})
    if ConfirmForm().validate_on_submit():
        cv.remove_cv(
            session=get_session(), expert=expert, version=expert.version, folder=cv_folder()
        )
        flash("Your CV is removed.", "success")
        return redirect(url_for("profile.cv_upload"))
    return render(
        "profile/cv.html", form, 400, expert=expert, remove_form=ConfirmForm(formdata=None)
    )


@blueprint.get("/cv/download")
@roles_required(EXPERT)
def cv_download():
    """Download one's own CV."""
    expert = current_expert()
    if expert is None:
        return start_first()
    return cv_response(expert)


@blueprint.get("/data")
@roles_required(EXPERT)
def data():
    """Everything the roster holds about the signed-in person."""
    expert = current_expert()
    db = get_session()
    context = {
        "expert": expert,
        "account": current_user,
        "activity": transparency.account_activity(session=db, user_id=current_user.id),
    }
    if expert is not None:
        context |= {
            "history": transparency.status_history(session=db, expert_id=expert.id),
            "views": transparency.staff_views(session=db, expert_id=expert.id),
            "sensitive_shown": privacy.shown_to(user=current_user, expert=expert),
        }
    return render("profile/data.html", ConfirmForm(formdata=None), **context)


@blueprint.get("/data.json")
@roles_required(EXPERT)
def data_json():
    """Download everything as JSON: the interchange record, status history, staff views."""
    document = transparency.data_export(
        session=get_session(), user=current_user, expert=current_expert()
    )
    body = json.dumps(document, indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="my-roster-data.json"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@blueprint.get("/views")
@roles_required(EXPERT)
def views():
    """Which staff opened the profile, when and why."""
    expert = current_expert()
    found = transparency.staff_views(session=get_session(), expert_id=expert.id) if expert else []
    return render("profile/views.html", ConfirmForm(formdata=None), expert=expert, views=found)


@blueprint.route("/delete", methods=["GET", "POST"])
@limiter.limit(
    "10 per hour",
    methods=["POST"],
    error_message="Too many attempts to delete the account. Please wait an hour and try again.",
)
@roles_required(EXPERT)
def delete():
    """Erase the profile, CV and account, after the password is typed again."""
    form = DeleteForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            erase_account(
                session=get_session(),
                user=current_user,
                expert=current_expert(),
                cv_folder=cv_folder(),
                outbox=Path(current_app.instance_path) / "outbox",
            )
            logout_user()
            session.clear()
            flash(
                "Your account, profile and CV are deleted. Records of who viewed your profile "
                "are kept without anything that identifies you.",
                "success",
            )
            return redirect(url_for("home.index"))
        form.password.errors.append("The password is not right.")
    return render("profile/delete.html", form, 400 if form.is_submitted() else 200)
