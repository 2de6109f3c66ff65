"""Shortlists through the API: issued as the role's page issues them, read as issued."""

import json

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from matching.vocabulary import DATA_DIR
from roster.db import session_scope
from roster.models import AuditEvent, CandidateDecision, CandidateReveal, Shortlist
from tests.api.conftest import ApiClient
from tests.factories import needs_record
from tests.shortlists.conftest import import_roster, role_url, roster_records, save
from tests.shortlists.test_role_page import page_ranking

PLANNER = "paula@example.org"
with open(DATA_DIR / "shortlist.schema.json") as contract:
    SHORTLIST_SCHEMA = Draft202012Validator(json.load(contract))


@pytest.fixture
def roster(runner, tmp_path):
    import_roster(runner, tmp_path, roster_records())


@pytest.fixture
def needs_id(app, roster) -> str:
    return save(app, needs_record())


@pytest.fixture
def planner_api(api_as) -> ApiClient:
    return api_as(PLANNER, "planner")


def count(app, model) -> int:
    with session_scope(app, write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def issued(api: ApiClient, needs_id: str, role_key: str = "R1", **kwargs) -> dict:
    answer = api.post(f"/needs/{needs_id}/roles/{role_key}/shortlists", **kwargs)
    assert answer.status_code == 201, answer.get_json()
    return answer


def test_a_shortlist_issued_by_api_is_the_contract_s_and_the_page_s(
    app, planner_api, needs_id, signed_in
):
    answer = issued(planner_api, needs_id)

    document = answer.get_json()
    SHORTLIST_SCHEMA.validate(document)
    assert document["needs_id"] == "NA-TEST" and document["role_id"] == "R1"
    assert answer.headers["Location"] == f"/api/v1/shortlists/{document['id']}"
    assert planner_api.get(answer.headers["Location"]).get_json() == document
    web = signed_in("pat@example.org", "planner")
    page = web.get(role_url(needs_id)).get_data(as_text=True)
    assert [(rank, external) for rank, external, _ in page_ranking(page)] == [
        (c["rank"], c["external_id"]) for c in document["candidates"]
    ]
    assert count(app, CandidateDecision) == len(document["candidates"])


def test_a_shortlist_issued_on_the_page_is_read_as_issued_through_the_api(
    app, planner_api, needs_id, signed_in
):
    from tests.shortlists.conftest import issue

    web = signed_in("pat@example.org", "planner")
    assert issue(web, needs_id).status_code == 302

    listed = planner_api.get(f"/shortlists?needs={needs_id}").get_json()["items"]
    document = planner_api.get(f"/shortlists/{listed[0]['id']}").get_json()

    SHORTLIST_SCHEMA.validate(document)
    page = web.get(role_url(needs_id)).get_data(as_text=True)
    assert [external for _, external, _ in page_ranking(page)] == [
        c["external_id"] for c in document["candidates"]
    ]
    assert listed[0]["role_id"] == "R1" and listed[0]["candidates"] == len(page_ranking(page))


def test_a_widened_shortlist_and_refused_widenings(app, planner_api, needs_id):
    widened = issued(planner_api, needs_id, json={"partial": True, "lower_languages": ["fr"]})
    unknown = planner_api.post(
        f"/needs/{needs_id}/roles/R1/shortlists", json={"lower_languages": ["de"]}
    )
    extra = planner_api.post(f"/needs/{needs_id}/roles/R1/shortlists", json={"wider": True})
    wrong = planner_api.post(f"/needs/{needs_id}/roles/R1/shortlists", json={"partial": "yes"})
    control = planner_api.post(
        f"/needs/{needs_id}/roles/R1/shortlists", json={"lower_languages": ["f\u202er"]}
    )

    assert widened.status_code == 201
    with session_scope(app, write=False) as session:
        request = session.scalar(select(Shortlist.request))
    assert request["allow_partial_availability"] is True
    assert request["roles"][0]["required_languages"][0]["level"] == "B2"
    assert unknown.status_code == 422
    assert unknown.get_json()["problems"][0]["path"] == "lower_languages"
    assert extra.status_code == 422 and extra.get_json()["problems"][0]["path"] == "wider"
    assert wrong.status_code == 422 and wrong.get_json()["problems"][0]["path"] == "partial"
    assert control.status_code == 422
    assert control.get_json()["problems"][0]["path"] == "lower_languages[0]"
    assert count(app, Shortlist) == 1


def test_a_retried_issue_issues_once_and_a_reused_key_is_refused(app, planner_api, needs_id):
    key = {"Idempotency-Key": "issue-1"}
    first = issued(planner_api, needs_id, headers=key)
    replay = planner_api.post(f"/needs/{needs_id}/roles/R1/shortlists", headers=key)
    other = planner_api.post(
        f"/needs/{needs_id}/roles/R1/shortlists", json={"partial": True}, headers=key
    )

    assert replay.status_code == 201 and replay.get_json() == first.get_json()
    assert other.status_code == 422
    assert count(app, Shortlist) == 1


def test_blind_review_hides_candidates_until_revealed(app, planner_api, roster):
    needs_id = save(app, needs_record(), blind_review=True)
    document = issued(planner_api, needs_id).get_json()
    SHORTLIST_SCHEMA.validate(document)
    assert {c["external_id"] for c in document["candidates"]} == {""}
    shortlist = document["id"]

    candidates = planner_api.get(f"/shortlists/{shortlist}/candidates").get_json()["items"]
    assert all(c["hidden"] and c["full_name"] is None for c in candidates)
    revealed = planner_api.post(f"/shortlists/{shortlist}/candidates/1/reveal")

    assert revealed.status_code == 200
    assert revealed.get_json()["hidden"] is False and revealed.get_json()["external_id"]
    read = planner_api.get(f"/shortlists/{shortlist}").get_json()
    assert read["candidates"][0]["external_id"] == revealed.get_json()["external_id"]
    assert count(app, CandidateReveal) == 1
    with session_scope(app, write=False) as session:
        assert (
            session.scalar(
                select(AuditEvent).where(AuditEvent.action == "candidate.revealed")
            ).detail["rank"]
            == 1
        )


def test_an_outcome_goes_through_the_candidacy_s_rules(app, planner_api, needs_id, signed_in):
    shortlist = issued(planner_api, needs_id).get_json()["id"]
    where = f"/shortlists/{shortlist}/candidates/1/outcome"
    before = count(app, CandidateDecision)

    illegal = planner_api.post(where, json={"to": "selected", "current": "shortlisted"})
    stale = planner_api.post(where, json={"to": "contacted", "current": None})
    unknown = planner_api.post(where, json={"to": "contacted", "current": "shortlisted", "x": 1})
    done = planner_api.post(where, json={"to": "contacted", "current": "shortlisted"})

    assert illegal.status_code == 422 and illegal.get_json()["problems"][0]["path"] == "to"
    assert stale.status_code == 412
    assert unknown.status_code == 422 and unknown.get_json()["problems"][0]["path"] == "x"
    assert done.status_code == 200 and done.get_json()["outcome"] == "contacted"
    assert count(app, CandidateDecision) == before + 1
    web = signed_in("pat@example.org", "planner")
    page = web.get(role_url(needs_id)).get_data(as_text=True)
    card = page.split('id="candidate-1"')[1].split('id="candidate-2"')[0]
    assert "Outcome: <strong>contacted</strong>" in " ".join(card.split())


def test_contact_details_only_for_a_selected_candidate_and_audited(app, planner_api, needs_id):
    shortlist = issued(planner_api, needs_id).get_json()["id"]
    early = planner_api.post(f"/shortlists/{shortlist}/candidates/1/contact")
    where = f"/shortlists/{shortlist}/candidates/1/outcome"
    for current, to in [
        ("shortlisted", "contacted"),
        ("contacted", "available"),
        ("available", "proposed"),
        ("proposed", "selected"),
    ]:
        assert planner_api.post(where, json={"to": to, "current": current}).status_code == 200

    shown = planner_api.post(f"/shortlists/{shortlist}/candidates/1/contact")

    assert early.status_code == 422
    assert shown.status_code == 200 and "@example.org" in shown.get_json()["email"]
    with session_scope(app, write=False) as session:
        views = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "profile.view")
        )
    assert views == 1


