"""The demo's past missions: needs for Member States, the matcher's shortlists, decisions."""

import itertools
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from matching.records import normalise_needs
from matching.vocabulary import LANGUAGE_LEVELS, UN_MEMBER_STATES
from roster.demo import taxonomy
from roster.demo.reference import start_of
from tests.roster.conftest import DEMO_DAY, LEADS_ON, STAGES

DATA = Path(__file__).resolve().parents[2] / "matching" / "data"
NOW = start_of(DEMO_DAY)


# The contract's order of candidate outcomes (spec README, "Candidate outcomes"): each
# stage follows the one before; withdrawn ends a candidacy at any stage.
def _stage(outcome: str) -> int:
    return next(i for i, stage in enumerate(STAGES) if outcome in stage)


@pytest.fixture(scope="module")
def missions(demo_roster) -> list:
    return demo_roster.missions


@pytest.fixture(scope="module")
def experts(demo_roster) -> dict:
    return {e.record["external_id"]: e for e in demo_roster.experts}


@pytest.fixture(scope="module")
def candidacies(missions) -> list:
    return [(m, r, c) for m in missions for r in m.roles for c in r.candidacies]


def test_needs_assessments_are_for_member_states_in_past_years(missions):
    validator = Draft202012Validator(
        json.loads((DATA / "needs.schema.json").read_text()), format_checker=FormatChecker()
    )
    assert len(missions) == 18
    assert len({m.needs["id"] for m in missions}) == len(missions)
    assert len({m.needs["start"][:4] for m in missions}) >= 4
    assert len({m.needs["country"] for m in missions}) >= 8
    for mission in missions:
        needs = mission.needs
        assert not list(validator.iter_errors(needs)), needs["id"]
        normalised, notes = normalise_needs(needs)
        assert not notes and normalised["exclude_nationals"] is True
        assert needs["country"] in UN_MEMBER_STATES
        assert date.fromisoformat(needs["end"]) < DEMO_DAY
        assert (
            mission.created_at
            < mission.shortlisted_at
            < start_of(date.fromisoformat(needs["start"]))
        )


def test_roles_are_drawn_from_the_taxonomy(missions):
    areas, access = taxonomy()["expertise_areas"], taxonomy()["accessibility_expertise"]
    roles = [role.role for mission in missions for role in mission.roles]
    assert all(2 <= len(mission.roles) <= 4 for mission in missions)
    assert len({code for role in roles for code in role["required_skills"]}) >= 8
    for role in roles:
        assert set(role["required_skills"] + role["desired_skills"]) <= set(areas)
        assert set(role.get("accessibility_expertise", [])) <= set(access)
        assert role["seniority"] in taxonomy()["seniority"]
        assert role["required_languages"] and role["description"]


def test_shortlists_are_the_matchers_and_hold_its_hard_filters(missions, experts):
    levels = list(LANGUAGE_LEVELS)
    sizes = []
    for mission in missions:
        for history in mission.roles:
            shortlist, role = history.shortlist, history.role
            assert (shortlist["needs_id"], shortlist["role_id"]) == (
                mission.needs["id"],
                role["id"],
            )
            candidates = shortlist["candidates"]
            sizes.append(len(candidates))
            assert len(candidates) == min(10, shortlist["eligible_count"])
            assert [c["rank"] for c in candidates] == list(range(1, len(candidates) + 1))
            assert [c.external_id for c in history.candidacies] == [
                c["external_id"] for c in candidates
            ]
            for candidate in candidates:
                # The explained score: the criteria, weighted, add up to the total.
                total = sum(shortlist["weights"][k] * v for k, v in candidate["criteria"].items())
                assert candidate["score"] == pytest.approx(total, abs=1e-9)
                record = experts[candidate["external_id"]].record
                assert mission.needs["country"] not in record["nationalities"]
                held = {s["code"] for s in record["skills"]}
                assert set(role["required_skills"]) <= held
                spoken = {lang["code"]: levels.index(lang["level"]) for lang in record["languages"]}
                for need in role["required_languages"]:
                    assert spoken.get(need["code"], -1) >= levels.index(need["level"])
    assert sum(size == 10 for size in sizes) >= len(sizes) / 3
    assert sum(sizes) >= 200


def test_shortlists_hold_the_roster_as_it_stood_on_the_day(missions, experts):
    statuses_now = Counter()
    for mission in missions:
        for history in mission.roles:
            for candidate in history.candidacies:
                story = experts[candidate.external_id].story
                assert story.status_at(history.shortlisted_at) == "rostered"
                statuses_now[story.status] += 1
    # Some who were rostered then have left, gone quiet or been suspended since.
    assert statuses_now["rostered"] and len(statuses_now) >= 2


