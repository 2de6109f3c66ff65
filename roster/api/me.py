"""The expert's own resources under /api/v1/me: the profile, its sections, their data,
their candidacies and their answers to call-outs, and their CV.

The same services as the pages under /me (``roster.profiles``, ``roster.missions``), under
the same rules: an expert reads and changes only their own profile, sensitive fields are
stored only with their consent (withdrawing it erases them), and a call-out is answered
once, while it is open. Every change names the version it changes (If-Match, the ETag of
``GET /me``) and answers the whole profile with its new ETag.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from flask import g, request, url_for
from pydantic import BaseModel, Field
from werkzeug.exceptions import Conflict, NotFound, RequestEntityTooLarge

from matching.vocabulary import GENDERS, LANGUAGE_LEVELS, SENIORITY
from roster.api.kernel import (
    Strict,
    answer,
    api,
    described,
    etag_of,
    idempotent,
    parse,
    raw_body,
    require_match,
)
from roster.api.spec import contract_schema
from roster.auth.access import token_required
from roster.db import get_session
from roster.errors import problem_response
from roster.extensions import limiter
from roster.i18n import translate
from roster.messages import N_, Message
from roster.missions import callouts
from roster.missions.candidacies import candidacies_of, own_call_out
from roster.missions.reply_links import aware
from roster.models import CallOut, Expert, RoleName, User
from roster.profiles import (
    availability,
    cv,
    deployments,
    expertise,
    identity,
    languages,
    sensitive,
    summary,
    transparency,
)
from roster.profiles.candidacies import OUTCOME_WORDS
from roster.profiles.services import expert_for_user
from roster.reminders import confirm_profile
from roster.web.files import cv_download, cv_folder

EXPERT = RoleName.EXPERT
TAG = "Me"
ETAG_KIND = "expert"
# Each upload costs a child process reading the PDF for up to five seconds (as on the page).
CV_UPLOAD_LIMIT = "20 per hour"


# Who and what ----------------------------------------------------------------------------


def _user() -> User:
    return g._login_user


def _expert() -> Expert | None:
    return expert_for_user(session=get_session(), user_id=_user().id)


def _own_expert() -> Expert:
    """The token's owner's profile, or 404 in plain words when they have none yet."""
    expert = _expert()
    if expert is None:
        raise NotFound(
            translate(
                Message(
                    N_(
                        "You have no profile yet. Create it with POST /api/v1/me, giving "
                        "your identity and nationality, as the first section of the profile "
                        "page does."
                    )
                )
            )
        )
    return expert


def _tag(expert: Expert) -> str:
    return etag_of(ETAG_KIND, expert.public_id, expert.version)


def _profile(expert: Expert, status: int = 200, *, location: str | None = None):
    """The profile as its owner reads it (expert.schema.json), with its ETag."""
    session = get_session()
    session.flush()
    record = transparency.own_record(session=session, user=_user(), expert=expert)
    return answer(record, status, etag=_tag(expert), location=location)


def _moment(moment: datetime | None) -> str | None:
    return aware(moment).isoformat() if moment else None


# The profile --------------------------------------------------------------------------------


@api.get("/me")
@api.doc(tags=[TAG])
@token_required("profile:read", EXPERT)
@described(responses={200: "expert"}, etag=True)
def read_profile():
    """Your profile, in the interchange format, with its ETag.

    Sensitive fields (gender, disability, year of birth) appear with their consent, and
    only while it stands. 404 when you have no profile yet.
    """
    return _profile(_own_expert())


def _section(name: str) -> dict[str, Any]:
    """The contract's description of one field of the expert record."""
    return contract_schema("expert")["properties"][name]


class Identity(Strict):
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


