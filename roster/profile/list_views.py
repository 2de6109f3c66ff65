"""Sections made of rows: languages, expertise areas, availability and past deployments."""

from flask import request, url_for

from roster.auth.access import roles_required
from roster.db import get_session
from roster.models import RoleName
from roster.profile import codes, periods
from roster.profile.forms import (
    BLANK_ROWS,
    DeploymentForm,
    LanguagesForm,
    PeriodForm,
    RemoveForm,
    SkillsForm,
)
from roster.profile.web import blueprint, current_expert, save_section, start_first

EXPERT = RoleName.EXPERT
_BLANK = {"code": ""}


@blueprint.route("/languages", methods=["GET", "POST"])
@roles_required(EXPERT)
def languages():
    """Languages with levels; typed names are read as language codes, with a note."""
    expert = current_expert()
    if expert is None:
        return start_first()
    rows = [{"code": lang.code, "level": lang.level} for lang in expert.languages]
    form = (
        LanguagesForm()
        if request.method == "POST"
        else LanguagesForm(
            data={"version": expert.version, "languages": rows + [_BLANK] * BLANK_ROWS}
        )
    )

    def save():
        return codes.save_languages(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            rows=[(row.code.data, row.level.data) for row in form.languages],
        )

    return save_section(
        form,
        "profile/languages.html",
        save,
        expert=expert,
        saved="Languages saved.",
        next_url=url_for("profile.languages"),
    )


@blueprint.route("/expertise", methods=["GET", "POST"])
@roles_required(EXPERT)
def expertise():
    """Expertise areas with years; recruiter-verified ones are marked."""
    expert = current_expert()
    if expert is None:
        return start_first()
    rows = [{"code": skill.code, "years": skill.years} for skill in expert.skills]
    form = (
        SkillsForm()
        if request.method == "POST"
        else SkillsForm(data={"version": expert.version, "skills": rows + [_BLANK] * BLANK_ROWS})
    )

    def save():
        return codes.save_skills(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            rows=[(row.code.data, row.years.data) for row in form.skills],
        )

    verified = {skill.code for skill in expert.skills if skill.verified_at is not None}
    return save_section(
        form,
        "profile/expertise.html",
        save,
        expert=expert,
        saved="Expertise areas saved.",
        next_url=url_for("profile.expertise"),
        verified=verified,
    )


@blueprint.route("/availability", methods=["GET", "POST"])
@roles_required(EXPERT)
def availability():
    """Availability windows: the list, and a form to add one (overlaps are refused)."""
    expert = current_expert()
    if expert is None:
        return start_first()
    form = (
        PeriodForm() if request.method == "POST" else PeriodForm(data={"version": expert.version})
    )

    def save():
        periods.add_availability(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            start=form.start.data,
            end=form.end.data,
        )

    return save_section(
        form,
        "profile/availability.html",
        save,
        expert=expert,
        saved="Availability added.",
        next_url=url_for("profile.availability"),
    )


@blueprint.post("/availability/remove")
@roles_required(EXPERT)
def remove_availability():
    """Remove one of one's own availability windows (named in the form, not the URL)."""
    expert = current_expert()
    if expert is None:
        return start_first()
    form = RemoveForm()

    def save():
        periods.remove_availability(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            window_id=form.item.data,
        )

    return save_section(
        form,
        "profile/availability.html",
        save,
        expert=expert,
        saved="Availability removed.",
        next_url=url_for("profile.availability"),
        add_form=PeriodForm(formdata=None, data={"version": expert.version}),
    )


@blueprint.route("/deployments", methods=["GET", "POST"])
@roles_required(EXPERT)
def deployments():
    """Past deployments: the list, and a form to add one."""
    expert = current_expert()
    if expert is None:
        return start_first()
    form = (
        DeploymentForm()
        if request.method == "POST"
        else DeploymentForm(data={"version": expert.version})
    )

    def save():
        periods.add_deployment(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            mission=form.mission.data,
            country=form.country.data,
            role=form.role.data,
            start=form.start.data,
            end=form.end.data,
        )

    return save_section(
        form,
        "profile/deployments.html",
        save,
        expert=expert,
        saved="Deployment added.",
        next_url=url_for("profile.deployments"),
        self_declared=periods.self_declared,
    )


@blueprint.post("/deployments/remove")
@roles_required(EXPERT)
def remove_deployment():
    """Remove a deployment one declared oneself (named in the form, not the URL)."""
    expert = current_expert()
    if expert is None:
        return start_first()
    form = RemoveForm()

    def save():
        periods.remove_deployment(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            deployment_id=form.item.data,
        )

    return save_section(
        form,
        "profile/deployments.html",
        save,
        expert=expert,
        saved="Deployment removed.",
        next_url=url_for("profile.deployments"),
        add_form=DeploymentForm(formdata=None, data={"version": expert.version}),
        self_declared=periods.self_declared,
    )
