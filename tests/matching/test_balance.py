"""The balance rule: women in every prefix, regional caps, and plain notes when short."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import Matcher
from matching.balance import fill, pool, region_cap, women_ceil, women_floor
from tests.factories import needs_record, ranked_expert
from tests.matching.conftest import ids


def shortlist(roster: list[dict], k: int, **need_overrides) -> dict:
    """Shortlist role R1 of the default needs with overrides."""
    return Matcher().fit(roster).shortlist(needs_record(**need_overrides), role_id="R1", k=k)


@pytest.mark.parametrize(
    ("target", "length", "floor", "ceil"),
    [(0.3, 10, 3, 3), (0.5, 5, 2, 3), (1 / 3, 3, 1, 1), (0.0, 7, 0, 0)],
)
def test_floor_and_ceil_are_robust_to_float_error(target, length, floor, ceil):
    assert (women_floor(target, length), women_ceil(target, length)) == (floor, ceil)


def test_women_are_raised_to_meet_every_prefix():
    roster = [ranked_expert(f"M{i}", 10 - i) for i in range(6)] + [
        ranked_expert(f"W{i}", 3 - i, "woman") for i in range(3)
    ]
    result = shortlist(roster, 6)
    assert ids(result) == ["M0", "W0", "M1", "W1", "M2", "W2"]
    assert (
        "raised by the balance rule to position 2 (below the top 6 on score alone)"
        in (result["candidates"][1]["reasons"])
    )
    assert any(r.startswith("moved down to position 3") for r in result["candidates"][2]["reasons"])
    assert result["constraints"]["women"] == 3
    assert result["constraints"]["satisfied"] is True


def test_within_each_group_the_order_is_by_score():
    roster = [ranked_expert(f"M{i}", 10 - i) for i in range(6)] + [
        ranked_expert(f"W{i}", 3 - i, "woman") for i in range(4)
    ]
    result = shortlist(roster, 8)
    scores = {c["external_id"]: c["score"] for c in result["candidates"]}
    for group in ("M", "W"):
        chosen = [eid for eid in ids(result) if eid.startswith(group)]
        assert [scores[e] for e in chosen] == sorted((scores[e] for e in chosen), reverse=True)


def test_a_short_pool_is_said_plainly():
    roster = [ranked_expert(f"M{i}", 10 - i) for i in range(6)] + [
        ranked_expert(f"W{i}", 3 - i, "woman") for i in range(2)
    ]
    constraints = shortlist(roster, 6)["constraints"]
    assert constraints["satisfied"] is False
    assert constraints["women"] == 2
    assert (
        "Only 2 eligible women for a target of 3 in 6: the balance target is not met."
        in constraints["notes"]
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"consent": {"gender": False}},
        {"consent": {}},
        {"gender": "undisclosed"},
        {"gender": "non-binary"},
    ],
)
def test_only_consented_women_count(overrides):
    roster = [
        ranked_expert("M1", 9),
        ranked_expert("M2", 8),
        ranked_expert("W1", 1, **{"gender": "woman", **overrides}),
    ]
    constraints = shortlist(roster, 2)["constraints"]
    assert constraints["women"] == 0
    assert constraints["satisfied"] is False


def test_the_regional_cap_holds_where_the_pool_allows():
    french = [ranked_expert(f"F{i}", 10 - i, nationalities=["FR"]) for i in range(4)]
    senegalese = [ranked_expert(f"S{i}", 2 - i, nationalities=["SN"]) for i in range(2)]
    result = shortlist(french + senegalese, 4, gender_target=0, max_region_share=0.5)
    assert ids(result) == ["F0", "F1", "S0", "S1"]
    assert result["constraints"]["region_counts"] == {
        "African": 2,
        "Western European and Others": 2,
    }
    assert "raised by the regional cap" in result["candidates"][2]["reasons"][-1]


def test_an_unmeetable_regional_cap_is_reported():
    french = [ranked_expert(f"F{i}", 10 - i, nationalities=["FR"]) for i in range(4)]
    result = shortlist(french, 4, gender_target=0, max_region_share=0.5)
    assert len(result["candidates"]) == 4
    assert result["constraints"]["satisfied"] is False
    assert any("Regional cap of 50%" in note for note in result["constraints"]["notes"])


def test_fill_takes_the_best_of_each_group_from_a_deep_pool():
    score = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    is_woman = np.array([False, False, False, False, True, True])
    region = np.zeros(6, dtype=np.int8)
    order = pool(score, is_woman, region, 4, by_region=False)
    placement = fill(order, is_woman, region, 4, 0.5, None)
    assert placement.positions == [0, 4, 1, 5]


def test_the_cap_and_the_gender_target_are_met_together_where_the_pool_allows():
    # The best man and the only woman are both African; taking him first would leave
    # her region full when she is needed, so the French man is preferred to him.
    roster = [
        ranked_expert("A-MAN-SN", 9, nationalities=["SN"]),
        ranked_expert("B-WOMAN-SN", 8, "woman", nationalities=["SN"]),
        ranked_expert("C-MAN-FR", 7, nationalities=["FR"]),
    ]
    result = shortlist(roster, 2, gender_target=0.5, max_region_share=0.5)
    assert ids(result) == ["B-WOMAN-SN", "C-MAN-FR"]
    assert result["constraints"]["satisfied"] is True


def _meets_both(positions, is_woman, region, target, cap) -> bool:
    women = 0
    counts: dict[int, int] = {}
    for i, c in enumerate(positions, start=1):
        women += int(is_woman[c])
        counts[int(region[c])] = counts.get(int(region[c]), 0) + 1
        if women < women_floor(target, i):
            return False
    return women >= women_ceil(target, len(positions)) and max(counts.values()) <= cap


@settings(max_examples=1000, deadline=None)
@given(
    cells=st.lists(st.tuples(st.booleans(), st.integers(0, 2)), min_size=2, max_size=6),
    k=st.integers(1, 4),
    target=st.sampled_from([0.0, 0.3, 0.5, 1.0]),
    share=st.sampled_from([0.34, 0.5, 0.75]),
)
def test_both_rules_hold_whenever_some_list_meets_them(cells, k, target, share):
    k = min(k, len(cells))
    is_woman = np.array([w for w, _ in cells])
    region = np.array([r for _, r in cells], dtype=np.int8)
    score = np.linspace(1.0, 0.1, len(cells))
    cap = region_cap(share, k)
    possible = any(
        _meets_both(order, is_woman, region, target, cap)
        for order in itertools.permutations(range(len(cells)), k)
    )
    placement = fill(pool(score, is_woman, region, k, True), is_woman, region, k, target, cap)
    assert len(placement.positions) == k
    if possible:
        assert _meets_both(placement.positions, is_woman, region, target, cap)


def test_too_few_women_for_the_target_still_keeps_the_cap():
    # One woman for a target of two in four: she is placed, and the cap holds.
    roster = [
        ranked_expert("A1", 9, nationalities=["SN"]),
        ranked_expert("W-SN", 8, "woman", nationalities=["SN"]),
        ranked_expert("B1", 7, nationalities=["FR"]),
        ranked_expert("C1", 6, nationalities=["BR"]),
        ranked_expert("D1", 5, nationalities=["IN"]),
        ranked_expert("A2", 4, nationalities=["SN"]),
    ]
    result = shortlist(roster, 4, gender_target=0.5, max_region_share=0.25)
    assert ids(result) == ["W-SN", "B1", "C1", "D1"]
    assert max(result["constraints"]["region_counts"].values()) == 1
    assert result["constraints"]["women"] == 1
