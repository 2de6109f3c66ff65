"""Leaving experts out of one role's pool: the team of a roster without them for that role."""

import pytest

from matching import Matcher
from tests.factories import needs_record, ranked_expert, role_record

# No terms of reference and no ratings: nothing in a score depends on who else is on the
# roster (the text model and the rating mean do), so a roster without an expert is the
# exact reference for a pool without them.
PLAIN_ROLE = {"description": None}


def plain_needs(*roles, **overrides):
    return needs_record(*(roles or [role_record("R1", **PLAIN_ROLE)]), **overrides)


def roster() -> list[dict]:
    return [
        ranked_expert("M1", 10),
        ranked_expert("M2", 9),
        ranked_expert("M3", 8),
        ranked_expert("W1", 4, "woman"),
        ranked_expert("W2", 3, "woman"),
        ranked_expert("W3", 2, "woman"),
    ]


def without(records: list[dict], *external_ids: str) -> list[dict]:
    return [r for r in records if r["external_id"] not in external_ids]


def test_a_shortlist_without_an_expert_is_the_shortlist_of_a_roster_without_them():
    needs = plain_needs(gender_target=0.5)
    for gone in (["M1"], ["W1"], ["M1", "W2"]):
        left_out = Matcher().fit(roster()).shortlist(needs, k=4, exclude=gone, structured=True)
        reference = Matcher().fit(without(roster(), *gone)).shortlist(needs, k=4, structured=True)
        assert left_out == reference, gone


def test_excluding_a_member_gives_the_team_of_a_roster_without_them_for_that_role():
    # M1 qualifies only for R1 (R2 asks for mediation, which only the W experts hold).
    records = roster()
    for record in records:
        if record["external_id"].startswith("W"):
            record["skills"].append({"code": "mediation", "years": 5})
    needs = plain_needs(
        role_record("R1", desired_skills=None, **PLAIN_ROLE),
        role_record("R2", required_skills=["mediation"], **PLAIN_ROLE),
        gender_target=0.5,
    )
    matcher = Matcher().fit(records)
    first = matcher.team(needs)
    out = next(m["external_id"] for m in first["members"] if m["role_id"] == "R1")
    assert out == "M1"
    swapped = matcher.team(needs, exclude={"R1": [out]})
    reference = Matcher().fit(without(records, out)).team(needs)
    for team in (swapped, reference):
        team.pop("seconds")
    assert swapped == reference
    assert out not in {m["external_id"] for m in swapped["members"]}


def test_an_expert_left_out_of_one_role_can_still_fill_another():
    needs = plain_needs(role_record("R1", **PLAIN_ROLE), role_record("R2", **PLAIN_ROLE))
    matcher = Matcher().fit(roster())
    first = {m["role_id"]: m["external_id"] for m in matcher.team(needs)["members"]}
    swapped = matcher.team(needs, exclude={"R1": [first["R1"]]})
    members = {m["role_id"]: m["external_id"] for m in swapped["members"]}
    assert members["R1"] != first["R1"]
    assert first["R1"] in members.values()  # now on R2, the best role left to them


def test_exclusions_are_deterministic_and_ignore_ids_not_on_the_roster():
    needs = plain_needs(role_record("R1", positions=2, **PLAIN_ROLE))
    matcher = Matcher().fit(roster())
    teams = [
        matcher.team(needs, exclude={"R1": ["M2", "NOBODY"]}),
        matcher.team(needs, exclude={"R1": ("NOBODY", "M2")}),
    ]
    for team in teams:
        team.pop("seconds")
    assert teams[0] == teams[1]
    assert "M2" not in {m["external_id"] for m in teams[0]["members"]}
    plain = matcher.team(needs)
    plain.pop("seconds")
    unchanged = matcher.team(needs, exclude={})
    unchanged.pop("seconds")
    assert plain == unchanged


@pytest.mark.parametrize(
    "exclude, message",
    [
        ({"R9": ["M1"]}, "roles the needs do not have"),
        ({"R1": "M1"}, "collection of external ids"),
        ({"R1": [1]}, "external ids"),
        (["M1"], "map role ids"),
    ],
)
def test_bad_exclusions_raise_value_errors(exclude, message):
    with pytest.raises(ValueError, match=message):
        Matcher().fit(roster()).team(plain_needs(), exclude=exclude)
