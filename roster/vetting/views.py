"""Vetting (/vetting): the queue of profiles under review, and the page that vets one.

A profile is opened with a reason, audited as on the staff's profile page; the opening
lasts for the signed-in session (``OPEN_FOR``), so that marking areas verified and
deciding, each a POST that redirects back, do not ask again. The GETs write nothing.
"""

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

from roster.auth.access import roles_required
from roster.db import get_session
from roster.i18n import translate
from roster.models import Expert, RoleName, User, utcnow
from roster.policy import privacy
from roster.policy.deployments import self_declared
from roster.policy.roster_status import status_history
from roster.recruiting import access, vetting
from roster.refusal import Changed, Refused
from roster.vetting.forms import DecisionForm, ExpertiseForm, ViewReasonForm
from roster.web import display
from roster.web.forms import set_version, show_refusal
from roster.web.pages import render_form

blueprint = Blueprint("vetting", __name__, url_prefix="/vetting")
blueprint.context_processor(display.context)
STAFF = (RoleName.RECRUITER, RoleName.ADMIN)
# Profiles opened with a reason in this signed-in session: public id -> [purpose, when].
OPENED = "vetting_opened"
OPEN_FOR = timedelta(hours=8)
OPENED_KEPT = 20


def _expert_or_404(public_id: str) -> Expert:
    expert = access.expert_by_public_id(session=get_session(), public_id=public_id)
    if expert is None:
        abort(404, gettext("There is no expert at this address."))
    return expert


def _opened(public_id: str) -> str | None:
    """The purpose the profile was opened for in this session, None if not (or long ago)."""
    found = session.get(OPENED, {}).get(public_id)
    if not found:
        return None
    purpose, when = found
    if utcnow() - datetime.fromisoformat(when) > OPEN_FOR:
        return None
    return purpose


def _remember_opening(public_id: str, purpose: str) -> None:
    opened = dict(session.get(OPENED, {}))
    opened.pop(public_id, None)
    opened[public_id] = [purpose, utcnow().isoformat()]
    session[OPENED] = dict(list(opened.items())[-OPENED_KEPT:])


def _purpose_or_400(public_id: str) -> str:
    purpose = _opened(public_id)
    if purpose is None:
        abort(400, gettext("Open the profile with a reason first; then vet it from its page."))
    return purpose


@blueprint.get("")
@roles_required(*STAFF)
def queue():
    """The profiles under review, the longest waiting first, a page at a time."""
    number = request.args.get("page", 1, type=int)
    try:
        found = vetting.vetting_queue(session=get_session(), page=number)
    except vetting.VettingRefused as refused:
        abort(404, translate(refused.problems[0].message))
    return render_template("vetting/queue.html", page=found)


@blueprint.get("/<public_id>")
@roles_required(*STAFF)
def expert(public_id: str):
    """The vetting page of a profile opened with a reason; otherwise, the question why."""
    found = _expert_or_404(public_id)
    purpose = _opened(public_id)
    if purpose is None:
        return render_form("vetting/reason.html", ViewReasonForm(formdata=None), expert=found)
    return _vetting_page(found, purpose)


@blueprint.post("/<public_id>")
@roles_required(*STAFF)
def open_profile(public_id: str):
    """Record why the profile is opened (audited), then show its vetting page."""
    found = _expert_or_404(public_id)
    form = ViewReasonForm()
    if form.validate_on_submit():
        try:
            access.record_access(
                session=get_session(),
                action="profile.view",
                actor_id=current_user.id,
                expert=found,
                purpose=form.purpose.data,
                note=form.note.data or "",
            )
        except access.ViewRefused as refused:
            show_refusal(form, refused)
        else:
            _remember_opening(public_id, form.purpose.data)
            return redirect(url_for(".expert", public_id=public_id))
    return render_form("vetting/reason.html", form, 400, expert=found)


def _skill_prefix(code: str) -> str:
    return f"area-{code}"


