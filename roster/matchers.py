"""One fitted matcher per process, kept up to date in the background, started from a snapshot.

``current_matcher()`` answers at once with the matcher the process holds and the roster
revision it reflects (``roster.revisions``). The first call loads the newest snapshot
(``instance/matcher/``, memory-mapped, so the workers of a machine share its arrays) or,
without a usable one, fits. From then on a thread of the process compares the roster
revision with the fitted one (every ``POLL_SECONDS``, and at once when asked for a
matcher) and, when it moved, reads the rostered experts again with a few Core queries
(``read_records``: no ORM), fits a new matcher, saves it as a snapshot and serves the
snapshot's memory-mapped copy. No request waits for a fit once a matcher exists.

A new snapshot needs no roster change rows older than itself; the thread prunes them.

The matcher is fitted with the weights and shapes in use (``roster.missions.learning.in_use``:
the adopted learning run's, or the defaults). The adoption in force is part of the key the
thread watches, so adopting a run, or going back to the defaults, makes it fit again; a
snapshot fitted with other weights or shapes is never served.
"""

import copy
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import joblib
from flask import Flask, current_app
from sqlalchemy import delete, func, select
from sqlmodel import Session

from matching import Matcher
from roster.db import engines
from roster.missions.learning import InUse, adoption_marker, in_use
from roster.models import (
    AvailabilityWindow,
    Deployment,
    Expert,
    ExpertAccessibility,
    ExpertLanguage,
    ExpertNationality,
    ExpertSkill,
    RosterChange,
    RosterStatus,
    utcnow,
)
from roster.revisions import revision_key, roster_revision

__all__ = [
    "Fitted",
    "current_matcher",
    "read_records",
    "read_verified",
    "roster_revision",
    "stop_matcher",
    "up_to_date_matcher",
]

log = logging.getLogger(__name__)

# How often the background thread looks at the roster revision, and at most how often.
POLL_SECONDS = 0.5
MIN_CHECK_SECONDS = 0.1
# Snapshots kept in the folder: the newest, and the one a starting worker may be loading.
SNAPSHOTS_KEPT = 2
# A snapshot is written after a fit, and after updates at most this often.
SNAPSHOT_EVERY_S = 30.0
# Beyond this many changed experts, a fit is quicker than an update.
UPDATE_AT_MOST = 2000
# Change rows are pruned only once there are more than this many, and never the newest.
PRUNE_ABOVE = 1000
# Nor before this age: a transaction still open may have taken a lower id than the newest.
PRUNE_AFTER = timedelta(hours=1)
# The key the thread watches: the roster revision, its count of change rows, and the
# adoption of weights in force (0: the defaults, never chosen).
Key = tuple[int, int, int]
SNAPSHOT_PREFIX = "matcher-"
SNAPSHOT_SUFFIX = ".joblib"


@dataclass(frozen=True)
class Fitted:
    """A matcher fitted on the rostered experts, and the roster revision it reflects."""

    matcher: Matcher
    revision: int


def current_matcher(app: Flask | None = None) -> Fitted:
    """The process's fitted matcher; never waits for a refit once one exists (first call may fit or load the snapshot)."""  # noqa: E501
    return _provider(app or current_app._get_current_object()).current()


def up_to_date_matcher(app: Flask | None = None) -> Fitted:
    """The process's matcher once it reflects the roster as it is now (for commands).

    A command is not a request: it may wait for the refit that a stale snapshot needs.
    """
    provider = _provider(app or current_app._get_current_object())
    provider.current()
    return provider.caught_up()


def stop_matcher(app: Flask) -> None:
    """Stop the background thread of ``app``'s provider in this process, if it runs."""
    provider = app.extensions.pop("roster_matcher", None)
    if provider is not None:
        provider.stop()


