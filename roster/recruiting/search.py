"""Finding experts by what they can do: criteria read from an address, results and counts.

A search lives in the page's address (GET), so it can be bookmarked and shared:
``parse_criteria`` reads the address's arguments into a ``SearchCriteria`` (or refuses
them, naming the filter; ``roster.recruiting.criteria`` lists the arguments),
``SearchCriteria.to_query`` writes the canonical address back, ``search_statement`` is the
SELECT of the matching experts' ids (for other services: saved searches, exports, bulk
actions), ``run_search`` gives one sorted page of them and ``facet_counts``
(``roster.recruiting.facets``) how many of them hold each value of each facet.

Merged records (``merged_into_id`` set) are never found: their survivor is.
"""

import math
from dataclasses import dataclass

from sqlalchemy import (
    Select,
    func,
    select,
)
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from roster.messages import N_
from roster.models import (
    Expert,
)
from roster.recruiting.conditions import conditions, sign_language_codes
from roster.recruiting.criteria import (
    ARGUMENTS,
    PAGE_SIZE,
    SORTS,
    SearchCriteria,
    SearchRefused,
    Sort,
    parse_criteria,
    parse_page,
    parse_sort,
)
from roster.recruiting.facets import Facets, facet_counts

__all__ = [
    "ARGUMENTS",
    "PAGE_SIZE",
    "SORTS",
    "Facets",
    "SearchCriteria",
    "SearchPage",
    "SearchRefused",
    "Sort",
    "conditions",
    "count_matches",
    "facet_counts",
    "order_by",
    "ordered_statement",
    "parse_criteria",
    "parse_page",
    "parse_sort",
    "run_search",
    "search_statement",
    "sign_language_codes",
]


@dataclass(frozen=True)
class SearchPage:
    """One page of a search's results, and where it stands among the pages."""

    experts: list[Expert]
    total: int
    number: int
    pages: int
    sort: Sort
    per_page: int = PAGE_SIZE


def search_statement(criteria: SearchCriteria, *, session: Session | None = None) -> Select:
    """A SELECT of the ids of the experts matching ``criteria``, unordered.

    ``session`` is accepted for callers that hold one; the statement does not need it.
    """
    return select(Expert.id).where(*conditions(criteria))


def order_by(sort: Sort) -> list:
    """The ORDER BY of a sort: its column, missing values last, then the id."""
    descending = sort.startswith("-")
    column = {
        "name": Expert.full_name,
        "years": Expert.years_experience,
        "confirmed": Expert.profile_confirmed_at,
        "registered": Expert.created_at,
    }[sort.removeprefix("-")]
    ordered = column.desc().nulls_last() if descending else column.asc().nulls_last()
    return [ordered, Expert.id]


def ordered_statement(criteria: SearchCriteria, sort: Sort = "name") -> Select:
    """A SELECT of the matching experts, in the order ``sort`` names."""
    return select(Expert).where(*conditions(criteria)).order_by(*order_by(sort))


def count_matches(*, session: Session, criteria: SearchCriteria) -> int:
    """How many experts match ``criteria``."""
    return session.scalar(select(func.count(Expert.id)).where(*conditions(criteria))) or 0


def run_search(
    *,
    session: Session,
    criteria: SearchCriteria,
    page: int = 1,
    sort: Sort = "name",
    per_page: int = PAGE_SIZE,
) -> SearchPage:
    """One page of the experts matching ``criteria``, in the order ``sort`` names.

    The experts come with their nationalities, languages and expertise loaded.

    Raises:
        SearchRefused: at ``page``, a page before the first or after the last (a
            result of no expert has one page, empty).
    """
    total = count_matches(session=session, criteria=criteria)
    pages = max(1, math.ceil(total / per_page))
    if page < 1 or page > pages:
        raise SearchRefused.at(
            "page",
            N_("There is no page %(page)s: the result has %(pages)s page(s)."),
            page=page,
            pages=pages,
        )
    experts = list(
        session.scalars(
            ordered_statement(criteria, sort)
            .options(
                selectinload(Expert.nationalities),
                selectinload(Expert.languages),
                selectinload(Expert.skills),
            )
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return SearchPage(
        experts=experts, total=total, number=page, pages=pages, sort=sort, per_page=per_page
    )
