"""Hard filters: boolean masks over rows, never weights.

An expert is eligible for a role when they are ``rostered``; available for the whole
role period (or part of it, when the request allows partial availability); not a
national of the host country when nationals are excluded; at or above every required
language level; and holding every required expertise area. An expert without any
availability window is never available.

Retrieval starts from the smallest row set among the rostered experts and the CSC
columns of the required skills and languages, so a rare requirement never scans the
whole roster; the remaining checks gather from column-major arrays on that subset.
"""

import numpy as np

from matching.index import RosterIndex
from matching.query import RoleQuery


def _seed_rows(index: RosterIndex, query: RoleQuery) -> np.ndarray | None:
    """Return the smallest sorted row set that every eligible expert belongs to.

    None means a required code is held by nobody in the roster.
    """
    best = index.rostered_rows
    for code in query.required_skills:
        column = index.skills.get(code)
        if column is None:
            return None
        ptr = index.skill_csc.indptr
        if ptr[column + 1] - ptr[column] < len(best):
            best = index.skill_csc.indices[ptr[column] : ptr[column + 1]]
    for code, rank in query.required_languages:
        column = index.languages.get(code)
        if column is None:
            return None
        ptr = index.lang_csc.indptr
        if ptr[column + 1] - ptr[column] < len(best):
            rows = index.lang_csc.indices[ptr[column] : ptr[column + 1]]
            best = rows[index.lang_csc.data[ptr[column] : ptr[column + 1]] >= rank]
    return best


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


def eligible(index: RosterIndex, query: RoleQuery) -> tuple[np.ndarray, np.ndarray]:
    """Return the eligible rows (ascending) and the share of the role period each covers."""
    rows = _seed_rows(index, query)
    if rows is None or len(rows) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    rows = rows.astype(np.int64, copy=False)
    keep = index.rostered[rows]
    for code in query.required_skills:
        keep &= index.skill_years[:, index.skills[code]][rows] > 0
    for code, rank in query.required_languages:
        keep &= index.lang_levels[:, index.languages[code]][rows] >= rank
    host = index.countries.get(query.country)
    if query.exclude_nationals and host is not None:
        for slot in range(index.nationality.shape[1]):
            keep &= index.nationality[:, slot][rows] != host
    rows = rows[keep]
    covered = coverage(index, rows, query.start, query.end)
    available = covered > 0 if query.partial else covered == query.days
    return rows[available], covered[available] / query.days
