"""Outcomes and call-outs through the API, through the candidacy's rules and the outbox."""

import json

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from matching.vocabulary import DATA_DIR
from roster.db import session_scope
from roster.models import AuditEvent, CallOut, CandidateDecision, Expert
from tests.api.conftest import ApiClient
from tests.conftest import outbox
from tests.factories import needs_record
from tests.shortlists.conftest import import_roster, role_url, roster_records, save

PLANNER = "paula@example.org"
with open(DATA_DIR / "decisions.schema.json") as contract:
    DECISIONS_SCHEMA = Draft202012Validator(json.load(contract))


@pytest.fixture
def roster(runner, tmp_path):
    import_roster(runner, tmp_path, roster_records())


@pytest.fixture
def planner_api(api_as) -> ApiClient:
    return api_as(PLANNER, "planner")


@pytest.fixture
def shortlist(app, roster, planner_api) -> dict:
    """The role R1 of NA-TEST with its shortlist issued; its candidates by rank."""
    needs_id = save(app, needs_record())
    answer = planner_api.post(f"/needs/{needs_id}/roles/R1/shortlists")
    assert answer.status_code == 201
    candidates = planner_api.get(f"/shortlists/{answer.get_json()['id']}/candidates")
    return {
        "needs": needs_id,
        "document": answer.get_json(),
        "candidates": candidates.get_json()["items"],
    }


def decision(external_id: str, outcome: str, **more) -> dict:
    return {"needs_id": "NA-TEST", "role_id": "R1", "external_id": external_id, "outcome": outcome}


def count(app, model) -> int:
    with session_scope(app, write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_decision_through_the_api_is_on_the_page_and_in_the_export(
    app, planner_api, shortlist, signed_in, runner, tmp_path
):
    first = shortlist["document"]["candidates"][0]["external_id"]

    answer = planner_api.post("/decisions", json=decision(first, "contacted"))

    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["recorded"] == 1 and body["unchanged"] == 0
    assert [(r["external_id"], r["outcome"], r["rank"]) for r in body["items"]] == [
        (first, "contacted", 1)
    ]
    for record in body["items"]:
        DECISIONS_SCHEMA.validate(record)
    page = signed_in("pat@example.org", "planner").get(role_url(shortlist["needs"]))
    card = page.get_data(as_text=True).split('id="candidate-1"')[1].split('id="candidate-2"')[0]
    assert "Outcome: <strong>contacted</strong>" in " ".join(card.split())
    path = tmp_path / "decisions.jsonl"
    assert runner.invoke(args=["roster", "decisions", "export", str(path)]).exit_code == 0
    exported = [json.loads(line) for line in path.read_text().splitlines()]
    assert body["items"][0] in exported
    listed = planner_api.get(f"/decisions?needs={shortlist['needs']}").get_json()
    assert listed["items"] == exported and listed["next_cursor"] is None


def test_many_decisions_are_all_or_nothing_with_the_refused_one_s_path(app, planner_api, shortlist):
    ids = [c["external_id"] for c in shortlist["document"]["candidates"]]
    before = count(app, CandidateDecision)

    answer = planner_api.post(
        "/decisions",
        json=[decision(ids[0], "contacted"), decision(ids[1], "selected")],
    )

    assert answer.status_code == 422
    assert [p["path"] for p in answer.get_json()["problems"]] == ["[1].outcome"]
    assert count(app, CandidateDecision) == before


def test_a_reason_the_rules_ask_for_and_a_rating_out_of_place_are_refused(
    app, planner_api, shortlist
):
    first = shortlist["document"]["candidates"][0]["external_id"]
    before = count(app, CandidateDecision)

    withdrawn = planner_api.post("/decisions", json=decision(first, "withdrawn"))
    rated = planner_api.post("/decisions", json=decision(first, "contacted") | {"rating": 4})

    assert withdrawn.status_code == 422
    assert withdrawn.get_json()["problems"][0]["path"] == "reason"
    assert rated.status_code == 422 and rated.get_json()["problems"][0]["path"] == "rating"
    assert count(app, CandidateDecision) == before
    done = planner_api.post(
        "/decisions", json=decision(first, "withdrawn") | {"reason": "Took another post."}
    )
    assert done.status_code == 200
    assert done.get_json()["items"][0]["reason"] == "Took another post."


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"surprise": 1}, "surprise"),
        ({"outcome": "hired"}, "outcome"),
        ({"rank": "1"}, "rank"),
        ({"decided_at": "2027-01-01T00:00:00+00:00"}, "decided_at"),
        ({"external_id": "EXP\u202e1"}, "external_id"),
        ({"needs_id": "NA-NONE"}, "needs_id"),
        ({"role_id": "R9"}, "role_id"),
        ({"external_id": "NOT-A-CANDIDATE"}, "external_id"),
    ],
)
def test_bad_records_are_refused_at_their_paths(app, planner_api, shortlist, change, path):
    first = shortlist["document"]["candidates"][0]["external_id"]
    before = count(app, CandidateDecision)

    answer = planner_api.post("/decisions", json=decision(first, "contacted") | change)

    assert answer.status_code == 422, answer.get_json()
    assert path in [p["path"] for p in answer.get_json()["problems"]]
    assert count(app, CandidateDecision) == before


