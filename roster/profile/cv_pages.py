"""The expert's CV page: upload (PDF by content, 5 MB at most), remove and download."""

import io

from flask import flash, redirect, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from roster.auth.access import roles_required
from roster.db import get_session
from roster.errors import render_error
from roster.extensions import limiter
from roster.i18n import translate
from roster.models import RoleName
from roster.profile.forms import ConfirmForm, CvForm
from roster.profile.pages import blueprint, current_expert, start_first
from roster.profiles import cv
from roster.web.files import cv_download as pdf_of
from roster.web.files import cv_folder
from roster.web.pages import render_form, submit

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
@limiter.shared_limit(
    cv.UPLOADS_PER_HOUR,
    scope=cv.UPLOADS_SCOPE,
    methods=["POST"],
    key_func=_account_or_address,
    error_message=_l("Too many CV uploads. Please wait an hour and try again."),
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

    return submit(
        form,
        "profile/cv.html",
        save,
        saved=_l("Your CV is uploaded."),
        next_url=url_for("profile.cv_upload"),
        version=expert.version,
        expert=expert,
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
    form.cv.errors = [translate(cv.too_large(request.content_length))]
    return render_form(
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
        flash(gettext("Your CV is removed."), "success")
        return redirect(url_for("profile.cv_upload"))
    return render_form(
        "profile/cv.html", form, 400, expert=expert, remove_form=ConfirmForm(formdata=None)
    )


@blueprint.get("/cv/download")
@roles_required(EXPERT)
def cv_download():
    """Download one's own CV."""
    expert = current_expert()
    if expert is None:
        return start_first()
    return pdf_of(expert)