def test_decisions_follow_the_contracts_order(candidacies):
    assert set().union(*STAGES) | {"withdrawn"} == set(taxonomy()["candidate_outcomes"])
    for _, _, candidacy in candidacies:
        outcomes = [d.outcome for d in candidacy.decisions]
        assert outcomes[0] == "shortlisted"
        assert "withdrawn" not in outcomes[:-1]
        for before, after in itertools.pairwise(outcomes):
            assert before in LEADS_ON, outcomes
            assert after == "withdrawn" or _stage(after) == _stage(before) + 1, outcomes
            if after == "proposed":
                assert before == "available"
        times = [d.at for d in candidacy.decisions]
        assert times == sorted(times) and times[-1] < NOW


def test_every_outcome_of_the_contract_is_reached(candidacies):
    last = Counter(candidacy.outcome for _, _, candidacy in candidacies)
    passed = Counter(d.outcome for _, _, c in candidacies for d in c.decisions)
    assert set(passed) == set(taxonomy()["candidate_outcomes"])
    assert last["completed"] >= 30 and last["not_selected"] and last["no_response"]
    withdrawn_at = Counter(
        c.decisions[-2].outcome for _, _, c in candidacies if c.outcome == "withdrawn"
    )
    assert len(withdrawn_at) >= 2


def test_selection_happens_before_the_mission_and_deployment_on_its_first_day(candidacies):
    for mission, _, candidacy in candidacies:
        start = start_of(date.fromisoformat(mission.needs["start"]))
        for decision in candidacy.decisions:
            if decision.outcome in ("contacted", "proposed", "selected", "not_selected"):
                assert decision.at < start
            if decision.outcome == "deployed":
                assert decision.at.date() == start.date()
            if decision.outcome == "completed":
                assert decision.at.date() > date.fromisoformat(mission.needs["end"])


def test_completed_deployments_are_rated_and_join_the_experts_history(candidacies, experts):
    ratings = []
    for mission, history, candidacy in candidacies:
        rated = [d for d in candidacy.decisions if d.rating is not None]
        assert all(d.outcome == "completed" for d in rated)
        deployed = "deployed" in [d.outcome for d in candidacy.decisions]
        mine = [
            d
            for d in experts[candidacy.external_id].record["deployments"]
            if d.get("mission") == mission.needs["title"] and d["role"] == history.role["title"]
        ]
        assert len(mine) == int(deployed), candidacy.external_id
        if not deployed:
            continue
        [deployment] = mine
        assert experts[candidacy.external_id].story.updated_at >= candidacy.decisions[-1].at
        assert deployment["country"] == mission.needs["country"]
        assert deployment["from"] == mission.needs["start"]
        if candidacy.outcome == "completed":
            [decision] = rated
            assert 1 <= decision.rating <= 5 and deployment["rating"] == decision.rating
            assert deployment["to"] == mission.needs["end"]
            ratings.append(decision.rating)
        else:  # left the mission early
            assert candidacy.outcome == "withdrawn" and "rating" not in deployment
            assert deployment["to"] < mission.needs["end"]
    assert len(set(ratings)) >= 3


def test_nationals_of_the_host_are_never_deployed_there(candidacies, experts):
    deployed = [(m, c) for m, _, c in candidacies if "deployed" in [d.outcome for d in c.decisions]]
    assert len(deployed) >= 30
    for mission, candidacy in deployed:
        assert (
            mission.needs["country"] not in experts[candidacy.external_id].record["nationalities"]
        )
    for expert in experts.values():
        countries = {d["country"] for d in expert.record["deployments"]}
        assert not countries & set(expert.record["nationalities"])


def test_positions_are_never_filled_twice(missions):
    for mission in missions:
        for history in mission.roles:
            selected = sum(
                "selected" in [d.outcome for d in c.decisions] for c in history.candidacies
            )
            assert selected <= history.role["positions"]


def test_the_last_decisions_are_records_of_the_decisions_schema(candidacies):
    validator = Draft202012Validator(
        json.loads((DATA / "decisions.schema.json").read_text()), format_checker=FormatChecker()
    )
    for mission, history, candidacy in candidacies:
        last = candidacy.decisions[-1]
        record = {
            "needs_id": mission.needs["id"],
            "role_id": history.role["id"],
            "external_id": candidacy.external_id,
            "outcome": last.outcome,
            "rank": candidacy.rank,
            "decided_at": last.at.isoformat(),
        }
        if last.note:
            record["reason"] = last.note
        if last.rating is not None:
            record["rating"] = last.rating
        assert not [e.message for e in validator.iter_errors(record)], record
        if last.outcome in ("not_selected", "withdrawn"):
            assert last.note, record


def test_every_demo_story_is_a_path_through_the_roster_machines(candidacies, experts):
    # The demo tells only what the transition functions would have let staff and experts do.
    from roster.policy.candidacy import OUTCOME_RULES
    from roster.policy.roster_status import ROSTER_STATUS_RULES

    for _, _, candidacy in candidacies:
        outcomes = [None, *(d.outcome for d in candidacy.decisions)]
        for step in itertools.pairwise(outcomes):
            assert step in OUTCOME_RULES, outcomes
    for expert in experts.values():
        for change in expert.story.changes:
            step = (change.from_status, change.to_status)
            assert step in ROSTER_STATUS_RULES, (expert.story.changes, step)
