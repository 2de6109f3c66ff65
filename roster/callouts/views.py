"""Call-outs from a role's shortlist: send them, withdraw one. Planners and administrators."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from roster.auth.access import roles_required
from roster.callouts.forms import CallOutForm, WithdrawForm
from roster.db import get_session
from roster.i18n import translate
from roster.missions import callouts
from roster.models import CallOut, MissionRole, RoleName
from roster.policy.transitions import TransitionRefused
from roster.refusal import Refused
from roster.web.forms import error_list

blueprint = Blueprint("callouts", __name__)
MISSION_STAFF = (RoleName.PLANNER, RoleName.ADMIN)


def _role_or_404(public_id: str, role_key: str) -> MissionRole:
    role = callouts.role_by_key(session=get_session(), needs_public_id=public_id, role_key=role_key)
    if role is None:
        abort(404, gettext("There is no such role of a needs assessment at this address."))
    return role


def role_page(needs_public_id: str, role_key: str) -> str:
    """The role's shortlist page, where the replies show."""
    return url_for("shortlists.role", public_id=needs_public_id, role_key=role_key)


def _refused(problems: list[str], back: str):
    return render_template("callouts/refused.html", problems=problems, back=back), 400


def _problems(refusal: Refused) -> list[str]:
    return [translate(found.message) for found in refusal.problems]


@blueprint.post("/needs/<public_id>/roles/<role_key>/call-outs")
@roles_required(*MISSION_STAFF)
def send(public_id: str, role_key: str):
    """Call out the candidates ticked on the role's shortlist; back to the shortlist."""
    role = _role_or_404(public_id, role_key)
    back = role_page(public_id, role_key)
    form = CallOutForm()
    if not form.validate_on_submit():
        return _refused([message for _, message in error_list(form)], back)
    session = get_session()
    try:
        experts = callouts.experts_by_public_id(session=session, public_ids=form.candidates.data)
        made = callouts.call_out(
            session=session,
            role=role,
            experts=experts,
            by=current_user,
            links=callouts.reply_links(current_app.config),
        )
    except (Refused, TransitionRefused) as refusal:
        return _refused(_problems(refusal), back)
    flash(
        ngettext(
            "%(num)d candidate called out; replies will show here.",
            "%(num)d candidates called out; replies will show here.",
            len(made),
        ),
        "success",
    )
    return redirect(back)


@blueprint.post("/call-outs/<callout_public_id>/withdraw")
@roles_required(*MISSION_STAFF)
def withdraw(callout_public_id: str):
    """Withdraw an unanswered call-out: its links stop working."""
    session = get_session()
    found: CallOut | None = callouts.call_out_by_public_id(
        session=session, public_id=callout_public_id
    )
    if found is None:
        abort(404, gettext("There is no call-out at this address."))
    role = session.get(MissionRole, found.role_id)
    back = role_page(role.needs.public_id, role.role_key)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _refused([message for _, message in error_list(form)], back)
    try:
        callouts.withdraw_call_out(session=session, call_out=found, by=current_user)
    except Refused as refusal:
        return _refused(_problems(refusal), back)
    flash(gettext("The call-out is withdrawn: its links no longer work."), "success")
    return redirect(back)