@api.post("/me")
@api.doc(tags=[TAG])
@token_required("profile:write", EXPERT)
@described(request=Identity, responses={201: "expert"}, etag=True)
@idempotent
def create_profile():
    """Create your profile from your identity and nationality (409 if you have one).

    As on the profile page, saving the identity first creates the profile: an applicant,
    with your account's address; the other sections follow with PUT /me/sections/....
    """
    if _expert() is not None:
        raise Conflict(
            translate(
                Message(
                    N_(
                        "You have a profile already: change your identity and nationality "
                        "with PUT /api/v1/me/sections/identity."
                    )
                )
            )
        )
    body = parse(Identity)
    expert, _notes = _save_identity(body, None, 0)
    return _profile(expert, 201, location=url_for("api.read_profile"))


def _save_identity(body: Identity, expert: Expert | None, version: int):
    return identity.save_identity(
        session=get_session(),
        user=_user(),
        expert=expert,
        version=version,
        full_name=body.full_name,
        nationalities=body.nationalities,
        residence=body.residence_country or "",
        years_experience=body.years_experience,
        seniority=body.seniority or "",
    )


# The sections -------------------------------------------------------------------------------


class Consent(Strict):
    """What you let the roster store; left out, a consent is not given (or is withdrawn)."""

    gender: bool = False
    disability: bool = False
    birth_year: bool = False


class Sensitive(Strict):
    """Gender, disability and year of birth: each stored only with its consent.

    The whole section is replaced: a consent left out or false is withdrawn, and its value
    erased at once. A value sent without its consent is refused.
    """

    gender: Literal[GENDERS] | None = None  # type: ignore[valid-type]
    disability: bool | None = None
    birth_year: int | None = None
    consent: Consent = Field(default_factory=Consent)


class LanguageRow(Strict):
    """A language and your level in it."""

    code: str = Field(json_schema_extra={"description": "BCP 47 tag (fr), or its English name"})
    level: Literal[LANGUAGE_LEVELS]  # type: ignore[valid-type]


class Languages(Strict):
    """Your languages (at most 20); the list replaces the one stored."""

    languages: list[LanguageRow]


class SkillRow(Strict):
    """An expertise area and your years in it."""

    code: str = Field(
        json_schema_extra={"description": "an expertise area's code of the taxonomy, or its name"}
    )
    years: int | None = Field(default=None, json_schema_extra={"minimum": 0, "maximum": 70})


class Skills(Strict):
    """Your expertise areas (at most 20); the list replaces the one stored.

    A recruiter's verification stays on the areas you keep.
    """

    skills: list[SkillRow]


class Accessibility(Strict):
    """Your accessibility expertise, codes of the taxonomy; replaces the one stored."""

    accessibility_expertise: list[str]


_DAY = {"type": "string", "format": "date", "description": "a day, like 2027-03-01"}


class Period(Strict):
    """A period, both days included."""

    start: str = Field(alias="from", json_schema_extra=_DAY)
    end: str = Field(alias="to", json_schema_extra=_DAY)


class Availability(Strict):
    """The periods in which you can deploy; the list replaces the one stored.

    A period given again stays as it is (one already past too); a new one must end
    today or later, start within 5 years, last at most 3 years and overlap no other.
    """

    availability: list[Period]


class DeploymentRow(Strict):
    """A past deployment; rating and comments are the Division's, kept as they are."""

    mission: str | None = None
    country: str = Field(json_schema_extra={"description": "ISO 3166 code or English name"})
    role: str
    start: str = Field(alias="from", json_schema_extra=_DAY)
    end: str = Field(alias="to", json_schema_extra=_DAY)
    rating: int | None = None
    comments: str | None = None


class Deployments(Strict):
    """Your past deployments; the list replaces the one stored.

    One given again stays as it is; one left out is removed if you declared it (one
    recorded by the Division stays: ask a recruiter); a new one must have ended.
    """

    deployments: list[DeploymentRow]


class Summary(Strict):
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
    save: Callable[[Any, Expert], Any]


