"""What the roster holds about a person, who looked at it, and the download of it all.

Reads only. The profile part of the download is the interchange record, made by
``record_from_rows`` as every export is.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from roster.interchange.store import load_rows, record_from_rows
from roster.messages import N_, Message
from roster.missions.candidacies import candidacies_of
from roster.models import (
    STAFF_ROLES,
    AuditEvent,
    CallOut,
    Expert,
    MissionRole,
    NeedsAssessment,
    User,
    utcnow,
)
from roster.policy.privacy import (
    VIEW_PURPOSES,
    SensitiveField,
    consented_fields,
    visible_sensitive_fields,
)
from roster.policy.roster_status import status_history
from roster.policy.standing import STAFF_ROLE_WORDS, standing_of

STAFF_VIEW_ACTIONS = {
    "profile.view": N_("opened your profile"),
    "cv.download": N_("downloaded your CV"),
}


@dataclass(frozen=True)
class StaffView:
    """One look at the profile by staff: who (name and role, never email), when, why."""

    at: datetime
    viewer: str | Message  # a name as typed, or words translated where shown
    role: Message
    what: Message
    purpose: Message | str
    note: str


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def staff_role(user: User | None) -> Message:
    """The staff role to show for a viewer, most powerful first, translated where shown."""
    if user is None or user.removed_at is not None:
        return Message(N_("former staff member"))
    return next(
        (Message(STAFF_ROLE_WORDS[role.value]) for role in STAFF_ROLES if user.has_role(role)),
        Message(N_("staff")),
    )


def staff_views(*, session: Session, expert_id: int) -> list[StaffView]:
    """Every staff view of a profile and download of its CV, newest first."""
    events = list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_expert_id == expert_id,
                AuditEvent.action.in_(list(STAFF_VIEW_ACTIONS)),
            )
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    actors = (
        {
            u.id: u
            for u in session.scalars(
                select(User).options(selectinload(User.roles)).where(User.id.in_(actor_ids))
            )
        }
        if actor_ids
        else {}
    )
    return [
        StaffView(
            at=e.at,
            viewer=(actors[e.actor_id].display_name or Message(N_("A staff member")))
            if e.actor_id in actors
            else Message(N_("A former staff member")),
            role=staff_role(actors.get(e.actor_id)),
            what=Message(STAFF_VIEW_ACTIONS[e.action]),
            purpose=_purpose(e.detail),
            note=e.reason,
        )
        for e in events
    ]


def _purpose(detail: dict | None) -> Message | str:
    code = (detail or {}).get("purpose", "")
    return Message(VIEW_PURPOSES[code]) if code in VIEW_PURPOSES else ""


def account_activity(*, session: Session, user_id: int) -> list[AuditEvent]:
    """What the account did that the roster recorded (sign-ins, password changes ...)."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.actor_id == user_id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(500)
        )
    )


def profile_record(
    *, session: Session, expert_id: int, sensitive: Collection[SensitiveField]
) -> dict[str, Any]:
    """The profile as an interchange record (expert.schema.json), with the ``sensitive``
    fields that the privacy rule gives its reader."""
    external_id, rows = load_rows(session, [expert_id])[expert_id]
    return record_from_rows(external_id, rows, sensitive=sensitive)


def own_sensitive_fields(*, user: User, expert: Expert) -> frozenset[SensitiveField]:
    """The sensitive fields ``user`` reads on ``expert``'s profile as its owner (those
    consented to)."""
    return visible_sensitive_fields(
        viewer=standing_of(user=user, expert=expert), consented=consented_fields(expert)
    )


def own_record(*, session: Session, user: User, expert: Expert) -> dict[str, Any]:
    """The profile as its owner reads it: the interchange record (expert.schema.json)."""
    return profile_record(
        session=session,
        expert_id=expert.id,
        sensitive=own_sensitive_fields(user=user, expert=expert),
    )


def _profile_part(session: Session, user: User, expert: Expert) -> dict[str, Any]:
    sensitive = own_sensitive_fields(user=user, expert=expert)
    return {
        "expert": profile_record(session=session, expert_id=expert.id, sensitive=sensitive),
        "consent_given_at": {
            field.value: _iso(getattr(expert, f"{field.value}_consent_at"))
            for field in SensitiveField
            if field in sensitive
        },
        "cv": {"file_name": expert.cv_original_name, "uploaded_at": _iso(expert.cv_uploaded_at)}
        if expert.cv_stored_name
        else None,
        "profile": {
            "public_id": expert.public_id,
            "created_at": _iso(expert.created_at),
            "updated_at": _iso(expert.updated_at),
            "confirmed_at": _iso(expert.profile_confirmed_at),
            "stale_reminder_sent_at": _iso(expert.stale_reminder_sent_at),
            "version": expert.version,
        },
        "status_history": [
            {"from": c.from_status, "to": c.to_status, "at": _iso(c.changed_at), "reason": c.reason}
            for c in status_history(session=session, expert_id=expert.id)
        ],
        "staff_views": [
            {
                "at": _iso(v.at),
                "viewer": str(v.viewer),
                "role": str(v.role),
                "what": str(v.what),
                "purpose": str(v.purpose),
                "note": v.note,
            }
            for v in staff_views(session=session, expert_id=expert.id)
        ],
        **_missions_part(session, expert),
    }


def _missions_part(session: Session, expert: Expert) -> dict[str, Any]:
    """The roles the expert was considered for, and every call-out sent to them."""
    sent = session.execute(
        select(CallOut, MissionRole.role_key, NeedsAssessment.external_id)
        .join(MissionRole, MissionRole.id == CallOut.role_id)
        .join(NeedsAssessment, NeedsAssessment.id == MissionRole.needs_id)
        .where(CallOut.expert_id == expert.id)
        .order_by(CallOut.sent_at, CallOut.id)
    )
    return {
        "candidacies": [
            {
                "needs_id": c.role.needs.external_id,
                "mission": c.role.needs.title,
                "role_id": c.role.role_key,
                "role": c.role.title,
                "outcome": c.outcome.value if c.outcome else None,
                "decided_at": _iso(c.decided_at),
                "lacking": [reason["text"] for reason in c.lacking],
                "reason": c.reason or None,
            }
            for c in candidacies_of(session=session, expert_id=expert.id)
        ],
        "call_outs": [
            {
                "needs_id": needs_id,
                "role_id": role_id,
                "sent_at": _iso(c.sent_at),
                "expires_at": _iso(c.expires_at),
                "reminded_at": _iso(c.reminded_at),
                "answer": c.answer,
                "answered_at": _iso(c.answered_at),
                "withdrawn_at": _iso(c.withdrawn_at),
            }
            for c, role_id, needs_id in sent
        ],
    }


def data_export(*, session: Session, user: User, expert: Expert | None) -> dict[str, Any]:
    """Everything the roster holds about an account and its profile, as one JSON document."""
    document: dict[str, Any] = {
        "exported_at": utcnow().isoformat(),
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "roles": sorted(r.role for r in user.roles),
            "created_at": _iso(user.created_at),
            "email_confirmed_at": _iso(user.email_confirmed_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "expert": None,
    }
    if expert is not None:
        document |= _profile_part(session, user, expert)
    document["account_activity"] = [
        {"action": e.action, "at": _iso(e.at)}
        for e in account_activity(session=session, user_id=user.id)
    ]
    return document
