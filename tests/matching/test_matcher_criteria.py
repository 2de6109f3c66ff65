"""Each hard filter and each scoring criterion, one behaviour at a time."""

import pytest

from matching import Matcher
from tests.factories import deployment_record, expert_record, needs_record, role_record
from tests.matching.conftest import ids


def shortlist_of(roster: list[dict], the_needs: dict | None = None, **kwargs) -> dict:
    """Fit on ``roster`` and shortlist role R1 of ``the_needs`` (default needs)."""
    return Matcher().fit(roster).shortlist(the_needs or needs_record(), role_id="R1", **kwargs)


def criteria_of(record: dict, the_needs: dict | None = None) -> dict:
    """Return the criteria of a lone eligible expert."""
    (candidate,) = shortlist_of([record], the_needs)["candidates"]
    return candidate["criteria"]


# --- hard filters -----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["applicant", "under_review", "inactive", "suspended"])
def test_only_rostered_experts_are_shortlisted(status):
    result = shortlist_of([expert_record("E1"), expert_record("E2", roster_status=status)])
    assert ids(result) == ["E1"]
    assert result["eligible_count"] == 1


def test_availability_must_cover_the_whole_role_period():
    early_end = expert_record("E2", availability=[{"from": "2027-01-01", "to": "2027-06-23"}])
    none = expert_record("E3", availability=[])
    assert ids(shortlist_of([expert_record("E1"), early_end, none])) == ["E1"]


def test_adjacent_availability_windows_are_merged():
    split = expert_record(
        "E1",
        availability=[
            {"from": "2027-01-01", "to": "2027-04-30"},
            {"from": "2027-05-01", "to": "2027-12-31"},
        ],
    )
    assert ids(shortlist_of([split])) == ["E1"]


def test_partial_availability_is_allowed_when_asked_and_scored_by_coverage():
    half = expert_record("E2", availability=[{"from": "2027-03-01", "to": "2027-04-30"}])
    result = shortlist_of(
        [expert_record("E1"), half], needs_record(allow_partial_availability=True)
    )
    assert ids(result) == ["E1", "E2"]
    assert result["candidates"][1]["criteria"]["availability"] == pytest.approx(61 / 122, 1e-5)
    assert "available for 50% of the period" in result["candidates"][1]["reasons"]


def test_host_country_nationals_are_excluded_unless_allowed():
    dual = expert_record("E2", nationalities=["FR", "ML"])
    assert ids(shortlist_of([expert_record("E1"), dual])) == ["E1"]
    assert ids(
        shortlist_of([expert_record("E1"), dual], needs_record(exclude_nationals=False))
    ) == ["E1", "E2"]


def test_required_language_level_is_a_floor():
    b2 = expert_record("E2", languages=[{"code": "fr", "level": "B2"}])
    c1 = expert_record("E3", languages=[{"code": "fr", "level": "C1"}])
    assert sorted(ids(shortlist_of([b2, c1]))) == ["E3"]


def test_every_required_skill_is_needed():
    two = role_record(required_skills=["electoral-management", "voter-registration"])
    both = expert_record(
        "E2",
        skills=[
            {"code": "electoral-management", "years": 1},
            {"code": "voter-registration", "years": 1},
        ],
    )
    assert ids(shortlist_of([expert_record("E1"), both], needs_record(two))) == ["E2"]


def test_a_role_without_required_skills_or_languages_ranks_all_rostered():
    open_role = role_record(required_skills=[], required_languages=[], desired_skills=[])
    roster = [
        expert_record("E1"),
        expert_record("E2", roster_status="applicant"),
        expert_record("E3"),
    ]
    assert sorted(ids(shortlist_of(roster, needs_record(open_role)))) == ["E1", "E3"]


def test_sign_languages_are_languages_of_their_own():
    signing = role_record(required_languages=[{"code": "fsl", "level": "B2"}])
    signer = expert_record("E2", languages=[{"code": "fsl", "level": "C1"}])
    assert ids(shortlist_of([expert_record("E1"), signer], needs_record(signing))) == ["E2"]


# --- criteria -----------------------------------------------------------------------------