SECTIONS: tuple[Section, ...] = (
    Section(
        "identity",
        "Change your identity and nationality.",
        Identity,
        lambda body, expert: _save_identity(body, expert, expert.version),
    ),
    Section(
        "sensitive",
        "Give or withdraw your gender, disability and year of birth, with their consent.",
        Sensitive,
        lambda body, expert: sensitive.save_sensitive(
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
        Languages,
        lambda body, expert: languages.save_languages(
            session=get_session(),
            expert=expert,
            version=expert.version,
            rows=[(row.code, row.level) for row in body.languages],
        ),
    ),
    Section(
        "expertise",
        "Replace your expertise areas.",
        Skills,
        lambda body, expert: expertise.save_skills(
            session=get_session(),
            expert=expert,
            version=expert.version,
            rows=[(row.code, row.years) for row in body.skills],
        ),
    ),
    Section(
        "accessibility",
        "Replace your accessibility expertise.",
        Accessibility,
        lambda body, expert: expertise.save_accessibility(
            session=get_session(),
            expert=expert,
            version=expert.version,
            codes=body.accessibility_expertise,
        ),
    ),
    Section(
        "availability",
        "Replace the periods in which you can deploy.",
        Availability,
        lambda body, expert: availability.replace_availability(
            session=get_session(),
            expert=expert,
            version=expert.version,
            periods=[(_day(p.start), _day(p.end)) for p in body.availability],
        ),
    ),
    Section(
        "deployments",
        "Replace your past deployments.",
        Deployments,
        lambda body, expert: deployments.replace_deployments(
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
        Summary,
        lambda body, expert: summary.save_summary(
            session=get_session(), expert=expert, version=expert.version, summary=body.summary
        ),
    ),
)


def _section_operation(section: Section) -> None:
    """Serve ``PUT /me/sections/<name>``: If-Match, the body read, the service, the profile."""

    def update_section():
        expert = _own_expert()
        require_match(_tag(expert))
        section.save(parse(section.body), expert)
        return _profile(expert)

    update_section.__name__ = f"update_{section.name}"
    update_section.__doc__ = (
        f"{section.summary}\n\nThe body is this section's part of the interchange format "
        "and replaces it whole; If-Match names the profile's ETag. Answers the whole "
        "profile and its new ETag."
    )
    view = described(request=section.body, responses={200: "expert"}, if_match=True, etag=True)(
        update_section
    )
    view = token_required("profile:write", EXPERT)(view)
    view = api.doc(tags=[TAG])(view)
    api.put(f"/me/sections/{section.name}")(view)


for _each in SECTIONS:
    _section_operation(_each)


@api.post("/me/confirm")
@api.doc(tags=[TAG])
@token_required("profile:write", EXPERT)
@described(responses={200: "expert"}, etag=True)
def confirm():
    """Confirm that your profile is still right (it is no longer stale)."""
    expert = _own_expert()
    confirm_profile(session=get_session(), expert=expert)
    return _profile(expert)


# Your data ----------------------------------------------------------------------------------

_MOMENT = {"type": ["string", "null"]}
_TEXTS = {"type": "object", "additionalProperties": {"type": ["string", "null"]}}
DATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "Everything the roster holds about your account and profile, as the profile page's "
        "download gives it: the interchange record, consents, CV, status history, staff "
        "views, candidacies, call-outs and what the account did."
    ),
    "required": ["exported_at", "account", "expert", "account_activity"],
    "properties": {
        "exported_at": {"type": "string"},
        "account": {
            "type": "object",
            "required": ["email", "display_name", "roles"],
            "properties": {
                "email": {"type": "string"},
                "display_name": {"type": ["string", "null"]},
                "roles": {"type": "array", "items": {"type": "string"}},
                "created_at": _MOMENT,
                "email_confirmed_at": _MOMENT,
                "last_login_at": _MOMENT,
            },
        },
        "expert": {"oneOf": [{"$ref": "#/components/schemas/Expert"}, {"type": "null"}]},
        "consent_given_at": _TEXTS,
        "cv": {"type": ["object", "null"]},
        "profile": {"type": "object"},
        "status_history": {"type": "array", "items": {"type": "object"}},
        "staff_views": {"type": "array", "items": {"type": "object"}},
        "candidacies": {"type": "array", "items": {"type": "object"}},
        "call_outs": {"type": "array", "items": {"type": "object"}},
        "account_activity": {"type": "array", "items": {"type": "object"}},
    },
}


