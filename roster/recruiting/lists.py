"""Named lists of experts: a recruiter keeps them, and may share them with planners.

A list is private to its owner until shared; a shared list is readable by planners and
recruiters (and admins), and only its owner changes it. Who may read a list is decided
here, once: a list someone may not read is, to them, a list that does not exist.
What a list shows of an expert is the least a planner may see (name, the UN regional
groups of their nationalities, expertise, languages); never gender, disability, birth
year or contact details. Typed, keyword-only, the session passed in; no request state.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlmodel import Session

from matching.vocabulary import un_region
from roster.messages import N_, Message
from roster.models import (
    Expert,
    ExpertLanguage,
    ExpertList,
    ExpertListEntry,
    ExpertNationality,
    ExpertSkill,
    User,
    utcnow,
)
from roster.refusal import Changed, Problems, Refused
from roster.validation import clean_text

MAX_NAME = 200
# How many experts one request may put on a list (a page of search results is far fewer).
MAX_ADDED = 500
# Public ids are 16 characters; a longer text is no list's.
MAX_PUBLIC_ID = 32


class ListRefused(Refused):
    """A list's name or the experts to add that cannot be used, each at its field."""


@dataclass(frozen=True)
class ListSummary:
    """A list as the lists page shows it."""

    public_id: str
    name: str
    shared: bool
    owner: str
    owned: bool
    size: int
    updated_at: datetime


@dataclass(frozen=True)
class Member:
    """An expert on a list, as much as a planner may see, with the recruiter's handles."""

    public_id: str
    reference: str
    name: str
    roster_status: str
    regions: tuple[str, ...]
    skills: tuple[str, ...]
    languages: tuple[tuple[str, str], ...]
    added_at: datetime


@dataclass(frozen=True)
class Added:
    """What adding did: the names put on the list, and those already on it (with the
    public ids of both, in the same order)."""

    added: list[str]
    already: list[str]
    added_ids: list[str]
    already_ids: list[str]


def _name(session: Session, *, owner_id: int, name: str, other_than: int | None = None) -> str:
    problems = Problems()
    text = problems.check(
        "name",
        lambda: clean_text(
            name,
            label=Message(N_("The list's name")),
            max_length=MAX_NAME,
            required=Message(N_("Please give the list a name.")),
        ),
    )
    if text:
        taken = select(ExpertList.id).where(
            ExpertList.owner_id == owner_id, ExpertList.name == text
        )
        if other_than is not None:
            taken = taken.where(ExpertList.id != other_than)
        if session.scalar(taken) is not None:
            problems.add("name", N_("You already have a list named “%(name)s”."), name=text)
    problems.raise_if_any(ListRefused)
    return text


def create_list(*, session: Session, owner_id: int, name: str) -> ExpertList:
    """Make a new, private, empty list.

    Raises:
        ListRefused: the name is empty, longer than ``MAX_NAME``, holds a control
            character, or names another of the owner's lists.
    """
    expert_list = ExpertList(owner_id=owner_id, name=_name(session, owner_id=owner_id, name=name))
    session.add(expert_list)
    session.flush()
    return expert_list


