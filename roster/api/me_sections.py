"""The profile's sections as the API takes them: each one's body, in the interchange
format's terms, and the service that saves it (the profile page's own).

A body replaces its section whole, as the page's form does. Bodies are checked for their
shape here (unknown fields refused, no coercion); what their values may be is the services'
rule, said in the same words as on the page, at the same paths.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import Field

from matching.vocabulary import GENDERS, LANGUAGE_LEVELS, SENIORITY
from roster.api.kernel import Strict
from roster.api.spec import contract_schema
from roster.db import get_session
from roster.models import Expert, User
from roster.profiles import (
    availability,
    deployments,
    expertise,
    identity,
    languages,
    sensitive,
    summary,
)


def _section(name: str) -> dict[str, Any]:
    """The contract's description of one field of the expert record."""
    return contract_schema("expert")["properties"][name]


class IdentitySection(Strict):
    """Identity and nationality: the first section, which creates the profile."""

    full_name: str = Field(json_schema_extra=_section("full_name"))
    nationalities: list[str] = Field(
        description="One to three countries, as ISO 3166 codes (FR) or their English names."
    )
    residence_country: str | None = Field(
        default=None, description="ISO 3166 code or English name; none if left out."
    )
    years_experience: int | None = Field(
        default=None, json_schema_extra={"minimum": 0, "maximum": 70}
    )
    seniority: Literal[SENIORITY] | None = None  # type: ignore[valid-type]


def save_identity(body: IdentitySection, *, user: User, expert: Expert | None, version: int):
    """Save the identity section (``expert`` None: create the profile), as the page does."""
    return identity.save_identity(
        session=get_session(),
        user=user,
        expert=expert,
        version=version,
        full_name=body.full_name,
        nationalities=body.nationalities,
        residence=body.residence_country or "",
        years_experience=body.years_experience,
        seniority=body.seniority or "",
    )


class SensitiveConsent(Strict):
    """What you let the roster store; left out, a consent is not given (or is withdrawn)."""

    gender: bool = False
    disability: bool = False
    birth_year: bool = False


class SensitiveSection(Strict):
    """Gender, disability and year of birth: each stored only with its consent.

    The whole section is replaced: a consent left out or false is withdrawn, and its value
    erased at once. A value sent without its consent is refused.
    """

    gender: Literal[GENDERS] | None = None  # type: ignore[valid-type]
    disability: bool | None = None
    birth_year: int | None = None
    consent: SensitiveConsent = Field(default_factory=SensitiveConsent)


class LanguageLevel(Strict):
    """A language and your level in it."""

    code: str = Field(json_schema_extra={"description": "BCP 47 tag (fr), or its English name"})
    level: Literal[LANGUAGE_LEVELS]  # type: ignore[valid-type]


class LanguagesSection(Strict):
    """Your languages (at most 20); the list replaces the one stored."""

    languages: list[LanguageLevel]


class SkillYears(Strict):
    """An expertise area and your years in it."""

    code: str = Field(
        json_schema_extra={"description": "an expertise area's code of the taxonomy, or its name"}
    )
    years: int | None = Field(default=None, json_schema_extra={"minimum": 0, "maximum": 70})


class ExpertiseSection(Strict):
    """Your expertise areas (at most 20); the list replaces the one stored.

    A recruiter's verification stays on the areas you keep.
    """

    skills: list[SkillYears]


class AccessibilitySection(Strict):
    """Your accessibility expertise, codes of the taxonomy; replaces the one stored."""

    accessibility_expertise: list[str]


_DAY = {"type": "string", "format": "date", "description": "a day, like 2027-03-01"}


class AvailabilityPeriod(Strict):
    """A period, both days included."""

    start: str = Field(alias="from", json_schema_extra=_DAY)
    end: str = Field(alias="to", json_schema_extra=_DAY)


class AvailabilitySection(Strict):
    """The periods in which you can deploy (at most 50); the list replaces the one stored.

    A period given again stays as it is (one already past too); a new one must end
    today or later, start within 5 years, last at most 3 years and overlap no other.
    """

    availability: list[AvailabilityPeriod]


