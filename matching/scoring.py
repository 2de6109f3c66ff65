"""The additive score: one value in [0, 1] per criterion, weighted and summed.

Each criterion is computed for all eligible rows at once and rounded to six decimals;
the total is then ``sum(weights[c] * criteria[c])`` over ``CRITERIA`` in that order,
so a client who adds up the published criteria with the published weights gets the
published score exactly (same floats, same order of operations). Gender and region
never enter the score.

Criteria (a criterion the role does not ask for is 0 for every candidate):

skills
    Mean over the role's skills, required counting twice: a held skill earns
    ``0.5 + 0.5 * min(years / skill_years_cap, 1)``, a missing desired skill 0.
    Fitted with ``verified``, a verified area's credit counts ``1 + verified_bonus``
    times a self-declared one's, and the mean is taken over the weights at that
    bonus, ``sum(w * credit * (1 + bonus * verified)) / sum(w * (1 + bonus))``: an
    expert with every area verified and saturated still scores 1, one with none
    verified ``1 / (1 + bonus)`` of what they would score with all verified.
languages
    Mean over the role's languages. A required one (met by every eligible expert, a
    hard filter) earns, in the ``"margin"`` shape (the default), its margin above the
    required level, ``(level - required) / (native - required)`` (meeting the level
    exactly earns 0); in the ``"met"`` shape half for meeting the level and half for
    the margin, ``0.5 + 0.5 * margin``, which halves what the margin counts against the
    desired languages. Both are 1 when native is required. A desired one earns 1 when met, else
    ``0.5 * level / desired level``.
accessibility
    Share of the accessibility expertise asked for by the role that the expert has.
experience
    Mean of the years component and, when the role names a seniority,
    ``max(0, 1 - 0.25 * |grade difference|)``. In the ``"linear"`` shape (the default)
    the years component is ``min(years / (2 * min_years), 1)`` (meeting the minimum
    earns 0.5; with no minimum, ``years / experience_years_cap``); in the ``"concave"``
    shape it is the square root of that, so the first years above nothing count most
    (meeting the minimum earns 0.71).
availability
    Share of the role period the expert is available for (1 under full availability).
text
    Cosine similarity of the TF-IDF vector of the role's title and terms of reference
    to the expert's summary or to the label of a held expertise area, the best of them
    (``matching.text``).
ratings
    Mean past deployment rating shrunk toward the roster mean,
    ``(sum + m * mean) / (count + m)`` with ``m = rating_prior_strength``, mapped from
    1..5 to 0..1.
"""

import numpy as np

from matching.index import RosterIndex
from matching.query import RoleQuery

CRITERIA = ("skills", "languages", "accessibility", "experience", "availability", "text", "ratings")
DEFAULT_WEIGHTS = {
    "skills": 0.30,
    "languages": 0.15,
    "accessibility": 0.10,
    "experience": 0.20,
    "availability": 0.05,
    "text": 0.10,
    "ratings": 0.10,
}
# How criteria earn credit, where more than one shape is defensible: the first is the
# default, and a history of decisions may choose another (``matching.learning``).
SHAPES: dict[str, tuple[str, ...]] = {
    "languages": ("margin", "met"),
    "experience": ("linear", "concave"),
}
DEFAULT_SHAPES = {criterion: shapes[0] for criterion, shapes in SHAPES.items()}
DECIMALS = 6
NATIVE = 7


def skills(
    index: RosterIndex,
    query: RoleQuery,
    rows: np.ndarray,
    years_cap: int,
    verified_bonus: float = 0.0,
) -> np.ndarray:
    """Return the skills criterion of ``rows``; verified areas count for more when known."""
    if index.skill_verified is not None:
        return _verified_skills(index, query, rows, years_cap, float(verified_bonus))
    total = np.zeros(len(rows))
    weight = 0
    for codes, w in ((query.required_skills, 2), (query.desired_skills, 1)):
        for code in codes:
            weight += w
            column = index.skills.get(code)
            if column is None:
                continue
            stored = index.skill_years[:, column][rows].astype(np.float64)
            credit = np.where(stored > 0, 0.5 + 0.5 * np.minimum((stored - 1) / years_cap, 1), 0)
            total += w * credit
    return total / weight if weight else total


