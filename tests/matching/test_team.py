"""Team proposal: one distinct expert per position, best total fit under the mission's rules."""

import json

from matching import Matcher
from tests.factories import needs_record, ranked_expert, role_record


def team_of(roster: list[dict], the_needs: dict, **kwargs) -> dict:
    """Fit and propose a team."""
    return Matcher().fit(roster).team(the_needs, **kwargs)


def members(team: dict) -> dict[str, str]:
    """Return role id -> external id of a one-position-per-role team."""
    return {m["role_id"]: m["external_id"] for m in team["members"]}


TWO_ROLES = needs_record(role_record("R1"), role_record("R2"), gender_target=0.5)


def test_each_position_is_filled_by_a_distinct_expert():
    team = team_of(
        [ranked_expert("M1", 10), ranked_expert("M2", 9), ranked_expert("W1", 1, "woman")],
        TWO_ROLES,
    )
    assert team["status"] == "optimal"
    assert len(set(members(team).values())) == 2
    assert set(members(team)) == {"R1", "R2"}
    json.dumps(team)


def test_the_gender_floor_costs_fit_and_says_how_much():
    team = team_of(
        [ranked_expert("M1", 10), ranked_expert("M2", 9), ranked_expert("W1", 1, "woman")],
        TWO_ROLES,
    )
    assert "W1" in members(team).values()
    assert team["women"] == 1
    assert team["balance_cost"] > 0
    assert team["balance_cost"] == round(team["unconstrained_total_score"] - team["total_score"], 6)
    assert "gender" in team["binding_constraints"]


def test_without_a_target_the_best_pair_is_chosen_and_balance_costs_nothing():
    team = team_of(
        [ranked_expert("M1", 10), ranked_expert("M2", 9), ranked_expert("W1", 1, "woman")],
        needs_record(role_record("R1"), role_record("R2"), gender_target=0),
    )
    assert sorted(members(team).values()) == ["M1", "M2"]
    assert team["balance_cost"] == 0
    assert team["binding_constraints"] == []


def test_requested_accessibility_expertise_is_covered():
    wants = needs_record(
        role_record("R1"),
        role_record("R2", accessibility_expertise=["sign-language"]),
        gender_target=0,
    )
    roster = [
        ranked_expert("M1", 10),
        ranked_expert("M2", 9),
        ranked_expert("S1", 0, accessibility_expertise=["sign-language"]),
    ]
    team = team_of(roster, wants, weights={"accessibility": 0.0})
    assert "S1" in members(team).values()
    assert "accessibility: sign-language" in team["binding_constraints"]


def test_too_few_eligible_experts_is_infeasible_and_named():
    team = team_of([ranked_expert("M1", 10)], needs_record(role_record("R1", positions=2)))
    assert team["status"] == "infeasible"
    assert team["members"] == []
    assert "positions" in team["infeasible_because"]
    assert any("Role R1 has 1 eligible experts for 2 position(s)" in n for n in team["notes"])


def test_a_host_language_nobody_speaks_is_reported_not_a_dead_end():
    team = team_of(
        [ranked_expert("M1", 10), ranked_expert("W1", 5, "woman")], TWO_ROLES, host_languages=["bm"]
    )
    assert team["status"] == "optimal"
    assert team["uncovered"] == ["host language: bm"]
    assert any(
        "No eligible candidate of any role has the host country's main language Bambara" in n
        for n in team["notes"]
    )


def test_each_main_language_of_the_host_country_is_covered():
    bambara = [{"code": "bm", "level": "native"}, {"code": "fr", "level": "C1"}]
    roster = [
        ranked_expert("M1", 10),
        ranked_expert("M2", 9),
        ranked_expert("M3", 2, languages=bambara),
    ]
    mission = needs_record(role_record("R1"), role_record("R2"), gender_target=0.0)
    plain = team_of(roster, mission, host_languages=["fr"])
    assert sorted(m["external_id"] for m in plain["members"]) == ["M1", "M2"]
    both = team_of(roster, mission, host_languages=["bm", "fr"])
    assert both["status"] == "optimal" and both["uncovered"] == []
    assert "M3" in {m["external_id"] for m in both["members"]}
    assert "host language: bm" in both["binding_constraints"]


def test_coverage_that_conflicts_with_balance_is_named_as_the_culprit():
    bambara = [{"code": "bm", "level": "native"}, {"code": "fr", "level": "C1"}]
    roster = [
        ranked_expert("M1", 10, languages=bambara),
        ranked_expert("W1", 5, "woman"),
        ranked_expert("W2", 4, "woman"),
    ]
    team = team_of(
        roster,
        needs_record(role_record("R1"), role_record("R2"), gender_target=1.0),
        host_languages=["bm"],
    )
    assert team["status"] == "infeasible"
    assert team["uncovered"] == []
    assert sorted(team["infeasible_because"]) == ["gender", "host language: bm"]


def test_the_host_country_main_languages_come_from_cldr():
    team = team_of([ranked_expert("M1", 10), ranked_expert("W1", 5, "woman")], TWO_ROLES)
    assert team["host_languages"] == ["bm", "fr"]
    assert team["status"] == "optimal"


def test_the_regional_cap_limits_each_group_in_the_team():
    roster = [
        ranked_expert("F1", 10, nationalities=["FR"]),
        ranked_expert("F2", 9, nationalities=["FR"]),
        ranked_expert("S1", 1, "woman", nationalities=["SN"]),
    ]
    team = team_of(
        roster,
        needs_record(role_record("R1"), role_record("R2"), gender_target=0, max_region_share=0.5),
    )
    assert sorted(members(team).values()) == ["F1", "S1"]
    assert team["region_counts"] == {"African": 1, "Western European and Others": 1}
    assert "region" in team["binding_constraints"]


def test_a_synthetic_mission_gets_a_full_distinct_team():
    from matching.synthetic import make_needs, make_roster

    the_needs = make_needs(6, seed=4)
    team = Matcher().fit(make_roster(3000, seed=4)).team(the_needs, candidates_per_role=20)
    assert team["status"] == "optimal"
    assert len(team["members"]) == 6
    assert len({m["external_id"] for m in team["members"]}) == 6
    assert team["women"] >= team["women_required"] == 3
    assert team["total_score"] == round(sum(m["score"] for m in team["members"]), 6)
