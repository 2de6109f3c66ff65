"""The fitted roster: every expert's codes as sparse matrices and dense arrays.

``build_index`` reads expert records once, normalises their free-text codes with the
cached vocabulary functions (never at query time), and lays the roster out for
vectorised queries:

* rows are experts sorted by ``external_id``, so a tie between scores is broken by
  the row number and the input order of the records never matters;
* languages, skills and accessibility expertise are kept twice: as CSC matrices, whose
  columns list the rostered experts holding a code (retrieval of candidates from the
  most selective requirement), and as column-major dense arrays (checks and scores on a
  subset of rows by gathering);
* availability windows are merged per expert and kept as flat arrays with row pointers.
"""

import bisect
import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from matching import vocabulary as vocab

GENDER_WOMAN = "woman"
STATUS_ROSTERED = "rostered"


@lru_cache(maxsize=65536)
def day(iso: str) -> int:
    """Return the proleptic ordinal of an ISO date (cached: rosters repeat dates)."""
    return dt.date.fromisoformat(iso).toordinal()


@lru_cache(maxsize=4096)
def _region(country: str) -> str | None:
    """Return the UN regional group of a country, None when unknown."""
    try:
        return vocab.un_region(country)
    except (ValueError, KeyError):
        return None


@dataclass(eq=False)
class RosterIndex:
    """The roster laid out for vectorised queries; built by ``build_index``."""

    ids: list[str]
    rostered: np.ndarray
    rostered_rows: np.ndarray
    woman: np.ndarray
    region: np.ndarray
    regions: tuple[str, ...]
    nationality: np.ndarray
    countries: dict[str, int]
    languages: dict[str, int]
    lang_levels: np.ndarray
    lang_csc: sp.csc_array
    skills: dict[str, int]
    skill_years: np.ndarray
    skill_csc: sp.csc_array
    access: dict[str, int]
    access_has: np.ndarray
    years: np.ndarray
    seniority: np.ndarray
    avail_ptr: np.ndarray
    avail_from: np.ndarray
    avail_to: np.ndarray
    rating_sum: np.ndarray
    rating_count: np.ndarray
    documents: list[str] = field(repr=False, default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Which held expertise areas a recruiter verified (rows by skill columns, like
    # ``skill_years``); None when the roster was fitted without saying (``verified=None``).
    skill_verified: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Number of experts."""
        return len(self.ids)

    def row_of(self, external_id: str) -> int | None:
        """Return the row of an expert, None if absent (binary search on sorted ids)."""
        row = bisect.bisect_left(self.ids, external_id)
        return row if row < self.n and self.ids[row] == external_id else None


NORMALISERS = {
    "lang": vocab.normalise_language,
    "skill": vocab.normalise_skill,
    "access": vocab.normalise_accessibility,
}


class _Reader:
    """Accumulates one expert record at a time into flat Python lists."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.errors: list[str] = []
        self.notes: list[str] = []
        self.columns: dict[str, dict[str, int]] = {
            "lang": {},
            "skill": {},
            "access": {},
            "country": {},
            "region": {},
        }
        for code in vocab.EXPERTISE_AREAS:
            self.columns["skill"].setdefault(code, len(self.columns["skill"]))
        for code in vocab.ACCESSIBILITY_EXPERTISE:
            self.columns["access"].setdefault(code, len(self.columns["access"]))
        self.entries: dict[str, tuple[list[int], list[int], list[int]]] = {
            name: ([], [], []) for name in ("lang", "skill", "access", "country")
        }
        self.scalars: dict[str, list] = {
            name: []
            for name in (
                "rostered",
                "woman",
                "region",
                "years",
                "seniority",
                "rating_sum",
                "rating_count",
                "n_windows",
            )
        }
        self.windows: list[int] = []
        self.documents: list[str] = []
        self.memo: dict[str, dict] = {kind: {} for kind in NORMALISERS}

    def code(self, kind: str, text: str, row_id: str, where: str) -> str | None:
        """Normalise one code with the cached vocabulary; record notes and errors.

        A local memo in front of the vocabulary's own cache: a million records ask the
        same few hundred questions, and a dict lookup is ten times cheaper than a call.
        """
        memo = self.memo[kind]
        key = (text, type(text))
        if key not in memo:
            try:
                result = NORMALISERS[kind](text)
                memo[key] = (result.code, result.note, None)
            except (vocab.VocabularyError, TypeError) as error:
                memo[key] = (None, None, str(error))
        code, note, error = memo[key]
        if error is not None:
            self.errors.append(f"{row_id}: {where}: {error}")
        elif note is not None:
            self.notes.append(f"{row_id}: {where}: {note}")
        return code

    def level(self, level: object, row_id: str, where: str) -> int | None:
        """Return the rank of a language level, recording an error for an unknown one."""
        try:
            return vocab.level_rank(level)
        except vocab.VocabularyError as error:
            self.errors.append(f"{row_id}: {where}: {error}")
            return None

    def add(self, kind: str, row: int, code: str, value: int) -> None:
        """Record that expert ``row`` holds ``code`` with ``value``."""
        column = self.columns[kind].setdefault(code, len(self.columns[kind]))
        rows, cols, values = self.entries[kind]
        rows.append(row)
        cols.append(column)
        values.append(value)

    def read(self, row: int, record: dict) -> None:
        """Read one expert record into the lists."""
        eid = record["external_id"]
        s = self.scalars
        s["rostered"].append(record.get("roster_status") == STATUS_ROSTERED)
        consent = record.get("consent") or {}
        s["woman"].append(record.get("gender") == GENDER_WOMAN and consent.get("gender") is True)
        nationalities = record.get("nationalities") or []
        region = _region(nationalities[0]) if nationalities else None
        s["region"].append(
            -1
            if region is None
            else self.columns["region"].setdefault(region, len(self.columns["region"]))
        )
        for country in nationalities:
            self.add("country", row, country, 1)
        s["years"].append(int(record.get("years_experience") or 0))
        s["seniority"].append(SENIORITY_RANK.get(record.get("seniority"), 0))
        for i, language in enumerate(record.get("languages") or []):
            code = self.code("lang", language["code"], eid, f"languages[{i}]")
            rank = self.level(language.get("level"), eid, f"languages[{i}].level")
            if code is not None and rank is not None:
                self.add("lang", row, code, rank)
        for i, skill in enumerate(record.get("skills") or []):
            code = self.code("skill", skill["code"], eid, f"skills[{i}]")
            if code is not None:
                self.add("skill", row, code, min(max(int(skill.get("years") or 0), 0), 70) + 1)
        for i, text in enumerate(record.get("accessibility_expertise") or []):
            code = self.code("access", text, eid, f"accessibility_expertise[{i}]")
            if code is not None:
                self.add("access", row, code, 1)
        try:
            self._read_windows(record.get("availability") or [])
        except (KeyError, TypeError, ValueError) as error:
            self.errors.append(f"{eid}: availability: not a list of ISO date ranges ({error})")
            self.scalars["n_windows"].append(0)
        ratings = [d["rating"] for d in record.get("deployments") or [] if "rating" in d]
        s["rating_sum"].append(sum(ratings))
        s["rating_count"].append(len(ratings))
        self.documents.append(record.get("summary") or "")

    def _read_windows(self, windows: list[dict]) -> None:
        """Merge overlapping or adjacent availability windows and record them."""
        spans = sorted([(day(w["from"]), day(w["to"])) for w in windows])
        merged: list[list[int]] = []
        for start, end in spans:
            if end < start:
                continue
            if merged and start <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in merged:
            self.windows.extend((start, end))
        self.scalars["n_windows"].append(len(merged))


SENIORITY_RANK = {"P2": 1, "P3": 2, "P4": 3, "P5": 4, "D1": 5}


def _matrices(
    entries: tuple[list[int], list[int], list[int]],
    shape: tuple[int, int],
    dtype: type,
    rostered: np.ndarray,
) -> tuple[np.ndarray, sp.csc_array]:
    """Return a column-major dense array (maximum over duplicates) and its CSC twin.

    The CSC twin holds the rostered rows only: it seeds the eligible rows of a query,
    and eligibility requires being rostered, so the seed needs no further check of it.
    """
    rows, cols, values = (np.asarray(a, dtype=np.int64) for a in entries)
    dense = np.zeros(shape, dtype=dtype, order="F")
    if len(rows):
        np.maximum.at(dense, (rows, cols), values.astype(dtype))
    csc = sp.csc_array(dense * rostered[:, None].astype(dtype))
    csc.sort_indices()
    return dense, csc


def build_index(records: list[dict], *, strict: bool = True) -> RosterIndex:
    """Read expert records into a ``RosterIndex``.

    Parameters
    ----------
    records : list of dict
        Expert records as in ``expert.schema.json``; codes may be names or near spellings.
    strict : bool
        If True, an unknown language, skill or accessibility name raises ``ValueError``
        listing every offending record; if False the entry is dropped and noted.

    Raises
    ------
    ValueError
        On duplicate external ids, or unknown codes when ``strict``.
    """
    order = sorted(range(len(records)), key=lambda i: records[i]["external_id"])
    ids = [records[i]["external_id"] for i in order]
    duplicates = sorted({a for a, b in zip(ids, ids[1:], strict=False) if a == b})
    if duplicates:
        raise ValueError(f"duplicate external_id: {', '.join(duplicates[:10])}")
    reader = _Reader(strict)
    for row, i in enumerate(order):
        reader.read(row, records[i])
    if reader.errors and strict:
        shown = "; ".join(reader.errors[:20])
        more = f" (and {len(reader.errors) - 20} more)" if len(reader.errors) > 20 else ""
        raise vocab.VocabularyError(f"unknown codes or values in the roster: {shown}{more}")
    return _assemble(ids, reader)


def _assemble(ids: list[str], reader: _Reader) -> RosterIndex:
    """Turn the reader's lists into arrays."""
    n, s, cols = len(ids), reader.scalars, reader.columns
    rostered = np.asarray(s["rostered"], dtype=bool).reshape(n)
    lang_levels, lang_csc = _matrices(
        reader.entries["lang"], (n, len(cols["lang"])), np.int8, rostered
    )
    skill_years, skill_csc = _matrices(
        reader.entries["skill"], (n, len(cols["skill"])), np.int8, rostered
    )
    access_has, _ = _matrices(
        reader.entries["access"], (n, len(cols["access"])), np.bool_, rostered
    )
    windows = np.asarray(reader.windows, dtype=np.int32).reshape(-1, 2)
    return RosterIndex(
        ids=ids,
        rostered=rostered,
        rostered_rows=np.flatnonzero(rostered).astype(np.int64),
        woman=np.asarray(s["woman"], dtype=bool).reshape(n),
        region=np.asarray(s["region"], dtype=np.int8).reshape(n),
        regions=tuple(cols["region"]),
        nationality=_nationality_table(reader.entries["country"], n),
        countries=cols["country"],
        languages=cols["lang"],
        lang_levels=lang_levels,
        lang_csc=lang_csc,
        skills=cols["skill"],
        skill_years=skill_years,
        skill_csc=skill_csc,
        access=cols["access"],
        access_has=access_has,
        years=np.asarray(s["years"], dtype=np.int16).reshape(n),
        seniority=np.asarray(s["seniority"], dtype=np.int8).reshape(n),
        avail_ptr=np.concatenate([[0], np.cumsum(s["n_windows"], dtype=np.int64)]),
        avail_from=np.ascontiguousarray(windows[:, 0]),
        avail_to=np.ascontiguousarray(windows[:, 1]),
        rating_sum=np.asarray(s["rating_sum"], dtype=np.float64).reshape(n),
        rating_count=np.asarray(s["rating_count"], dtype=np.int32).reshape(n),
        documents=reader.documents,
        notes=reader.notes + ([] if reader.strict else reader.errors),
    )


def _nationality_table(entries: tuple[list[int], list[int], list[int]], n: int) -> np.ndarray:
    """Return an ``(n, m)`` int16 table of country columns, padded with -1."""
    rows = np.asarray(entries[0], dtype=np.int64)
    cols = np.asarray(entries[1], dtype=np.int16)
    counts = np.bincount(rows, minlength=n)
    width = max(int(counts.max()) if n else 0, 1)
    table = np.full((n, width), -1, dtype=np.int16, order="F")
    if len(rows):
        order = np.argsort(rows, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        slot = np.arange(len(rows)) - np.repeat(starts, counts)
        table[rows[order], slot] = cols[order]
    return table


def check_verified(verified: object) -> Mapping[str, Collection[str]] | None:
    """Return ``verified`` if it maps external ids to collections of expertise codes.

    Raises
    ------
    ValueError
        If it is neither None nor such a mapping.
    """
    if verified is None:
        return None
    if not isinstance(verified, Mapping):
        raise ValueError(
            f"verified must map external ids to collections of expertise codes, got {verified!r}"
        )
    for external_id, codes in verified.items():
        if not isinstance(external_id, str):
            raise ValueError(
                f"verified must be keyed by external ids (strings), got {external_id!r}"
            )
        if isinstance(codes, str | bytes) or not isinstance(codes, Collection):
            raise ValueError(
                f"verified[{external_id!r}] must be a collection of expertise codes, got {codes!r}"
            )
        if not all(isinstance(code, str) for code in codes):
            raise ValueError(f"verified[{external_id!r}] must hold expertise codes (strings)")
    return verified


def mark_verified(
    out: np.ndarray,
    index: RosterIndex,
    verified: Mapping[str, Collection[str]],
    *,
    strict: bool,
) -> list[str]:
    """Set ``out[row, column]`` for each verified area that its expert holds; return notes.

    Ids not in the roster, and areas the expert does not hold, are passed over: only a
    declared area can be verified. An unknown area raises ``VocabularyError`` when
    ``strict``, else it is dropped with a note.
    """
    notes = []
    for external_id, codes in verified.items():
        row = index.row_of(external_id)
        if row is None:
            continue
        for code in codes:
            try:
                normalised = vocab.normalise_skill(code).code
            except vocab.VocabularyError as error:
                if strict:
                    raise vocab.VocabularyError(f"verified[{external_id!r}]: {error}") from None
                notes.append(f"{external_id}: verified: {error}")
                continue
            column = index.skills.get(normalised)
            if column is not None and index.skill_years[row, column] > 0:
                out[row, column] = True
    return notes


def verified_skills(
    index: RosterIndex, verified: Mapping[str, Collection[str]], *, strict: bool
) -> tuple[np.ndarray, list[str]]:
    """Return the ``skill_verified`` matrix of ``index`` under ``verified``, and notes."""
    out = np.zeros(index.skill_years.shape, dtype=bool, order="F")
    notes = mark_verified(out, index, verified, strict=strict)
    return out, notes
