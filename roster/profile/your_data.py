"""What the roster holds about the expert (page and JSON download), who looked, and erasure."""

import json
from pathlib import Path

from flask import Response, current_app, flash, redirect, session, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from roster.accounts.passwords import verify_password
from roster.auth.access import roles_required
from roster.db import get_session
from roster.extensions import limiter
from roster.missions.candidacies import candidacies_of
from roster.models import RoleName
from roster.policy import privacy
from roster.profile.candidacies import outcome_words
from roster.profile.forms import ConfirmForm, DeleteForm
from roster.profile.pages import blueprint, current_expert
from roster.profiles import transparency
from roster.profiles.erasure import erase_account
from roster.web.files import cv_folder
from roster.web.pages import render_form

EXPERT = RoleName.EXPERT


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
            "candidacies": candidacies_of(session=db, expert_id=expert.id),
            "outcome_words": outcome_words,
            "sensitive_shown": privacy.shown_to(user=current_user, expert=expert),
        }
    return render_form("profile/data.html", ConfirmForm(formdata=None), **context)


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
    return render_form("profile/views.html", ConfirmForm(formdata=None), expert=expert, views=found)


@blueprint.route("/delete", methods=["GET", "POST"])
@limiter.limit(
    "10 per hour",
    methods=["POST"],
    error_message=_l("Too many attempts to delete the account. Please wait an hour and try again."),
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
                gettext(
                    "Your account, profile and CV are deleted. Records of who viewed your "
                    "profile are kept without anything that identifies you."
                ),
                "success",
            )
            return redirect(url_for("home.index"))
        form.password.errors.append(gettext("The password is not right."))
    return render_form("profile/delete.html", form, 400 if form.is_submitted() else 200)