class PastDeployment(Strict):
    """A past deployment; rating and comments are the Division's, kept as they are."""

    mission: str | None = None
    country: str = Field(json_schema_extra={"description": "ISO 3166 code or English name"})
    role: str
    start: str = Field(alias="from", json_schema_extra=_DAY)
    end: str = Field(alias="to", json_schema_extra=_DAY)
    rating: int | None = None
    comments: str | None = None


class DeploymentsSection(Strict):
    """Your past deployments (at most 100); the list replaces the one stored.

    One given again stays as it is; one left out is removed if you declared it (one
    recorded by the Division stays: ask a recruiter); a new one must have ended.
    """

    deployments: list[PastDeployment]


class SummarySection(Strict):
    """Your summary in your own words (at most 20,000 characters)."""

    summary: str


def _day(text: str) -> date | str:
    """A day as ``date`` when it is written as one (2027-03-01); else the text, which the
    service refuses at its path in plain words."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    return text


@dataclass(frozen=True)
class Section:
    """One section of the profile as the API changes it: its body and its service."""

    name: str
    summary: str
    body: type[Strict]
    save: Callable[[Any, Expert, User], Any]


SECTIONS: tuple[Section, ...] = (
    Section(
        "identity",
        "Change your identity and nationality.",
        IdentitySection,
        lambda body, expert, user: save_identity(
            body, user=user, expert=expert, version=expert.version
        ),
    ),
    Section(
        "sensitive",
        "Give or withdraw your gender, disability and year of birth, with their consent.",
        SensitiveSection,
        lambda body, expert, user: sensitive.save_sensitive(
            session=get_session(),
            expert=expert,
            version=expert.version,
            gender=body.gender or "",
            gender_consent=body.consent.gender,
            disability=body.disability,
            disability_consent=body.consent.disability,
            birth_year=body.birth_year,
            birth_year_consent=body.consent.birth_year,
        ),
    ),
    Section(
        "languages",
        "Replace your languages.",
        LanguagesSection,
        lambda body, expert, user: languages.save_languages(
            session=get_session(),
            expert=expert,
            version=expert.version,
            rows=[(row.code, row.level) for row in body.languages],
        ),
    ),
    Section(
        "expertise",
        "Replace your expertise areas.",
        ExpertiseSection,
        lambda body, expert, user: expertise.save_skills(
            session=get_session(),
            expert=expert,
            version=expert.version,
            rows=[(row.code, row.years) for row in body.skills],
        ),
    ),
    Section(
        "accessibility",
        "Replace your accessibility expertise.",
        AccessibilitySection,
        lambda body, expert, user: expertise.save_accessibility(
            session=get_session(),
            expert=expert,
            version=expert.version,
            codes=body.accessibility_expertise,
        ),
    ),
    Section(
        "availability",
        "Replace the periods in which you can deploy.",
        AvailabilitySection,
        lambda body, expert, user: availability.replace_availability(
            session=get_session(),
            expert=expert,
            version=expert.version,
            periods=[(_day(p.start), _day(p.end)) for p in body.availability],
        ),
    ),
    Section(
        "deployments",
        "Replace your past deployments.",
        DeploymentsSection,
        lambda body, expert, user: deployments.replace_deployments(
            session=get_session(),
            expert=expert,
            version=expert.version,
            rows=[
                deployments.DeclaredDeployment(
                    mission=row.mission,
                    country=row.country,
                    role=row.role,
                    start=_day(row.start),
                    end=_day(row.end),
                    rating=row.rating,
                    comments=row.comments,
                )
                for row in body.deployments
            ],
        ),
    ),
    Section(
        "summary",
        "Change your summary.",
        SummarySection,
        lambda body, expert, user: summary.save_summary(
            session=get_session(), expert=expert, version=expert.version, summary=body.summary
        ),
    ),
)
