"""The demo's reference data, its dates, and the weighted draws every part of it makes.

Reference data lives in ``roster/data/``: ``demo_roster.json`` (countries by UN regional
group, name pools, languages, roles, sentence templates) and ``demo_history.json``
(what happens to people on a roster: reasons for status changes and decisions,
spellings a name is registered under twice). Codes come from the taxonomy.
"""

import itertools
import json
import random
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import langcodes
import pycountry

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DATA_FILE = DATA_DIR / "demo_roster.json"
HISTORY_FILE = DATA_DIR / "demo_history.json"
TAXONOMY_FILE = Path(__file__).resolve().parents[2] / "matching" / "data" / "taxonomy.json"

# The roster's online registration opened this many years before the demo's day.
ROSTER_YEARS = 9
DAY = timedelta(days=1)


@cache
def reference_data() -> dict[str, Any]:
    """The demo reference data shipped in roster/data/demo_roster.json."""
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@cache
def history_data() -> dict[str, Any]:
    """Reasons, notes and name spellings of the demo's histories (roster/data/demo_history.json)."""
    return json.loads(HISTORY_FILE.read_text(encoding="utf-8"))


@cache
def taxonomy() -> dict[str, Any]:
    """The interchange taxonomy (expertise codes, levels, statuses, candidate outcomes)."""
    return json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))


def demo_regions() -> dict[str, str]:
    """Map every demo nationality (ISO alpha-2) to its UN regional group."""
    return {
        code: region
        for region, group in reference_data()["regions"].items()
        for code in group["countries"]
    }


@cache
def country_name(code: str) -> str:
    """A country's name as it reads inside a sentence ("in the Central African Republic")."""
    names = reference_data()["display_names"]
    if code in names:
        return names[code]
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or country.name


@cache
def language_name(code: str) -> str:
    """A language's English name from its BCP 47 tag."""
    return langcodes.Language.get(code).display_name()


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of ``day``: the demo's "now" is the start of its day."""
    return datetime.combine(day, time(0), UTC)


def weighted(shares: dict[Any, float]) -> tuple[list[Any], list[float]]:
    """Keys and cumulative weights, for ``random.choices(keys, cum_weights=...)``."""
    return list(shares), list(itertools.accumulate(shares.values()))


class Draws:
    """A seeded random stream with the draws the demo makes: shares, days and moments."""

    def __init__(self, seed: int, stream: str) -> None:
        # A string seed is hashed with SHA-512: the same on every run and platform.
        self.rng = random.Random(f"{seed}:{stream}")

    def pick(self, shares: dict[Any, float]) -> Any:
        """One key of shares, drawn in proportion to its value."""
        keys, cum = weighted(shares)
        return self.rng.choices(keys, cum_weights=cum)[0]

    def chance(self, share: float) -> bool:
        """True with probability ``share``."""
        return self.rng.random() < share

    def days(self, low: int, high: int) -> timedelta:
        """A whole number of days between ``low`` and ``high``, both included."""
        return timedelta(days=self.rng.randint(low, max(low, high)))

    def moment(self, low: datetime, high: datetime) -> datetime:
        """A moment from ``low`` to ``high`` (``low`` if the span is empty), in whole seconds."""
        low = low.replace(microsecond=0)
        seconds = int((high - low).total_seconds())
        return low + timedelta(seconds=self.rng.randint(0, max(0, seconds)))