@api.get("/me/data")
@api.doc(tags=[TAG])
@token_required("profile:read", EXPERT)
@described(responses={200: DATA_SCHEMA})
def your_data():
    """Everything the roster holds about you, as the profile page's JSON download."""
    return answer(transparency.data_export(session=get_session(), user=_user(), expert=_expert()))


# Candidacies and call-outs -----------------------------------------------------------------


class OpenCallOut(BaseModel):
    """A call-out waiting for your answer."""

    public_id: str
    answer_by: str = Field(description="the last day an answer is taken")


class Lacked(BaseModel):
    """A requirement of the role your shortlist entry says you lacked."""

    code: str
    params: dict[str, Any]
    text: str


class CandidacyOut(BaseModel):
    """A role you were considered for, as your candidacies page shows it.

    Never who else was considered, nor how many, nor your rank among them.
    """

    needs_id: str
    mission: str
    country: str
    role_id: str
    role: str
    start: str
    end: str
    outcome: str | None
    outcome_words: str
    decided_at: str | None
    call_out: OpenCallOut | None
    lacking: list[Lacked]
    reason: str | None


class Candidacies(BaseModel):
    """Your candidacies, the latest mission first (one page: an expert's are few)."""

    items: list[CandidacyOut]
    next_cursor: str | None


def _candidacy(found) -> CandidacyOut:
    role, needs = found.role, found.role.needs
    start, end = found.period
    code = found.outcome.value if found.outcome else None
    return CandidacyOut(
        needs_id=needs.external_id,
        mission=needs.title or needs.external_id,
        country=needs.country,
        role_id=role.role_key,
        role=role.title,
        start=start.isoformat(),
        end=end.isoformat(),
        outcome=code,
        outcome_words=translate(Message(OUTCOME_WORDS.get(code, code or ""))),
        decided_at=_moment(found.decided_at),
        call_out=OpenCallOut(
            public_id=found.call_out.public_id, answer_by=found.last_day.isoformat()
        )
        if found.call_out
        else None,
        lacking=[
            Lacked(code=r.get("code", ""), params=r.get("params") or {}, text=r.get("text", ""))
            for r in found.lacking
        ],
        reason=found.reason or None,
    )


@api.get("/me/candidacies")
@api.doc(tags=[TAG])
@token_required("profile:read", EXPERT)
@described(responses={200: Candidacies})
def list_candidacies():
    """The roles you were considered for, where each stands, and call-outs to answer."""
    expert = _expert()
    found = [] if expert is None else candidacies_of(session=get_session(), expert_id=expert.id)
    return answer(
        Candidacies(items=[_candidacy(c) for c in found], next_cursor=None).model_dump(mode="json")
    )


class CallOutOut(BaseModel):
    """One of your call-outs: the role it asks you for and your answer."""

    public_id: str
    needs_id: str
    mission: str
    role_id: str
    role: str
    start: str
    end: str
    sent_at: str
    answer_by: str
    open: bool
    answer: Literal["available", "unavailable"] | None
    answered_at: str | None
    withdrawn_at: str | None


class Reply(Strict):
    """Your answer: available or not."""

    answer: Literal["available", "unavailable"]


def _own_call_out(public_id: str) -> CallOut:
    """The token's owner's call-out, or 404 for anyone else's (its existence unsaid)."""
    expert = _expert()
    found = (
        None
        if expert is None
        else own_call_out(session=get_session(), expert_id=expert.id, public_id=public_id)
    )
    if found is None:
        raise NotFound(translate(Message(N_("There is no call-out of yours at this address."))))
    return found