def test_the_team_as_the_team_page_computes_it(app, planner_api, needs_id, signed_in):
    team = planner_api.get(f"/needs/{needs_id}/team")

    assert team.status_code == 200
    body = team.get_json()
    assert body["feasible"] is True and body["roles"][0]["role_id"] == "R1"
    member = body["roles"][0]["members"][0]
    page = signed_in("pat@example.org", "planner").get(f"/needs/{needs_id}/team")
    assert member["full_name"] in page.get_data(as_text=True)
    swapped = planner_api.get(f"/needs/{needs_id}/team?swap=R1:{member['expert']}").get_json()
    assert swapped["effect"]["out"]["expert"] == member["expert"]
    assert member["expert"] not in {m["expert"] for m in swapped["roles"][0]["members"]}
    bad = planner_api.get(f"/needs/{needs_id}/team?swap=nonsense")
    assert bad.status_code == 422 and bad.get_json()["problems"][0]["path"] == "swap"


def test_only_planners_with_the_scope_act_and_unknown_ids_are_404(
    app, planner_api, api_as, needs_id
):
    shortlist = issued(planner_api, needs_id).get_json()["id"]
    other_planner = api_as("otto@example.org", "planner")
    reader = api_as("rhea@example.org", "planner", scopes=["needs:read"])
    recruiter = api_as("rita@example.org", "recruiter")
    expert = api_as("erin@example.org", "expert")

    assert other_planner.get(f"/shortlists/{shortlist}").status_code == 200
    assert reader.get(f"/shortlists/{shortlist}").status_code == 200
    assert reader.post(f"/needs/{needs_id}/roles/R1/shortlists").status_code == 403
    assert reader.post(f"/shortlists/{shortlist}/candidates/1/reveal").status_code == 403
    for outsider in (recruiter, expert):
        assert outsider.get(f"/shortlists/{shortlist}").status_code == 403
        assert outsider.get(f"/shortlists?needs={needs_id}").status_code == 403
        assert outsider.post(f"/needs/{needs_id}/roles/R1/shortlists").status_code == 403
        assert outsider.get(f"/needs/{needs_id}/team").status_code == 403
    assert planner_api.get("/shortlists/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404
    assert planner_api.get("/shortlists/1").status_code == 404
    assert planner_api.post(f"/needs/{needs_id}/roles/R9/shortlists").status_code == 404
    assert planner_api.post(f"/shortlists/{shortlist}/candidates/99/reveal").status_code == 404
    assert planner_api.get("/shortlists").status_code == 422
    assert count(app, Shortlist) == 1


def test_the_preview_is_the_live_page_s_shortlist_and_keeps_nothing(
    app, planner_api, needs_id, signed_in
):
    preview = planner_api.get(f"/needs/{needs_id}/roles/R1/shortlist-preview")
    widened = planner_api.get(f"/needs/{needs_id}/roles/R1/shortlist-preview?partial=true&lower=fr")
    refused = planner_api.get(f"/needs/{needs_id}/roles/R1/shortlist-preview?lower=de")

    assert preview.status_code == 200 and widened.status_code == 200
    SHORTLIST_SCHEMA.validate(preview.get_json())
    page = signed_in("pat@example.org", "planner").get(role_url(needs_id)).get_data(as_text=True)
    assert [(rank, external) for rank, external, _ in page_ranking(page)] == [
        (c["rank"], c["external_id"]) for c in preview.get_json()["candidates"]
    ]
    assert refused.status_code == 422 and refused.get_json()["problems"][0]["path"] == "lower"
    assert count(app, Shortlist) == 0 and count(app, CandidateDecision) == 0


def test_the_decisions_export_names_no_candidate_a_blind_review_hides(app, planner_api, roster):
    needs_id = save(app, needs_record(), blind_review=True)
    shortlist = issued(planner_api, needs_id).get_json()["id"]
    external = needs_record()["id"]

    before = planner_api.get(f"/decisions?needs={needs_id}").get_json()["items"]
    revealed = planner_api.post(f"/shortlists/{shortlist}/candidates/1/reveal").get_json()
    after = planner_api.get(f"/decisions?needs={needs_id}").get_json()["items"]

    assert before == []
    assert [(r["needs_id"], r["external_id"]) for r in after] == [
        (external, revealed["external_id"])
    ]
