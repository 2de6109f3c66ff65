"""Teams the process has solved lately, kept per fitted matcher: a swap solves once, not twice.

The team page solves the team before a swap (for its effect) and after it; the team
before is the page the planner swapped from, so it is usually solved already. A team is
a pure function of the fitted matcher, its roster revision, the assessment's record,
the pool size and the exclusions: the key holds all of these, and the teams of a matcher
go when the matcher does (a refit makes a new one; a revision bump misses the old keys).
"""

import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

from matching import Matcher

# Teams kept per matcher: a planner's page and the swaps around it, for a few planners.
KEPT = 64
_LOCK = threading.Lock()
_TEAMS: "weakref.WeakKeyDictionary[Matcher, OrderedDict[tuple, dict[str, Any]]]" = (
    weakref.WeakKeyDictionary()
)


def cached_team(
    matcher: Matcher,
    *,
    revision: int,
    record: dict[str, Any],
    candidates_per_role: int,
    exclude: Mapping[str, Iterable[str]],
) -> dict[str, Any]:
    """``matcher.team(record, ..., structured=True, exclude=exclude)``, solved once per key.

    Args:
        matcher: the fitted matcher.
        revision: the roster revision it was fitted at (or last updated to).
        record: the needs assessment as ``needs.schema.json`` has it.
        candidates_per_role: each role's pool.
        exclude: role id -> external ids left out of that role's pool.
    Returns:
        The matcher's team; callers only read it.
    """
    key = (
        revision,
        json.dumps(record, sort_keys=True),
        candidates_per_role,
        tuple(sorted((role, tuple(sorted(ids))) for role, ids in exclude.items())),
    )
    with _LOCK:
        kept = _TEAMS.setdefault(matcher, OrderedDict())
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
    team = matcher.team(
        record, candidates_per_role=candidates_per_role, structured=True, exclude=exclude
    )
    with _LOCK:
        kept[key] = team
        while len(kept) > KEPT:
            kept.popitem(last=False)
    return team


def forget() -> None:
    """Drop every kept team (for measuring the solve itself)."""
    with _LOCK:
        _TEAMS.clear()
