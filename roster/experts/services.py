"""Staff's reads of profiles: search, and the audited opening of one profile.

Typed, keyword-only, the session passed in; no request state.
"""

import math
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from roster.messages import N_, Message
from roster.models import AuditEvent, Expert
from roster.policy.privacy import VIEW_PURPOSES
from roster.refusal import Problems, Refused
from roster.validation import clean_text

PAGE_SIZE = 25
MAX_NOTE = 300


class ViewRefused(Refused):
    """A profile view without an acceptable reason: at ``purpose`` or ``note``."""


@dataclass(frozen=True)
class Page:
    """One page of search results."""

    experts: list[Expert]
    total: int
    number: int
    pages: int


def search_experts(
    *, session: Session, query: str, page: int = 1, per_page: int = PAGE_SIZE
) -> Page:
    """Experts whose name or external id contains ``query`` (any case), by name, by page."""
    statement = select(Expert).where(Expert.merged_into_id.is_(None))
    text = query.strip()[:200]
    if text:
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        statement = statement.where(
            or_(
                func.lower(Expert.full_name).like(pattern, escape="\\"),
                func.lower(Expert.external_id).like(pattern, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, page), pages)
    experts = list(
        session.scalars(
            statement.options(selectinload(Expert.nationalities))
            .order_by(Expert.full_name, Expert.external_id)
            .offset((number - 1) * per_page)
            .limit(per_page)
        )
    )
    return Page(experts=experts, total=total, number=number, pages=pages)


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
