"""A search's result read a page at a time after a position (keyset), as scripts read it.

The search page numbers its pages; a script walking a result while the roster changes
would see an expert twice, or miss one, when someone is added before its page. Here a
page starts after the last expert of the one before: its sort value and public id
(``Position``), so that experts added or removed elsewhere in the order move nothing.
The order is the search page's (``roster.recruiting.search.order_by``: the sort's column,
missing values last, then the id) and the experts those of ``ordered_statement``.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from roster.messages import N_
from roster.models import Expert
from roster.recruiting.search import (
    SearchCriteria,
    SearchRefused,
    Sort,
    conditions,
    order_by,
    sort_column,
)

# Sorts whose values are moments: kept in a position as ISO 8601 text.
MOMENTS = ("confirmed", "registered")


@dataclass(frozen=True)
class Position:
    """Where a page ended: the sort, the last expert's value of it and public id."""

    sort: Sort
    value: Any  # str (name), int (years), datetime (moments), or None (missing)
    public_id: str

    def as_json(self) -> dict[str, Any]:
        """The position as JSON values (moments as ISO 8601 text)."""
        value = self.value.isoformat() if isinstance(self.value, datetime) else self.value
        return {"sort": self.sort, "value": value, "after": self.public_id}

    @classmethod
    def from_json(cls, found: dict[str, Any], *, sort: Sort) -> "Position":
        """The position ``as_json`` wrote, for ``sort``.

        Raises:
            SearchRefused: at ``cursor``, one made for another sort or not made here.
        """
        value, after = found.get("value"), found.get("after")
        if found.get("sort") != sort or not isinstance(after, str):
            raise _foreign()
        key = sort.removeprefix("-")
        try:
            if value is None:
                pass
            elif key == "name" and isinstance(value, str):
                pass
            elif key == "years" and isinstance(value, int) and not isinstance(value, bool):
                if abs(value) > 2**31 - 1:  # more than a database's integer holds
                    raise ValueError(value)
            elif key in MOMENTS and isinstance(value, str):
                value = datetime.fromisoformat(value)
                if value.tzinfo is None:  # the roster writes every moment with its offset
                    raise ValueError(value)
            else:
                raise ValueError(value)
        except ValueError:
            raise _foreign() from None
        return cls(sort=sort, value=value, public_id=after)


def _foreign() -> SearchRefused:
    return SearchRefused.at(
        "cursor",
        N_(
            "This cursor was made for another search order, or not by the roster: "
            "start from the first page."
        ),
    )


def _after(session: Session, position: Position):
    """The condition of the experts that come after ``position`` in its sort's order."""
    column = sort_column(position.sort)
    descending = position.sort.startswith("-")
    anchor = session.scalar(select(Expert.id).where(Expert.public_id == position.public_id))
    value = position.value
    if value is None:
        # Among the experts without a value, ordered by id: after the anchor's.
        if anchor is None:
            raise SearchRefused.at(
                "cursor",
                N_(
                    "The expert this cursor stood at is no longer on the roster: "
                    "start from the first page."
                ),
            )
        return and_(column.is_(None), Expert.id > anchor)
    beyond = column < value if descending else column > value
    # An anchor erased since: the experts sharing its value are taken as passed.
    tie = and_(column == value, Expert.id > anchor) if anchor is not None else false()
    return or_(beyond, tie, column.is_(None))


def page_after(
    *,
    session: Session,
    criteria: SearchCriteria,
    sort: Sort,
    after: Position | None,
    limit: int,
) -> tuple[list[Expert], Position | None]:
    """Up to ``limit`` experts matching ``criteria`` after ``after``, and the next position.

    The experts come with their nationalities, languages and expertise loaded. The next
    position is None on the last page.

    Raises:
        SearchRefused: at ``cursor``, as ``Position.from_json``.
    """
    statement = (
        select(Expert)
        .where(*conditions(criteria))
        .order_by(*order_by(sort))
        .options(
            selectinload(Expert.nationalities),
            selectinload(Expert.languages),
            selectinload(Expert.skills),
        )
        .limit(limit + 1)
    )
    if after is not None:
        statement = statement.where(_after(session, after))
    experts = list(session.scalars(statement))
    if len(experts) <= limit:
        return experts, None
    experts = experts[:limit]
    last = experts[-1]
    return experts, Position(
        sort=sort, value=getattr(last, sort_column(sort).key), public_id=last.public_id
    )