def test_a_decision_sent_twice_is_recorded_once_and_keys_replay(app, planner_api, shortlist):
    first = shortlist["document"]["candidates"][0]["external_id"]
    key = {"Idempotency-Key": "decide-1"}

    once = planner_api.post("/decisions", json=decision(first, "contacted"), headers=key)
    replay = planner_api.post("/decisions", json=decision(first, "contacted"), headers=key)
    reused = planner_api.post("/decisions", json=decision(first, "withdrawn"), headers=key)
    again = planner_api.post("/decisions", json=decision(first, "contacted"))

    assert once.get_json()["recorded"] == 1
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == once.get_json()
    assert reused.status_code == 422
    assert again.status_code == 200
    assert again.get_json()["recorded"] == 0 and again.get_json()["unchanged"] == 1
    with session_scope(app, write=False) as session:
        contacted = session.scalar(
            select(func.count())
            .select_from(CandidateDecision)
            .where(CandidateDecision.outcome == "contacted")
        )
    assert contacted == 1


def test_the_export_is_paged(app, planner_api, shortlist):
    ids = [c["external_id"] for c in shortlist["document"]["candidates"]]

    first = planner_api.get(f"/decisions?needs={shortlist['needs']}&limit=4").get_json()
    rest = planner_api.get(
        f"/decisions?needs={shortlist['needs']}&limit=200&cursor={first['next_cursor']}"
    ).get_json()

    assert sorted(r["external_id"] for r in first["items"] + rest["items"]) == sorted(ids)
    assert rest["next_cursor"] is None
    assert planner_api.get("/decisions").status_code == 422
    assert planner_api.get("/decisions?needs=AAAAAAAA").status_code == 404


def test_a_call_out_moves_candidacies_and_mails_after_the_commit(app, planner_api, shortlist):
    first, second = shortlist["candidates"][:2]
    where = f"/needs/{shortlist['needs']}/roles/R1/call-outs"
    key = {"Idempotency-Key": "call-1"}

    made = planner_api.post(where, json={"candidates": [first["expert"]]}, headers=key)
    replay = planner_api.post(where, json={"candidates": [first["expert"]]}, headers=key)
    reused = planner_api.post(where, json={"candidates": [second["expert"]]}, headers=key)
    twice = planner_api.post(where, json={"candidates": [first["expert"]]})

    assert made.status_code == 201, made.get_json()
    item = made.get_json()["items"][0]
    assert item["expert"] == first["expert"] and item["state"] == "awaiting"
    assert replay.get_json() == made.get_json() and reused.status_code == 422
    assert twice.status_code == 422
    assert twice.get_json()["problems"][0]["path"] == "candidates[0]"
    assert count(app, CallOut) == 1
    assert len(outbox(app)) == 1
    candidates = planner_api.get(f"/shortlists/{shortlist['document']['id']}/candidates")
    assert candidates.get_json()["items"][0]["outcome"] == "contacted"
    assert candidates.get_json()["items"][0]["call_out"] == item["id"]


