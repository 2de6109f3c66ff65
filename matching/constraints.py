"""The ``constraints`` part of a shortlist: gender target, regional counts, plain notes."""

import numpy as np

from matching.balance import Placement, region_cap, women_ceil, women_floor

UNKNOWN_REGION = "unknown"


def _gender_met(chosen_women: list[bool], target: float) -> bool:
    """Return whether every prefix and the whole list meet the gender rule."""
    women = 0
    for i, is_woman in enumerate(chosen_women, start=1):
        women += is_woman
        if women < women_floor(target, i):
            return False
    return women >= women_ceil(target, len(chosen_women))


def report(
    *,
    placement: Placement,
    woman: np.ndarray,
    region: np.ndarray,
    regions: tuple[str, ...],
    k: int,
    eligible_women: int,
    target: float,
    share: float | None,
) -> dict:
    """Return the ``constraints`` object of ``shortlist.schema.json`` for a placement.

    ``woman`` and ``region`` are aligned with the scored arrays that
    ``placement.positions`` index into; ``k`` is the length asked for.
    """
    chosen = placement.positions
    length = len(chosen)
    chosen_women = [bool(woman[c]) for c in chosen]
    counts: dict[str, int] = {}
    for c in chosen:
        name = regions[int(region[c])] if region[c] >= 0 else UNKNOWN_REGION
        counts[name] = counts.get(name, 0) + 1
    gender_ok = _gender_met(chosen_women, target)
    notes = _length_notes(length, k)
    needed = women_ceil(target, length)
    if target > 0 and length:
        if gender_ok:
            women = sum(chosen_women)
            notes.append(
                f"Gender target met: {women} wom{'a' if women == 1 else 'e'}n in {length} "
                f"(at least {needed} for a target of {target:.0%}, in every prefix too)."
            )
        elif eligible_women < needed:
            notes.append(
                f"Only {eligible_women} eligible women for a target of {needed} in "
                f"{length}: the balance target is not met."
            )
        else:
            notes.append("The gender balance could not be met in every prefix of the list.")
        notes.append(
            "Gender counts only where the expert consented to its use; "
            "undisclosed gender counts as not a woman and is never inferred."
        )
    region_ok = _region_notes(notes, counts, share, length)
    return {
        "gender_target": target,
        "women": sum(chosen_women),
        "satisfied": bool(gender_ok and region_ok),
        "region_counts": dict(sorted(counts.items())),
        "notes": notes,
    }


def _length_notes(length: int, k: int) -> list[str]:
    """Return the note saying the list is shorter than asked, if it is."""
    if length == 0:
        return ["No expert passes the hard filters for this role."]
    if length < k:
        experts = "expert passes" if length == 1 else "experts pass"
        return [
            f"Only {length} {experts} the hard filters: the shortlist holds {length} "
            f"instead of {k}."
        ]
    return []


def _region_notes(
    notes: list[str], counts: dict[str, int], share: float | None, length: int
) -> bool:
    """Append the regional cap's note; return whether the cap holds."""
    cap = region_cap(share, length)
    if cap is None or not length:
        return True
    over = sorted(name for name, n in counts.items() if n > cap and name != UNKNOWN_REGION)
    if over:
        notes.append(
            f"Regional cap of {share:.0%} (at most {cap} of {length}) not met for "
            f"{', '.join(over)}: the eligible pool has too few experts from other "
            "groups to meet it (alongside the gender target, which comes first)."
        )
        return False
    notes.append(f"Regional cap met: no UN regional group holds more than {cap} of {length}.")
    return True
