"""The Matcher as a scikit-learn estimator, and the spec's example roster end to end."""

import json

import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matching import Matcher
from matching.records import RecordError
from tests.factories import expert_record, needs_record, role_record
from tests.matching.conftest import ids, recomputed
from tests.spec import assert_valid


def test_fit_returns_the_fitted_estimator():
    matcher = Matcher()
    assert matcher.fit([expert_record("E1")]) is matcher
    assert matcher.n_experts_ == 1


def test_parameters_are_stored_untouched_and_clone_works():
    weights = {"skills": 0.5}
    matcher = Matcher(weights=weights, skill_years_cap=5)
    assert matcher.get_params()["weights"] is weights
    twin = clone(matcher)
    assert twin.get_params() == matcher.get_params()
    assert not hasattr(twin, "index_")


def test_shortlist_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        Matcher().shortlist(needs_record(), role_id="R1")


@pytest.mark.parametrize(
    "params",
    [
        {"weights": {"charm": 1.0}},
        {"weights": {"skills": -1}},
        {"skill_years_cap": 0},
        {"rating_prior_strength": 0},
        {"host_language_level": "C3"},
    ],
)
def test_bad_parameters_raise_in_fit(params):
    with pytest.raises(ValueError):
        Matcher(**params).fit([expert_record("E1")])


def test_unknown_language_in_the_roster_is_an_error_not_a_silent_drop():
    roster = [expert_record("E1", languages=[{"code": "Klingonese", "level": "C1"}])]
    with pytest.raises(ValueError, match="Klingonese"):
        Matcher().fit(roster)
    lenient = Matcher(strict=False).fit(roster)
    assert any("Klingonese" in note for note in lenient.notes_)


def test_duplicate_external_ids_are_refused():
    with pytest.raises(ValueError, match="duplicate"):
        Matcher().fit([expert_record("E1"), expert_record("E1")])


def test_misspelled_names_are_normalised_at_fit_and_noted():
    matcher = Matcher().fit(
        [
            expert_record(
                "E1",
                languages=[{"code": "Francais", "level": "native"}],
                skills=[{"code": "electoral managment", "years": 3}],
            )
        ]
    )
    assert ids(matcher.shortlist(needs_record(), role_id="R1")) == ["E1"]
    assert len(matcher.notes_) == 2


def test_invalid_needs_raise_a_record_error():
    matcher = Matcher().fit([expert_record("E1")])
    with pytest.raises(RecordError):
        matcher.shortlist({"id": "X", "roles": []}, role_id="R1")


def test_unknown_role_and_bad_k_raise_value_errors():
    matcher = Matcher().fit([expert_record("E1")])
    with pytest.raises(ValueError, match="no role"):
        matcher.shortlist(needs_record(), role_id="R9")
    with pytest.raises(ValueError, match="k must"):
        matcher.shortlist(needs_record(), role_id="R1", k=0)
    with pytest.raises(ValueError, match="k must"):
        matcher.shortlist(needs_record(), role_id="R1", k=True)
    with pytest.raises(ValueError, match="several roles"):
        matcher.shortlist(needs_record(role_record("R1"), role_record("R2")))


def test_example_r1_ranks_the_eligible_experts_and_explains(example_matcher, example_needs):
    result = example_matcher.shortlist(example_needs, role_id="R1", k=10)
    assert_valid(result, "shortlist.schema.json")
    # EXP-0002 has French B2 only, EXP-0004 is under review, EXP-0005 is Malian.
    assert ids(result) == ["EXP-0001", "EXP-0006"]
    assert result["eligible_count"] == 2
    reasons = result["candidates"][0]["reasons"]
    assert "French C1 required: has native" in reasons
    assert "has desired skill: mediation (4 years)" in reasons
    assert "lacks desired skill: mediation" in result["candidates"][1]["reasons"]
    assert result["constraints"]["satisfied"] is True


def test_example_r2_credits_sign_language_expertise(example_matcher, example_needs):
    result = example_matcher.shortlist(example_needs, role_id="R2", k=10)
    assert ids(result) == ["EXP-0003"]
    reasons = result["candidates"][0]["reasons"]
    assert "sign language expertise: yes" in reasons
    assert "accessible polling stations expertise: no" in reasons
    assert any("1 expert passes" in note for note in result["constraints"]["notes"])


def test_a_shortlist_without_reasons_ranks_the_same_and_still_meets_the_schema(
    example_matcher, example_needs
):
    full = example_matcher.shortlist(example_needs, role_id="R1", k=10)
    bare = example_matcher.shortlist(example_needs, role_id="R1", k=10, reasons=False)
    assert_valid(bare, "shortlist.schema.json")
    assert not any("reasons" in candidate for candidate in bare["candidates"])
    for candidate in full["candidates"]:
        del candidate["reasons"]
    assert bare == full


def test_scores_add_up_exactly_after_a_json_round_trip(example_matcher, example_needs):
    result = json.loads(json.dumps(example_matcher.shortlist(example_needs, role_id="R1")))
    for candidate in result["candidates"]:
        assert candidate["score"] == recomputed(candidate, result["weights"])
        assert all(0 <= value <= 1 for value in candidate["criteria"].values())


def test_request_weights_override_the_fitted_ones(example_matcher, example_needs):
    result = example_matcher.shortlist(
        example_needs, role_id="R1", weights={"ratings": 0.0, "text": 1.0}
    )
    assert result["weights"]["text"] == 1.0
    assert result["weights"]["skills"] == 0.3
    for candidate in result["candidates"]:
        assert candidate["score"] == recomputed(candidate, result["weights"])


def test_example_team_is_proposed_and_names_the_missing_expertise(example_matcher, example_needs):
    # The only expert auditing polling stations is Malian, excluded as a national, and
    # nobody eligible speaks Bambara, Mali's other main language beside French.
    team = example_matcher.team(example_needs)
    assert team["status"] == "optimal"
    assert {m["role_id"]: m["external_id"] for m in team["members"]} == {
        "R1": "EXP-0001",
        "R2": "EXP-0003",
    }
    assert team["uncovered"] == ["host language: bm", "accessibility: accessible-polling-stations"]
    assert any(
        "Physical accessibility audits of polling stations" in note for note in team["notes"]
    )
    assert any("the host country's main language Bambara" in note for note in team["notes"])
    json.dumps(team)


def test_bad_levels_and_dates_in_raw_records_are_reported_per_record():
    roster = [
        expert_record("E1", languages=[{"code": "fr", "level": "fluent"}]),
        expert_record("E2", availability=[{"from": "2027-02-30", "to": "2027-12-31"}]),
    ]
    with pytest.raises(ValueError, match="E1: languages") as error:
        Matcher().fit(roster)
    assert "E2: availability" in str(error.value)
    lenient = Matcher(strict=False).fit(roster)
    assert len(lenient.notes_) == 2
