"""The expert's own resources under /api/v1/me: the profile, its sections, their data,
their CV and erasure (candidacies and call-outs: ``me_candidacies``).

The same services as the pages under /me (``roster.profiles``), under the same rules: an
expert reads and changes only their own profile, sensitive fields are stored only with
their consent (withdrawing it erases them). Every change names the version it changes
(If-Match, the ETag of ``GET /me``) and answers the whole profile with its new ETag.
"""

from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Response, current_app, g, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import Conflict, NotFound, RequestEntityTooLarge

from roster.accounts.passwords import verify_password
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
from roster.api.me_sections import SECTIONS, IdentitySection, Section, save_identity
from roster.auth.access import token_required
from roster.db import get_session
from roster.extensions import limiter
from roster.i18n import translate
from roster.messages import N_, Message
from roster.missions.reply_links import aware
from roster.models import Expert, RoleName, User
from roster.profiles import cv, transparency
from roster.profiles.erasure import erase_account
from roster.profiles.services import expert_for_user
from roster.refusal import Problem, Refused
from roster.reminders import confirm_profile
from roster.web.files import cv_download, cv_folder

EXPERT = RoleName.EXPERT
TAG = "Me"
ETAG_KIND = "expert"


# Who and what ----------------------------------------------------------------------------


def owner() -> User:
    """The token's owner."""
    return g._login_user


def owners_profile() -> Expert | None:
    """The token's owner's profile, if they have one."""
    return expert_for_user(session=get_session(), user_id=owner().id)


def own_profile() -> Expert:
    """The token's owner's profile, or 404 in plain words when they have none yet."""
    expert = owners_profile()
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
    record = transparency.own_record(session=session, user=owner(), expert=expert)
    return answer(record, status, etag=_tag(expert), location=location)


def moment(at: datetime | None) -> str | None:
    """A timestamp as ISO 8601 in UTC, or None."""
    return aware(at).isoformat() if at else None


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
    return _profile(own_profile())


@api.post("/me")
@api.doc(tags=[TAG])
@token_required("profile:write", EXPERT)
@described(request=IdentitySection, responses={201: "expert"}, etag=True)
@idempotent
def create_profile():
    """Create your profile from your identity and nationality (409 if you have one).

    As on the profile page, saving the identity first creates the profile: an applicant,
    with your account's address; the other sections follow with PUT /me/sections/....
    """
    if owners_profile() is not None:
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
    body = parse(IdentitySection)
    expert, _notes = save_identity(body, user=owner(), expert=None, version=0)
    return _profile(expert, 201, location=url_for("api.read_profile"))


# The sections -------------------------------------------------------------------------------


def _section_operation(section: Section) -> None:
    """Serve ``PUT /me/sections/<name>``: If-Match, the body read, the service, the profile."""

    def update_section():
        expert = own_profile()
        require_match(_tag(expert))
        section.save(parse(section.body), expert, owner())
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
    expert = own_profile()
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
    return answer(
        transparency.data_export(session=get_session(), user=owner(), expert=owners_profile())
    )


# The CV ---------------------------------------------------------------------------------------


def _account_key() -> str:
    # The account's row number, as the page counts it: one budget for both.
    return f"account:{owner().id}"


@api.put("/me/cv")
@api.doc(tags=[TAG])
@token_required("profile:write", EXPERT)
@limiter.shared_limit(
    cv.UPLOADS_PER_HOUR,
    scope=cv.UPLOADS_SCOPE,
    key_func=_account_key,
    error_message=_l("Too many CV uploads. Please wait an hour and try again."),
)
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
    expert = own_profile()
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
    return cv_download(own_profile())


@api.delete("/me/cv")
@api.doc(tags=[TAG])
@token_required("profile:write", EXPERT)
@described(responses={200: "expert"}, if_match=True, etag=True)
def remove_cv():
    """Remove your CV from your profile."""
    expert = own_profile()
    require_match(_tag(expert))
    cv.remove_cv(session=get_session(), expert=expert, version=expert.version, folder=cv_folder())
    return _profile(expert)


# Erasure -------------------------------------------------------------------------------------


class Erasure(Strict):
    """Your password, typed again: erasing cannot be undone."""

    password: str


@api.post("/me/erasure")
@api.doc(tags=[TAG])
@token_required("profile:write", EXPERT)
@limiter.limit(
    "10 per hour",
    key_func=_account_key,
    error_message=_l("Too many attempts to delete the account. Please wait an hour and try again."),
)
@described(request=Erasure, responses={204: None})
def erase():
    """Erase your profile, CV and account, as the profile page does: after your password.

    Records of who viewed your profile stay, without anything that identifies you. The
    token stops working with the account.
    """
    body = parse(Erasure)
    user = owner()
    if not verify_password(user.password_hash, body.password):
        raise Refused(Problem("password", Message(N_("The password is not right."))))
    erase_account(
        session=get_session(),
        user=user,
        expert=owners_profile(),
        cv_folder=cv_folder(),
        outbox=Path(current_app.instance_path) / "outbox",
    )
    return Response(status=204)
