"""What the search filters, counts and sorts, held in memory: one index per process and database.

``current_index(session)`` gives the index of the roster as of its revision
(``roster.revisions``: every write of what the search reads moves it). The index holds the
experts that are not merged, in the order of their ids: their statuses, grades, years,
dates and texts as arrays and lists, and one sparse matrix of experts by facet value
(each expertise area, declared, verified or either; each language at each level; each
accessibility expertise, nationality, regional group, status and grade). A search is a
boolean mask over the experts (columns looked up, availability windows compared as
arrays, words looked for in lower-cased texts); all its facet counts are one product of
the mask with the matrix; its order is one ``numpy.lexsort`` with the statement's
tie-breaks. Only the page's rows are then read from the database, by id.

Freshness: the first search of a process builds the index (a few seconds for 100,000
experts) and waits for it. Later, when the revision has moved, a search with
``stale_ok`` gets the index it had at once while a thread builds the next one (a search
may be a rebuild behind the roster, a few seconds at most); without ``stale_ok``
(commands, tests) it waits for the index of the roster as it is.

The same search as SQL (``roster.recruiting.conditions``) stays for what needs a
statement (exports, bulk changes, saved searches); tests check both agree.
Words are looked for in texts lower-cased as the database's ``lower()`` does (only ASCII
letters on SQLite, and on a PostgreSQL database of the C locale).
"""

import logging
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from weakref import WeakKeyDictionary

import numpy as np
from scipy import sparse
from sqlalchemy import Engine, String, cast, func, select
from sqlmodel import Session

from matching.vocabulary import LANGUAGE_LEVELS, SENIORITY, UN_MEMBER_STATES
from roster.models import (
    AvailabilityWindow,
    Expert,
    ExpertAccessibility,
    ExpertLanguage,
    ExpertNationality,
    ExpertSkill,
    utcnow,
)
from roster.recruiting.conditions import sign_language_codes
from roster.recruiting.criteria import STALE_AFTER, SearchCriteria, Sort
from roster.recruiting.facets import Facets
from roster.recruiting.names import name_tokens
from roster.revisions import has_pending_changes, revision_key

__all__ = ["SearchIndex", "build_index", "current_index"]

log = logging.getLogger(__name__)

Key = tuple  # a matrix column: (group, value, ...)


def _ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans({chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)})


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _microseconds(moments: Iterable[datetime | None]) -> tuple[np.ndarray, np.ndarray]:
    """Times as microseconds (0 where missing) and where they are missing."""
    values = np.array([_naive_utc(m) for m in moments], dtype="datetime64[us]")
    missing = np.isnat(values)
    return np.where(missing, 0, values.astype(np.int64)), missing


class Texts:
    """One text per expert, joined into one string, so that finding a part is ``str.find``."""

    SEPARATOR = "\x00"  # no stored text holds it (``roster.validation.storable_text``)

    def __init__(self, texts: list[str]) -> None:
        self.size = len(texts)
        self.joined = self.SEPARATOR.join(texts)
        lengths = np.array([len(text) + 1 for text in texts], dtype=np.int64)
        self.starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if texts else lengths

    def containing(self, part: str) -> np.ndarray:
        """The mask of the texts that hold ``part`` (every text holds the empty one)."""
        found = np.zeros(self.size, dtype=bool)
        if not part:
            found[:] = True
            return found
        joined, starts, at = self.joined, self.starts, 0
        while (at := joined.find(part, at)) >= 0:
            row = int(np.searchsorted(starts, at, side="right")) - 1
            found[row] = True
            at = int(starts[row + 1]) if row + 1 < self.size else len(joined)
        return found