def test_bad_call_outs_are_refused_and_write_nothing(app, planner_api, shortlist):
    where = f"/needs/{shortlist['needs']}/roles/R1/call-outs"

    empty = planner_api.post(where, json={"candidates": []})
    unknown = planner_api.post(where, json={"candidates": ["nobody"]})
    extra = planner_api.post(where, json={"candidates": ["nobody"], "cc": "x"})
    control = planner_api.post(where, json={"candidates": ["a\x00b"]})

    assert empty.status_code == 422 and empty.get_json()["problems"][0]["path"] == "candidates"
    assert unknown.get_json()["problems"][0]["path"] == "candidates[0]"
    assert extra.status_code == 422 and control.status_code == 422
    assert count(app, CallOut) == 0 and outbox(app) == []


def test_a_call_out_is_withdrawn_once(app, planner_api, shortlist):
    first = shortlist["candidates"][0]
    made = planner_api.post(
        f"/needs/{shortlist['needs']}/roles/R1/call-outs", json={"candidates": [first["expert"]]}
    ).get_json()["items"][0]

    withdrawn = planner_api.post(f"/call-outs/{made['id']}/withdraw")
    again = planner_api.post(f"/call-outs/{made['id']}/withdraw")

    assert withdrawn.status_code == 200 and withdrawn.get_json()["state"] == "withdrawn"
    assert again.status_code == 422
    assert planner_api.post("/call-outs/AAAAAAAAAAAAAAAA/withdraw").status_code == 404
    with session_scope(app, write=False) as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "callout.withdrawn"))


def test_only_planners_with_the_scope_record_decisions_and_call_out(
    app, planner_api, api_as, shortlist
):
    first = shortlist["candidates"][0]
    record = decision(shortlist["document"]["candidates"][0]["external_id"], "contacted")
    reader = api_as("rhea@example.org", "planner", scopes=["needs:read"])
    recruiter = api_as("rita@example.org", "recruiter")
    expert = api_as("erin@example.org", "expert")
    where = f"/needs/{shortlist['needs']}/roles/R1/call-outs"
    before = count(app, CandidateDecision)

    assert reader.post("/decisions", json=record).status_code == 403
    assert reader.post(where, json={"candidates": [first["expert"]]}).status_code == 403
    assert reader.get(f"/decisions?needs={shortlist['needs']}").status_code == 200
    for outsider in (recruiter, expert):
        assert outsider.post("/decisions", json=record).status_code == 403
        assert outsider.get(f"/decisions?needs={shortlist['needs']}").status_code == 403
        assert outsider.post(where, json={"candidates": [first["expert"]]}).status_code == 403
    assert count(app, CandidateDecision) == before
    with session_scope(app, write=False) as session:
        assert session.scalar(select(func.count()).select_from(Expert)) > 0


def test_bodies_of_another_type_or_broken_or_with_controls_are_refused(app, planner_api, shortlist):
    first = shortlist["document"]["candidates"][0]["external_id"]
    before = count(app, CandidateDecision)
    where = f"/needs/{shortlist['needs']}/roles/R1/call-outs"

    typed = planner_api.post("/decisions", data="needs_id=NA-TEST", content_type="text/plain")
    broken = planner_api.post("/decisions", data="[{", content_type="application/json")
    nul = planner_api.post(
        "/decisions",
        json=decision(first, "withdrawn") | {"reason": "Took\x00 another post."},
    )
    call_typed = planner_api.post(where, data="candidates=x", content_type="text/plain")
    empty_list = planner_api.post("/decisions", json=[])

    assert typed.status_code == 415 and broken.status_code == 400
    assert nul.status_code == 422 and nul.get_json()["problems"][0]["path"] == "reason"
    assert call_typed.status_code == 415
    assert empty_list.status_code == 422
    assert count(app, CandidateDecision) == before and count(app, CallOut) == 0
