"""Exposure: how concentrated the top of the shortlists issued in a period is.

A matcher that shows the same few experts first on every shortlist leaves the rest of the
roster unseen. Over the shortlists issued in a period (their ``created_at``, days in UTC,
both ends included), only each role's latest one counting (a shortlist issued again after
a widening or with other weights replaces the one before: counting both would count the
same planner's look at the same role twice, and the experts who top both twice), this
counts, for the first position, the top 3, the top 10 and whole
shortlists, how many slots were filled, by how many experts, and how evenly: the share of
the slots the 10 most-shown experts hold, the effective number of experts
(``1 / sum(share ** 2)``: as many experts as, each shown equally often, would give the same
concentration), the Gini coefficient of the counts (0 when every expert shown is shown
equally often, towards 1 when a few take nearly every slot) and the breadth (distinct
experts shown who are rostered now / experts rostered now: at most 1, an expert shown
then withdrawn or suspended since is not counted). Then the experts shown most, with
what became of their candidacies.

An erased expert's entries stay on the shortlists without the person (``expert_id`` is
null): they count in the slots filled and are listed together as erased experts, but who
held them is not known, so the measures of spread (distinct experts, shares, effective
number, Gini, breadth) are over the slots of experts still on record.

Two queries, whatever the number of shortlists: the shortlists and rostered experts
counted, then the entries grouped by expert (candidacies and their decisions grouped by
role and expert inside the same statement, the decisions only of the roles shortlisted
in the period).
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import Integer, and_, case, func, select
from sqlmodel import Session

from roster.messages import N_
from roster.models import (
    CandidateDecision,
    CandidateOutcome,
    Expert,
    RosterStatus,
    Shortlist,
    ShortlistEntry,
)
from roster.refusal import Problems, Refused

__all__ = [
    "DEFAULT_DAYS",
    "DEPTHS",
    "MAX_DAYS",
    "MOST_EXPOSED",
    "ExposedExpert",
    "Exposure",
    "ExposureRefused",
    "Period",
    "Spread",
    "exposure",
    "parse_period",
    "period",
]

DEFAULT_DAYS = 90
MAX_DAYS = 5 * 365 + 2  # five years, leap days included
# Each depth's count of an expert's slots in ``_by_expert``: first, top 3, top 10, anywhere.
DEPTHS: dict[str, int | None] = {"first": 1, "top3": 3, "top10": 10, "slots": None}
MOST_EXPOSED = 20
TOP_SHARE_OF = 10  # the share of the slots held by this many of the most-shown experts
SELECTED = (CandidateOutcome.SELECTED, CandidateOutcome.DEPLOYED, CandidateOutcome.COMPLETED)
DEPLOYED = (CandidateOutcome.DEPLOYED, CandidateOutcome.COMPLETED)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class ExposureRefused(Refused):
    """A period the report cannot cover."""


@dataclass(frozen=True)
class Period:
    """Days in UTC, ``since`` to ``until``, both included."""

    since: date
    until: date

    @property
    def days(self) -> int:
        """How many days the period covers."""
        return (self.until - self.since).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """The first moment in the period and the first moment after it."""
        after = (
            datetime.combine(self.until + timedelta(days=1), time.min, UTC)
            if self.until < date.max
            else datetime.max.replace(tzinfo=UTC)
        )
        return datetime.combine(self.since, time.min, UTC), after


def period(*, since: date | None, until: date | None, today: date) -> Period:
    """The period asked for, the last ``DEFAULT_DAYS`` days by default.

    A missing last day is ``today``; a missing first day is ``DEFAULT_DAYS`` days before
    the last, counting both.

    Raises:
        ExposureRefused: the first day comes after the last, or the period is longer than
            ``MAX_DAYS`` days (problems at ``from`` and ``to``).
    """
    until = until or today
    if since is None:
        early = until.toordinal() <= DEFAULT_DAYS  # no day before the first there is
        since = date.min if early else until - timedelta(days=DEFAULT_DAYS - 1)
    problems = Problems()
    if since > until:
        problems.add("to", N_("The last day comes before the first day. Please swap them."))
    elif (until - since).days + 1 > MAX_DAYS:
        problems.add(
            "from",
            N_("A period is at most five years (%(days)s days). Please choose a shorter one."),
            days=MAX_DAYS,
        )
    problems.raise_if_any(ExposureRefused)
    return Period(since=since, until=until)


def parse_period(*, since: str | None, until: str | None, today: date) -> Period:
    """``period`` from days written as ISO 8601 (``2027-03-01``); empty text is no day.

    Raises:
        ExposureRefused: a day is not a date (at ``from`` or ``to``), or as ``period``.
    """
    problems = Problems()
    days: dict[str, date | None] = {}
    for path, text in (("from", since), ("to", until)):
        days[path] = None
        if text is None or not text.strip():
            continue
        if _ISO_DAY.fullmatch(text.strip()):
            try:
                days[path] = date.fromisoformat(text.strip())
            except ValueError:  # 2027-02-30
                pass
        if days[path] is None:
            problems.add(
                path,
                N_("This must be a day written year-month-day, like %(example)s."),
                example="2027-03-01",
            )
    problems.raise_if_any(ExposureRefused)
    return period(since=days["from"], until=days["to"], today=today)


@dataclass(frozen=True)
class Spread:
    """How the slots of one depth (first, top 3, top 10, whole shortlist) are spread.

    ``depth`` is None for whole shortlists. ``slots`` counts erased experts' entries too
    (``erased_slots`` of them); the other figures are over the experts still on record,
    None where no slot was filled.
    """

    depth: int | None
    slots: int
    erased_slots: int
    experts: int
    top_share: float | None
    effective: float | None
    gini: float | None
    breadth: float | None


@dataclass(frozen=True)
class ExposedExpert:
    """An expert as shown in the period: slots first, in the top 3, anywhere.

    ``candidacies`` are the roles they were shortlisted for; ``selected`` and ``deployed``
    how many of those reached that outcome at any time (deployed includes completed,
    selected both). Erased experts, together, have no name, candidacies or outcomes (None):
    whose entries were whose is no longer known.
    """

    public_id: str | None
    external_id: str | None
    name: str | None
    first: int
    top3: int
    shortlisted: int
    candidacies: int | None
    selected: int | None
    deployed: int | None


@dataclass(frozen=True)
class Exposure:
    """The report for one period.

    ``shortlists`` issued in the period, for ``roles`` roles: only each role's latest
    shortlist of the period counts in the spreads and the experts shown most.
    """

    period: Period
    shortlists: int
    roles: int
    rostered: int
    spreads: tuple[Spread, ...]
    most_exposed: tuple[ExposedExpert, ...]
    erased: ExposedExpert | None


def gini(counts: np.ndarray) -> float | None:
    """The Gini coefficient of non-negative counts: 0 all equal, towards 1 one takes all."""
    if counts.size == 0 or counts.sum() == 0:
        return None
    ordered = np.sort(counts.astype(float))
    n = ordered.size
    ranks = np.arange(1, n + 1)
    return float(2 * (ranks * ordered).sum() / (n * ordered.sum()) - (n + 1) / n)


def spread(
    depth: int | None,
    counts: np.ndarray,
    erased: int,
    rostered: int,
    rostered_now: np.ndarray | None = None,
) -> Spread:
    """The figures of one depth from each expert's count of slots (zeros ignored).

    ``rostered_now`` says, expert by expert, who is rostered now (all of them if None):
    the breadth counts only those, over the ``rostered`` experts, so it is at most 1.
    """
    now = np.ones(counts.shape, dtype=bool) if rostered_now is None else rostered_now
    reached = int(np.count_nonzero((counts > 0) & now))
    shown = counts[counts > 0]
    total = int(shown.sum())
    shares = shown / total if total else shown.astype(float)
    return Spread(
        depth=depth,
        slots=total + erased,
        erased_slots=erased,
        experts=int(shown.size),
        top_share=float(np.sort(shares)[::-1][:TOP_SHARE_OF].sum()) if total else None,
        effective=float(1 / (shares**2).sum()) if total else None,
        gini=gini(shown),
        breadth=reached / rostered if rostered and total else None,
    )


def _in_period(start: datetime, end: datetime):
    return and_(Shortlist.created_at >= start, Shortlist.created_at < end)


def _counted(session: Session, start: datetime, end: datetime) -> tuple[int, int, int]:
    """(shortlists issued in the period, roles they were for, rostered experts now)."""
    issued = select(func.count(Shortlist.id)).where(_in_period(start, end)).scalar_subquery()
    roles = (
        select(func.count(Shortlist.role_id.distinct()))
        .where(_in_period(start, end))
        .scalar_subquery()
    )
    rostered = (
        select(func.count(Expert.id))
        .where(Expert.roster_status == RosterStatus.ROSTERED, Expert.merged_into_id.is_(None))
        .scalar_subquery()
    )
    row = session.execute(select(issued, roles, rostered)).one()
    return int(row[0]), int(row[1]), int(row[2])


def _latest(start: datetime, end: datetime):
    """The ids of each role's latest shortlist issued in the period (the one that counts)."""
    order = func.row_number().over(
        partition_by=Shortlist.role_id, order_by=(Shortlist.created_at.desc(), Shortlist.id.desc())
    )
    issued = select(Shortlist.id, order.label("newest")).where(_in_period(start, end)).subquery()
    return select(issued.c.id).where(issued.c.newest == 1)


