"""Reviewing likely duplicates: the open pairs, a pair side by side, and the decisions.

Typed, keyword-only, the session passed in; no request state. Opening a pair shows two
profiles, so it is audited as a profile view of each (purpose "data correction", the
reason "checking a likely duplicate"): each expert reads it on their views page.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, selectinload
from sqlmodel import Session

from roster.messages import N_, Message
from roster.models import AuditEvent, DuplicatePair, Expert, PairStatus, User, utcnow
from roster.policy.privacy import ViewPurpose
from roster.recruiting.merge import (
    CHOOSABLE,
    MergeChanged,
    Merged,
    MergeRefused,
    check_mergeable,
    merge_experts,
)
from roster.refusal import Changed

PAGE_SIZE = 25
REVIEW_REASON = "checking a likely duplicate"
DECIDED = Message(
    N_("This pair was decided meanwhile (merged, or said to be two people); nothing was changed.")
)

# How each compared field is named on the page.
FIELD_LABELS: dict[str, str] = {
    "full_name": N_("Full name"),
    "email": N_("Email"),
    "residence_country": N_("Country of residence"),
    "seniority": N_("Seniority"),
    "years_experience": N_("Years of experience"),
    "summary": N_("Summary"),
    "cv": N_("CV"),
}


class PairDecided(Changed):
    """The pair is no longer open: someone decided it since the page opened."""

    def __init__(self) -> None:
        super().__init__(DECIDED)


@dataclass(frozen=True)
class PairPage:
    """One page of open pairs, best score first, with both experts loaded."""

    pairs: list[tuple[DuplicatePair, Expert, Expert]]
    total: int
    number: int
    pages: int


@dataclass(frozen=True)
class Row:
    """One field of the two records side by side."""

    name: str
    label: str
    first: Any
    second: Any

    @property
    def agrees(self) -> bool:
        """Whether both records hold the same value."""
        return self.first == self.second


def open_pairs(*, session: Session, page: int = 1, per_page: int = PAGE_SIZE) -> PairPage:
    """Open pairs of two records neither merged, best score first, a page at a time."""
    first, second = aliased(Expert), aliased(Expert)
    base = (
        select(DuplicatePair, first, second)
        .join(first, first.id == DuplicatePair.first_id)
        .join(second, second.id == DuplicatePair.second_id)
        .where(
            DuplicatePair.status == PairStatus.OPEN.value,
            first.merged_into_id.is_(None),
            second.merged_into_id.is_(None),
        )
    )
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, page), pages)
    rows = session.execute(
        base.order_by(DuplicatePair.score.desc(), DuplicatePair.id)
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    return PairPage([tuple(row) for row in rows], total, number, pages)


def open_pairs_after(
    *, session: Session, after: str | None = None, limit: int = PAGE_SIZE
) -> list[tuple[DuplicatePair, Expert, Expert]] | None:
    """Open pairs as ``open_pairs`` orders them, after the pair ``after`` (a keyset page).

    Returns up to ``limit`` pairs with both experts, or None when ``after`` names no pair
    (a page link made before that pair was united with another by a merge).
    """
    first, second = aliased(Expert), aliased(Expert)
    query = (
        select(DuplicatePair, first, second)
        .join(first, first.id == DuplicatePair.first_id)
        .join(second, second.id == DuplicatePair.second_id)
        .where(
            DuplicatePair.status == PairStatus.OPEN.value,
            first.merged_into_id.is_(None),
            second.merged_into_id.is_(None),
        )
    )
    if after is not None:
        key = session.execute(
            select(DuplicatePair.score, DuplicatePair.id).where(DuplicatePair.public_id == after)
        ).first()
        if key is None:
            return None
        score, pair_id = key
        query = query.where(
            DuplicatePair.score <= score,
            or_(DuplicatePair.score < score, DuplicatePair.id > pair_id),
        )
    rows = session.execute(
        query.order_by(DuplicatePair.score.desc(), DuplicatePair.id).limit(limit)
    ).all()
    return [tuple(row) for row in rows]


def pair_by_public_id(*, session: Session, public_id: str) -> DuplicatePair | None:
    """The pair with this public id (never looked up by the sequential key)."""
    if not isinstance(public_id, str) or len(public_id) > 32:
        return None
    return session.scalar(select(DuplicatePair).where(DuplicatePair.public_id == public_id))


def experts_of(*, session: Session, pair: DuplicatePair) -> tuple[Expert, Expert]:
    """The pair's two records, as they stand now, with their lists loaded."""
    options = [
        selectinload(Expert.nationalities),
        selectinload(Expert.languages),
        selectinload(Expert.skills),
        selectinload(Expert.accessibility),
        selectinload(Expert.availability),
        selectinload(Expert.deployments),
    ]
    found = {
        e.id: e
        for e in session.scalars(
            select(Expert)
            .options(*options)
            .where(Expert.id.in_([pair.first_id, pair.second_id]))
            .execution_options(populate_existing=True)
        )
    }
    return found[pair.first_id], found[pair.second_id]


