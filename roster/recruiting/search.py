"""Finding experts by what they can do: criteria read from an address, results and counts.

A search lives in the page's address (GET), so it can be bookmarked and shared:
``parse_criteria`` reads the address's arguments into a ``SearchCriteria`` (or refuses
them, naming the filter; ``roster.recruiting.criteria`` lists the arguments),
``SearchCriteria.to_query`` writes the canonical address back, ``search_statement`` is the
SELECT of the matching experts' ids (for other services: saved searches, exports, bulk
actions), ``run_search`` gives one sorted page of them and ``facet_counts`` how many of
them hold each value of each facet. The page and its counts come from the process's
in-memory index (``roster.recruiting.search_index``), which finds exactly what the
statement finds, in the same order; only the page's experts are read from the database.

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
from roster.recruiting.facets import Facets, sql_facet_counts
from roster.recruiting.search_index import SearchIndex, current_index

__all__ = [
    "ARGUMENTS",
    "PAGE_SIZE",
    "SORTS",
    "Facets",
    "SearchCriteria",
    "SearchPage",
    "SearchIndex",
    "SearchRefused",
    "Sort",
    "conditions",
    "current_index",
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
    "sort_column",
    "sql_facet_counts",
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


def sort_column(sort: Sort):
    """The column a sort orders by (``name``, ``-years`` ...)."""
    return {
        "name": Expert.full_name,
        "years": Expert.years_experience,
        "confirmed": Expert.profile_confirmed_at,
        "registered": Expert.created_at,
    }[sort.removeprefix("-")]


def order_by(sort: Sort) -> list:
    """The ORDER BY of a sort: its column, missing values last, then the id."""
    descending = sort.startswith("-")
    column = sort_column(sort)
    ordered = column.desc().nulls_last() if descending else column.asc().nulls_last()
    return [ordered, Expert.id]


def ordered_statement(criteria: SearchCriteria, sort: Sort = "name") -> Select:
    """A SELECT of the matching experts, in the order ``sort`` names."""
    return select(Expert).where(*conditions(criteria)).order_by(*order_by(sort))


def count_matches(*, session: Session, criteria: SearchCriteria) -> int:
    """How many experts match ``criteria``."""
    return session.scalar(select(func.count(Expert.id)).where(*conditions(criteria))) or 0


def facet_counts(
    *, session: Session, criteria: SearchCriteria, index: SearchIndex | None = None
) -> Facets:
    """How many of the experts matching ``criteria`` hold each value of each facet.

    Each facet counts experts (an expert of two nationalities of one group counts once
    for the group); values of a facet that no matching expert holds are left out.
    Counted over ``index`` (by default the process's index of the roster as it is now).
    """
    index = index or current_index(session)
    return index.facets(index.matching(criteria))


def run_search(
    *,
    session: Session,
    criteria: SearchCriteria,
    page: int = 1,
    sort: Sort = "name",
    per_page: int = PAGE_SIZE,
    index: SearchIndex | None = None,
) -> SearchPage:
    """One page of the experts matching ``criteria``, in the order ``sort`` names.

    The experts come with their nationalities, languages and expertise loaded. They are
    found and ordered over ``index`` (by default the process's index of the roster as it
    is now), as ``ordered_statement`` would, and the page's experts read by id.

    Raises:
        SearchRefused: at ``page``, a page before the first or after the last (a
            result of no expert has one page, empty).
    """
    index = index or current_index(session)
    ordered = index.ordered_ids(index.matching(criteria), sort)
    total = len(ordered)
    pages = max(1, math.ceil(total / per_page))
    if page < 1 or page > pages:
        raise SearchRefused.at(
            "page",
            N_("There is no page %(page)s: the result has %(pages)s page(s)."),
            page=page,
            pages=pages,
        )
    wanted = [int(i) for i in ordered[(page - 1) * per_page : page * per_page]]
    read = {
        expert.id: expert
        for expert in session.scalars(
            select(Expert)
            .where(Expert.id.in_(wanted))
            .options(
                selectinload(Expert.nationalities),
                selectinload(Expert.languages),
                selectinload(Expert.skills),
            )
        )
    }
    # An expert erased since the index was built is left out of the page.
    experts = [read[i] for i in wanted if i in read]
    return SearchPage(
        experts=experts, total=total, number=page, pages=pages, sort=sort, per_page=per_page
    )