def _within(rank: int):
    return func.sum(case((ShortlistEntry.rank <= rank, 1), else_=0))


def _reached(outcomes: tuple[CandidateOutcome, ...]):
    return func.max(case((CandidateDecision.outcome.in_(outcomes), 1), else_=0))


def _by_expert(session: Session, start: datetime, end: datetime):
    """Each expert's slots at each depth and candidacies in the period (erased: one row)."""
    candidacies = (
        select(
            Shortlist.role_id,
            ShortlistEntry.expert_id,
            _within(1).label("first"),
            _within(3).label("top3"),
            _within(10).label("top10"),
            func.count().label("slots"),
        )
        .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
        .where(Shortlist.id.in_(_latest(start, end)))
        .group_by(Shortlist.role_id, ShortlistEntry.expert_id)
        .subquery()
    )
    decided = (
        select(
            CandidateDecision.role_id,
            CandidateDecision.expert_id,
            _reached(SELECTED).label("selected"),
            _reached(DEPLOYED).label("deployed"),
        )
        .where(
            CandidateDecision.expert_id.is_not(None),
            # Only the roles shortlisted in the period: not the whole table every time.
            CandidateDecision.role_id.in_(select(Shortlist.role_id).where(_in_period(start, end))),
        )
        .group_by(CandidateDecision.role_id, CandidateDecision.expert_id)
        .subquery()
    )
    c = candidacies.c
    query = (
        select(
            c.expert_id,
            Expert.public_id,
            Expert.external_id,
            Expert.full_name,
            Expert.roster_status,
            Expert.merged_into_id,
            func.sum(c.first).cast(Integer).label("first"),
            func.sum(c.top3).cast(Integer).label("top3"),
            func.sum(c.top10).cast(Integer).label("top10"),
            func.sum(c.slots).cast(Integer).label("slots"),
            func.count().label("candidacies"),
            func.coalesce(func.sum(decided.c.selected), 0).cast(Integer).label("selected"),
            func.coalesce(func.sum(decided.c.deployed), 0).cast(Integer).label("deployed"),
        )
        .select_from(candidacies)
        .outerjoin(Expert, Expert.id == c.expert_id)
        .outerjoin(
            decided,
            and_(decided.c.role_id == c.role_id, decided.c.expert_id == c.expert_id),
        )
        .group_by(
            c.expert_id,
            Expert.public_id,
            Expert.external_id,
            Expert.full_name,
            Expert.roster_status,
            Expert.merged_into_id,
        )
    )
    return session.execute(query).all()


