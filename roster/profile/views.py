"""The expert's own profile, one form page per section, under /me."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from roster.auth.access import roles_required
from roster.db import get_session
from roster.models import RoleName
from roster.profile import data_views, list_views, services  # noqa: F401  (their routes)
from roster.profile.forms import (
    AccessibilityForm,
    ConfirmForm,
    IdentityForm,
    SensitiveForm,
    SummaryForm,
)
from roster.profile.reminders import confirm_profile, is_stale
from roster.profile.web import blueprint, current_expert, render, save_section, start_first

__all__ = ["blueprint"]
EXPERT = RoleName.EXPERT


def _sections(expert, filled: set[str]) -> list[tuple[str, str, bool]]:
    """(endpoint, title, whether something is filled in) of every section, in order."""
    return [
        ("profile.identity", "Identity and nationality", expert is not None),
        (
            "profile.sensitive",
            "Gender, disability and year of birth (optional)",
            expert is not None
            and any(
                getattr(expert, f"{n}_consent_at") for n in ("gender", "disability", "birth_year")
            ),
        ),
        ("profile.languages", "Languages", "languages" in filled),
        ("profile.expertise", "Expertise areas", "skills" in filled),
        ("profile.accessibility", "Accessibility expertise", "accessibility" in filled),
        ("profile.availability", "Availability", "availability" in filled),
        ("profile.deployments", "Past deployments", "deployments" in filled),
        ("profile.summary", "Summary", bool(expert and expert.summary)),
        ("profile.cv_upload", "CV", bool(expert and expert.cv_stored_name)),
    ]


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
    return render(
        "profile/overview.html",
        ConfirmForm(),
        expert=expert,
        sections=_sections(expert, filled),
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
        flash("Thank you: your profile is confirmed as up to date.", "success")
    return redirect(url_for("profile.overview"))


@blueprint.route("/identity", methods=["GET", "POST"])
@roles_required(EXPERT)
def identity():
    """Name, nationalities, residence, experience; the first save creates the profile."""
    expert = current_expert()
    form = IdentityForm() if request.method == "POST" else IdentityForm(data=_identity_data(expert))

    def save():
        _, notes = services.save_identity(
            session=get_session(),
            user=current_user,
            expert=expert,
            version=form.version.data,
            full_name=form.full_name.data,
            residence=form.residence_country.data,
            nationalities=[
                form.nationality_1.data,
                form.nationality_2.data,
                form.nationality_3.data,
            ],
            years_experience=form.years_experience.data,
            seniority=form.seniority.data,
        )
        return notes

    return save_section(
        form, "profile/identity.html", save, expert=expert, saved="Identity and nationality saved."
    )


def _identity_data(expert) -> dict:
    if expert is None:
        return {"version": 0, "full_name": current_user.display_name}
    codes = [n.country for n in expert.nationalities] + ["", "", ""]
    return {
        "version": expert.version,
        "full_name": expert.full_name,
        "nationality_1": codes[0],
        "nationality_2": codes[1],
        "nationality_3": codes[2],
        "residence_country": expert.residence_country or "",
        "years_experience": expert.years_experience,
        "seniority": expert.seniority or "",
    }


@blueprint.route("/sensitive", methods=["GET", "POST"])
@roles_required(EXPERT)
def sensitive():
    """Gender, disability and year of birth: each stored only with its own consent."""
    expert = current_expert()
    if expert is None:
        return start_first()
    disability = {True: "yes", False: "no", None: ""}[expert.disability]
    form = (
        SensitiveForm()
        if request.method == "POST"
        else SensitiveForm(
            data={
                "version": expert.version,
                "gender": expert.gender or "",
                "disability": disability,
                "birth_year": expert.birth_year,
                "gender_consent": expert.gender_consent_at is not None,
                "disability_consent": expert.disability_consent_at is not None,
                "birth_year_consent": expert.birth_year_consent_at is not None,
            }
        )
    )

    def save():
        services.save_sensitive(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            gender=form.gender.data,
            gender_consent=form.gender_consent.data,
            disability={"yes": True, "no": False}.get(form.disability.data),
            disability_consent=form.disability_consent.data,
            birth_year=form.birth_year.data,
            birth_year_consent=form.birth_year_consent.data,
        )

    return save_section(
        form,
        "profile/sensitive.html",
        save,
        expert=expert,
        saved="Your choices about gender, disability and year of birth are saved.",
    )


@blueprint.route("/accessibility", methods=["GET", "POST"])
@roles_required(EXPERT)
def accessibility():
    """Accessibility expertise, as checkboxes."""
    expert = current_expert()
    if expert is None:
        return start_first()
    form = (
        AccessibilityForm()
        if request.method == "POST"
        else AccessibilityForm(
            data={"version": expert.version, "codes": [a.code for a in expert.accessibility]}
        )
    )

    def save():
        services.save_accessibility(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            codes=form.codes.data or [],
        )

    return save_section(
        form,
        "profile/accessibility.html",
        save,
        expert=expert,
        saved="Accessibility expertise saved.",
    )


@blueprint.route("/summary", methods=["GET", "POST"])
@roles_required(EXPERT)
def summary():
    """The free-text summary."""
    expert = current_expert()
    if expert is None:
        return start_first()
    form = (
        SummaryForm()
        if request.method == "POST"
        else SummaryForm(data={"version": expert.version, "summary": expert.summary})
    )

    def save():
        services.save_summary(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            summary=form.summary.data or "",
        )

    return save_section(form, "profile/summary.html", save, expert=expert, saved="Summary saved.")
