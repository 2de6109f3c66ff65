"""Planners' needs assessments: the list, one assessment, the form, closing; the unmet demand."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from roster.auth.access import roles_required
from roster.db import get_session
from roster.missions import assessments, progress
from roster.missions.records import NeedsInvalid, needs_record, role_record
from roster.models import NeedsAssessment
from roster.needs import upload
from roster.needs.forms import NeedsForm, StatusForm, form_data
from roster.needs.pages import PLANNERS, READERS_OF_UNMET_DEMAND, blueprint, needs_or_404
from roster.refusal import Problem
from roster.web.pages import render_form, submit

__all__ = ["blueprint", "upload"]  # the upload's routes are on the blueprint
FORM = "needs/form.html"


@blueprint.get("/needs")
@roles_required(*PLANNERS)
def index():
    """The assessments in progress, then the closed ones by pages; each role's progress."""
    session = get_session()
    page = max(request.args.get("page", 1, type=int), 1)
    opened = progress.open_needs(session=session) if page == 1 else []
    closed, more = progress.closed_needs(session=session, page=page)
    roles = [role.id for needs in (*opened, *closed) for role in needs.roles]
    return render_template(
        "needs/index.html",
        opened=opened,
        closed=closed,
        page=page,
        more=more,
        progress=progress.role_progress(session=session, role_ids=roles),
    )


@blueprint.get("/needs/<public_id>")
@roles_required(*PLANNERS)
def assessment(public_id: str):
    """One assessment: its terms, each role's requirements and progress, close or reopen."""
    needs = needs_or_404(public_id)
    return render_template(
        "needs/assessment.html",
        needs=needs,
        roles=[(role, role_record(role)) for role in needs.roles],
        progress=progress.role_progress(
            session=get_session(), role_ids=[role.id for role in needs.roles]
        ),
        status_form=StatusForm(formdata=None, data={"version": needs.version}),
    )


@blueprint.route("/needs/new", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def new():
    """A new needs assessment, typed in."""
    return _assessment_form(None)


@blueprint.route("/needs/<public_id>/edit", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def edit(public_id: str):
    """Change an assessment; someone else's save meanwhile is told (409), nothing lost."""
    return _assessment_form(needs_or_404(public_id))


def _assessment_form(needs: NeedsAssessment | None):
    session = get_session()
    if request.method == "POST":
        form = NeedsForm()
    elif needs is None:
        form = NeedsForm(data={"version": 0})
        form.add_role()
    else:
        data = form_data(
            needs_record(needs), blind_review=needs.blind_review, reminder_days=needs.reminder_days
        )
        form = NeedsForm(data=data | {"version": needs.version})
    if request.method == "POST" and request.form.get("add"):
        return _with_rows(form, request.form["add"], needs)
    saved: dict[str, NeedsAssessment] = {}

    def save():
        suggested = ""
        if not (form.external_id.data or "").strip():
            suggested = assessments.suggest_needs_id(
                session=session, country=form.country.data, start=form.start.data
            )
        record, origins = form.record(suggested_id=suggested)
        try:
            saved["needs"], notes = assessments.save_assessment(
                session=session,
                record=record,
                by=current_user,
                needs=needs,
                version=form.version.data if needs is not None else None,
                blind_review=bool(form.blind_review.data),
                reminder_days=form.reminder_days.data,
            )
        except NeedsInvalid as refusal:
            raise NeedsInvalid(
                Problem(form.field_path(found.path, origins), found.message)
                for found in refusal.problems
            ) from None
        return notes

    return submit(
        form,
        FORM,
        save,
        saved=_l("Needs assessment saved."),
        next_url=lambda: url_for("needs.assessment", public_id=saved["needs"].public_id),
        version=needs.version if needs is not None else None,
        needs=needs,
    )


def _with_rows(form: NeedsForm, what: str, needs: NeedsAssessment | None):
    """The form again with one more role, or more rows in one role's lists; nothing saved."""
    if what == "role":
        if form.add_role():
            form.roles[-1].form.title.render_kw = {"autofocus": True}
        else:
            flash(gettext("An assessment can have at most %(most)d roles.", most=len(form.roles)))
    elif what.startswith("rows-") and what[5:].isdigit() and int(what[5:]) < len(form.roles):
        form.pad()  # the empty rows the page shows anyway, then one more of each
        role = form.roles[int(what[5:])].form
        for rows in (role.required_skills, role.desired_skills):
            if len(rows) < rows.max_entries:
                rows.append_entry()
        for rows in (role.required_languages, role.desired_languages):
            if len(rows) < rows.max_entries:
                rows.append_entry()
    return render_form(FORM, form, needs=needs)


def _set_status(public_id: str, status: str):
    needs = needs_or_404(public_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    if form.version.data is not None and form.version.data != needs.version:
        flash(gettext("Someone else changed this needs assessment first; here it is now."), "error")
        return redirect(url_for("needs.assessment", public_id=public_id))
    if assessments.set_status(session=get_session(), needs=needs, status=status, by=current_user):
        words = (
            gettext("Needs assessment closed.")
            if status == assessments.CLOSED
            else gettext("Needs assessment reopened.")
        )
        flash(words, "success")
    return redirect(url_for("needs.assessment", public_id=public_id))


@blueprint.post("/needs/<public_id>/close")
@roles_required(*PLANNERS)
def close(public_id: str):
    """Close the assessment (audited): it leaves the list of those in progress."""
    return _set_status(public_id, assessments.CLOSED)


@blueprint.post("/needs/<public_id>/reopen")
@roles_required(*PLANNERS)
def reopen(public_id: str):
    """Reopen a closed assessment (audited)."""
    return _set_status(public_id, assessments.OPEN)


@blueprint.get("/unmet-demand")
@roles_required(*READERS_OF_UNMET_DEMAND)
def unmet_demand():
    """The roles the roster could not fill, or not with enough eligible experts, newest first."""
    return render_template(
        "needs/unmet_demand.html", rows=progress.unmet_demand(session=get_session())
    )