def _call_out(call_out: CallOut):
    shown = callouts.reply_of(session=get_session(), call_out=call_out)
    start, end = shown.period
    return answer(
        CallOutOut(
            public_id=call_out.public_id,
            needs_id=shown.needs.external_id,
            mission=shown.needs.title or shown.needs.external_id,
            role_id=shown.role.role_key,
            role=shown.role.title,
            start=start.isoformat(),
            end=end.isoformat(),
            sent_at=_moment(call_out.sent_at),
            answer_by=shown.last_day.isoformat(),
            open=callouts.is_open(call_out),
            answer=call_out.answer,
            answered_at=_moment(call_out.answered_at),
            withdrawn_at=_moment(call_out.withdrawn_at),
        ).model_dump(mode="json")
    )


@api.get("/me/call-outs/<public_id>")
@api.doc(tags=[TAG])
@token_required("profile:read", EXPERT)
@described(responses={200: CallOutOut})
def read_call_out(public_id: str):
    """One of your call-outs: the role, the last day to answer, and your answer."""
    return _call_out(_own_call_out(public_id))


@api.post("/me/call-outs/<public_id>/reply")
@api.doc(tags=[TAG])
@token_required("profile:write", EXPERT)
@described(request=Reply, responses={200: CallOutOut}, problems={410: "Withdrawn or closed."})
@idempotent
def reply_to_call_out(public_id: str):
    """Answer one of your call-outs, as its mailed links do: once, while it is open.

    409 when it is answered already (or the candidacy moved on), 410 when it is
    withdrawn or closed.
    """
    found = _own_call_out(public_id)
    body = parse(Reply)
    try:
        callouts.answer_call_out(
            session=get_session(), call_out=found, answer=body.answer, by=_user()
        )
    except callouts.ReplyRefused as refusal:
        status = 409 if refusal.why in ("reused", "not_allowed") else 410
        return problem_response(status, translate(refusal.message))
    return _call_out(found)


# The CV ---------------------------------------------------------------------------------------


def _account_key() -> str:
    # The account's row number, not its public id, as the page's limit counts it.
    return f"account:{_user().id}"


@api.put("/me/cv")
@api.doc(tags=[TAG])
@token_required("profile:write", EXPERT)
@limiter.limit(CV_UPLOAD_LIMIT, key_func=_account_key)
@described(
    request={"type": "string", "format": "binary"},
    request_types=("application/pdf",),
    responses={200: "expert"},
    if_match=True,
    etag=True,
    query=[
        {
            "name": "file_name",
            "in": "query",
            "required": False,
            "description": "The name to download it under (made to end in .pdf).",
            "schema": {"type": "string", "maxLength": 255},
        }
    ],
)
def upload_cv():
    """Upload your CV (a PDF, 5 MB at most), replacing the previous one.

    Checked by its content as on the profile page: not empty, a PDF, readable, not
    encrypted, with at least one page. At most 20 uploads an hour.
    """
    expert = _own_expert()
    require_match(_tag(expert))
    if request.content_length is not None and request.content_length > cv.MAX_CV_BYTES:
        raise RequestEntityTooLarge(translate(cv.too_large(request.content_length)))
    data = raw_body(types=("application/pdf",), limit=cv.MAX_CV_BYTES)
    cv.store_cv(
        session=get_session(),
        expert=expert,
        version=expert.version,
        data=data,
        filename=request.args.get("file_name"),
        folder=cv_folder(),
    )
    return _profile(expert)


@api.get("/me/cv")
@api.doc(tags=[TAG])
@token_required("profile:read", EXPERT)
@described(responses={200: "application/pdf"})
def download_cv():
    """Your CV, as the PDF you uploaded (404 when there is none)."""
    return cv_download(_own_expert())


@api.delete("/me/cv")
@api.doc(tags=[TAG])
@token_required("profile:write", EXPERT)
@described(responses={200: "expert"}, if_match=True, etag=True)
def remove_cv():
    """Remove your CV from your profile."""
    expert = _own_expert()
    require_match(_tag(expert))
    cv.remove_cv(session=get_session(), expert=expert, version=expert.version, folder=cv_folder())
    return _profile(expert)