def read_records(session: Session, expert_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Read the rostered experts (of ``expert_ids``, or all) as the matcher reads them.

    The same fields as ``roster.interchange.store.iter_records(rostered_only=True)`` gives
    the matcher (gender only with consent), without the fields it does not read (names,
    addresses, comments): whole tables, grouped by expert, on the driver's cursor (a
    third of the time of SQLAlchemy's rows, and a tenth of the ORM's).
    """
    # A record merged into another is the survivor's: never matched on its own.
    rostered = (Expert.roster_status == RosterStatus.ROSTERED) & Expert.merged_into_id.is_(None)
    if expert_ids is not None:
        rostered = rostered & Expert.id.in_(sorted(expert_ids))
    query = select(
        Expert.id,
        Expert.external_id,
        Expert.gender,
        Expert.gender_consent_at,
        Expert.seniority,
        Expert.years_experience,
        Expert.summary,
    ).where(rostered)
    connection = session.connection()
    experts: dict[int, dict[str, Any]] = {}
    for eid, external_id, gender, consent_at, seniority, years, summary in _raw(connection, query):
        record: dict[str, Any] = {
            "external_id": external_id,
            "roster_status": RosterStatus.ROSTERED.value,
            "nationalities": [],
            "languages": [],
            "skills": [],
            "accessibility_expertise": [],
            "availability": [],
            "deployments": [],
            "summary": summary or "",
        }
        if consent_at is not None and gender is not None:
            record["gender"], record["consent"] = gender, {"gender": True}
        if seniority is not None:
            record["seniority"] = seniority
        if years is not None:
            record["years_experience"] = years
        experts[eid] = record
    for table, columns, order, field, shape in _CHILDREN:
        joined = (
            select(table.expert_id, *columns)
            .join(Expert, Expert.id == table.expert_id)
            .where(rostered)
            .order_by(table.expert_id, *order)
        )
        for eid, *values in _raw(connection, joined):
            experts[eid][field].append(shape(*values))
    return list(experts.values())


def read_verified(
    session: Session, expert_ids: Iterable[int] | None = None
) -> dict[str, list[str]]:
    """The expertise areas a recruiter verified, by external id, of the rostered experts.

    Said beside the records (``Matcher.fit(records, verified=...)``): the interchange
    record has no room for it. An expert with no verified area has no entry; an update
    with their record then holds none of their areas verified.
    """
    rostered = Expert.roster_status == RosterStatus.ROSTERED
    if expert_ids is not None:
        rostered = rostered & Expert.id.in_(sorted(expert_ids))
    query = (
        select(Expert.external_id, ExpertSkill.code)
        .join(Expert, Expert.id == ExpertSkill.expert_id)
        .where(rostered, ExpertSkill.verified_at.is_not(None))
        .order_by(Expert.external_id, ExpertSkill.position)
    )
    verified: dict[str, list[str]] = {}
    for external_id, code in _raw(session.connection(), query):
        verified.setdefault(external_id, []).append(code)
    return verified


def _raw(connection, query) -> list[tuple]:
    """Run a SELECT of constants on the driver's own cursor and return its tuples."""
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _iso(day) -> str:
    """A day as SQLite stores it (text) or as PostgreSQL's driver gives it (a date)."""
    return day if isinstance(day, str) else day.isoformat()


def _skill(code: str, years: int | None) -> dict[str, Any]:
    return {"code": code} if years is None else {"code": code, "years": years}


def _rating(rating: int | None) -> dict[str, Any]:
    return {} if rating is None else {"rating": rating}


_CHILDREN = (
    (
        ExpertNationality,
        [ExpertNationality.country],
        [ExpertNationality.position],
        "nationalities",
        lambda country: country,
    ),
    (
        ExpertLanguage,
        [ExpertLanguage.code, ExpertLanguage.level],
        [ExpertLanguage.position],
        "languages",
        lambda code, level: {"code": code, "level": level},
    ),
    (ExpertSkill, [ExpertSkill.code, ExpertSkill.years], [ExpertSkill.position], "skills", _skill),
    (
        ExpertAccessibility,
        [ExpertAccessibility.code],
        [ExpertAccessibility.position],
        "accessibility_expertise",
        lambda code: code,
    ),
    (
        AvailabilityWindow,
        [AvailabilityWindow.start, AvailabilityWindow.end],
        [AvailabilityWindow.start, AvailabilityWindow.end],
        "availability",
        lambda start, end: {"from": _iso(start), "to": _iso(end)},
    ),
    (
        Deployment,
        [Deployment.rating],
        [Deployment.start, Deployment.end],
        "deployments",
        _rating,
    ),
)


def matcher_for(used: InUse) -> Matcher:
    """An unfitted matcher with the weights and shapes in use."""
    return Matcher(weights=dict(used.weights), shapes=used.shapes)


def _key(session: Session) -> Key:
    """What the fitted matcher must reflect: the roster revision and the adoption marker.

    Two cheap reads, made on every request and every poll: the adoption itself (and its
    run's weights) is read only to fit or to load a snapshot (``_state``).
    """
    return (*revision_key(session), adoption_marker(session))


def _state(session: Session) -> tuple[Key, InUse]:
    """The key, and the adoption in force with its weights and shapes: to fit or load."""
    used = in_use(session)
    return (*revision_key(session), used.marker), used


