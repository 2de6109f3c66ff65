"""Needs assessments as planners keep them: saved with their workspace settings, closed, reopened.

``save_assessment`` saves a ``needs.schema.json`` record through ``records.save_needs``
and adds what the format does not carry (blind review, the reminder's delay);
``set_status`` closes or reopens an assessment, audited; ``suggest_needs_id`` proposes
an id in the house's pattern (``NA-2027-ML-1``).
"""

from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from matching.vocabulary import VocabularyError, normalise_country
from roster.messages import N_, Message
from roster.missions.progress import role_progress
from roster.missions.records import NeedsChanged, NeedsInvalid, save_needs
from roster.models import (
    AuditEvent,
    NeedsAssessment,
    Shortlist,
    UnmetDemand,
    User,
    utcnow,
)
from roster.refusal import Changed, Problems

OPEN, CLOSED = "open", "closed"
UNFILLED = "unfilled"
REMINDER_DAYS = (1, 30)
DEFAULT_REMINDER_DAYS = 5
SAVED_FIRST = Message(N_("Someone else saved this needs assessment first."))


def _log_unfilled(session: Session, needs: NeedsAssessment, *, closed: bool) -> None:
    """Closing logs each role left with fewer filled positions than it had in the
    unmet-demand log ("unfilled"); reopening takes those entries back."""
    role_ids = [role.id for role in needs.roles]
    if not role_ids:
        return
    session.execute(
        delete(UnmetDemand).where(UnmetDemand.role_id.in_(role_ids), UnmetDemand.kind == UNFILLED)
    )
    if not closed:
        return
    progress = role_progress(session=session, role_ids=role_ids)
    for role in needs.roles:
        filled = progress[role.id].stages["selected"] + progress[role.id].stages["deployed"]
        if filled >= role.positions:
            continue
        latest = session.scalar(
            select(Shortlist)
            .where(Shortlist.role_id == role.id)
            .order_by(Shortlist.created_at.desc(), Shortlist.id.desc())
            .limit(1)
        )
        short = session.scalar(
            select(UnmetDemand.binding).where(
                UnmetDemand.role_id == role.id, UnmetDemand.kind == "short"
            )
        )
        session.add(
            UnmetDemand(
                role_id=role.id,
                kind=UNFILLED,
                positions=role.positions - filled,
                eligible_count=latest.eligible_count if latest else 0,
                binding=short,
            )
        )


def needs_by_public_id(*, session: Session, public_id: str) -> NeedsAssessment | None:
    """The assessment at ``public_id``, or None."""
    return session.scalar(select(NeedsAssessment).where(NeedsAssessment.public_id == public_id))


def suggest_needs_id(*, session: Session, country: str | None, start: date | None) -> str:
    """The first free id ``NA-<year>-<country>-<n>`` (``NA-2027-ML-1``) for a new assessment.

    Args:
        session: an open session.
        country: the host country as typed (a code or a name); left out where unreadable.
        start: the first day; this year's where not given.
    Returns:
        An id no assessment holds yet.
    """
    year = (start or utcnow().date()).year
    prefix = f"NA-{year}"
    if country:
        try:
            prefix += f"-{normalise_country(country).code}"
        except VocabularyError:
            pass  # the country's own error says so when the form is saved
    taken = set(
        session.scalars(
            select(NeedsAssessment.external_id).where(
                NeedsAssessment.external_id.like(f"{prefix}-%")
            )
        )
    )
    number = 1
    while f"{prefix}-{number}" in taken:
        number += 1
    return f"{prefix}-{number}"


def save_assessment(
    *,
    session: Session,
    record: Any,
    by: User | None,
    needs: NeedsAssessment | None = None,
    version: int | None = None,
    blind_review: bool | None = None,
    reminder_days: int | None = None,
) -> tuple[NeedsAssessment, list[str]]:
    """Save a needs record (``records.save_needs``) with the planner's workspace settings.

    Args:
        session: the session to write in; the caller commits.
        record: the assessment as in ``needs.schema.json``.
        by: the planner saving it.
        needs: the assessment being edited, if any.
        version: the version the planner read (None: no check).
        blind_review: whether shortlists hide identities until a decision; None keeps it.
        reminder_days: days before a call-out's reminder (1 to 30); None keeps it.
    Returns:
        The saved assessment and the normalisation's notes.
    Raises:
        NeedsInvalid: the record or the settings are invalid; nothing is written.
        Changed: someone saved the assessment after ``version`` was read.
    """
    problems = Problems()
    low, high = REMINDER_DAYS
    if reminder_days is not None and not low <= reminder_days <= high:
        problems.add(
            "reminder_days",
            N_("The reminder is sent from %(low)s to %(high)s days after a call-out."),
            low=low,
            high=high,
        )
    problems.raise_if_any(NeedsInvalid)
    try:
        saved, notes = save_needs(
            session=session, record=record, by=by, needs=needs, version=version
        )
    except NeedsChanged as changed:
        raise Changed(changed.problems[0].message) from None
    if blind_review is not None:
        saved.blind_review = blind_review
    if reminder_days is not None:
        saved.reminder_days = reminder_days
    session.flush()
    return saved, notes


def set_status(*, session: Session, needs: NeedsAssessment, status: str, by: User) -> bool:
    """Close or reopen an assessment, audited (``needs.closed`` / ``needs.reopened``).

    Returns:
        Whether anything changed (closing a closed assessment changes nothing).
    """
    if status not in (OPEN, CLOSED):
        raise ValueError(f"unknown status {status!r}")
    if needs.status == status:
        return False
    needs.status = status
    needs.version += 1
    needs.updated_at = utcnow()
    _log_unfilled(session, needs, closed=status == CLOSED)
    session.add(
        AuditEvent(
            actor_id=by.id,
            action="needs.closed" if status == CLOSED else "needs.reopened",
            detail={"needs": needs.external_id},
        )
    )
    session.flush()
    return True
