"""Reasons: short plain sentences saying why a candidate scored as they did.

Written only for the candidates on the shortlist, criterion by criterion, e.g.
"French C1 required: has C2", "lacks desired skill: mediation",
"sign language expertise: yes", "raised by the balance rule to position 4".
"""

from functools import lru_cache

from matching import vocabulary as vocab
from matching.balance import Placement
from matching.index import RosterIndex
from matching.query import RoleQuery

SENIORITY_NAMES = ("", "P2", "P3", "P4", "P5", "D1")


def _skill(code: str) -> str:
    """Return a short readable name of an expertise or accessibility code."""
    return code.replace("-", " ")


@lru_cache(maxsize=1024)
def _language(code: str) -> str:
    """Return the English name of a language tag, the tag itself if unknown."""
    try:
        return vocab.language_name(code)
    except (ValueError, LookupError):
        return code


def _level(rank: int) -> str:
    """Return the level name of a rank, 'none' for 0."""
    return vocab.LANGUAGE_LEVELS[rank - 1] if rank else "none"


def _years(stored: int) -> str:
    """Return '(N years)' from a stored years+1 value."""
    years = stored - 1
    return f" ({years} year{'s' if years != 1 else ''})"


def skill_reasons(index: RosterIndex, query: RoleQuery, row: int) -> list[str]:
    """Return the reasons about required and desired expertise areas."""
    reasons = []
    for code in query.required_skills:
        stored = int(index.skill_years[row, index.skills[code]])
        reasons.append(f"has required skill: {_skill(code)}{_years(stored)}")
    for code in query.desired_skills:
        column = index.skills.get(code)
        stored = int(index.skill_years[row, column]) if column is not None else 0
        reasons.append(
            f"has desired skill: {_skill(code)}{_years(stored)}"
            if stored
            else f"lacks desired skill: {_skill(code)}"
        )
    return reasons


def language_reasons(index: RosterIndex, query: RoleQuery, row: int) -> list[str]:
    """Return the reasons about required and desired languages."""
    reasons = []
    for kind, entries in (
        ("required", query.required_languages),
        ("desired", query.desired_languages),
    ):
        for code, wanted in entries:
            column = index.languages.get(code)
            level = int(index.lang_levels[row, column]) if column is not None else 0
            reasons.append(f"{_language(code)} {_level(wanted)} {kind}: has {_level(level)}")
    return reasons


def other_reasons(
    index: RosterIndex, query: RoleQuery, row: int, covered: float, text: float, rating_mean: float
) -> list[str]:
    """Return the reasons about accessibility, experience, availability, text and ratings."""
    reasons = []
    for code in query.accessibility:
        column = index.access.get(code)
        has = column is not None and bool(index.access_has[row, column])
        reasons.append(f"{_skill(code)} expertise: {'yes' if has else 'no'}")
    years = int(index.years[row])
    minimum = f" (role minimum {query.min_years})" if query.min_years else ""
    reasons.append(f"{years} years of experience{minimum}")
    if query.seniority:
        grade = SENIORITY_NAMES[int(index.seniority[row])] or "not given"
        reasons.append(f"seniority {grade} for a {SENIORITY_NAMES[query.seniority]} role")
    reasons.append(
        "available for the whole period"
        if covered >= 1
        else f"available for {covered:.0%} of the period"
    )
    if query.text:
        reasons.append(f"terms of reference text similarity: {text:.2f}")
    count = int(index.rating_count[row])
    if count:
        mean = index.rating_sum[row] / count
        reasons.append(
            f"past deployment rating {mean:.1f} over {count} deployment"
            f"{'s' if count != 1 else ''}, shrunk toward the roster mean "
            f"{rating_mean:.1f}"
        )
    else:
        reasons.append(f"no rated deployment: counted at the roster mean {rating_mean:.1f}")
    return reasons


def move_reason(placement: Placement, position: int, rank: int, k: int) -> str | None:
    """Return the sentence explaining a balance or regional move, None if none happened."""
    was = placement.score_rank[position]
    on_score = f"position {was} on score alone" if was <= k else f"below the top {k} on score alone"
    rule = {"balance": "the balance rule", "region": "the regional cap"}
    if position in placement.moves:
        return f"raised by {rule[placement.moves[position]]} to position {rank} ({on_score})"
    if was < rank:
        return f"moved down to position {rank} by the balance rules ({on_score})"
    return None
