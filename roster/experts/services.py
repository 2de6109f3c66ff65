"""Staff's reads of profiles: search by name or reference.

Typed, keyword-only, the session passed in; no request state. The audited opening of
one profile is ``roster.recruiting.access``.
"""

import math
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from roster.models import Expert

PAGE_SIZE = 25


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
    statement = select(Expert)
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
