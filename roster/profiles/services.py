"""What every section of the expert's own profile shares: its refusals and the save.

Each section's rules live in a module named for it (``identity``, ``sensitive``,
``languages``, ``expertise``, ``accessibility``, ``availability``, ``deployments``,
``summary``, ``cv``). Typed, keyword-only, the session passed in; no request state.
A save first validates everything (raising ``ProfileInvalid`` with every problem, each
at its path in the interchange format: ``languages[0].code``), then compares and
increments ``Expert.version`` in one UPDATE (raising ``ProfileChanged`` when another
save came first), and only then changes rows.
"""

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import exists, select, update
from sqlmodel import Session

from roster.messages import N_, Message
from roster.models import (
    AvailabilityWindow,
    Deployment,
    Expert,
    ExpertAccessibility,
    ExpertLanguage,
    ExpertSkill,
    utcnow,
)
from roster.refusal import Changed, Problem, Refused

CHANGED_MESSAGE = Message(
    N_(
        "This profile changed since you opened it (perhaps in another tab). "
        "Your changes are below; check them and save again."
    )
)


class ProfileInvalid(Refused):
    """Input that cannot be saved, with every problem at its interchange path."""


class ProfileChanged(Changed):
    """The stored profile changed since the form was opened; nothing was saved."""

    def __init__(self) -> None:
        super().__init__(CHANGED_MESSAGE)


def expert_for_user(*, session: Session, user_id: int) -> Expert | None:
    """Return the profile of the account ``user_id``, if it has one."""
    return session.scalar(select(Expert).where(Expert.user_id == user_id))


# The profile's lists, by the name of their relationship on Expert.
_LISTS = {
    "languages": ExpertLanguage,
    "skills": ExpertSkill,
    "accessibility": ExpertAccessibility,
    "availability": AvailabilityWindow,
    "deployments": Deployment,
}


def filled_lists(*, session: Session, expert_id: int) -> set[str]:
    """Which of the profile's lists (``languages``, ``skills`` ...) hold at least one row.

    One query for all five, where loading each list would take one query apiece.
    """
    flags = session.execute(
        select(
            *(
                exists().where(table.expert_id == expert_id).label(name)
                for name, table in _LISTS.items()
            )
        )
    ).one()
    return {name for name, filled in zip(_LISTS, flags, strict=True) if filled}


def lock(*, session: Session, expert: Expert, version: int) -> None:
    """Compare and increment the profile's version, marking it updated and confirmed now.

    Raises:
        ProfileChanged: ``version`` is not the stored one (another tab saved first).
    """
    if expert.version != version:
        raise ProfileChanged()
    now = utcnow()
    result = session.execute(
        update(Expert)
        .where(Expert.id == expert.id, Expert.version == version)
        .values(
            version=version + 1,
            updated_at=now,
            profile_confirmed_at=now,
            stale_reminder_sent_at=None,
        )
    )
    if result.rowcount != 1:
        raise ProfileChanged()


def sync_children(
    collection: list, rows: Sequence[dict[str, Any]], *, key: str, make: Callable[..., Any]
) -> None:
    """Make a child collection hold exactly ``rows``, keeping the rows whose key stays."""
    existing = {getattr(item, key): item for item in collection}
    kept = []
    for row in rows:
        item = existing.get(row[key]) or make()
        for name, value in row.items():
            setattr(item, name, value)
        kept.append(item)
    collection[:] = kept


def at_row(refusal: Refused, *, name: str, stored: int, given: int) -> Refused:
    """A refusal with its problems at row ``stored`` of list ``name`` moved to row ``given``.

    A row added to a list is checked at the index it would take (``availability[3]``);
    the one who sent a whole list reads it at the index they gave it (``availability[0]``).
    """
    before, after = f"{name}[{stored}]", f"{name}[{given}]"
    return type(refusal)(
        Problem(after + found.path[len(before) :], found.message)
        if found.path == before or found.path.startswith((before + ".", before + "["))
        else found
        for found in refusal.problems
    )
