"""The matcher learns its weights from a history of decisions (``Matcher.fit(history=...)``).

The histories are synthetic (``matching.synthetic.make_history``): planners who choose by
a hidden preference, with noise. Learning must recover that preference, rank missions it
did not see closer to it than the defaults do, keep every hard filter and the balance
rule, and give the same weights for the same roster and history.
"""

import copy
import math

import numpy as np
import pytest

from matching import Matcher
from matching.learning import ndcg_rows
from matching.scoring import CRITERIA, DEFAULT_SHAPES, DEFAULT_WEIGHTS
from matching.synthetic import make_history, make_needs, make_roster, preference_ndcg
from tests.matching.conftest import ids, recomputed
from tests.matching.test_matcher_properties import counts_as_woman, is_eligible
from tests.spec import assert_valid

# Planners who weigh languages and past appraisals far more than the defaults do.
PREFERENCE = {
    "skills": 0.15,
    "languages": 0.45,
    "accessibility": 0.05,
    "experience": 0.10,
    "availability": 0.0,
    "text": 0.05,
    "ratings": 0.20,
}


@pytest.fixture(scope="module")
def roster() -> list[dict]:
    return make_roster(4000, seed=21)


@pytest.fixture(scope="module")
def base(roster) -> Matcher:
    return Matcher().fit(roster)


@pytest.fixture(scope="module")
def history(base) -> list[dict]:
    return make_history(base, preference=PREFERENCE, missions=30, roles_per_mission=4, seed=1)


@pytest.fixture(scope="module")
def learned(roster, history) -> Matcher:
    return Matcher().fit(roster, history=history)


def unseen_missions(count: int, *, gender_target: float) -> list[dict]:
    """Needs assessments no history holds (seeds far from make_history's)."""
    missions = []
    for m in range(count):
        needs = make_needs(3, seed=900_000 + m, country="NP", gender_target=gender_target)
        needs["id"] = f"NA-NEW-{m}"
        missions.append(needs)
    return missions


def test_the_history_is_made_of_valid_records(history):
    assert len(history) == 30
    outcomes = set()
    for item in history:
        assert_valid(item["needs"], "needs.schema.json")
        for decision in item["decisions"]:
            assert_valid(decision, "decisions.schema.json")
            outcomes.add(decision["outcome"])
    assert {"completed", "not_selected", "available", "unavailable"} <= outcomes


def test_learning_recovers_the_hidden_preference(roster, base):
    # Without partial availability, no preference is about availability.
    history = make_history(
        base, preference=PREFERENCE, missions=30, roles_per_mission=4, seed=3, partial_share=0
    )
    matcher = Matcher().fit(roster, history=history)
    weights = matcher.weights_
    print(f"\nlearned weights: {weights}")
    assert matcher.learning_["source"] == "learned"
    assert max(weights, key=weights.get) == "languages"
    assert weights["languages"] > 2 * DEFAULT_WEIGHTS["languages"]

    def distance(found: dict) -> float:
        return sum(abs(found[c] / sum(found.values()) - PREFERENCE[c]) for c in CRITERIA)

    print(
        f"L1 to the preference: defaults {distance(DEFAULT_WEIGHTS):.3f}, "
        f"learned {distance(weights):.3f}"
    )
    assert distance(weights) < 0.75 * distance(DEFAULT_WEIGHTS)


def test_learning_ranks_unseen_missions_closer_to_the_planners(base, learned):
    figures = {"defaults": [], "learned": []}
    for needs in unseen_missions(8, gender_target=0.5):
        for role in needs["roles"]:
            before = preference_ndcg(base, base, needs, role["id"], preference=PREFERENCE)
            if before is None:
                continue
            figures["defaults"].append(before)
            figures["learned"].append(
                preference_ndcg(learned, base, needs, role["id"], preference=PREFERENCE)
            )
    defaults, after = np.mean(figures["defaults"]), np.mean(figures["learned"])
    print(
        f"\nunseen missions ({len(figures['learned'])} roles), nDCG@10 against the hidden "
        f"preference, balance on: defaults {defaults:.3f}, learned {after:.3f}"
    )
    assert len(figures["learned"]) >= 15
    assert after > defaults + 0.02
    validation = learned.learning_["validation"]
    assert validation["learned"] > validation["defaults"]


def test_learned_weights_keep_every_hard_filter_and_the_balance_rule(roster, learned):
    by_id = {record["external_id"]: record for record in roster}
    for needs in unseen_missions(4, gender_target=0.5):
        for role in needs["roles"]:
            one = dict(needs, roles=[dict(role, id="R1")])
            result = learned.shortlist(one, role_id="R1", k=10)
            assert result["weights"] == learned.weights_
            flags = [counts_as_woman(by_id[e]) for e in ids(result)]
            assert all(is_eligible(by_id[e], one) for e in ids(result))
            if result["constraints"]["satisfied"]:
                for i in range(1, len(flags) + 1):
                    assert sum(flags[:i]) >= math.floor(0.5 * i + 1e-9)
            for candidate in result["candidates"]:
                assert candidate["score"] == recomputed(candidate, result["weights"])


