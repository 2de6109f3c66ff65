"""The ``constraints`` part of a shortlist: gender target, regional counts, plain notes.

The notes are :class:`~matching.messages.Reason` objects here; the matcher writes
their English text (and, when asked, their structured form).
"""

import numpy as np

from matching.balance import Placement, region_cap, women_ceil, women_floor
from matching.messages import Reason

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
    ``placement.positions`` index into; ``k`` is the length asked for. Its ``notes``
    are ``Reason`` objects (``str()`` gives each sentence).
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
                Reason(
                    "gender.met",
                    {
                        "women": women,
                        "length": length,
                        "needed": needed,
                        "target": round(target * 100),
                    },
                )
            )
        elif eligible_women < needed:
            notes.append(
                Reason(
                    "gender.short",
                    {"eligible_women": eligible_women, "needed": needed, "length": length},
                )
            )
        else:
            notes.append(Reason("gender.prefix"))
        notes.append(Reason("gender.consent"))
    region_ok = _region_notes(notes, counts, share, length)
    return {
        "gender_target": target,
        "women": sum(chosen_women),
        "satisfied": bool(gender_ok and region_ok),
        "region_counts": dict(sorted(counts.items())),
        "notes": notes,
    }


def _length_notes(length: int, k: int) -> list[Reason]:
    """Return the note saying the list is shorter than asked, if it is."""
    if length == 0:
        return [Reason("shortlist.empty")]
    if length < k:
        return [Reason("shortlist.short", {"length": length, "k": k})]
    return []


def _region_notes(
    notes: list[Reason], counts: dict[str, int], share: float | None, length: int
) -> bool:
    """Append the regional cap's note; return whether the cap holds."""
    cap = region_cap(share, length)
    if cap is None or not length:
        return True
    over = sorted(name for name, n in counts.items() if n > cap and name != UNKNOWN_REGION)
    if over:
        notes.append(
            Reason(
                "region.unmet",
                {"share": round(share * 100), "cap": cap, "length": length, "regions": over},
            )
        )
        return False
    notes.append(Reason("region.met", {"cap": cap, "length": length}))
    return True