def _fitted_as(matcher: Matcher, used: InUse) -> bool:
    """Whether ``matcher`` was made with the weights and shapes in use."""
    weights = getattr(matcher, "weights", None)
    return dict(weights or {}) == dict(used.weights) and getattr(matcher, "shapes", None) == (
        used.shapes
    )


def _revision_of(snapshot: Path) -> int:
    return int(snapshot.name.removeprefix(SNAPSHOT_PREFIX).removesuffix(SNAPSHOT_SUFFIX))


def snapshot_folder(app: Flask) -> Path:
    """Where an app's matcher snapshots are kept."""
    return Path(app.instance_path) / "matcher"


def _provider(app: Flask) -> "_Provider":
    """The app's provider in this process (a forked worker gets its own)."""
    provider = app.extensions.get("roster_matcher")
    if provider is None or provider.pid != os.getpid():
        with _CREATING:
            provider = app.extensions.get("roster_matcher")
            if provider is None or provider.pid != os.getpid():
                provider = app.extensions["roster_matcher"] = _Provider(app)
    return provider


_CREATING = threading.Lock()


class _Provider:
    """Holds the fitted matcher of one app in one process, and the thread that renews it."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.pid = os.getpid()
        self.folder = snapshot_folder(app)
        self.fitted: Fitted | None = None
        self.key: Key | None = None
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.stopped = threading.Event()
        self.saved_at = float("-inf")
        self.failure: Exception | None = None
        self.renewed = threading.Condition()

    def current(self) -> Fitted:
        """Return the fitted matcher; the first call loads a snapshot or fits."""
        fitted = self.fitted
        if fitted is None:
            with self.lock:
                if self.fitted is None:
                    self._start()
                fitted = self.fitted
            self._run_thread()
        assert fitted is not None
        self.wake.set()  # look at the revision now rather than at the next poll
        return fitted

    def _session(self) -> Session:
        return Session(engines(self.app).read, expire_on_commit=False)

    def _start(self) -> None:
        """Load the newest usable snapshot, or fit when there is none."""
        with self._session() as session:
            key, used = _state(session)
        loaded = self._load_snapshot(key, used)
        if loaded is not None:
            self.fitted, self.key = loaded
            self.saved_at = time.monotonic()
            return
        self._refit()

    def _load_snapshot(self, key: Key, used: InUse) -> tuple[Fitted, Key] | None:
        """The newest snapshot not newer than the roster, fitted with the weights and
        shapes in use, memory-mapped; None if there is none usable."""
        revision = key[0]
        for path in sorted(self.folder.glob(f"{SNAPSHOT_PREFIX}*{SNAPSHOT_SUFFIX}"), reverse=True):
            try:
                saved = joblib.load(path, mmap_mode="r")
                fitted, saved_key = saved["fitted"], tuple(saved["key"])
                if not isinstance(fitted, Fitted) or not isinstance(fitted.matcher, Matcher):
                    raise TypeError("not a fitted matcher")
                fitted.matcher.n_experts_  # noqa: B018  (fitted, or AttributeError)
                if not getattr(fitted.matcher, "verified_", False):
                    raise TypeError("fitted without the verified expertise")
                if len(saved_key) != 3 or not _fitted_as(fitted.matcher, used):
                    raise TypeError("fitted with other weights or shapes than those in use")
            except Exception as error:  # noqa: BLE001  (a snapshot is only a shortcut)
                log.warning("Matcher snapshot %s unusable, skipped: %s", path.name, error)
                continue
            if fitted.revision > revision:
                continue  # from another database, or one restored from a backup
            # Its adoption is the one in force (the weights and shapes say so), whatever
            # adoption row put them there.
            return fitted, (*saved_key[:2], key[2])  # type: ignore[return-value]
        return None

    def _refit(self, *, erased: bool = False) -> None:
        """Read the whole roster and fit; after an erasure, keep no older snapshot."""
        with self._session() as session:
            session.connection()  # one transaction: the key and the records agree
            key, used = _state(session)
            records = read_records(session)
            verified = read_verified(session)
        fitted = Fitted(matcher_for(used).fit(records, verified=verified), key[0])
        del records
        self._serve(fitted, key, snapshot=True, keep=1 if erased else SNAPSHOTS_KEPT)

    def _catch_up(self, key: Key) -> None:
        """Bring the matcher up to ``key``: an update with the changed experts, or a fit.

        A fit when a change names no expert (a bulk write), names an expert no longer
        stored (erased: their external id is gone), when change rows appeared below
        the fitted revision or went (a late commit on PostgreSQL, or pruning), or when
        other weights were adopted (the shapes are fitted state).
        """
        assert self.fitted is not None and self.key is not None
        erased = False
        with self._session() as session:
            session.connection()  # one transaction: the key, the changes and the records agree
            key = _key(session)
            since = select(RosterChange.expert_id).where(RosterChange.id > self.fitted.revision)
            changed = list(session.scalars(since))
            ids = set(changed)
            named = ids - {None}
            stored = select(Expert.id, Expert.external_id).where(Expert.id.in_(named))
            external = dict(session.execute(stored).all()) if named else {}
            erased = len(external) < len(named)
            whole = (
                not ids
                or key[2] != self.key[2]
                or None in ids
                or len(changed) != key[1] - self.key[1]
                or len(ids) > UPDATE_AT_MOST
            )
            records = [] if whole or erased else read_records(session, ids)
            verified = {} if whole or erased else read_verified(session, ids)
        if whole or erased:
            # After an erasure, the erased expert's data leaves every snapshot.
            self._refit(erased=erased)
            return
        matcher = copy.copy(self.fitted.matcher).update(
            records, set(external.values()), verified=verified
        )
        self._serve(Fitted(matcher, key[0]), key, snapshot=self._snapshot_due())

    def _snapshot_due(self) -> bool:
        return time.monotonic() - self.saved_at >= SNAPSHOT_EVERY_S

    def _serve(
        self, fitted: Fitted, key: Key, *, snapshot: bool, keep: int = SNAPSHOTS_KEPT
    ) -> None:
        """Serve ``fitted``; with ``snapshot``, save it and serve the memory-mapped copy."""
        self.fitted, self.key = fitted, key
        if not snapshot:
            return
        try:
            path = self._save(fitted, key)
            self.fitted = joblib.load(path, mmap_mode="r")["fitted"]
            self.saved_at = time.monotonic()
            self._prune(fitted.revision, keep)
        except Exception:  # noqa: BLE001  (the fitted matcher serves without a snapshot)
            log.exception("The matcher snapshot could not be saved")

    def _save(self, fitted: Fitted, key: Key) -> Path:
        """Write a snapshot atomically (a temporary file, then a rename)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{SNAPSHOT_PREFIX}{fitted.revision:012d}{SNAPSHOT_SUFFIX}"
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        os.close(handle)
        try:
            joblib.dump({"fitted": fitted, "key": key}, temporary)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return path

    def _prune(self, revision: int, keep: int) -> None:
        """Keep the ``keep`` newest snapshots, and the change rows they may still need."""
        snapshots = sorted(self.folder.glob(f"{SNAPSHOT_PREFIX}*{SNAPSHOT_SUFFIX}"))
        for old in snapshots[:-keep]:
            old.unlink(missing_ok=True)
        kept = snapshots[-keep:]
        oldest = min([revision] + [_revision_of(path) for path in kept])
        with self._session() as session:
            if session.scalar(select(func.count()).select_from(RosterChange)) <= PRUNE_ABOVE:
                return
        with Session(engines(self.app).write) as session:
            session.execute(
                delete(RosterChange).where(
                    RosterChange.id < oldest, RosterChange.at < utcnow() - PRUNE_AFTER
                )
            )
            session.commit()

    def _run_thread(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._follow, name="roster-matcher", daemon=True)
            self.thread.start()

    def stop(self) -> None:
        """End the background thread (at its next poll) and wait for it."""
        self.stopped.set()
        self.wake.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join()

    def caught_up(self) -> Fitted:
        """Wait until the fitted matcher reflects the roster revision, then return it.

        Raises the thread's error if bringing the matcher up to date failed meanwhile.
        """
        while True:
            with self._session() as session:
                key = _key(session)
            if key == self.key and self.fitted is not None:
                return self.fitted
            with self.renewed:
                self.failure = None
                self.wake.set()
                self.renewed.wait(POLL_SECONDS)
                if self.failure is not None:
                    raise self.failure

    def _follow(self) -> None:
        """Bring the matcher up to date whenever the roster revision moves, until stopped."""
        while not self.stopped.is_set():
            self.wake.wait(POLL_SECONDS)
            # Requests wake the thread; under load, it still looks at most this often.
            self.stopped.wait(MIN_CHECK_SECONDS)
            self.wake.clear()
            if self.stopped.is_set():
                return
            failure = None
            try:
                with self._session() as session:
                    key = _key(session)
                if key != self.key:
                    self._catch_up(key)
            except Exception as error:  # noqa: BLE001  (try again at the next poll)
                log.exception("The matcher could not be brought up to date")
                failure = error
            with self.renewed:
                self.failure = failure
                self.renewed.notify_all()
