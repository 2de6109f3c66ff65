"""Reasons: why a candidate scored as they did, a code and its parameters each.

Written only for the candidates on the shortlist, criterion by criterion. In English
they read e.g. "French C1 required: has C2", "lacks desired skill: mediation",
"sign language expertise: yes", "raised by the balance rule to position 4"; their codes
and templates are in ``matching.messages``. Each function makes its reasons with
``make(code, params)``: ``matching.messages.english`` (the default) gives the English
sentences, ``matching.messages.Reason`` the structured reasons.
"""

from collections.abc import Callable

from matching import vocabulary as vocab
from matching.balance import Placement
from matching.index import RosterIndex
from matching.messages import Reason, english
from matching.query import RoleQuery

# Makes one reason from its code and parameters: a sentence or a structured reason.
Make = Callable[..., str | Reason]

SENIORITY_NAMES = ("", "P2", "P3", "P4", "P5", "D1")


def skill_reasons(index: RosterIndex, query: RoleQuery, row: int, make: Make = english) -> list:
    """Return the reasons about required and desired expertise areas, and which are verified.

    The verified ones are named only for a roster fitted with ``verified``.
    """
    reasons = []
    for code in query.required_skills:
        stored = int(index.skill_years[row, index.skills[code]])
        reasons.append(make("skill.required", {"skill": code, "years": stored - 1}))
    for code in query.desired_skills:
        column = index.skills.get(code)
        stored = int(index.skill_years[row, column]) if column is not None else 0
        reasons.append(
            make("skill.desired", {"skill": code, "years": stored - 1})
            if stored
            else make("skill.desired.missing", {"skill": code})
        )
    verified = index.skill_verified
    if verified is not None:
        codes = [
            code
            for code in (*query.required_skills, *query.desired_skills)
            if (column := index.skills.get(code)) is not None and verified[row, column]
        ]
        if codes:
            reasons.append(make("skills.verified", {"skills": codes}))
    return reasons


def language_reasons(index: RosterIndex, query: RoleQuery, row: int, make: Make = english) -> list:
    """Return the reasons about required and desired languages."""
    reasons = []
    for kind, entries in (
        ("required", query.required_languages),
        ("desired", query.desired_languages),
    ):
        for code, wanted in entries:
            column = index.languages.get(code)
            level = int(index.lang_levels[row, column]) if column is not None else 0
            params = {"language": code, "wanted": vocab.LANGUAGE_LEVELS[wanted - 1]}
            if level:
                params["level"] = vocab.LANGUAGE_LEVELS[level - 1]
                reasons.append(make(f"language.{kind}", params))
            else:
                reasons.append(make(f"language.{kind}.missing", params))
    return reasons


def other_reasons(
    index: RosterIndex,
    query: RoleQuery,
    row: int,
    covered: float,
    text: float,
    rating_mean: float,
    make: Make = english,
) -> list:
    """Return the reasons about accessibility, experience, availability, text and ratings."""
    reasons = []
    for code in query.accessibility:
        column = index.access.get(code)
        has = column is not None and bool(index.access_has[row, column])
        reasons.append(
            make("accessibility.has" if has else "accessibility.lacks", {"accessibility": code})
        )
    years = int(index.years[row])
    reasons.append(
        make("experience.minimum", {"years": years, "minimum": query.min_years})
        if query.min_years
        else make("experience", {"years": years})
    )
    if query.seniority:
        role_grade = SENIORITY_NAMES[query.seniority]
        grade = SENIORITY_NAMES[int(index.seniority[row])]
        reasons.append(
            make("seniority", {"grade": grade, "role_grade": role_grade})
            if grade
            else make("seniority.unknown", {"role_grade": role_grade})
        )
    # round() and the "%" format both round half to even on the exact value: the
    # percentage reads as "{covered:.0%}" did.
    reasons.append(
        make("availability.full")
        if covered >= 1
        else make("availability.partial", {"percent": round(covered * 100)})
    )
    if query.text:
        reasons.append(make("text.similarity", {"similarity": text}))
    count = int(index.rating_count[row])
    if count:
        mean = float(index.rating_sum[row] / count)
        reasons.append(make("rating", {"mean": mean, "count": count, "roster_mean": rating_mean}))
    else:
        reasons.append(make("rating.none", {"roster_mean": rating_mean}))
    return reasons


def move_reason(
    placement: Placement, position: int, rank: int, k: int, make: Make = english
) -> str | Reason | None:
    """Return the reason explaining a balance or regional move, None if none happened."""
    was = placement.score_rank[position]
    params = {"position": rank, "score_position": was} if was <= k else {"position": rank, "k": k}
    below = "" if was <= k else ".below"
    if position in placement.moves:
        return make(f"rank.raised.{placement.moves[position]}{below}", params)
    if was < rank:
        return make(f"rank.lowered{below}", params)
    return None
