"""The profile's sections, declared once and served by one mechanism.

Each section names its page (``/me/<name>``, endpoint ``profile.<name>``), its form and
template, the form's data when the page opens, the service that saves it, what the
expert is told once it is saved, and whether it holds anything yet (for the overview).
``SectionView`` serves every one of them: the form on GET; on POST the form checked,
the service called, and then a redirect, or the page again with what to correct (400)
or with the stored version after another tab saved first (409).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, request, url_for
from flask.views import View
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from roster.auth.access import roles_required
from roster.db import get_session
from roster.messages import Message
from roster.models import Expert, RoleName
from roster.policy.deployments import self_declared
from roster.profile.forms import (
    BLANK_ROWS,
    AccessibilityForm,
    DeploymentForm,
    IdentityForm,
    LanguagesForm,
    PeriodForm,
    SensitiveForm,
    SkillsForm,
    SummaryForm,
)
from roster.profile.pages import current_expert, start_first
from roster.profiles import (
    availability,
    deployments,
    expertise,
    identity,
    languages,
    sensitive,
    summary,
)
from roster.web.pages import submit

Saver = Callable[[FlaskForm, Expert | None], list[Message] | None]
_BLANK = {"code": ""}


@dataclass(frozen=True)
class Section:
    """One section of the profile: its page, form, service and message."""

    name: str
    title: Any  # lazily translated
    form: type[FlaskForm]
    save: Saver
    saved: Any  # lazily translated
    filled: Callable[[Expert, set[str]], bool]
    initial: Callable[[Expert], dict] = lambda expert: {}
    # Sections of rows or periods come back to their own page after a save.
    stays: bool = False
    # Template context beside the form and the expert.
    context: Callable[[Expert], dict] = lambda expert: {}

    @property
    def template(self) -> str:
        """The section's page: ``profile/<name>.html``."""
        return f"profile/{self.name}.html"

    @property
    def endpoint(self) -> str:
        """The section's endpoint, for ``url_for``."""
        return f"profile.{self.name}"


def _identity_data(expert: Expert | None) -> dict:
    if expert is None:
        return {"full_name": current_user.display_name}
    codes = [n.country for n in expert.nationalities] + ["", "", ""]
    return {
        "full_name": expert.full_name,
        "nationality_1": codes[0],
        "nationality_2": codes[1],
        "nationality_3": codes[2],
        "residence_country": expert.residence_country or "",
        "years_experience": expert.years_experience,
        "seniority": expert.seniority or "",
    }


def _save_identity(form: IdentityForm, expert: Expert | None) -> list[Message]:
    _, notes = identity.save_identity(
        session=get_session(),
        user=current_user,
        expert=expert,
        version=form.version.data,
        full_name=form.full_name.data,
        residence=form.residence_country.data,
        nationalities=[form.nationality_1.data, form.nationality_2.data, form.nationality_3.data],
        years_experience=form.years_experience.data,
        seniority=form.seniority.data,
    )
    return notes


def _sensitive_data(expert: Expert) -> dict:
    return {
        "gender": expert.gender or "",
        "disability": {True: "yes", False: "no", None: ""}[expert.disability],
        "birth_year": expert.birth_year,
        "gender_consent": expert.gender_consent_at is not None,
        "disability_consent": expert.disability_consent_at is not None,
        "birth_year_consent": expert.birth_year_consent_at is not None,
    }


