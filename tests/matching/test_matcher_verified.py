"""Verified expertise: counted for more in the skills criterion, and named in the reasons.

The interchange records have no room for a verified mark, so ``fit(..., verified=...)``
says it beside them; without it, every output is the one of a matcher that never heard
of verification.
"""

import copy
import json

import joblib
import pytest

from matching import Matcher
from matching.synthetic import make_needs, make_roster
from tests.factories import expert_record, needs_record, role_record
from tests.matching.conftest import ids, recomputed
from tests.spec import assert_valid

NEEDS = needs_record(role_record(desired_skills=["mediation"]))
SKILLS = [{"code": "electoral-management", "years": 8}, {"code": "mediation", "years": 4}]


def twins() -> list[dict]:
    """Two experts alike in everything the matcher reads; E1 sorts first."""
    return [expert_record(key, skills=SKILLS) for key in ("E1", "E2")]


def test_a_verified_area_ranks_an_expert_above_their_self_declared_twin():
    plain = Matcher().fit(twins()).shortlist(NEEDS, k=2)
    assert ids(plain) == ["E1", "E2"]  # a tie, broken by the external id
    assert plain["candidates"][0]["score"] == plain["candidates"][1]["score"]
    matcher = Matcher().fit(twins(), verified={"E2": ["electoral-management"]})
    ranked = matcher.shortlist(NEEDS, k=2)
    assert ids(ranked) == ["E2", "E1"]
    first, second = ranked["candidates"]
    assert first["criteria"]["skills"] > second["criteria"]["skills"]
    others = set(first["criteria"]) - {"skills"}
    assert all(first["criteria"][c] == second["criteria"][c] for c in others)


def test_the_bonus_is_relative_and_the_criterion_stays_within_zero_and_one():
    record = expert_record("E1", skills=[{"code": "electoral-management", "years": 30}])
    needs = needs_record(role_record(desired_skills=[]))
    alone = Matcher().fit([record]).shortlist(needs, k=1)["candidates"][0]["criteria"]
    assert alone["skills"] == 1.0
    for bonus in (0.0, 0.5, 2.0):
        verified = Matcher(verified_bonus=bonus).fit(
            [record], verified={"E1": ["electoral-management"]}
        )
        declared = Matcher(verified_bonus=bonus).fit([record], verified={})
        assert verified.shortlist(needs, k=1)["candidates"][0]["criteria"]["skills"] == 1.0
        self_declared = declared.shortlist(needs, k=1)["candidates"][0]["criteria"]["skills"]
        assert self_declared == pytest.approx(1 / (1 + bonus), abs=1e-6)


def test_the_criteria_still_add_up_to_the_score_exactly():
    roster = make_roster(400, seed=5)
    verified = {r["external_id"]: [s["code"] for s in r["skills"]] for r in roster[::2]}
    matcher = Matcher().fit(roster, verified=verified)
    needs = make_needs(3, seed=5)
    for role in needs["roles"]:
        shortlist = matcher.shortlist(needs, role_id=role["id"], k=15)
        for candidate in shortlist["candidates"]:
            assert recomputed(candidate, shortlist["weights"]) == candidate["score"]
            assert 0.0 <= candidate["criteria"]["skills"] <= 1.0


def test_without_verified_the_output_is_exactly_as_before():
    roster = make_roster(300, seed=8)
    needs = make_needs(2, seed=8)
    before = Matcher().fit(copy.deepcopy(roster))
    after = Matcher(verified_bonus=3.0).fit(roster, verified=None)
    for role in needs["roles"]:
        for structured in (False, True):
            options = {"role_id": role["id"], "k": 10, "structured": structured}
            assert json.dumps(after.shortlist(needs, **options)) == json.dumps(
                before.shortlist(needs, **options)
            )
    assert not after.verified_
    assert all("verified" not in json.dumps(r) for r in roster)  # records untouched


def test_the_shortlist_names_the_verified_areas_of_the_role():
    matcher = Matcher().fit(twins(), verified={"E2": ["mediation", "electoral-management"]})
    shortlist = matcher.shortlist(NEEDS, k=2, structured=True)
    by_id = {c["external_id"]: c for c in shortlist["candidates"]}
    assert "verified by a recruiter: electoral management, mediation" in by_id["E2"]["reasons"]
    (code,) = [r for r in by_id["E2"]["reason_codes"] if r["code"] == "skills.verified"]
    assert code["params"] == {"skills": ["electoral-management", "mediation"]}
    assert not any("verified" in reason for reason in by_id["E1"]["reasons"])
    assert_valid(shortlist, "shortlist.schema.json")


def test_areas_not_held_and_unknown_ids_are_passed_over_and_unknown_areas_refused():
    matcher = Matcher().fit(twins(), verified={"E1": ["voter-registration"], "E9": ["mediation"]})
    assert matcher.index_.skill_verified.sum() == 0
    with pytest.raises(ValueError, match="verified"):
        Matcher().fit(twins(), verified={"E1": ["knitting"]})
    lenient = Matcher(strict=False).fit(twins(), verified={"E1": ["knitting"]})
    assert any("knitting" in note for note in lenient.notes_)


@pytest.mark.parametrize(
    "verified",
    [["E1"], {"E1": "mediation"}, {"E1": [3]}, {1: ["mediation"]}],
    ids=["a list", "a string of codes", "a number", "a numeric key"],
)
def test_a_verified_map_of_the_wrong_shape_is_refused(verified):
    with pytest.raises(ValueError, match="verified"):
        Matcher().fit(twins(), verified=verified)


@pytest.mark.parametrize("bonus", [-0.1, float("nan"), "1", True])
def test_a_bad_bonus_is_refused_at_fit(bonus):
    matcher = Matcher(verified_bonus=bonus)  # stored untouched, checked in fit
    assert matcher.get_params()["verified_bonus"] is bonus
    with pytest.raises(ValueError, match="verified_bonus"):
        matcher.fit(twins())


def test_an_update_carries_the_verified_areas_as_a_fit_would(tmp_path):
    roster = make_roster(300, seed=9)
    verified = {r["external_id"]: [s["code"] for s in r["skills"][:1]] for r in roster[::3]}
    needs = make_needs(2, seed=9)
    whole = Matcher().fit(roster, verified=verified)
    changed = roster[:40]
    partial = Matcher().fit(roster[40:], verified=verified).update(changed, verified=verified)
    path = tmp_path / "matcher.joblib"
    joblib.dump(partial, path)
    stored = joblib.load(path, mmap_mode="r")  # the web app's snapshot
    for role in needs["roles"]:
        expected = whole.shortlist(needs, role_id=role["id"], k=10)
        for matcher in (partial, stored):
            found = matcher.shortlist(needs, role_id=role["id"], k=10)
            assert [(c["external_id"], c["criteria"]["skills"]) for c in found["candidates"]] == [
                (c["external_id"], c["criteria"]["skills"]) for c in expected["candidates"]
            ]


def test_an_update_without_verified_leaves_the_kept_experts_verified_and_the_new_not():
    matcher = Matcher().fit(twins(), verified={"E1": ["mediation"], "E2": ["mediation"]})
    matcher.update([expert_record("E2", skills=SKILLS)])
    column = matcher.index_.skills["mediation"]
    assert matcher.index_.skill_verified[:, column].tolist() == [True, False]
    assert matcher.verified_
