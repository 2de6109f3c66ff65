"""Reading the audit trail, for admins: filtered, newest first, a page at a time.

Reads only. Pages are keyset pages on (``at``, ``id``): a page's link names the last
(or first) event shown, and the next page starts strictly past it, so a page deep in
a large trail costs what the first one does, and events written meanwhile never shift
a row onto two pages. Typed, keyword-only, the session passed in; no request state:
the words a row shows are ``Message``s (marked with ``N_``), translated by the page.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlmodel import Session

from roster.audit_words import AUDIT_ACTIONS, action_phrase, nobody_label
from roster.messages import N_, Message
from roster.models import AuditEvent, Expert, User
from roster.recruiting.names import name_key
from roster.refusal import Problems, Refused

PAGE_SIZE = 50
# How much of one value of ``detail`` a row shows: the trail is read, not exported.
DETAIL_VALUE_LENGTH = 200


class TrailRefused(Refused):
    """Filters that name nothing the trail can use, each problem at its filter's name."""


@dataclass(frozen=True)
class TrailFilters:
    """What an admin asked for: each one narrows the trail, None leaves it whole.

    ``actor`` is an email address, an account's public id or a name; ``expert`` an
    expert's public id, reference (external id) or name (found across accents and
    transliterations); a name must name one person. ``until`` is the last day included.
    """

    action: str | None = None
    actor: str | None = None
    expert: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Party:
    """Someone a row names: a label, and the public id to link to (None: nothing to open)."""

    label: str | Message
    public_id: str | None = None
    note: str = ""


@dataclass(frozen=True)
class TrailRow:
    """One event as the trail shows it."""

    id: int
    at: datetime
    actor: Party
    action: str
    phrase: str | Message
    expert: Party | None
    account: Party | None
    reason: str
    detail: tuple[tuple[str, str | Message], ...]


@dataclass(frozen=True)
class TrailPage:
    """A page of the trail, and the event ids that lead to the pages beside it."""

    rows: list[TrailRow]
    newer: int | None
    older: int | None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def _conditions(session: Session, filters: TrailFilters) -> list[ColumnElement[bool]]:
    """The filters as SQL conditions, or ``TrailRefused`` naming what matched nothing."""
    problems = Problems()
    conditions: list[ColumnElement[bool]] = []
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.actor:
        actor_ids = _account_ids(session, filters.actor)
        if not actor_ids:
            problems.add(
                "actor",
                N_("No account has this email address.")
                if "@" in filters.actor
                else N_(
                    "No account has this id or name. Enter an email address, an account id "
                    "or a name."
                ),
            )
        elif len(actor_ids) > 1:
            problems.add(
                "actor",
                N_("%(count)s accounts have this name. Enter an email address instead."),
                count=len(actor_ids),
            )
        conditions.append(AuditEvent.actor_id == (actor_ids[0] if actor_ids else None))
    if filters.expert:
        expert_ids = _expert_ids(session, filters.expert)
        if not expert_ids:
            problems.add(
                "expert",
                N_("No expert has this name, id or reference (an erased expert has none)."),
            )
        elif len(expert_ids) > 1:
            problems.add(
                "expert",
                N_("%(count)s experts have this name. Enter the reference of the one you mean."),
                count=len(expert_ids),
            )
        conditions.append(AuditEvent.subject_expert_id == (expert_ids[0] if expert_ids else None))
    if filters.since and filters.until and filters.until < filters.since:
        problems.add("until", N_("The last day comes before the first day. Please swap them."))
    if filters.since:
        conditions.append(AuditEvent.at >= _day_start(filters.since))
    if filters.until and filters.until < date.max:  # the last day there is: no upper bound
        conditions.append(AuditEvent.at < _day_start(filters.until + timedelta(days=1)))
    problems.raise_if_any(TrailRefused)
    return conditions


def _account_id(session: Session, actor: str) -> int | None:
    found = _account_ids(session, actor)
    return found[0] if len(found) == 1 else None


# More than this many people of one name is no filter; the page asks for an address.
_SAME_NAME = 20


