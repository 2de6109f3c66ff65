"""Balanced re-ranking of a scored pool into a shortlist of ``k``.

The rule (spec README, "Shortlist semantics"): with a target share ``p`` of women,
every prefix of length ``i`` holds at least ``floor(p * i)`` women and the list holds at
least ``ceil(p * k)``, wherever the eligible pool has enough women; within each group
the order is by score (ties by external id). With ``max_region_share`` ``r``, no UN
regional group holds more than ``floor(r * k)`` places, where the pool allows.
Only consented women count (the index decides that); nothing is inferred.

Retrieval is deep enough: the pool holds the best ``k`` of every cell (women and
others, times regional group when a cap is asked), so the greedy fill below sees every
candidate it could ever pick. The fill takes, at each position, the best remaining
candidate allowed there: a woman when the prefix or the final count needs one, and one
whose regional group is not full; under a regional cap, also one that leaves the rest of
the list completable (``_Completion``). With fewer women in the pool than the target
asks, all of them are placed and the cap still kept where it can be. When the pool cannot
satisfy the rules together they are relaxed position by position, the gender rule kept
first, and the shortlist says so.
"""

import math
from dataclasses import dataclass, field

import numpy as np

EPSILON = 1e-9


def women_floor(target: float, length: int) -> int:
    """Return ``floor(target * length)``, robust to float error (0.3 * 10 is 3)."""
    return math.floor(target * length + EPSILON)


def women_ceil(target: float, length: int) -> int:
    """Return ``ceil(target * length)``, robust to float error (0.3 * 10 is 3)."""
    return math.ceil(target * length - EPSILON)


def region_cap(share: float | None, length: int) -> int | None:
    """Return the most places one regional group may hold, None without a cap."""
    return None if share is None else math.floor(share * length + EPSILON)


def top(score: np.ndarray, members: np.ndarray, k: int) -> np.ndarray:
    """Return the best ``k`` of ``members`` (ascending positions) by score, then position."""
    if len(members) > k:
        kth = np.partition(score[members], len(members) - k)[len(members) - k]
        members = members[score[members] >= kth]
    order = np.lexsort((members, -score[members]))
    return members[order][:k]


@dataclass
class Placement:
    """The shortlist as positions into the scored arrays, with why each one moved."""

    positions: list[int] = field(default_factory=list)
    moves: dict[int, str] = field(default_factory=dict)
    score_rank: dict[int, int] = field(default_factory=dict)
    relaxed_gender: bool = False
    relaxed_region: bool = False


def cells(woman: np.ndarray, region: np.ndarray, by_region: bool) -> np.ndarray:
    """Return each candidate's cell as a small integer: gender, times regional group
    (-1 for unknown) when a regional cap is asked."""
    key = woman.astype(np.int64)
    if by_region:
        key = key * (int(region.max(initial=-1)) + 2) + (region.astype(np.int64) + 1)
    return key


def pool(
    score: np.ndarray, woman: np.ndarray, region: np.ndarray, k: int, by_region: bool
) -> np.ndarray:
    """Return the best ``k`` of every cell, merged and ordered by score then position."""
    key = cells(woman, region, by_region)
    picked = []
    for cell in np.unique(key):
        picked.append(top(score, np.flatnonzero(key == cell), k))
    merged = np.concatenate(picked) if picked else np.zeros(0, dtype=np.int64)
    return merged[np.lexsort((merged, -score[merged]))]


def _allowed(
    c: int,
    need_woman: bool,
    woman: np.ndarray,
    region: np.ndarray,
    counts: dict[int, int],
    cap: int | None,
) -> tuple[bool, bool]:
    """Return whether candidate ``c`` meets the gender rule and the regional cap here."""
    gender_ok = woman[c] or not need_woman
    region_ok = cap is None or region[c] < 0 or counts.get(int(region[c]), 0) < cap
    return bool(gender_ok), bool(region_ok)