def _verified_skills(
    index: RosterIndex, query: RoleQuery, rows: np.ndarray, years_cap: int, bonus: float
) -> np.ndarray:
    """The skills criterion where a verified area's credit counts ``1 + bonus`` times."""
    total = np.zeros(len(rows))
    weight = 0.0
    verified = index.skill_verified
    for codes, w in ((query.required_skills, 2), (query.desired_skills, 1)):
        for code in codes:
            weight += w * (1.0 + bonus)
            column = index.skills.get(code)
            if column is None:
                continue
            stored = index.skill_years[:, column][rows].astype(np.float64)
            credit = np.where(stored > 0, 0.5 + 0.5 * np.minimum((stored - 1) / years_cap, 1), 0)
            total += w * credit * (1.0 + bonus * verified[:, column][rows])
    return total / weight if weight else total


def languages(
    index: RosterIndex, query: RoleQuery, rows: np.ndarray, shape: str = "margin"
) -> np.ndarray:
    """Return the languages criterion of ``rows``, required levels credited by ``shape``."""
    total = np.zeros(len(rows))
    parts = len(query.required_languages) + len(query.desired_languages)
    met = 0.5 if shape == "met" else 0.0
    for code, required in query.required_languages:
        if code not in index.languages:  # nobody speaks it: no row is eligible anyway
            continue
        level = index.lang_levels[:, index.languages[code]][rows].astype(np.float64)
        if required == NATIVE:
            total += 1.0
        else:  # below the level (a row no hard filter removed) earns nothing
            margin = np.maximum(level - required, -1.0) / (NATIVE - required)
            total += np.where(level >= required, met + (1 - met) * margin, 0.0)
    for code, desired in query.desired_languages:
        column = index.languages.get(code)
        if column is None:
            continue
        level = index.lang_levels[:, column][rows].astype(np.float64)
        total += np.where(level >= desired, 1.0, 0.5 * level / desired)
    return total / parts if parts else total


def accessibility(index: RosterIndex, query: RoleQuery, rows: np.ndarray) -> np.ndarray:
    """Return the share of the role's wanted accessibility expertise each row has."""
    total = np.zeros(len(rows))
    for code in query.accessibility:
        column = index.access.get(code)
        if column is not None:
            total += index.access_has[:, column][rows]
    return total / len(query.accessibility) if query.accessibility else total


def experience(
    index: RosterIndex, query: RoleQuery, rows: np.ndarray, years_cap: int, shape: str = "linear"
) -> np.ndarray:
    """Return the experience criterion: years against the minimum, and seniority."""
    years = index.years[rows].astype(np.float64)
    scale = 2.0 * query.min_years if query.min_years else float(years_cap)
    result = np.minimum(years / scale, 1.0)
    if shape == "concave":
        result = np.sqrt(result)
    if query.seniority:
        grade = index.seniority[rows].astype(np.float64)
        fit = np.where(grade > 0, np.maximum(0.0, 1 - 0.25 * np.abs(grade - query.seniority)), 0)
        result = (result + fit) / 2
    return result


def ratings_criterion(
    rating_sum: np.ndarray, rating_count: np.ndarray, strength: float
) -> tuple[np.ndarray, float]:
    """Return the ratings criterion of every expert and the roster mean rating."""
    rated = rating_count.sum()
    mean = float(rating_sum.sum() / rated) if rated else 3.0
    shrunk = (rating_sum + strength * mean) / (rating_count + strength)
    return (shrunk - 1.0) / 4.0, mean


def total(criteria: np.ndarray, weights: dict[str, float]) -> np.ndarray:
    """Return ``sum(weights[c] * criteria[c])`` in ``CRITERIA`` order, element-wise.

    ``criteria`` holds one row per criterion, in ``CRITERIA`` order. The products are
    made in one call, then added one row at a time from zero: the same floats in the
    same order as the sum a client makes from the published figures.
    """
    products = np.array([weights[name] for name in CRITERIA])[:, None] * criteria
    result = np.zeros(criteria.shape[1])
    for row in products:
        result += row
    return result


def contenders(lower: np.ndarray, upper: np.ndarray, cells: np.ndarray, length: int) -> np.ndarray:
    """Return which rows could be among the best ``length`` of their cell by score.

    ``cells`` are small non-negative integers.

    ``lower`` and ``upper`` bound each row's total score. A row is left out only when
    ``length`` rows of its cell have a lower bound above its upper bound: they all beat
    it, whatever its missing criterion turns out to be. The best ``length`` of every cell
    (in score, then row order) are therefore the same among the contenders as among all.
    """
    keep = np.ones(len(lower), dtype=bool)
    for cell in np.flatnonzero(np.bincount(cells)).tolist():  # cells are small integers
        members = np.flatnonzero(cells == cell)
        if len(members) > length:
            kth = np.partition(lower[members], len(members) - length)[len(members) - length]
            keep[members] = upper[members] >= kth
    return keep
