"""Where a role's pool falls short: what each hard requirement costs, and what would widen it.

The hard filters of ``matching.filters`` are taken one requirement at a time: each
required expertise area, each required language at its level, the exclusion of the host
country's nationals (when the needs ask for it) and availability (for the whole period,
or for some of it when partial availability is allowed). Being rostered is the
population, not a requirement; the minimum years of experience, seniority and desired
expertise are scored, never filtered, so they exclude nobody.

Each requirement is one boolean mask over every row of the roster, read from whole
columns of the index (no gathers), made once; being rostered is the mask the others are
AND-ed onto. With ``m`` requirements, the rostered experts passing every requirement but
the ``i``-th are the AND of the masks before it (a running prefix, starting from the
rostered) and of those after it (a running suffix): ``m`` prefixes and ``m`` suffixes
give every "all the others" in ``O(m * n)``, where AND-ing the others afresh for each
requirement would take ``O(m * m * n)``. Of those who meet everything else, the
requirement excludes all but the eligible ones, and relaxing it alone would make exactly
them eligible. A lower language level or partial availability is counted on the same
rows: the levels those who meet everything else hold, and whether any of their windows
overlaps the period. About a millisecond at 100,000 experts.
"""

from dataclasses import dataclass

import numpy as np

from matching import vocabulary as vocab
from matching.balance import women_ceil
from matching.index import RosterIndex
from matching.messages import Reason
from matching.query import RoleQuery


@dataclass
class _Requirement:
    """One hard requirement of a role: its sentence's code and parameters, and its mask."""

    code: str
    params: dict
    mask: np.ndarray  # over all rows: who meets this requirement
    levels: np.ndarray | None = None  # a language's level ranks
    partial: np.ndarray | None = None  # whole-period availability's lesser form: some of it


def _windows_per_row(index: RosterIndex, window_ok: np.ndarray) -> np.ndarray:
    """Return, for every row, whether one of its availability windows is ``window_ok``.

    A running count of the good windows, read at each row's first and past-last window.
    """
    counted = np.concatenate([[0], np.cumsum(window_ok, dtype=np.int64)])
    return counted[index.avail_ptr[1:]] > counted[index.avail_ptr[:-1]]


def _masks(index: RosterIndex, query: RoleQuery) -> list[_Requirement]:
    """Return the role's hard requirements in a fixed order, each with its mask over all rows.

    The masks read whole columns (no gathers): being rostered is AND-ed in afterwards.
    The order (expertise areas, languages, nationals, availability, each as the role
    lists them) breaks ties between requirements that exclude as many experts.
    """
    n = index.n
    found = []
    for code in query.required_skills:
        column = index.skills.get(code)
        mask = np.zeros(n, dtype=bool) if column is None else index.skill_years[:, column] > 0
        found.append(_Requirement("shortfall.requirement.skill", {"skill": code}, mask))
    for code, rank in query.required_languages:
        column = index.languages.get(code)
        levels = np.zeros(n, dtype=np.int8) if column is None else index.lang_levels[:, column]
        params = {"language": code, "level": vocab.LANGUAGE_LEVELS[rank - 1]}
        found.append(_Requirement("shortfall.requirement.language", params, levels >= rank, levels))
    if query.exclude_nationals:
        host = index.countries.get(query.country)
        mask = np.ones(n, dtype=bool)
        if host is not None:
            for slot in range(index.nationality.shape[1]):
                mask &= index.nationality[:, slot] != host
        params = {"country": query.country}
        found.append(_Requirement("shortfall.requirement.nationals", params, mask))
    # Windows are merged per expert: one window covers the period or none does.
    overlaps = _windows_per_row(
        index, (index.avail_from <= query.end) & (index.avail_to >= query.start)
    )
    if query.partial:
        found.append(_Requirement("shortfall.requirement.availability.partial", {}, overlaps))
    else:
        covers = _windows_per_row(
            index, (index.avail_from <= query.start) & (index.avail_to >= query.end)
        )
        found.append(
            _Requirement("shortfall.requirement.availability", {}, covers, partial=overlaps)
        )
    return found