@dataclass(frozen=True, eq=False)
class SearchIndex:
    """The searchable facts of the experts not merged, as of ``revision``."""

    revision: tuple[int, int]
    ids: np.ndarray  # ascending
    lower: Callable[[str], str]  # the database's lower()
    full_names: "Texts"  # lower-cased as the database does
    references: "Texts"
    name_keys: "Texts"
    summaries: "Texts"
    # Sort keys: values (0 where missing) and where missing.
    sort_keys: dict[str, tuple[np.ndarray, np.ndarray]]
    confirmed: np.ndarray  # microseconds, 0 where missing
    confirmed_missing: np.ndarray
    years: np.ndarray  # float, NaN where missing
    matrix: sparse.csc_matrix  # experts x columns, the number of rows holding the value
    columns: dict[Key, int]
    groups: dict[str, list[Key]] = field(default_factory=dict)
    window_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    window_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, "datetime64[D]"))
    window_ends: np.ndarray = field(default_factory=lambda: np.zeros(0, "datetime64[D]"))

    @property
    def size(self) -> int:
        return len(self.ids)

    # -- filters ------------------------------------------------------------------

    def _having(self, keys: Iterable[Key]) -> np.ndarray:
        """The experts holding any of the columns ``keys`` (unknown keys hold no one)."""
        mask = np.zeros(self.size, dtype=bool)
        indptr, indices = self.matrix.indptr, self.matrix.indices
        for key in keys:
            column = self.columns.get(key)
            if column is not None:
                mask[indices[indptr[column] : indptr[column + 1]]] = True
        return mask

    def _keys(self, group: str, wanted: Callable[[Key], bool] | None = None) -> list[Key]:
        return [key for key in self.groups.get(group, []) if wanted is None or wanted(key)]

    def matching(self, criteria: SearchCriteria, *, now: datetime | None = None) -> np.ndarray:
        """The mask of the experts matching ``criteria`` (as ``conditions`` finds them)."""
        mask = np.ones(self.size, dtype=bool)
        group = {"verified": "skill-verified", "self-declared": "skill-declared"}.get(
            criteria.expertise, "skill"
        )
        if criteria.skills and criteria.skills_match == "all":
            for code in criteria.skills:
                mask &= self._having([(group, code)])
        elif criteria.skills:
            mask &= self._having((group, code) for code in criteria.skills)
        elif criteria.expertise:
            mask &= self._having(self._keys(group))
        if criteria.language:
            code = criteria.language.lower()
            levels = (
                set(LANGUAGE_LEVELS[LANGUAGE_LEVELS.index(criteria.language_level) :])
                if criteria.language_level
                else None
            )

            def spoken(key: Key) -> bool:
                held = key[1].lower()
                same = held == code or f"{code}-" in held
                return same and (levels is None or key[2] in levels)

            mask &= self._having(self._keys("language", spoken))
        if criteria.sign_language:
            signs = set(sign_language_codes())
            mask &= self._having(self._keys("language", lambda key: key[1] in signs))
        if criteria.accessibility:
            mask &= self._having(("access", code) for code in criteria.accessibility)
        if criteria.regions:
            members = [c for c, group in UN_MEMBER_STATES.items() if group in criteria.regions]
            mask &= self._having(("country", code) for code in members)
        if criteria.nationalities:
            mask &= self._having(("country", code) for code in criteria.nationalities)
        if criteria.statuses:
            mask &= self._having(("status", status.value) for status in criteria.statuses)
        if criteria.available_from and criteria.available_to:
            inside = (self.window_starts <= np.datetime64(criteria.available_from, "D")) & (
                self.window_ends >= np.datetime64(criteria.available_to, "D")
            )
            available = np.zeros(self.size, dtype=bool)
            available[self.window_rows[inside]] = True
            mask &= available
        if criteria.seniority:
            grades = SENIORITY[SENIORITY.index(criteria.seniority) :]
            mask &= self._having(("seniority", grade) for grade in grades)
        if criteria.min_years is not None:
            with np.errstate(invalid="ignore"):
                mask &= self.years >= criteria.min_years
        if criteria.stale:
            limit = np.datetime64(_naive_utc((now or utcnow()) - STALE_AFTER), "us")
            mask &= ~self.confirmed_missing & (self.confirmed < limit.astype(np.int64))
        if criteria.name or criteria.text:
            mask = self._texts(mask, criteria)
        return mask

    def _texts(self, mask: np.ndarray, criteria: SearchCriteria) -> np.ndarray:
        """Narrow ``mask`` by the name and the summary's words, looked for in the texts."""
        if criteria.name:
            part = criteria.name.lower()
            tokens = name_tokens(criteria.name)
            named = self.full_names.containing(part) | self.references.containing(part)
            if tokens:
                keyed = np.ones(self.size, dtype=bool)
                for token in tokens:
                    keyed &= self.name_keys.containing(token)
                named |= keyed
            mask = mask & named
        for word in criteria.text.split():
            mask = mask & self.summaries.containing(word.lower())
        return mask

    # -- counts and order ------------------------------------------------------------

    def facets(self, mask: np.ndarray) -> Facets:
        """How many experts of ``mask`` hold each value of each facet (as ``facet_counts``)."""
        counts = self.matrix.T @ mask.astype(np.int64)
        found: dict[str, dict[str, int]] = defaultdict(dict)
        for key, column in self.columns.items():
            n = int(counts[column])
            if not n:
                continue
            if key[0] == "language":
                found["language"][key[1]] = found["language"].get(key[1], 0) + n
            else:
                found[key[0]][key[1] if len(key) > 1 else ""] = n

        def ranked(group: str) -> list[tuple[str, int]]:
            return sorted(found[group].items(), key=lambda pair: (-pair[1], pair[0]))

        verified = found["verified"].get("", 0)
        declared = found["skilled"].get("", 0) - verified
        return Facets(
            status=ranked("status"),
            region=ranked("region"),
            expertise=ranked("skill"),
            language=ranked("language"),
            accessibility=ranked("access"),
            seniority=ranked("seniority"),
            verified=[
                (code, n) for code, n in (("verified", verified), ("self-declared", declared)) if n
            ],
        )

    def ordered_ids(self, mask: np.ndarray, sort: Sort) -> np.ndarray:
        """The ids of ``mask`` in the order of ``sort``: missing values last, then by id."""
        rows = np.flatnonzero(mask)
        values, missing = self.sort_keys[sort.removeprefix("-")]
        key = values[rows]
        if sort.startswith("-"):
            key = -key
        ids = self.ids[rows]
        return ids[np.lexsort((ids, key, missing[rows]))]


