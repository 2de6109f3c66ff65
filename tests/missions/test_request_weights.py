"""A planner's weights for one request, laid on the weights in use (``weigh``)."""

import math

import pytest

from matching.scoring import CRITERIA, DEFAULT_WEIGHTS
from roster.missions.shortlists import (
    MAX_WEIGHT,
    WeightsInvalid,
    check_weights,
    weigh,
    weights_differ,
)


def test_an_override_of_some_criteria_keeps_the_others_of_the_base():
    merged = weigh(DEFAULT_WEIGHTS, {"languages": 2, "ratings": 0})
    assert merged == {**DEFAULT_WEIGHTS, "languages": 2.0, "ratings": 0.0}
    assert weights_differ(merged, DEFAULT_WEIGHTS) == ["languages", "ratings"]


def test_no_override_is_the_base_and_no_base_nor_override_is_none():
    assert weigh(DEFAULT_WEIGHTS, None) == DEFAULT_WEIGHTS
    assert weigh(None, {}) is None
    assert weigh(None, {"skills": 1}) == {"skills": 1.0}


def test_an_override_leaving_every_weight_at_zero_is_refused_at_weights():
    with pytest.raises(WeightsInvalid) as refused:
        weigh({"skills": 1.0, "languages": 0.0}, {"skills": 0})
    assert [p.path for p in refused.value.problems] == ["weights"]


@pytest.mark.parametrize(
    "value", [-0.01, MAX_WEIGHT + 0.01, math.nan, math.inf, "1", True, None, [1]]
)
def test_what_is_not_a_weight_is_refused_at_its_criterion(value):
    with pytest.raises(WeightsInvalid) as refused:
        check_weights({"languages": value, "skills": 1})
    [found] = refused.value.problems
    assert found.path == "weights.languages"
    assert str(found.message) == "The weight of Languages must be a number from 0 to 10."


def test_every_problem_is_said_at_once_and_an_unknown_name_at_its_own_path():
    with pytest.raises(WeightsInvalid) as refused:
        check_weights({"charm": 1, "skills": -1, "text": 0, "ratings": MAX_WEIGHT})
    assert [p.path for p in refused.value.problems] == ["weights.charm", "weights.skills"]
    assert ", ".join(CRITERIA) in str(refused.value.problems[0].message)