@blueprint.post("/<public_id>/expertise/<code>")
@roles_required(*STAFF)
def expertise(public_id: str, code: str):
    """Mark one expertise area verified with its evidence, or self-declared (audited)."""
    found = _expert_or_404(public_id)
    purpose = _purpose_or_400(public_id)
    form = ExpertiseForm(prefix=_skill_prefix(code))
    status = 400
    if form.validate_on_submit():
        try:
            vetting.verify_expertise(
                session=get_session(),
                expert=found,
                code=code,
                by=current_user,
                verified=form.verified.data,
                note=form.note.data or "",
                version=form.version.data,
            )
        except Changed as changed:
            status = _changed(form, changed, found)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            words = display.skill_label(code)
            flash(
                gettext("%(area)s is marked verified.", area=words)
                if form.verified.data
                else gettext("%(area)s is marked self-declared.", area=words),
                "success",
            )
            return redirect(url_for(".expert", public_id=public_id, _anchor="verify"))
    return _vetting_page(found, purpose, failed=form, failed_code=code, status=status)


@blueprint.post("/<public_id>/decision")
@roles_required(*STAFF)
def decision(public_id: str):
    """Decide on the profile's roster status through the status machine; the expert is told."""
    found = _expert_or_404(public_id)
    purpose = _purpose_or_400(public_id)
    form = DecisionForm(prefix="decision")
    status = 400
    if form.validate_on_submit():
        try:
            made = vetting.decide(
                session=get_session(),
                expert=found,
                to=form.to.data,
                by=current_user,
                reason=form.reason.data or "",
                version=form.version.data,
            )
        except Changed as changed:
            status = _changed(form, changed, found)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(
                gettext(
                    "Decision recorded: the roster status is now %(status)s. "
                    "The expert is told by mail.",
                    status=display.status_label(made.to_status),
                ),
                "success",
            )
            return redirect(url_for(".expert", public_id=public_id, _anchor="decide"))
    return _vetting_page(found, purpose, failed=form, status=status)


def _changed(form, changed: Changed, expert: Expert) -> int:
    """Keep what was entered, say the profile changed, and carry its stored version."""
    get_session().refresh(expert)  # nothing was written: see the profile as it is now
    form.form_errors.append(translate(changed.message))
    set_version(form, expert.version)
    return 409


def _vetting_page(
    expert: Expert,
    purpose: str,
    *,
    failed: ExpertiseForm | DecisionForm | None = None,
    failed_code: str | None = None,
    status: int = 200,
):
    db = get_session()
    shown = privacy.shown_to(user=current_user, expert=expert, purpose=purpose)
    forms = {}
    for skill in expert.skills:
        if failed is not None and skill.code == failed_code:
            forms[skill.code] = failed
            continue
        form = ExpertiseForm(formdata=None, prefix=_skill_prefix(skill.code))
        form.verified.data = skill.verified_at is not None
        form.note.data = skill.verification_note or ""
        form.version.data = expert.version
        forms[skill.code] = form
    decisions = vetting.decisions_for(expert=expert, user=current_user)
    if isinstance(failed, DecisionForm):
        decision = failed
    else:
        decision = DecisionForm(formdata=None, prefix="decision")
        decision.version.data = expert.version
    decision.to.choices = [("", gettext("Choose a decision"))] + [
        (d.to.value, gettext(d.words)) for d in decisions
    ]
    verifiers = {s.verified_by_id for s in expert.skills if s.verified_by_id}
    names = {
        user.id: user.display_name
        for user in (db.get(User, user_id) for user_id in sorted(verifiers))
        if user is not None
    }
    return render_template(
        "vetting/expert.html",
        expert=expert,
        failed=failed,
        expertise_forms=forms,
        verifiers=names,
        decision_form=decision,
        decisions=decisions,
        required=[gettext(d.words) for d in decisions if d.reason_required],
        waiting_since=vetting.waiting_since(session=db, expert=expert),
        history=status_history(session=db, expert_id=expert.id),
        sensitive_shown=shown,
        sensitive_withheld=[
            gettext(field.label) for field in privacy.SensitiveField if field not in shown
        ],
        sensitive_rule=gettext(privacy.STAFF_RULE_IN_WORDS),
        self_declared=self_declared,
        now=utcnow(),
    ), status
