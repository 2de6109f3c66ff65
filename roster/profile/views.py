"""The expert's own profile under /me: the overview, its sections, and removing rows."""

from flask import flash, redirect, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from roster.auth.access import roles_required
from roster.db import get_session
from roster.models import RoleName
from roster.policy.deployments import self_declared
from roster.profile import candidacies, cv_pages, sections, your_data
from roster.profile.forms import ConfirmForm, DeploymentForm, PeriodForm, RemoveForm
from roster.profile.pages import blueprint, current_expert, start_first
from roster.profiles import availability, deployments, services
from roster.reminders import confirm_profile, is_stale
from roster.web.pages import render_form, submit

__all__ = [
    "blueprint",
    "candidacies",
    "cv_pages",
    "your_data",
]  # the modules' routes are on the blueprint
EXPERT = RoleName.EXPERT

sections.register(blueprint)


@blueprint.get("")
@roles_required(EXPERT)
def overview():
    """The profile at a glance: sections, staleness, and what the roster holds."""
    expert = current_expert()
    filled = (
        set()
        if expert is None
        else services.filled_lists(session=get_session(), expert_id=expert.id)
    )
    return render_form(
        "profile/overview.html",
        ConfirmForm(),
        expert=expert,
        sections=sections.overview_rows(expert, filled),
        stale=expert is not None and is_stale(expert),
    )


@blueprint.post("/confirm")
@roles_required(EXPERT)
def confirm():
    """Confirm that the profile is still right (ends its staleness)."""
    expert = current_expert()
    if expert is None:
        return start_first()
    if ConfirmForm().validate_on_submit():
        confirm_profile(session=get_session(), expert=expert)
        flash(gettext("Thank you: your profile is confirmed as up to date."), "success")
    return redirect(url_for("profile.overview"))


@blueprint.post("/availability/remove")
@roles_required(EXPERT)
def remove_availability():
    """Remove one of one's own availability windows (named in the form, not the URL)."""
    expert = current_expert()
    if expert is None:
        return start_first()
    form = RemoveForm()
    return submit(
        form,
        "profile/availability.html",
        lambda: availability.remove_availability(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            window_id=form.item.data,
        ),
        saved=_l("Availability removed."),
        next_url=url_for("profile.availability"),
        version=expert.version,
        expert=expert,
        add_form=PeriodForm(formdata=None, data={"version": expert.version}),
    )


@blueprint.post("/deployments/remove")
@roles_required(EXPERT)
def remove_deployment():
    """Remove a deployment one declared oneself (named in the form, not the URL)."""
    expert = current_expert()
    if expert is None:
        return start_first()
    form = RemoveForm()
    return submit(
        form,
        "profile/deployments.html",
        lambda: deployments.remove_deployment(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            deployment_id=form.item.data,
        ),
        saved=_l("Deployment removed."),
        next_url=url_for("profile.deployments"),
        version=expert.version,
        expert=expert,
        add_form=DeploymentForm(formdata=None, data={"version": expert.version}),
        self_declared=self_declared,
    )