def fill(
    order: np.ndarray, woman: np.ndarray, region: np.ndarray, k: int, target: float, cap: int | None
) -> Placement:
    """Fill ``k`` places from ``order`` (pool by score) under the gender and regional rules."""
    placement = Placement(score_rank={int(c): i + 1 for i, c in enumerate(order)})
    remaining = [int(c) for c in order]
    need_total = women_ceil(target, k)
    women, counts = 0, {}
    ahead = _Completion(remaining, woman, region, cap) if cap is not None else None
    if ahead is not None:
        # Fewer women in the pool than the target asks: as many as there are, and the
        # cap kept where it can be. More women than the cap lets in: the gender rule
        # comes first, so the plain fill below relaxes the cap.
        need_total = min(need_total, int(woman[order].sum()))
        if not ahead.feasible(k, need_total, counts):
            ahead, need_total = None, women_ceil(target, k)
    for i in range(1, k + 1):
        floor = women_floor(target, i) if ahead is None else min(women_floor(target, i), need_total)
        need_woman = women < floor or need_total - women >= k - i + 1
        if ahead is not None:
            choice = ahead.choose(k - i, need_total - women, need_woman, counts)
        else:
            choice = _choose(remaining, need_woman, woman, region, counts, cap, placement)
        best = remaining[0]
        if choice != best:
            best_gender_ok, best_region_ok = _allowed(best, need_woman, woman, region, counts, cap)
            placement.moves[choice] = "balance" if not best_gender_ok else "region"
        remaining.remove(choice)
        if ahead is not None:
            ahead.take(choice)
        placement.positions.append(choice)
        women += int(woman[choice])
        if region[choice] >= 0:
            counts[int(region[choice])] = counts.get(int(region[choice]), 0) + 1
    return placement


class _Completion:
    """Looks ahead under a regional cap, so that the greedy fill never paints itself in.

    Taking the best allowed candidate at each position can fill a group's places with
    men and leave the women still needed in that very group. A pick is therefore made
    only if the rest of the list can still be completed: ``m`` more places, at least
    ``need`` of them women, no group over the cap. Women can always be moved earlier,
    so the prefix rule adds nothing to that test: it holds when, with ``left[r]`` the
    places group ``r`` has left, ``need <= m``, ``need <= sum(min(women_r, left[r]))``
    and ``m <= sum(min(women_r + others_r, left[r]))``.
    """

    def __init__(
        self, remaining: list[int], woman: np.ndarray, region: np.ndarray, cap: int
    ) -> None:
        self.remaining, self.woman, self.region, self.cap = remaining, woman, region, cap
        self.available: dict[tuple[int, bool], int] = {}
        for c in remaining:
            key = (int(region[c]), bool(woman[c]))
            self.available[key] = self.available.get(key, 0) + 1

    def take(self, c: int) -> None:
        """Remove ``c`` from what is available (the caller removes it from ``remaining``)."""
        self.available[(int(self.region[c]), bool(self.woman[c]))] -= 1

    def feasible(self, m: int, need: int, counts: dict[int, int]) -> bool:
        """Whether ``m`` places with ``need`` women fit what is available under the cap."""
        need = max(need, 0)
        if need > m:
            return False
        women = total = 0
        for group in {group for group, _ in self.available}:
            w = self.available.get((group, True), 0)
            o = self.available.get((group, False), 0)
            left = m if group < 0 else max(self.cap - counts.get(group, 0), 0)
            women += min(w, left)
            total += min(w + o, left)
        return need <= women and m <= total

    def choose(self, m: int, need: int, need_woman: bool, counts: dict[int, int]) -> int:
        """Return the best candidate allowed here that leaves ``m`` places completable."""
        for c in self.remaining:
            if not all(_allowed(c, need_woman, self.woman, self.region, counts, self.cap)):
                continue
            group, is_woman = int(self.region[c]), bool(self.woman[c])
            self.take(c)
            after = dict(counts)
            if group >= 0:
                after[group] = after.get(group, 0) + 1
            ok = self.feasible(m, need - is_woman, after)
            self.available[(group, is_woman)] += 1
            if ok:
                return c
        raise AssertionError("a feasible completion always has a first pick")  # pragma: no cover


def _choose(
    remaining: list[int],
    need_woman: bool,
    woman: np.ndarray,
    region: np.ndarray,
    counts: dict[int, int],
    cap: int | None,
    placement: Placement,
) -> int:
    """Return the best remaining candidate allowed here, relaxing a rule the pool can't meet."""
    fallback_gender = fallback_region = None
    for c in remaining:
        gender_ok, region_ok = _allowed(c, need_woman, woman, region, counts, cap)
        if gender_ok and region_ok:
            return c
        if gender_ok and fallback_region is None:
            fallback_region = c
        if region_ok and fallback_gender is None:
            fallback_gender = c
    if fallback_region is not None:
        placement.relaxed_region = True
        return fallback_region
    placement.relaxed_gender = True
    return fallback_gender if fallback_gender is not None else remaining[0]
