"""The dashboard's figures kept between requests, and brought up to date beside them.

Counting a roster of 100,000 takes seconds (``diversity.diversity_dashboard``); the
figures change only when the data do. So an app keeps the last figures with a
fingerprint of what they were computed from. A request whose fingerprint matches gets
them at once; one that finds the data changed gets the kept figures, marked with the
time they were computed, while one thread computes the new ones (a request finding
nothing kept computes them itself).
"""

import threading
from collections.abc import Callable, MutableMapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from roster.models import MissionRole, NeedsAssessment, RosterStatusChange, UnmetDemand
from roster.recruiting.diversity import Diversity, diversity_dashboard
from roster.revisions import revision_key

_LOCK = threading.Lock()
_KEY = "diversity"


@dataclass(frozen=True)
class Kept:
    """Figures, what they were computed from, and when."""

    fingerprint: tuple
    figures: Diversity
    computed_at: datetime
    current: bool = True


def data_fingerprint(session: Session, today: date) -> tuple:
    """What the figures depend on, read cheaply: when it is unchanged, so are they.

    The roster revision moves with every write to what the record holds (statuses,
    gender, disability, birth year, nationalities, languages, expertise, merges); the
    status history, the needs assessments and the unmet-demand log are read by their
    newest row and their count; the day sets the quarters and the demand window.
    """
    history = session.exec(
        select(func.max(RosterStatusChange.id), func.count(RosterStatusChange.id))
    ).one()
    needs = session.exec(
        select(func.max(NeedsAssessment.updated_at), func.count(NeedsAssessment.id))
    ).one()
    roles = session.exec(select(func.max(MissionRole.id), func.count(MissionRole.id))).one()
    unmet = session.exec(
        select(func.max(UnmetDemand.recorded_at), func.count(UnmetDemand.id))
    ).one()
    return (
        today,
        revision_key(session),
        tuple(history),
        tuple(needs),
        tuple(roles),
        tuple(unmet),
    )


def kept_dashboard(
    *,
    session: Session,
    store: MutableMapping[str, object],
    opener: Callable[[], AbstractContextManager[Session]] | None = None,
    today: date | None = None,
) -> Kept:
    """The dashboard's figures: kept ones while current, else new ones.

    Args:
        session: an open database session.
        store: where the figures are kept (one app's: each app has its own database).
        opener: opens a session of the same database for a thread; with it, a change
            found in the data returns the kept figures (``current`` False) and computes
            the new ones in a thread; without it, the new ones are computed at once.
        today: as for ``diversity_dashboard``.
    Returns:
        A ``Kept``: the figures, and when they were computed.
    """
    today = today or datetime.now(UTC).date()
    fingerprint = data_fingerprint(session, today)
    with _LOCK:
        kept = store.get(_KEY)
    if isinstance(kept, Kept) and kept.fingerprint == fingerprint:
        return kept
    if isinstance(kept, Kept) and opener is not None:
        _refresh_beside(store, opener, today)
        return Kept(kept.fingerprint, kept.figures, kept.computed_at, current=False)
    return _compute(store, session, today, fingerprint)


def _compute(store, session: Session, today: date, fingerprint: tuple) -> Kept:
    fresh = Kept(fingerprint, diversity_dashboard(session=session, today=today), datetime.now(UTC))
    with _LOCK:
        store[_KEY] = fresh
    return fresh


def _refresh_beside(store, opener, today: date) -> None:
    """Compute the new figures in one thread at a time; requests meanwhile get the kept ones."""
    with _LOCK:
        running = store.get("refreshing")
        if isinstance(running, threading.Thread) and running.is_alive():
            return

        def refresh() -> None:
            with opener() as session:
                _compute(store, session, today, data_fingerprint(session, today))

        thread = threading.Thread(target=refresh, name="dashboard-refresh", daemon=True)
        store["refreshing"] = thread
    thread.start()