def test_learning_is_deterministic(roster, history, learned):
    again = Matcher().fit(roster, history=copy.deepcopy(history))
    assert again.weights_ == learned.weights_
    assert again.shapes_ == learned.shapes_
    assert again.learning_ == learned.learning_
    needs = unseen_missions(1, gender_target=0.5)[0]
    assert again.shortlist(needs, role_id="R1") == learned.shortlist(needs, role_id="R1")


def test_the_learning_report_says_where_the_weights_came_from(learned, history):
    report = learned.learning_
    assert report["source"] == "learned"
    assert report["missions"] == 30 and report["roles"] >= 100
    assert report["decisions_total"] == sum(len(item["decisions"]) for item in history)
    assert 0 < report["decisions"] <= report["decisions_total"]
    assert report["pairs"] > report["roles"]
    assert report["default_weights"] == DEFAULT_WEIGHTS
    assert report["validation"]["metric"] == "nDCG@10" and report["validation"]["folds"] == 5
    assert (
        report["reason"]
        == f"Weights learned from the decisions on {report['roles']} roles of 30 missions."
    )
    assert set(learned.shapes_) == {"languages", "experience"}
    assert sum(learned.weights_.values()) == pytest.approx(1.0, abs=1e-3)
    assert all(value >= 0 for value in learned.weights_.values())


def test_too_little_history_keeps_the_defaults(roster, history):
    matcher = Matcher(min_history_roles=8).fit(roster, history=history[:1])
    assert matcher.weights_ == DEFAULT_WEIGHTS
    assert matcher.shapes_ == DEFAULT_SHAPES
    report = matcher.learning_
    assert report["source"] == "defaults"
    assert report["reason_code"] == "learning.too_little"
    assert report["reason_params"] == {"roles": report["roles"], "minimum": 8}
    assert "at least 8 are needed" in report["reason"]
    assert report["validation"] is None


def test_without_history_the_given_weights_are_used(roster):
    matcher = Matcher(weights={"languages": 0.5}).fit(roster)
    assert matcher.weights_ == dict(DEFAULT_WEIGHTS, languages=0.5)
    assert matcher.learning_["source"] == "defaults"
    assert matcher.learning_["reason_code"] == "learning.none"
    assert Matcher().fit(roster, history=[]).learning_["reason_code"] == "learning.none"


def test_shapes_given_are_kept_and_others_may_be_learned(roster, history):
    matcher = Matcher(shapes={"languages": "margin"}).fit(roster, history=history)
    assert matcher.shapes_["languages"] == "margin"
    assert matcher.learning_["default_shapes"]["languages"] == "margin"


def test_decisions_about_experts_not_on_the_roster_are_counted_and_passed_over(roster, history):
    changed = copy.deepcopy(history)
    changed[0]["decisions"].append(
        {
            "needs_id": changed[0]["needs"]["id"],
            "role_id": "R1",
            "external_id": "GONE-1",
            "outcome": "selected",
        }
    )
    matcher = Matcher().fit(roster, history=changed)
    assert matcher.learning_["unknown_experts"] == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: {"needs": h[0]["needs"]}, "history must be a list"),
        (lambda h: [{"needs": h[0]["needs"]}], "history[0] must be an object with 'needs'"),
        (lambda h: [dict(h[0], decisions="none")], "history[0].decisions must be a list"),
        (
            lambda h: [dict(h[0], needs=dict(h[0]["needs"], country="Atlantis"))],
            "history[0].needs:",
        ),
        (lambda h: _decision(h, outcome="hired"), "history[0].decisions[0]: 'outcome'"),
        (lambda h: _decision(h, needs_id="NA-OTHER"), "is not the assessment's id"),
        (lambda h: _decision(h, role_id="R99"), "the assessment has no role 'R99'"),
        (lambda h: _decision(h, rating=9), "history[0].decisions[0]: 'rating'"),
        (
            lambda h: [dict(h[0], decisions=h[0]["decisions"][:1] * 2)],
            "a second record for",
        ),
    ],
)
def test_a_bad_history_is_refused_naming_the_record(roster, history, change, message):
    with pytest.raises(ValueError, match=None) as raised:
        Matcher().fit(roster[:50], history=change(copy.deepcopy(history)))
    assert message in str(raised.value)


