"""Staff's view of experts: search, export and bulk changes, and profiles opened with a reason."""

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext
from flask_login import current_user

from roster.auth.access import roles_required
from roster.db import get_session
from roster.experts import searching
from roster.experts.forms import ViewReasonForm
from roster.models import Expert, RoleName
from roster.policy import privacy
from roster.policy.deployments import self_declared
from roster.policy.roster_status import status_history
from roster.recruiting import access
from roster.web import display
from roster.web.files import cv_download
from roster.web.forms import show_refusal

blueprint = Blueprint("experts", __name__, url_prefix="/experts")
blueprint.context_processor(display.context)
STAFF = (RoleName.RECRUITER, RoleName.ADMIN)


def _expert_or_404(public_id: str) -> Expert:
    expert = access.expert_by_public_id(session=get_session(), public_id=public_id)
    if expert is None:
        abort(404, "There is no expert at this address.")
    return expert


@blueprint.get("")
@roles_required(*STAFF)
def search():
    """Find experts by what they can do (filters in the address), with counts per facet."""
    return searching.search_page(
        request.args, query_string=request.query_string.decode("utf-8", "replace")
    )


@blueprint.post("/export")
@roles_required(*STAFF)
def export():
    """Download the search's result as CSV, for a stated reason (audited), streamed."""
    return searching.export_csv()


@blueprint.post("/bulk")
@roles_required(*STAFF)
def bulk():
    """Show what a roster-status change of the search's result would do, and ask why."""
    return searching.bulk_plan()


@blueprint.post("/bulk/confirm")
@roles_required(*STAFF)
def bulk_confirm():
    """Make the roster-status change shown, with its one reason; then back to the search."""
    return searching.bulk_apply()


@blueprint.route("/<public_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def profile(public_id: str):
    """Ask why the profile is opened; on an answer, record the view and show the profile."""
    expert = _expert_or_404(public_id)
    form = ViewReasonForm()
    status = 200
    if form.validate_on_submit():
        try:
            _record(form, expert, "profile.view")
        except access.ViewRefused as error:
            show_refusal(form, error)
            status = 400
        else:
            return _profile_page(expert, form)
    elif form.is_submitted():
        status = 400
    return render_template("experts/reason.html", expert=expert, form=form), status


def _record(form: ViewReasonForm, expert: Expert, action: str) -> None:
    access.record_access(
        session=get_session(),
        action=action,
        actor_id=current_user.id,
        expert=expert,
        purpose=form.purpose.data,
        note=form.note.data or "",
    )


def _profile_page(expert: Expert, reason: ViewReasonForm):
    shown = privacy.shown_to(user=current_user, expert=expert, purpose=reason.purpose.data)
    return render_template(
        "experts/profile.html",
        expert=expert,
        reason=reason,
        history=status_history(session=get_session(), expert_id=expert.id),
        sensitive_shown=shown,
        sensitive_withheld=[
            gettext(field.label) for field in privacy.SensitiveField if field not in shown
        ],
        sensitive_rule=gettext(privacy.STAFF_RULE_IN_WORDS),
        self_declared=self_declared,
    )


@blueprint.post("/<public_id>/cv")
@roles_required(*STAFF)
def cv(public_id: str):
    """Download an expert's CV, for the reason given when the profile was opened (audited)."""
    expert = _expert_or_404(public_id)
    form = ViewReasonForm()
    if form.validate_on_submit():
        try:
            _record(form, expert, "cv.download")
        except access.ViewRefused:
            pass
        else:
            return cv_download(expert)  # No CV: a 404, and the audit row rolls back.
    abort(400, "Open the profile with a reason first; the CV is downloaded from there.")
