"""Patch a fitted roster: take experts out, put new versions in, without reading the others.

``patched_index`` indexes only the given records (``build_index``) and splices them into
the fitted ``RosterIndex``: rows stay sorted by external id, codes new to the roster
get new columns, and every array is new (the fitted ones, perhaps memory-mapped and
shared with other processes, are never written). ``patched_text`` projects the new
summaries into the fitted TF-IDF space: the vocabulary and the idf weights stay those
of the last ``fit``.
"""

import bisect
import dataclasses
from collections.abc import Collection, Mapping

import numpy as np
import scipy.sparse as sp

from matching import vocabulary as vocab
from matching.index import RosterIndex, build_index, mark_verified
from matching.text import TextModel


@dataclasses.dataclass(frozen=True)
class Splice:
    """Where the rows of the patched index come from.

    ``kept`` are the fitted rows that stay, in order; the new rows go to ``new_at``
    (positions in the patched index, ascending), the kept ones to the other positions.
    """

    kept: np.ndarray
    new_at: np.ndarray
    n: int

    def rows(self, old: np.ndarray, new: np.ndarray) -> np.ndarray:
        """Splice the rows (first axis) of a fitted array and of the new records' one."""
        return self.place(old[self.kept], new, fortran=old.ndim > 1 and old.flags.f_contiguous)

    def place(self, kept: np.ndarray, new: np.ndarray, *, fortran: bool = False) -> np.ndarray:
        """Interleave the kept rows (already taken) and the new ones in the patched order."""
        out = np.empty((self.n, *kept.shape[1:]), dtype=kept.dtype, order="F" if fortran else "C")
        is_new = np.zeros(self.n, dtype=bool)
        is_new[self.new_at] = True
        out[~is_new] = kept
        out[is_new] = new
        return out


def plan(ids: list[str], removed: set[str], new_ids: list[str]) -> tuple[Splice, list[str]]:
    """Plan the splice of sorted ``new_ids`` into ``ids`` less ``removed`` and ``new_ids``."""
    gone = removed | set(new_ids)
    drop = [row for eid in gone if (row := _row(ids, eid)) is not None]
    keep = np.ones(len(ids), dtype=bool)
    keep[drop] = False
    kept = np.flatnonzero(keep)
    kept_ids = [ids[row] for row in kept] if drop else ids
    points = np.asarray([bisect.bisect_left(kept_ids, eid) for eid in new_ids], dtype=np.int64)
    new_at = points + np.arange(len(new_ids), dtype=np.int64)
    merged = list(kept_ids)
    for offset, eid in zip(new_at, new_ids, strict=True):
        merged.insert(int(offset), eid)
    return Splice(kept, new_at, len(merged)), merged


def _row(ids: list[str], eid: str) -> int | None:
    row = bisect.bisect_left(ids, eid)
    return row if row < len(ids) and ids[row] == eid else None


def _columns(old: dict[str, int], new: dict[str, int]) -> tuple[dict[str, int], np.ndarray]:
    """Merge column dictionaries: old columns keep their number, new codes are appended.

    Returns the merged dictionary and, for each column of ``new``, its merged number.
    """
    merged = dict(old)
    for code in new:
        merged.setdefault(code, len(merged))
    mapping = np.full(max(new.values(), default=-1) + 1, -1, dtype=np.int64)
    for code, column in new.items():
        mapping[column] = merged[code]
    return merged, mapping


def _dense(splice: Splice, old: np.ndarray, new: np.ndarray, mapping, width: int) -> np.ndarray:
    """Splice a row-by-code matrix whose new part numbers its columns its own way."""
    widened = np.zeros((len(new), width), dtype=old.dtype, order="F")
    used = mapping >= 0
    widened[:, mapping[used]] = new[:, np.flatnonzero(used)]
    if old.shape[1] < width:
        padded = np.zeros((old.shape[0], width), dtype=old.dtype, order="F")
        padded[:, : old.shape[1]] = old
        old = padded
    return splice.rows(old, widened)


def _csc(dense: np.ndarray, rostered: np.ndarray) -> sp.csc_array:
    """The CSC twin of a dense matrix, rostered rows only (as ``index._matrices``)."""
    csc = sp.csc_array(dense * rostered[:, None].astype(dense.dtype))
    csc.sort_indices()
    return csc


def _nationality(splice: Splice, old: RosterIndex, new: RosterIndex, countries) -> np.ndarray:
    """Splice the padded table of country columns, renumbering the new rows' codes."""
    _, mapping = countries
    table = new.nationality.astype(np.int64)
    renamed = np.where(table >= 0, mapping[np.maximum(table, 0)], -1)
    width = max(old.nationality.shape[1], renamed.shape[1])

    def padded(values: np.ndarray) -> np.ndarray:
        out = np.full((values.shape[0], width), -1, dtype=np.int16, order="F")
        out[:, : values.shape[1]] = values
        return out

    return splice.rows(padded(old.nationality), padded(renamed.astype(np.int16)))


