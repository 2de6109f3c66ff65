"""Staff opening a profile: found by its public id, and every opening audited with its reason.

Typed, keyword-only, the session passed in; no request state. The staff's profile
page (``roster.experts``) and the vetting page (``roster.vetting``) both open profiles
through here.
"""

from typing import Literal

from sqlalchemy import select
from sqlmodel import Session

from roster.messages import N_, Message
from roster.models import AuditEvent, Expert
from roster.policy.privacy import VIEW_PURPOSES
from roster.refusal import Problems, Refused
from roster.validation import clean_text

MAX_NOTE = 300


class ViewRefused(Refused):
    """A profile view without an acceptable reason: at ``purpose`` or ``note``."""


def expert_by_public_id(*, session: Session, public_id: str) -> Expert | None:
    """The expert with this public id (never looked up by the sequential key)."""
    if not isinstance(public_id, str) or len(public_id) > 32:
        return None
    return session.scalar(select(Expert).where(Expert.public_id == public_id))


def record_access(
    *,
    session: Session,
    action: Literal["profile.view", "cv.download"],
    actor_id: int,
    expert: Expert,
    purpose: str,
    note: str,
) -> None:
    """Write the one audit row of a staff member opening a profile or downloading its CV.

    Who, whose, when and why: the expert reads it on their views page.

    Raises:
        ViewRefused: no purpose among ``VIEW_PURPOSES``, or "other" without a note.
    """
    problems = Problems()
    if purpose not in VIEW_PURPOSES:
        problems.add("purpose", N_("Please choose why you are opening this profile."))
    text = problems.check(
        "note", lambda: clean_text(note, label=Message(N_("Details")), max_length=MAX_NOTE)
    )
    if purpose == "other" and not text and not problems.has("note"):
        problems.add("note", N_("Please say why, in a few words."))
    problems.raise_if_any(ViewRefused)
    session.add(
        AuditEvent(
            actor_id=actor_id,
            action=action,
            subject_expert_id=expert.id,
            reason=text,
            detail={"purpose": purpose},
        )
    )
