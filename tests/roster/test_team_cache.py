"""Teams solved lately are kept per matcher and revision, never across a change."""

from matching import Matcher
from roster.missions.team_cache import cached_team, forget
from tests.factories import needs_record, ranked_expert, role_record

NEEDS = needs_record(role_record("R1"), role_record("R2"), gender_target=0.5)
ROSTER = [ranked_expert("M1", 10), ranked_expert("M2", 9), ranked_expert("W1", 4, "woman")]


def solve(matcher, *, revision=0, record=NEEDS, exclude=None):
    return cached_team(
        matcher, revision=revision, record=record, candidates_per_role=50, exclude=exclude or {}
    )


def test_the_same_request_is_solved_once_and_equals_the_matchers_team():
    forget()
    matcher = Matcher().fit(ROSTER)
    first = solve(matcher)
    assert solve(matcher) is first
    fresh = matcher.team(NEEDS, candidates_per_role=50, structured=True)
    assert {k: v for k, v in first.items() if k != "seconds"} == {
        k: v for k, v in fresh.items() if k != "seconds"
    }


def test_another_revision_matcher_assessment_or_exclusion_is_solved_anew():
    forget()
    matcher = Matcher().fit(ROSTER)
    first = solve(matcher)
    assert solve(matcher, revision=1) is not first
    assert solve(Matcher().fit(ROSTER)) is not first
    assert solve(matcher, record=NEEDS | {"gender_target": 0.0}) is not first
    swapped = solve(matcher, exclude={"R1": ["M1"]})
    assert swapped is not first
    assert solve(matcher, exclude={"R1": ("M1",)}) is swapped