def _changed(session: Session, expert_list: ExpertList, version: int, **values: object) -> None:
    """Write ``values`` if the list is still at ``version`` (compare-and-set), else ``Changed``."""
    written = session.execute(
        update(ExpertList)
        .where(ExpertList.id == expert_list.id, ExpertList.version == version)
        .values(version=version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:
        raise Changed(
            Message(
                N_(
                    "The list was changed in another window since this page opened. "
                    "Check it below and send the form again."
                )
            )
        )
    session.refresh(expert_list)


def rename_list(*, session: Session, expert_list: ExpertList, name: str, version: int) -> None:
    """Give the list a new name.

    Raises:
        ListRefused: as ``create_list``.
        Changed: the list changed since ``version`` was read; nothing is written.
    """
    text = _name(session, owner_id=expert_list.owner_id, name=name, other_than=expert_list.id)
    _changed(session, expert_list, version, name=text)


def share_list(*, session: Session, expert_list: ExpertList, shared: bool, version: int) -> None:
    """Share the list with planners and recruiters, or make it private again.

    Raises:
        Changed: the list changed since ``version`` was read; nothing is written.
    """
    _changed(session, expert_list, version, shared=shared)


def delete_list(*, session: Session, expert_list: ExpertList, version: int | None = None) -> None:
    """Delete the list (its entries with it; the experts stay on the roster).

    Raises:
        Changed: with ``version``, the list changed since it was read; nothing is written.
    """
    if version is not None:
        _changed(session, expert_list, version)
    session.execute(delete(ExpertListEntry).where(ExpertListEntry.list_id == expert_list.id))
    session.delete(expert_list)


def owned_list(*, session: Session, public_id: str, user_id: int) -> ExpertList | None:
    """The list at ``public_id`` if ``user_id`` owns it, else None."""
    expert_list = _by_public_id(session, public_id)
    return expert_list if expert_list is not None and expert_list.owner_id == user_id else None


def readable_list(*, session: Session, public_id: str, user_id: int) -> ExpertList | None:
    """The list at ``public_id`` if ``user_id`` owns it or it is shared, else None (as if
    it did not exist)."""
    expert_list = _by_public_id(session, public_id)
    if expert_list is None or not (expert_list.shared or expert_list.owner_id == user_id):
        return None
    return expert_list


def _by_public_id(session: Session, public_id: str) -> ExpertList | None:
    if not public_id or len(public_id) > MAX_PUBLIC_ID or "\x00" in public_id:
        return None  # no list's id, and no text to send the database
    return session.scalar(select(ExpertList).where(ExpertList.public_id == public_id))


def lists_for(*, session: Session, user_id: int) -> list[ListSummary]:
    """The user's own lists, then those others share, each by name; with their sizes."""
    return lists_after(session=session, user_id=user_id, after=None, limit=None)[0]


@dataclass(frozen=True)
class ListPosition:
    """Where a page of lists ended: not owned (0 or 1), the name in lower case, public id."""

    others: int
    name: str
    public_id: str


def lists_after(
    *, session: Session, user_id: int, after: ListPosition | None, limit: int | None
) -> tuple[list[ListSummary], ListPosition | None]:
    """Up to ``limit`` lists in the lists page's order after ``after``, and the next position.

    The order is the user's own lists, then those others share, each by name (any case),
    then by public id. The next position is None on the last page (and without a limit).
    """
    sizes = (
        select(ExpertListEntry.list_id, func.count().label("size"))
        .group_by(ExpertListEntry.list_id)
        .subquery()
    )
    others = case((ExpertList.owner_id == user_id, 0), else_=1)
    lowered = func.lower(ExpertList.name)
    statement = (
        select(ExpertList, User.display_name, User.email, sizes.c.size, others, lowered)
        .join(User, User.id == ExpertList.owner_id)
        .outerjoin(sizes, sizes.c.list_id == ExpertList.id)
        .where(or_(ExpertList.owner_id == user_id, ExpertList.shared.is_(True)))
        .order_by(others, lowered, ExpertList.public_id)
    )
    if after is not None:
        statement = statement.where(
            or_(
                others > after.others,
                and_(others == after.others, lowered > after.name),
                and_(
                    others == after.others,
                    lowered == after.name,
                    ExpertList.public_id > after.public_id,
                ),
            )
        )
    if limit is not None:
        statement = statement.limit(limit + 1)
    rows = list(session.execute(statement))
    following = None
    if limit is not None and len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        following = ListPosition(others=last[4], name=last[5], public_id=last[0].public_id)
    return [
        ListSummary(
            public_id=expert_list.public_id,
            name=expert_list.name,
            shared=expert_list.shared,
            owner=display_name or email,
            owned=expert_list.owner_id == user_id,
            size=size or 0,
            updated_at=expert_list.updated_at,
        )
        for expert_list, display_name, email, size, _, _ in rows
    ], following


def owner_name(*, session: Session, expert_list: ExpertList) -> str:
    """Who keeps the list, by name."""
    owner = session.get(User, expert_list.owner_id)
    return (owner.display_name or owner.email) if owner else ""


def _on_roster(session: Session, public_ids: list[str]) -> list[tuple[int, str, str]]:
    """(id, name, public id) of the experts named, leaving out any merged into another."""
    return list(
        session.execute(
            select(Expert.id, Expert.full_name, Expert.public_id)
            .where(Expert.public_id.in_(public_ids), Expert.merged_into_id.is_(None))
            .order_by(Expert.full_name, Expert.id)
        )
    )


def add_experts(
    *, session: Session, expert_list: ExpertList, public_ids: list[str], actor_id: int
) -> Added:
    """Put experts on the list; those already on it stay as they were.

    Raises:
        ListRefused: no expert named, more than ``MAX_ADDED``, one that is not on the
            roster, or every one already on the list (then nothing would change).
    """
    wanted = sorted({public_id for public_id in public_ids if public_id})
    if not wanted:
        raise ListRefused.at("expert", N_("Please choose at least one expert to add."))
    if len(wanted) > MAX_ADDED:
        raise ListRefused.at(
            "expert", N_("At most %(most)s experts can be added at once."), most=MAX_ADDED
        )
    found = _on_roster(session, wanted)
    if len(found) != len(wanted):
        raise ListRefused.at(
            "expert", N_("An expert chosen is no longer on the roster. Please search again.")
        )
    present = set(
        session.scalars(
            select(ExpertListEntry.expert_id).where(
                ExpertListEntry.list_id == expert_list.id,
                ExpertListEntry.expert_id.in_([row[0] for row in found]),
            )
        )
    )
    new = [row for row in found if row[0] not in present]
    already = [row for row in found if row[0] in present]
    if not new:
        raise ListRefused.at(
            "expert",
            N_("%(names)s is already on the list “%(list)s”.")
            if len(already) == 1
            else N_("All of them are already on the list “%(list)s”."),
            names=already[0][1],
            list=expert_list.name,
        )
    session.add_all(
        ExpertListEntry(list_id=expert_list.id, expert_id=expert_id, added_by_id=actor_id)
        for expert_id, _, _ in new
    )
    expert_list.updated_at = utcnow()
    session.add(expert_list)
    session.flush()
    return Added(
        added=[row[1] for row in new],
        already=[row[1] for row in already],
        added_ids=[row[2] for row in new],
        already_ids=[row[2] for row in already],
    )


def remove_expert(*, session: Session, expert_list: ExpertList, public_id: str) -> str | None:
    """Take an expert off the list; return their name, or None if they were not on it."""
    found = session.execute(
        select(Expert.id, Expert.full_name).where(Expert.public_id == public_id)
    ).first()
    if found is None:
        return None
    removed = session.execute(
        delete(ExpertListEntry).where(
            ExpertListEntry.list_id == expert_list.id, ExpertListEntry.expert_id == found.id
        )
    )
    if removed.rowcount != 1:
        return None
    expert_list.updated_at = utcnow()
    session.add(expert_list)
    return found.full_name


def members(*, session: Session, expert_list: ExpertList) -> list[Member]:
    """The experts on the list by name: four queries, however long the list."""
    experts = list(
        session.execute(
            select(
                Expert.id,
                Expert.public_id,
                Expert.external_id,
                Expert.full_name,
                Expert.roster_status,
                ExpertListEntry.added_at,
            )
            .join(ExpertListEntry, ExpertListEntry.expert_id == Expert.id)
            .where(ExpertListEntry.list_id == expert_list.id)
            .order_by(func.lower(Expert.full_name), Expert.id)
        )
    )
    on_list = select(ExpertListEntry.expert_id).where(ExpertListEntry.list_id == expert_list.id)
    regions: dict[int, list[str]] = defaultdict(list)
    skills: dict[int, list[str]] = defaultdict(list)
    languages: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if experts:
        for expert_id, country in session.execute(
            select(ExpertNationality.expert_id, ExpertNationality.country)
            .where(ExpertNationality.expert_id.in_(on_list))
            .order_by(ExpertNationality.position)
        ):
            region = un_region(country)
            if region and region not in regions[expert_id]:
                regions[expert_id].append(region)
        for expert_id, code in session.execute(
            select(ExpertSkill.expert_id, ExpertSkill.code)
            .where(ExpertSkill.expert_id.in_(on_list))
            .order_by(ExpertSkill.position)
        ):
            skills[expert_id].append(code)
        for expert_id, code, level in session.execute(
            select(ExpertLanguage.expert_id, ExpertLanguage.code, ExpertLanguage.level)
            .where(ExpertLanguage.expert_id.in_(on_list))
            .order_by(ExpertLanguage.position)
        ):
            languages[expert_id].append((code, level))
    return [
        Member(
            public_id=row.public_id,
            reference=row.external_id,
            name=row.full_name,
            roster_status=str(row.roster_status),
            regions=tuple(regions[row.id]),
            skills=tuple(skills[row.id]),
            languages=tuple(languages[row.id]),
            added_at=row.added_at,
        )
        for row in experts
    ]