def _account_ids(session: Session, actor: str) -> list[int]:
    """The account an email address or an id names, else the accounts of that name."""
    actor = actor.strip()
    if "@" in actor:
        return list(session.scalars(select(User.id).where(User.email == actor.lower())))
    found = list(session.scalars(select(User.id).where(User.public_id == actor)))
    if found:
        return found
    return list(
        session.scalars(
            select(User.id)
            .where(func.lower(User.display_name) == actor.lower(), User.display_name != "")
            .limit(_SAME_NAME)
        )
    )


def _expert_ids(session: Session, expert: str) -> list[int]:
    """The expert an id or a reference names, else the experts of that name (any spelling)."""
    expert = expert.strip()
    found = list(
        session.scalars(
            select(Expert.id).where(or_(Expert.public_id == expert, Expert.external_id == expert))
        )
    )
    if found or not (key := name_key(expert)):
        return found
    return list(session.scalars(select(Expert.id).where(Expert.name_key == key).limit(_SAME_NAME)))


def _key(session: Session, event_id: int) -> tuple[datetime, int]:
    at = session.scalar(select(AuditEvent.at).where(AuditEvent.id == event_id))
    if at is None:
        raise TrailRefused.at("", N_("This page link is out of date. Start again from the newest."))
    return at, event_id


def _older_than(key: tuple[datetime, int]) -> ColumnElement[bool]:
    # Spelled so that both databases use the index on ``at`` for the range.
    at, event_id = key
    return and_(AuditEvent.at <= at, or_(AuditEvent.at < at, AuditEvent.id < event_id))


def _newer_than(key: tuple[datetime, int]) -> ColumnElement[bool]:
    at, event_id = key
    return and_(AuditEvent.at >= at, or_(AuditEvent.at > at, AuditEvent.id > event_id))


def _events(
    session: Session, conditions: list[ColumnElement[bool]], *, newest_first: bool, limit: int
) -> list[AuditEvent]:
    order = (
        (AuditEvent.at.desc(), AuditEvent.id.desc())
        if newest_first
        else (AuditEvent.at, AuditEvent.id)
    )
    return list(
        session.scalars(select(AuditEvent).where(*conditions).order_by(*order).limit(limit))
    )


def _exists(session: Session, conditions: list[ColumnElement[bool]]) -> bool:
    return session.scalar(select(AuditEvent.id).where(*conditions).limit(1)) is not None