def _save_sensitive(form: SensitiveForm, expert: Expert) -> None:
    sensitive.save_sensitive(
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


def _consented(expert: Expert) -> bool:
    return any(getattr(expert, f"{n}_consent_at") for n in ("gender", "disability", "birth_year"))


SECTIONS: tuple[Section, ...] = (
    Section(
        name="identity",
        title=_l("Identity and nationality"),
        form=IdentityForm,
        initial=_identity_data,
        save=_save_identity,
        saved=_l("Identity and nationality saved."),
        filled=lambda expert, lists: expert is not None,
    ),
    Section(
        name="sensitive",
        title=_l("Gender, disability and year of birth (optional)"),
        form=SensitiveForm,
        initial=_sensitive_data,
        save=_save_sensitive,
        saved=_l("Your choices about gender, disability and year of birth are saved."),
        filled=lambda expert, lists: _consented(expert),
    ),
    Section(
        name="languages",
        title=_l("Languages"),
        form=LanguagesForm,
        initial=lambda expert: {
            "languages": [{"code": x.code, "level": x.level} for x in expert.languages]
            + [_BLANK] * BLANK_ROWS
        },
        save=lambda form, expert: languages.save_languages(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            rows=[(row.code.data, row.level.data) for row in form.languages],
        ),
        saved=_l("Languages saved."),
        filled=lambda expert, lists: "languages" in lists,
        stays=True,
    ),
    Section(
        name="expertise",
        title=_l("Expertise areas"),
        form=SkillsForm,
        initial=lambda expert: {
            "skills": [{"code": s.code, "years": s.years} for s in expert.skills]
            + [_BLANK] * BLANK_ROWS
        },
        save=lambda form, expert: expertise.save_skills(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            rows=[(row.code.data, row.years.data) for row in form.skills],
        ),
        saved=_l("Expertise areas saved."),
        filled=lambda expert, lists: "skills" in lists,
        stays=True,
        context=lambda expert: {
            "verified": {s.code for s in expert.skills if s.verified_at is not None}
        },
    ),
    Section(
        name="accessibility",
        title=_l("Accessibility expertise"),
        form=AccessibilityForm,
        initial=lambda expert: {"codes": [a.code for a in expert.accessibility]},
        save=lambda form, expert: expertise.save_accessibility(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            codes=form.codes.data or [],
        ),
        saved=_l("Accessibility expertise saved."),
        filled=lambda expert, lists: "accessibility" in lists,
    ),
    Section(
        name="availability",
        title=_l("Availability"),
        form=PeriodForm,
        save=lambda form, expert: availability.add_availability(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            start=form.start.data,
            end=form.end.data,
        ),
        saved=_l("Availability added."),
        filled=lambda expert, lists: "availability" in lists,
        stays=True,
    ),
    Section(
        name="deployments",
        title=_l("Past deployments"),
        form=DeploymentForm,
        save=lambda form, expert: deployments.add_deployment(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            mission=form.mission.data,
            country=form.country.data,
            role=form.role.data,
            start=form.start.data,
            end=form.end.data,
        ),
        saved=_l("Deployment added."),
        filled=lambda expert, lists: "deployments" in lists,
        stays=True,
        context=lambda expert: {"self_declared": self_declared},
    ),
    Section(
        name="summary",
        title=_l("Summary"),
        form=SummaryForm,
        initial=lambda expert: {"summary": expert.summary},
        save=lambda form, expert: summary.save_summary(
            session=get_session(),
            expert=expert,
            version=form.version.data,
            summary=form.summary.data or "",
        ),
        saved=_l("Summary saved."),
        filled=lambda expert, lists: bool(expert.summary),
    ),
)


class SectionView(View):
    """One mechanism for every section: the form on GET, the save on POST."""

    decorators = [roles_required(RoleName.EXPERT)]
    methods = ["GET", "POST"]

    def __init__(self, section: Section) -> None:
        self.section = section

    def dispatch_request(self, **kwargs):
        """Open the form, or save it; a section other than identity needs a profile first."""
        section, expert = self.section, current_expert()
        if expert is None and section.name != "identity":
            return start_first()
        version = expert.version if expert is not None else 0
        if request.method == "POST":
            form = section.form()
        else:
            form = section.form(data={"version": version} | section.initial(expert))
        context = section.context(expert) if expert is not None else {}
        return submit(
            form,
            section.template,
            lambda: section.save(form, expert),
            saved=section.saved,
            next_url=url_for(section.endpoint if section.stays else "profile.overview"),
            version=version,
            expert=expert,
            **context,
        )


def register(blueprint: Blueprint) -> None:
    """Serve every section on the profile's blueprint."""
    for section in SECTIONS:
        view = SectionView.as_view(section.name, section)
        blueprint.add_url_rule(f"/{section.name}", view_func=view)


def overview_rows(expert: Expert | None, lists: set[str]) -> list[tuple[str, Any, bool]]:
    """(endpoint, title, whether something is filled in) of every section, then the CV."""
    rows = [(s.endpoint, s.title, expert is not None and s.filled(expert, lists)) for s in SECTIONS]
    return [*rows, ("profile.cv_upload", _l("CV"), bool(expert and expert.cv_stored_name))]