def _decision(history: list[dict], **changes) -> list[dict]:
    first = history[0]
    decisions = [dict(first["decisions"][0], **changes), *first["decisions"][1:]]
    return [dict(first, decisions=decisions)]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"shapes": {"skills": "linear"}}, "no shape to choose for 'skills'"),
        ({"shapes": {"languages": "cubic"}}, "shape of languages must be one of margin, met"),
        ({"shapes": "met"}, "shapes must be a mapping"),
        ({"min_history_roles": 1}, "min_history_roles must be an integer of 2 or more"),
    ],
)
def test_bad_learning_parameters_are_refused_in_fit(roster, params, message):
    matcher = Matcher(**params)
    assert matcher.get_params()[next(iter(params))] == next(iter(params.values()))
    with pytest.raises(ValueError) as raised:
        matcher.fit(roster[:20])
    assert message in str(raised.value)


def test_ndcg_rows_agrees_with_scikit_learn():
    from sklearn.metrics import ndcg_score

    rng = np.random.default_rng(4)
    y_true = rng.integers(0, 4, size=(30, 25)).astype(float)
    y_score = rng.random((30, 25))
    rows = ndcg_rows(y_true, y_score)
    assert rows.shape == (30,)
    assert rows.mean() == pytest.approx(ndcg_score(y_true, y_score, k=10))
    assert rows[3] == pytest.approx(ndcg_score(y_true[3:4], y_score[3:4], k=10))


def _with_appraisals(roster: list[dict], history: list[dict]) -> list[dict]:
    """The roster as the app keeps it: each completed decision's appraisal a deployment."""
    by_id = {record["external_id"]: copy.deepcopy(record) for record in roster}
    for item in history:
        needs = item["needs"]
        titles = {role["id"]: role["title"] for role in needs["roles"]}
        for decision in item["decisions"]:
            if decision["outcome"] == "completed":
                by_id[decision["external_id"]].setdefault("deployments", []).append(
                    {
                        "mission": needs["id"],
                        "country": needs["country"],
                        "role": titles[decision["role_id"]],
                        "from": needs["start"],
                        "to": needs["end"],
                        "rating": decision["rating"],
                    }
                )
    return list(by_id.values())


def test_a_roles_own_appraisal_never_teaches_the_ratings_weight(roster, base):
    # Planners who pay no attention to past appraisals.
    indifferent = dict(PREFERENCE, ratings=0.0, languages=0.65)
    history = make_history(
        base, preference=indifferent, missions=30, roles_per_mission=4, seed=8, partial_share=0
    )
    clean = Matcher().fit(roster, history=history)
    kept = Matcher().fit(_with_appraisals(roster, history), history=history)
    print(
        f"\nratings weight: roster without the appraisals {clean.weights_['ratings']}, "
        f"with them {kept.weights_['ratings']}"
    )
    assert clean.learning_["source"] == kept.learning_["source"] == "learned"
    assert kept.weights_["ratings"] <= clean.weights_["ratings"] + 0.02


def test_the_same_assessment_twice_is_refused(roster, history):
    with pytest.raises(ValueError) as raised:
        Matcher().fit(roster[:50], history=[history[0], history[1], history[0]])
    assert f"history[2].needs: the assessment {history[0]['needs']['id']!r} is already" in str(
        raised.value
    )


def test_one_mission_is_too_little_to_hold_out(roster, base):
    one = make_history(base, preference=PREFERENCE, missions=1, roles_per_mission=12, seed=4)
    matcher = Matcher(min_history_roles=2).fit(roster, history=one)
    assert matcher.learning_["reason_code"] == "learning.one_mission"
    assert matcher.weights_ == DEFAULT_WEIGHTS


def test_choices_made_by_chance_leave_the_defaults_in_place(roster, base):
    # Planners who weigh nothing: every choice and appraisal is chance.
    random = make_history(
        base, preference={}, missions=20, roles_per_mission=4, seed=6, partial_share=0
    )
    matcher = Matcher().fit(roster, history=random)
    report = matcher.learning_
    print(f"\nvalidation of choices made by chance: {report['validation']}")
    assert report["source"] == "defaults" and report["reason_code"] == "learning.not_better"
    assert matcher.weights_ == DEFAULT_WEIGHTS
    assert report["validation"]["learned"] == report["validation"]["defaults"]
    assert report["validation"]["best"] >= report["validation"]["learned"]


def test_answers_to_call_outs_teach_availability_alone(roster, base):
    # Every mission allows partial availability: many available-over-unavailable pairs,
    # whose candidates are on the shortlist for strengths other than their availability.
    history = make_history(
        base, preference=PREFERENCE, missions=30, roles_per_mission=4, seed=9, partial_share=1.0
    )
    matcher = Matcher().fit(roster, history=history)
    print(f"\nlearned with partial availability everywhere: {matcher.weights_}")
    assert matcher.learning_["source"] == "learned"
    assert matcher.weights_["languages"] > 1.4 * DEFAULT_WEIGHTS["languages"]