def _windows(splice: Splice, old: RosterIndex, new: RosterIndex):
    """Splice the availability windows, kept as flat arrays with row pointers."""
    counts = splice.rows(np.diff(old.avail_ptr), np.diff(new.avail_ptr))
    starts = splice.rows(old.avail_ptr[:-1], new.avail_ptr[:-1] + len(old.avail_from))
    ptr = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
    offsets = np.arange(ptr[-1], dtype=np.int64) - np.repeat(ptr[:-1], counts)
    take = np.repeat(starts, counts) + offsets
    days_from = np.concatenate([old.avail_from, new.avail_from])[take]
    days_to = np.concatenate([old.avail_to, new.avail_to])[take]
    return ptr, np.ascontiguousarray(days_from), np.ascontiguousarray(days_to)


def patched_index(
    old: RosterIndex, records: list[dict], removed: set[str], *, strict: bool
) -> tuple[RosterIndex, Splice]:
    """Return ``old`` without ``removed`` and with ``records`` put in (replacing their ids)."""
    new = build_index(records, strict=strict)
    splice, ids = plan(old.ids, removed, new.ids)
    langs = _columns(old.languages, new.languages)
    skills = _columns(old.skills, new.skills)
    access = _columns(old.access, new.access)
    countries = _columns(old.countries, new.countries)
    regions, region_map = _columns(
        {name: i for i, name in enumerate(old.regions)},
        {name: i for i, name in enumerate(new.regions)},
    )
    region_new = np.where(new.region >= 0, region_map[np.maximum(new.region, 0)], -1)
    rostered = splice.rows(old.rostered, new.rostered)
    lang_levels = _dense(splice, old.lang_levels, new.lang_levels, langs[1], len(langs[0]))
    skill_years = _dense(splice, old.skill_years, new.skill_years, skills[1], len(skills[0]))
    access_has = _dense(splice, old.access_has, new.access_has, access[1], len(access[0]))
    ptr, days_from, days_to = _windows(splice, old, new)
    index = RosterIndex(
        ids=ids,
        rostered=rostered,
        rostered_rows=np.flatnonzero(rostered).astype(np.int64),
        woman=splice.rows(old.woman, new.woman),
        region=splice.rows(old.region, region_new.astype(np.int8)),
        regions=tuple(regions),
        nationality=_nationality(splice, old, new, countries),
        countries=countries[0],
        languages=langs[0],
        lang_levels=lang_levels,
        lang_csc=_csc(lang_levels, rostered),
        skills=skills[0],
        skill_years=skill_years,
        skill_csc=_csc(skill_years, rostered),
        access=access[0],
        access_has=access_has,
        years=splice.rows(old.years, new.years),
        seniority=splice.rows(old.seniority, new.seniority),
        avail_ptr=ptr,
        avail_from=days_from,
        avail_to=days_to,
        rating_sum=splice.rows(old.rating_sum, new.rating_sum),
        rating_count=splice.rows(old.rating_count, new.rating_count),
        documents=new.documents,
        notes=list(old.notes) + list(new.notes),
    )
    return index, splice


def patched_text(
    model: TextModel | None, splice: Splice, documents: list[str], skills: dict[str, int]
) -> TextModel | None:
    """Put the new rows' summaries into the fitted text model (its vocabulary and idf kept).

    A roster fitted without a single usable term has no model, and gets none here: the
    next ``fit`` builds one.
    """
    if model is None:
        return None
    new = sp.csr_array(model.vectorizer.transform(documents)) if documents else None
    old = model.by_expert
    if new is None:
        new = sp.csr_array((0, old.shape[1]), dtype=old.dtype)
    stacked = sp.csr_array(sp.vstack([old[splice.kept], new], format="csr"))
    order = splice.place(np.arange(len(splice.kept)), len(splice.kept) + np.arange(new.shape[0]))
    by_expert = sp.csr_array(stacked[order])
    by_expert.sort_indices()
    by_term = sp.csc_array(by_expert)
    by_term.sort_indices()
    labels, label_terms = model.labels, model.label_terms
    if labels.shape[0] != len(skills):  # codes new to the roster: label them too
        names = [""] * len(skills)
        for code, column in skills.items():
            names[column] = vocab.EXPERTISE_AREAS.get(code, code)
        labels = sp.csr_array(model.vectorizer.transform(names))
        labels.sort_indices()
        label_terms = sp.csc_array(labels)
        label_terms.sort_indices()
    return TextModel(model.vectorizer, model.analyzer, by_term, by_expert, labels, label_terms)


def patched_verified(
    old: np.ndarray | None,
    splice: Splice,
    index: RosterIndex,
    new_ids: list[str],
    verified: Mapping[str, Collection[str]],
    *,
    strict: bool,
) -> tuple[np.ndarray, list[str]]:
    """Splice the verified areas: kept rows keep theirs, new rows take ``verified``'s.

    ``old`` is None for a roster fitted without ``verified``: its kept rows have none.
    """
    width = len(index.skills)
    kept = np.zeros((len(splice.kept), width), dtype=bool, order="F")
    if old is not None:
        kept[:, : old.shape[1]] = old[splice.kept]
    out = splice.place(kept, np.zeros((len(splice.new_at), width), dtype=bool), fortran=True)
    ids = set(new_ids)
    mine = {eid: codes for eid, codes in verified.items() if eid in ids}
    return out, mark_verified(out, index, mine, strict=strict)