def compare(first: Expert, second: Expert) -> list[Row]:
    """The choosable fields side by side (the CV as its file name)."""
    rows = []
    for name in CHOOSABLE:
        if name == "cv":
            rows.append(
                Row(name, FIELD_LABELS[name], first.cv_original_name, second.cv_original_name)
            )
        else:
            rows.append(Row(name, FIELD_LABELS[name], getattr(first, name), getattr(second, name)))
    return rows


def record_review(*, session: Session, pair: DuplicatePair, by: User) -> None:
    """Audit the opening of a pair as a profile view of each of its two records."""
    for expert_id in (pair.first_id, pair.second_id):
        session.add(
            AuditEvent(
                actor_id=by.id,
                action="profile.view",
                subject_expert_id=expert_id,
                reason=REVIEW_REASON,
                detail={"purpose": ViewPurpose.DATA_CORRECTION.value, "pair": pair.public_id},
            )
        )


def _open_or_refuse(pair: DuplicatePair) -> None:
    if pair.status != PairStatus.OPEN.value:
        raise PairDecided()


def not_same(*, session: Session, pair: DuplicatePair, by: User) -> None:
    """Remember that the pair is two people: it is never shown again (audited).

    Raises:
        PairDecided: the pair was decided meanwhile.
    """
    _open_or_refuse(pair)
    pair.status = PairStatus.NOT_SAME.value
    pair.decided_by_id, pair.decided_at = by.id, utcnow()
    session.add(pair)
    for expert_id in (pair.first_id, pair.second_id):
        session.add(
            AuditEvent(
                actor_id=by.id,
                action="duplicates.not_same",
                subject_expert_id=expert_id,
                detail={"pair": pair.public_id},
            )
        )


def merge_pair(
    *,
    session: Session,
    pair: DuplicatePair,
    survivor_public_id: str,
    choices: Mapping[str, str],
    versions: Mapping[str, int],
    by: User,
) -> Merged:
    """Merge the pair's records into the one chosen, taking each chosen field's value.

    Args:
        survivor_public_id: the public id of the record that stays.
        choices: for each field of ``CHOOSABLE``, the public id of the record whose value
            survives.
        versions: each record's version as the page showed it, by public id.
    Raises:
        MergeRefused: a survivor or choice naming neither record, a record merged already.
        MergeChanged, PairDecided: a record or the pair changed since the page opened.
    """
    first, second = experts_of(session=session, pair=pair)
    by_public = {first.public_id: first, second.public_id: second}
    if survivor_public_id not in by_public:
        raise MergeRefused.at("survivor", N_("Choose which record stays."))
    survivor = by_public[survivor_public_id]
    other = second if survivor is first else first
    check_mergeable(survivor=survivor, other=other)
    _open_or_refuse(pair)
    ids: dict[str, int] = {}
    for name, public_id in choices.items():
        if public_id not in by_public:
            raise MergeRefused.at(name, N_("Choose one of the two records' values."))
        ids[name] = by_public[public_id].id
    try:
        seen = {by_public[p].id: int(v) for p, v in versions.items() if p in by_public}
    except (TypeError, ValueError):
        raise MergeChanged() from None
    return merge_experts(
        session=session,
        survivor=survivor,
        other=other,
        choices=ids,
        versions=seen,
        by=by,
        pair=pair,
    )


def pairs_of(*, session: Session, expert_id: int) -> int:
    """How many open pairs a record is in."""
    return (
        session.scalar(
            select(func.count())
            .select_from(DuplicatePair)
            .where(
                DuplicatePair.status == PairStatus.OPEN.value,
                or_(DuplicatePair.first_id == expert_id, DuplicatePair.second_id == expert_id),
            )
        )
        or 0
    )
