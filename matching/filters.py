"""Hard filters: boolean masks over rows, never weights.

An expert is eligible for a role when they are ``rostered``; available for the whole
role period (or part of it, when the request allows partial availability); not a
national of the host country when nationals are excluded; at or above every required
language level; and holding every required expertise area. An expert without any
availability window is never available.

Retrieval starts from the smallest row set among the rostered experts and the CSC
columns (rostered experts only) of the required skills and languages, so a rare
requirement never scans the whole roster; the remaining checks gather from column-major
arrays on that subset, each narrowing it before the next.
"""

import numpy as np

from matching.index import RosterIndex
from matching.query import RoleQuery


def _seed_rows(index: RosterIndex, query: RoleQuery) -> tuple[np.ndarray | None, object]:
    """Return the smallest sorted row set every eligible expert belongs to, and its source.

    Every row of the set is rostered (the CSC columns hold rostered rows only); the
    source (``("rostered",)``, ``("skill", code)`` or ``("language", code, rank)``)
    names a further check that every row already passes. The rows are None when a
    required code is held by nobody in the roster.
    """
    best, source = index.rostered_rows, ("rostered",)
    for code in query.required_skills:
        column = index.skills.get(code)
        if column is None:
            return None, None
        ptr = index.skill_csc.indptr
        if ptr[column + 1] - ptr[column] < len(best):
            best = index.skill_csc.indices[ptr[column] : ptr[column + 1]]
            source = ("skill", code)
    for code, rank in query.required_languages:
        column = index.languages.get(code)
        if column is None:
            return None, None
        ptr = index.lang_csc.indptr
        if ptr[column + 1] - ptr[column] < len(best):
            rows = index.lang_csc.indices[ptr[column] : ptr[column + 1]]
            best = rows[index.lang_csc.data[ptr[column] : ptr[column + 1]] >= rank]
            source = ("language", code, rank)
    return best, source


def coverage(index: RosterIndex, rows: np.ndarray, start: int, end: int) -> np.ndarray:
    """Return, per row, how many days of ``[start, end]`` its availability windows cover."""
    first = index.avail_ptr[rows]
    counts = index.avail_ptr[rows + 1] - first
    total = int(counts.sum())
    if total == 0:
        return np.zeros(len(rows), dtype=np.int64)
    owner = np.repeat(np.arange(len(rows)), counts)
    offsets = np.cumsum(counts) - counts
    windows = np.repeat(first - offsets, counts) + np.arange(total)
    overlap = (
        np.minimum(index.avail_to[windows], end) - np.maximum(index.avail_from[windows], start) + 1
    )
    np.clip(overlap, 0, None, out=overlap)
    return np.bincount(owner, weights=overlap, minlength=len(rows)).astype(np.int64)


def fully_available(index: RosterIndex, rows: np.ndarray, start: int, end: int) -> np.ndarray:
    """Return, per row, whether its availability covers every day of ``[start, end]``.

    A row's windows are merged (disjoint, not adjacent), so they cover the period only if
    one window does. Windows are checked slot by slot (first window of every row, then
    the second of the rows that have one, ...): most experts have one or two windows, so
    this is a few gathers instead of expanding every window as ``coverage`` does.
    """
    if len(index.avail_from) == 0:
        return np.zeros(len(rows), dtype=bool)
    first = index.avail_ptr[rows]
    count = index.avail_ptr[rows + 1] - first
    window = np.minimum(first, len(index.avail_from) - 1)  # in bounds for rows without any
    ok = (count > 0) & (index.avail_from[window] <= start) & (index.avail_to[window] >= end)
    more, slot = np.flatnonzero(count > 1), 1
    while len(more):
        window = first[more] + slot
        ok[more] |= (index.avail_from[window] <= start) & (index.avail_to[window] >= end)
        slot += 1
        more = more[count[more] > slot]
    return ok


def eligible(index: RosterIndex, query: RoleQuery) -> tuple[np.ndarray, np.ndarray]:
    """Return the eligible rows (ascending) and the share of the role period each covers.

    Each check narrows the rows before the next one gathers, and the check the starting
    rows came from is not made again.
    """
    rows, source = _seed_rows(index, query)
    if rows is None or len(rows) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    rows = rows.astype(np.int64, copy=False)
    for code in query.required_skills:
        if ("skill", code) != source:
            rows = rows[index.skill_years[:, index.skills[code]][rows] > 0]
    for code, rank in query.required_languages:
        if ("language", code, rank) != source:
            rows = rows[index.lang_levels[:, index.languages[code]][rows] >= rank]
    host = index.countries.get(query.country)
    if query.exclude_nationals and host is not None:
        for slot in range(index.nationality.shape[1]):
            rows = rows[index.nationality[:, slot][rows] != host]
    if not query.partial:
        rows = rows[fully_available(index, rows, query.start, query.end)]
        return rows, np.ones(len(rows))
    covered = coverage(index, rows, query.start, query.end)
    available = covered > 0
    return rows[available], covered[available] / query.days