def audit_page(
    *,
    session: Session,
    filters: TrailFilters,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> TrailPage:
    """One page of the events the filters keep, newest first.

    Args:
        filters: what to keep.
        before: the id of the event just above the page wanted (an "older" link).
        after: the id of the event just below it (a "newer" link); ignored with ``before``.
        size: events per page.

    Returns:
        The rows, with the ids the next and the previous pages start from (None where
        there is no such page).

    Raises:
        TrailRefused: a filter names no account or expert, the days are reversed, or a
            page link names an event that is not there.
    """
    conditions = _conditions(session, filters)
    if before is not None:
        key = _key(session, before)
        events = _events(
            session, [*conditions, _older_than(key)], newest_first=True, limit=size + 1
        )
        more_older, more_newer = len(events) > size, True
        events = events[:size]
    elif after is not None:
        key = _key(session, after)
        events = _events(
            session, [*conditions, _newer_than(key)], newest_first=False, limit=size + 1
        )
        more_newer, more_older = len(events) > size, True
        events = list(reversed(events[:size]))
    else:
        events = _events(session, conditions, newest_first=True, limit=size + 1)
        more_older, more_newer = len(events) > size, False
        events = events[:size]
    if events and more_older and after is not None:
        more_older = _exists(session, [*conditions, _older_than((events[-1].at, events[-1].id))])
    if events and more_newer and before is not None:
        more_newer = _exists(session, [*conditions, _newer_than((events[0].at, events[0].id))])
    return TrailPage(
        rows=_rows(session, events),
        newer=events[0].id if events and more_newer else None,
        older=events[-1].id if events and more_older else None,
    )


def _rows(session: Session, events: list[AuditEvent], *, shorten: bool = True) -> list[TrailRow]:
    """The events as rows: who acted and whom they concern, read in two queries."""
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    account_ids = {e.detail.get("user") for e in events if isinstance(e.detail, dict)}
    account_ids = {a for a in account_ids if isinstance(a, str)}
    users = (
        list(
            session.scalars(
                select(User).where(or_(User.id.in_(actor_ids), User.public_id.in_(account_ids)))
            )
        )
        if actor_ids or account_ids
        else []
    )
    by_id = {u.id: u for u in users}
    by_public_id = {u.public_id: u for u in users}
    expert_ids = {e.subject_expert_id for e in events if e.subject_expert_id is not None}
    experts = (
        {
            expert_id: public_id
            for expert_id, public_id in session.execute(
                select(Expert.id, Expert.public_id).where(Expert.id.in_(expert_ids))
            )
        }
        if expert_ids
        else {}
    )
    rows = []
    for event in events:
        detail = dict(event.detail) if isinstance(event.detail, dict) else {}
        # The account an event concerns is named, not shown by its id, where it still exists.
        account = by_public_id.get(detail["user"]) if detail.get("user") in by_public_id else None
        if account is not None:
            del detail["user"]
        expert_id = experts.get(event.subject_expert_id)
        rows.append(
            TrailRow(
                id=event.id,
                at=event.at,
                actor=_party(by_id[event.actor_id])
                if event.actor_id in by_id
                else Party(Message(nobody_label(event.action))),
                action=event.action,
                # An action this roster does not know is shown by its code.
                phrase=Message(action_phrase(event.action))
                if event.action in AUDIT_ACTIONS
                else event.action,
                expert=Party(expert_id, expert_id) if expert_id else None,
                account=_party(account) if account is not None else None,
                reason=event.reason,
                detail=tuple(
                    (str(key), _shown(value, shorten=shorten))
                    for key, value in sorted(detail.items())
                ),
            )
        )
    return rows


def _party(user: User) -> Party:
    name = user.display_name or user.email
    if user.removed_at is not None:
        return Party(Message(N_("%(name)s (removed account)"), {"name": name}))
    return Party(name, user.public_id, note=user.email if user.display_name else "")


def _shown(value: Any, nested: bool = False, *, shorten: bool = True) -> str | Message:
    """A value of ``detail`` as short text: lists joined, objects as key=value pairs.

    A yes or no on its own is a ``Message``; inside a list or an object it stays English.
    """
    if isinstance(value, bool) and not nested:
        return Message(N_("yes") if value else N_("no"))
    if isinstance(value, dict):
        text = ", ".join(f"{k}={_shown(v, nested=True)}" for k, v in sorted(value.items()))
    elif isinstance(value, list | tuple):
        text = ", ".join(str(_shown(item, nested=True)) for item in value)
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = str(value)
    if not shorten or len(text) <= DETAIL_VALUE_LENGTH:
        return text
    return text[: DETAIL_VALUE_LENGTH - 1] + "…"


EXPORT_BATCH = 1000


def export_rows(*, session: Session, filters: TrailFilters, batch: int = EXPORT_BATCH):
    """Every event the filters keep, newest first, read ``batch`` at a time (memory flat).

    Raises:
        TrailRefused: as ``audit_page`` does, before the first row.
    """
    conditions = _conditions(session, filters)

    def rows():
        key: tuple[datetime, int] | None = None
        while True:
            window = [*conditions, _older_than(key)] if key else conditions
            events = _events(session, window, newest_first=True, limit=batch)
            if not events:
                return
            yield from _rows(session, events, shorten=False)
            key = (events[-1].at, events[-1].id)
            session.expunge_all()

    return rows()


def check_filters(*, session: Session, filters: TrailFilters) -> None:
    """Raise ``TrailRefused`` where a filter names no account or expert, or days are reversed."""
    _conditions(session, filters)


def export_detail(*, session: Session, filters: TrailFilters) -> dict[str, str]:
    """The filters of an export as its audit row keeps them: ids, never an email address."""
    detail = {}
    if filters.action:
        detail["action"] = filters.action
    if filters.actor:
        actor = session.get(User, _account_id(session, filters.actor))
        detail["actor"] = actor.public_id if actor else ""
    if filters.expert:
        detail["expert"] = filters.expert
    if filters.since:
        detail["since"] = filters.since.isoformat()
    if filters.until:
        detail["until"] = filters.until.isoformat()
    return detail
