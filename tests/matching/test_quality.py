"""Ranking quality on a seeded synthetic roster with planted ideal candidates and decoys.

Planted: ideal candidates (relevance 3), good ones (relevance 2), and near-miss decoys,
each ideal but for one broken must-have. Decoys must never appear; nDCG@10 is measured
against the graded relevance, with the default weights and with weights learned from a
synthetic history of planners who weigh expertise first. A second roster carries
injected misspellings of language names and expertise labels, at least 95% of which must
be read as the intended code.
"""

import math

import numpy as np
import pytest

from matching import Matcher
from matching.synthetic import inject_misspellings, make_history, make_roster
from tests.factories import deployment_record, expert_record, needs_record, role_record
from tests.matching.conftest import ids
from tests.spec import assert_valid

ROLE = role_record(
    title="Voter Registration Adviser",
    seniority="P4",
    min_years=8,
    required_skills=["voter-registration"],
    desired_skills=["electoral-technology", "civil-registration"],
    required_languages=[{"code": "fr", "level": "C1"}],
    desired_languages=[{"code": "ar", "level": "B1"}],
    accessibility_expertise=["easy-read"],
    description="Design biometric voter registration and audits of the voter list.",
)
NEEDS = needs_record(ROLE, gender_target=0.0)
RATED = [deployment_record(rating=5)]


def ideal(eid: str, gender: str, **overrides) -> dict:
    """An ideal candidate: every must-have with margin, every desired item."""
    fields = {
        "gender": gender,
        "nationalities": ["SN"],
        "seniority": "P4",
        "years_experience": 16,
        "languages": [{"code": "fr", "level": "native"}, {"code": "ar", "level": "C1"}],
        "skills": [
            {"code": "voter-registration", "years": 12},
            {"code": "electoral-technology", "years": 10},
            {"code": "civil-registration", "years": 10},
        ],
        "accessibility_expertise": ["easy-read"],
        "summary": "Led biometric voter registration and audits of the voter list.",
        "deployments": RATED * 3,
    }
    fields.update(overrides)
    return expert_record(eid, **fields)


def good(eid: str, gender: str) -> dict:
    """A good candidate: the must-haves and desired skills with fewer years, no Arabic and
    no accessibility expertise."""
    return expert_record(
        eid,
        gender=gender,
        nationalities=["PE"],
        seniority="P4",
        years_experience=12,
        languages=[{"code": "fr", "level": "C2"}],
        skills=[
            {"code": "voter-registration", "years": 7},
            {"code": "electoral-technology", "years": 6},
            {"code": "civil-registration", "years": 6},
        ],
        summary="Voter registration officer; voter list updates.",
    )


DECOYS = {
    "DECOY-B2": {"languages": [{"code": "fr", "level": "B2"}, {"code": "ar", "level": "C1"}]},
    "DECOY-EARLY": {"availability": [{"from": "2027-01-01", "to": "2027-06-23"}]},
    "DECOY-NATIONAL": {"nationalities": ["ML"]},
    "DECOY-NOSKILL": {
        "skills": [
            {"code": "electoral-technology", "years": 10},
            {"code": "civil-registration", "years": 10},
        ]
    },
    "DECOY-APPLICANT": {"roster_status": "applicant"},
}


@pytest.fixture(scope="module")
def planted() -> tuple[list[dict], dict[str, int]]:
    """A 3000-expert background roster with planted candidates, and their relevance.

    Background experts are partly relevant (1) when eligible and holding a desired skill.
    """
    roster = make_roster(3000, seed=7)
    relevance = {r["external_id"]: 1 for r in roster if _partly_relevant(r)}
    for i in range(6):
        gender = "woman" if i % 2 else "man"
        roster.append(ideal(f"IDEAL-{i}", gender))
        roster.append(good(f"GOOD-{i}", gender))
        relevance[f"IDEAL-{i}"], relevance[f"GOOD-{i}"] = 3, 2
    for name, overrides in DECOYS.items():
        for i in range(2):
            roster.append(ideal(f"{name}-{i}", "woman", **overrides))
    return roster, relevance


def _partly_relevant(record: dict) -> bool:
    """Return whether a background expert meets the must-haves and has a desired skill."""
    skills = {s["code"] for s in record["skills"]}
    french = any(
        x["code"] == "fr" and x["level"] in ("C1", "C2", "native") for x in record["languages"]
    )
    available = any(
        w["from"] <= "2027-03-01" and w["to"] >= "2027-06-30" for w in record["availability"]
    )
    return (
        record["roster_status"] == "rostered"
        and "ML" not in record["nationalities"]
        and "voter-registration" in skills
        and french
        and available
        and bool(skills & {"electoral-technology", "civil-registration"})
    )


def ndcg_at(ranked: list[str], relevance: dict[str, int], k: int) -> float:
    """Return nDCG@k with gains 2**rel - 1."""

    def dcg(gains: list[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:k]))

    ideal_gains = sorted(relevance.values(), reverse=True)
    return dcg([relevance.get(e, 0) for e in ranked]) / dcg(ideal_gains)


# Planners of the synthetic history: expertise first, then languages, experience and
# past appraisals; the summary's wording and availability beyond the period matter little.
PLANNERS = {
    "skills": 0.35,
    "languages": 0.2,
    "accessibility": 0.05,
    "experience": 0.2,
    "availability": 0.0,
    "text": 0.05,
    "ratings": 0.15,
}


@pytest.fixture(scope="module")
def matchers(planted) -> dict[str, Matcher]:
    """The planted roster fitted with the default weights, and with a history's."""
    roster, _ = planted
    default = Matcher().fit(roster)
    history = make_history(default, preference=PLANNERS, missions=20, roles_per_mission=4, seed=5)
    learned = Matcher().fit(roster, history=history)
    assert learned.learning_["source"] == "learned"
    return {"default": default, "learned": learned}


@pytest.mark.parametrize("weights", ["default", "learned"])
@pytest.mark.parametrize("target", [0.0, 0.5])
def test_decoys_never_appear_and_ndcg_is_high(planted, matchers, weights, target):
    _, relevance = planted
    matcher = matchers[weights]
    result = matcher.shortlist(dict(NEEDS, gender_target=target), role_id="R1", k=50)
    assert not [e for e in ids(result) if e.startswith("DECOY")]
    score = ndcg_at(ids(result), relevance, 10)
    print(f"\nnDCG@10 ({weights} weights, gender target {target}): {score:.3f}")
    assert score >= 0.95


def test_misspelled_names_are_read_as_the_intended_codes():
    roster = make_roster(2000, seed=11)
    injected = inject_misspellings(roster, rate=0.5, seed=3)
    matcher = Matcher(strict=False).fit(roster)
    index = matcher.index_
    hits = 0
    for eid, field, _, expected in injected:
        row = index.row_of(eid)
        if field == "languages":
            column = index.languages.get(expected)
            hits += column is not None and index.lang_levels[row, column] > 0
        else:
            hits += bool(index.skill_years[row, index.skills[expected]] > 0)
    share = hits / len(injected)
    print(f"\nmisspellings normalised: {hits}/{len(injected)} = {share:.1%}")
    assert len(injected) > 500
    assert share >= 0.95


def test_synthetic_rosters_are_valid_and_seeded():
    first = make_roster(200, seed=5)
    assert first == make_roster(200, seed=5)
    for record in first:
        assert_valid(record, "expert.schema.json")
    assert np.mean([r["roster_status"] == "rostered" for r in first]) > 0.5