def test_skills_credit_grows_with_years_and_desired_skills():
    base = criteria_of(expert_record("E1", skills=[{"code": "electoral-management", "years": 0}]))
    seasoned = criteria_of(
        expert_record("E1", skills=[{"code": "electoral-management", "years": 10}])
    )
    mediator = criteria_of(
        expert_record(
            "E1",
            skills=[
                {"code": "electoral-management", "years": 10},
                {"code": "mediation", "years": 10},
            ],
        )
    )
    assert base["skills"] == pytest.approx(2 * 0.5 / 3)
    assert seasoned["skills"] == pytest.approx(2 / 3, abs=1e-6)
    assert mediator["skills"] == 1.0


def test_languages_credit_the_margin_above_the_required_level():
    c1 = criteria_of(expert_record("E1", languages=[{"code": "fr", "level": "C1"}]))
    c2 = criteria_of(expert_record("E1", languages=[{"code": "fr", "level": "C2"}]))
    native = criteria_of(expert_record("E1", languages=[{"code": "fr", "level": "native"}]))
    assert (c1["languages"], c2["languages"], native["languages"]) == (0.0, 0.5, 1.0)


def test_desired_languages_earn_full_or_partial_credit():
    wants_bambara = needs_record(role_record(desired_languages=[{"code": "bm", "level": "B2"}]))
    fluent = [{"code": "fr", "level": "C1"}, {"code": "bm", "level": "C1"}]
    basic = [{"code": "fr", "level": "C1"}, {"code": "bm", "level": "A2"}]
    assert criteria_of(expert_record("E1", languages=fluent), wants_bambara)["languages"] == 0.5
    assert criteria_of(expert_record("E1", languages=basic), wants_bambara)["languages"] == 0.125


def test_accessibility_is_the_share_of_wanted_expertise():
    wants = needs_record(role_record(accessibility_expertise=["sign-language", "easy-read"]))
    result = criteria_of(expert_record("E1", accessibility_expertise=["easy-read"]), wants)
    assert result["accessibility"] == 0.5


def test_experience_weighs_years_against_the_minimum_and_seniority():
    at_minimum = criteria_of(expert_record("E1", years_experience=10, seniority="P4"))
    double = criteria_of(expert_record("E1", years_experience=20, seniority="P4"))
    junior = criteria_of(expert_record("E1", years_experience=20, seniority="P2"))
    assert at_minimum["experience"] == 0.75
    assert double["experience"] == 1.0
    assert junior["experience"] == 0.75


def test_text_similarity_prefers_the_matching_summary():
    close = expert_record("E1", summary="Advised the commission on electoral operations.")
    far = expert_record("E2", summary="Procurement of ballot paper.")
    result = shortlist_of([close, far])
    text = {c["external_id"]: c["criteria"]["text"] for c in result["candidates"]}
    assert text["E1"] > text["E2"]


def test_ratings_are_shrunk_toward_the_roster_mean():
    def rated(eid: str, *ratings: int) -> dict:
        return expert_record(eid, deployments=[deployment_record(rating=r) for r in ratings])

    roster = [
        rated("E1", 5),
        rated("E2", 5, 5, 5, 5, 5, 5),
        rated("E3", 1, 1, 1, 1, 1, 1),
        expert_record("E4"),
    ]
    scores = {
        c["external_id"]: c["criteria"]["ratings"] for c in shortlist_of(roster)["candidates"]
    }
    assert scores["E2"] > scores["E1"] > scores["E4"] > scores["E3"]


def test_reasons_state_each_criterion_plainly():
    wants = needs_record(role_record(accessibility_expertise=["sign-language"]))
    (candidate,) = shortlist_of(
        [expert_record("E1", languages=[{"code": "fr", "level": "C2"}])], wants
    )["candidates"]
    assert "French C1 required: has C2" in candidate["reasons"]
    assert "lacks desired skill: mediation" in candidate["reasons"]
    assert "sign language expertise: no" in candidate["reasons"]
    assert "has required skill: electoral management (8 years)" in candidate["reasons"]


def test_ties_are_broken_by_external_id():
    roster = [expert_record(eid) for eid in ("E3", "E1", "E2")]
    assert ids(shortlist_of(roster, needs_record(gender_target=0))) == ["E1", "E2", "E3"]