# -- building -----------------------------------------------------------------------


def _rows(session: Session, query) -> list[tuple]:
    return [tuple(row) for row in session.execute(query)]


def build_index(session: Session) -> SearchIndex:
    """Read the experts not merged and what the search reads of them, in one transaction."""
    session.connection()
    revision = revision_key(session)
    probe = session.scalar(select(func.lower("ÀÉÎ")))
    lower = str.lower if probe == "àéî" else _ascii_lower
    experts = _rows(
        session,
        select(
            Expert.id,
            Expert.full_name,
            Expert.external_id,
            Expert.name_key,
            Expert.summary,
            cast(Expert.roster_status, String),
            Expert.seniority,
            Expert.years_experience,
            Expert.profile_confirmed_at,
            Expert.created_at,
            func.dense_rank().over(order_by=Expert.full_name),
        )
        .where(Expert.merged_into_id.is_(None))
        .order_by(Expert.id),
    )
    size = len(experts)
    ids = np.array([row[0] for row in experts], dtype=np.int64)
    columns: dict[Key, int] = {}
    groups: dict[str, list[Key]] = defaultdict(list)
    cells_rows: list[int] = []
    cells_columns: list[int] = []

    def put(row: int, key: Key) -> None:
        column = columns.get(key)
        if column is None:
            column = columns[key] = len(columns)
            groups[key[0]].append(key)
        cells_rows.append(row)
        cells_columns.append(column)

    for row, expert in enumerate(experts):
        put(row, ("status", expert[5]))
        if expert[6] is not None:
            put(row, ("seniority", expert[6]))

    def children(query) -> Iterable[tuple[int, tuple]]:
        """(expert's row, the rest) of child rows, those of merged experts left out."""
        found = _rows(session, query)
        if not found or not size:
            return []
        owners = np.array([child[0] for child in found], dtype=np.int64)
        at = np.minimum(np.searchsorted(ids, owners), size - 1)
        kept = ids[at] == owners
        return [(int(r), child[1:]) for r, child, k in zip(at, found, kept, strict=True) if k]

    skilled: set[int] = set()
    verified: set[int] = set()
    for row, (code, verified_at) in children(
        select(ExpertSkill.expert_id, ExpertSkill.code, ExpertSkill.verified_at)
    ):
        put(row, ("skill", code))
        put(row, ("skill-verified" if verified_at is not None else "skill-declared", code))
        skilled.add(row)
        if verified_at is not None:
            verified.add(row)
    for row in sorted(skilled):
        put(row, ("skilled",))
    for row in sorted(verified):
        put(row, ("verified",))
    for row, (code, level) in children(
        select(ExpertLanguage.expert_id, ExpertLanguage.code, ExpertLanguage.level)
    ):
        put(row, ("language", code, level))
    for row, (code,) in children(select(ExpertAccessibility.expert_id, ExpertAccessibility.code)):
        put(row, ("access", code))
    regions: set[tuple[int, str]] = set()
    for row, (country,) in children(select(ExpertNationality.expert_id, ExpertNationality.country)):
        put(row, ("country", country))
        if group := UN_MEMBER_STATES.get(country):
            regions.add((row, group))
    for row, group in sorted(regions):
        put(row, ("region", group))
    windows = list(
        children(
            select(AvailabilityWindow.expert_id, AvailabilityWindow.start, AvailabilityWindow.end)
        )
    )
    matrix = sparse.csc_matrix(
        (
            np.ones(len(cells_rows), dtype=np.int64),
            (np.array(cells_rows, dtype=np.int64), np.array(cells_columns, dtype=np.int64)),
        ),
        shape=(size, len(columns)),
    )
    matrix.sum_duplicates()
    confirmed, confirmed_missing = _microseconds(row[8] for row in experts)
    registered, registered_missing = _microseconds(row[9] for row in experts)
    years = np.array([np.nan if row[7] is None else row[7] for row in experts], dtype=np.float64)
    years_missing = np.isnan(years)
    return SearchIndex(
        revision=revision,
        ids=ids,
        lower=lower,
        full_names=Texts([lower(row[1] or "") for row in experts]),
        references=Texts([lower(row[2] or "") for row in experts]),
        name_keys=Texts([row[3] or "" for row in experts]),
        summaries=Texts([lower(row[4] or "") for row in experts]),
        sort_keys={
            "name": (np.array([row[10] for row in experts], dtype=np.int64), np.zeros(size, bool)),
            "years": (np.where(years_missing, 0.0, years), years_missing),
            "confirmed": (confirmed, confirmed_missing),
            "registered": (registered, registered_missing),
        },
        confirmed=confirmed,
        confirmed_missing=confirmed_missing,
        years=years,
        matrix=matrix,
        columns=columns,
        groups=dict(groups),
        window_rows=np.array([row for row, _ in windows], dtype=np.int64),
        window_starts=np.array([w[0] for _, w in windows], dtype="datetime64[D]"),
        window_ends=np.array([w[1] for _, w in windows], dtype="datetime64[D]"),
    )