def _all_but_each(base: np.ndarray, masks: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Return, for each mask, ``base`` AND all the other masks; and ``base`` AND them all.

    Running ANDs from the front and from the back: ``others[i] = prefix[i] & suffix[i + 1]``,
    ``2 * m`` ANDs in all rather than ``m * (m - 1)``.
    """
    m = len(masks)
    prefix = [base]
    for mask in masks:
        prefix.append(prefix[-1] & mask)
    suffix = [np.ones_like(base)]
    for mask in reversed(masks):
        suffix.append(suffix[-1] & mask)
    suffix.reverse()  # suffix[i]: the AND of masks i .. m - 1
    return [prefix[i] & suffix[i + 1] for i in range(m)], prefix[m]


def _widened(requirement: _Requirement, others: np.ndarray) -> dict[str, int]:
    """Return how many would be eligible under each lesser form of one requirement.

    ``others``: the rows meeting every other requirement. A language: each lower level
    (``{"B2": 250, ...}``); availability for the whole period: some of it
    (``{"partial": 240}``); other requirements have no lesser form (dropping one makes
    ``meet_everything_else`` eligible).
    """
    if requirement.levels is not None:
        held = np.bincount(requirement.levels[others], minlength=len(vocab.LANGUAGE_LEVELS) + 1)
        at_least = np.cumsum(held[::-1])[::-1]  # at_least[r]: how many hold rank r or above
        wanted = vocab.level_rank(requirement.params["level"])
        return {vocab.LANGUAGE_LEVELS[r - 1]: int(at_least[r]) for r in range(wanted - 1, 0, -1)}
    if requirement.partial is not None:
        return {"partial": int(np.count_nonzero(others & requirement.partial))}
    return {}


def requirements(index: RosterIndex, query: RoleQuery, *, structured: bool = False) -> dict:
    """Return what each hard requirement of one role excludes, and the notes on a short pool.

    See ``Matcher.requirements`` for the output.
    """
    found = _masks(index, query)
    others, everything = _all_but_each(index.rostered, [r.mask for r in found])
    eligible_count = int(np.count_nonzero(everything))
    listed = []
    for requirement, meet_others in zip(found, others, strict=True):
        meet = int(np.count_nonzero(meet_others))
        params = {
            **requirement.params,
            "excluded": meet - eligible_count,
            "meet_everything_else": meet,
        }
        listed.append(
            {
                **Reason(requirement.code, params).as_dict(),
                "excluded": meet - eligible_count,
                "meet_everything_else": meet,
                "widened": _widened(requirement, meet_others),
            }
        )
    # A stable sort: ties keep the order of _masks.
    order = sorted(range(len(listed)), key=lambda i: -listed[i]["excluded"])
    listed = [listed[i] for i in order]
    binding = dict(listed[0]) if listed and listed[0]["excluded"] > 0 else None
    eligible_women = int(np.count_nonzero(index.woman & everything))
    notes = _notes(query, eligible_count, eligible_women, binding)
    result = {
        "needs_id": query.needs_id,
        "role_id": query.role_id,
        "positions": query.positions,
        "rostered_count": len(index.rostered_rows),
        "eligible_count": eligible_count,
        "eligible_women": eligible_women,
        "requirements": listed,
        "binding": binding,
        "notes": [str(note) for note in notes],
    }
    if structured:
        result["note_codes"] = [note.as_dict() for note in notes]
    return result


def _notes(query: RoleQuery, eligible: int, women: int, binding: dict | None) -> list[Reason]:
    """Return the notes saying where the pool falls short, none when it does not."""
    named = [Reason(binding["code"], binding["params"])] if binding else []
    if eligible == 0:
        if binding is None:
            return [Reason("shortfall.nobody.several")]
        return [Reason("shortfall.nobody"), *named]
    notes = []
    if eligible < query.positions:
        notes += [
            Reason("shortfall.positions", {"eligible": eligible, "positions": query.positions}),
            *named,
        ]
    needed = women_ceil(query.gender_target, query.positions)
    if query.gender_target > 0 and women < needed:
        notes.append(
            Reason(
                "shortfall.gender",
                {
                    "women": women,
                    "needed": needed,
                    "positions": query.positions,
                    "target": round(query.gender_target * 100),
                },
            )
        )
    return notes