def exposure(*, session: Session, period: Period) -> Exposure:
    """The exposure report for the shortlists issued in ``period``.

    Args:
        session: the session to read in.
        period: the days whose shortlists count (``period`` or ``parse_period`` makes one).

    Returns:
        The shortlists issued, the rostered experts now, one ``Spread`` per depth of
        ``DEPTHS``, the ``MOST_EXPOSED`` experts shown most (by times first, then in the
        top 3, then shortlisted, then name) and the erased experts' entries together
        (None when there are none).
    """
    start, end = period.bounds()
    shortlists, roles, rostered = _counted(session, start, end)
    rows = _by_expert(session, start, end)
    known = [row for row in rows if row.expert_id is not None]
    gone = next((row for row in rows if row.expert_id is None), None)
    now = np.array(
        [
            row.roster_status == RosterStatus.ROSTERED and row.merged_into_id is None
            for row in known
        ],
        dtype=bool,
    )
    spreads = tuple(
        spread(
            depth,
            np.array([getattr(row, name) for row in known], dtype=np.int64),
            getattr(gone, name) if gone else 0,
            rostered,
            now,
        )
        for name, depth in DEPTHS.items()
    )
    ranked = sorted(known, key=lambda row: (-row.first, -row.top3, -row.slots, row.full_name))
    return Exposure(
        period=period,
        shortlists=shortlists,
        roles=roles,
        rostered=rostered,
        spreads=spreads,
        most_exposed=tuple(_exposed(row) for row in ranked[:MOST_EXPOSED]),
        erased=_exposed(gone, erased=True) if gone else None,
    )


def _exposed(row, *, erased: bool = False) -> ExposedExpert:
    return ExposedExpert(
        public_id=None if erased else row.public_id,
        external_id=None if erased else row.external_id,
        name=None if erased else row.full_name,
        first=row.first,
        top3=row.top3,
        shortlisted=row.slots,
        candidacies=None if erased else row.candidacies,
        selected=None if erased else row.selected,
        deployed=None if erased else row.deployed,
    )