# -- one index per process and database ---------------------------------------------------


class _Holder:
    """The index of one database in one process, and its renewal."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine  # what a renewal in the background reads from
        self.pid = os.getpid()
        self.index: SearchIndex | None = None
        self.lock = threading.Lock()
        self.renewing = False

    def current(self, session: Session, *, stale_ok: bool) -> SearchIndex:
        if has_pending_changes(session):
            # The session's own writes, not committed: an index for it alone.
            return build_index(session)
        key = revision_key(session)
        index = self.index
        if index is not None and index.revision == key:
            return index
        if index is None or not stale_ok:
            with self.lock:
                index = self.index
                if index is None or index.revision != key:
                    # In the caller's transaction: it sees what the caller sees.
                    index = self.index = build_index(session)
            return index
        self._renew_in_background()
        return index

    def _renew_in_background(self) -> None:
        with self.lock:
            if self.renewing:
                return
            self.renewing = True
        threading.Thread(target=self._renew, name="roster-search-index", daemon=True).start()

    def _renew(self) -> None:
        try:
            with Session(self.engine) as session:
                index = build_index(session)
            with self.lock:
                # Not over a newer index that a waiting search built meanwhile.
                if self.index is None or index.revision[0] >= self.index.revision[0]:
                    self.index = index
        except Exception:  # noqa: BLE001  (the index in hand serves until the next try)
            log.exception("The search index could not be rebuilt")
        finally:
            self.renewing = False


_HOLDERS: "WeakKeyDictionary[Engine, _Holder]" = WeakKeyDictionary()
_CREATING = threading.Lock()


def current_index(
    session: Session, *, stale_ok: bool = False, engine: Engine | None = None
) -> SearchIndex:
    """The search index of ``session``'s database in this process.

    Built in ``session`` (and waited for) when the process has none; when the roster
    revision has moved since, built again and waited for, unless ``stale_ok``: then the
    index in hand is returned at once and a thread builds the next one, reading from
    ``engine`` (by default the session's; give a read-only engine where writers lock).
    A session holding writes not committed yet gets an index of its own, not kept.
    """
    if engine is None:
        bind = session.get_bind()
        engine = getattr(bind, "engine", bind)
    holder = _HOLDERS.get(engine)
    if holder is None or holder.pid != os.getpid():
        with _CREATING:
            holder = _HOLDERS.get(engine)
            if holder is None or holder.pid != os.getpid():
                holder = _HOLDERS[engine] = _Holder(engine)
    return holder.current(session, stale_ok=stale_ok)
