"""An expert's candidacies and call-outs through the API, as their candidacies page
shows them, and their answers, as the mailed links record them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from roster.models import CandidateOutcome, utcnow
from tests.api import me_support as support
from tests.api.conftest import ApiClient
from tests.api.me_support import conforms, problem_paths
from tests.callouts import conftest as callouts
from tests.callouts.conftest import AWA_EMAIL, send_call_outs

CO = CandidateOutcome
# A mission with one role and three shortlisted candidates, Awa Ndiaye among them.
mission, planner = callouts.mission, callouts.planner
document = support.document


@pytest.fixture
def awa(app, mission, issue_token):
    """Awa Ndiaye's API client; she is shortlisted for the mission's role."""

    return ApiClient(app, issue_token(AWA_EMAIL))


def test_candidacies_show_the_expert_s_own_and_nobody_else(awa, mission, document):
    answer = awa.get("/me/candidacies")

    assert answer.status_code == 200
    conforms(document, "/me/candidacies", "get", answer)
    (item,) = answer.get_json()["items"]
    assert item["role"] == "Electoral Adviser" and item["needs_id"] == "NA-ML-2027"
    assert item["outcome"] == "shortlisted" and item["outcome_words"] == "Shortlisted"
    assert item["call_out"] is None and item["lacking"] == []
    text = answer.get_data(as_text=True)
    for other in ("Bruno", "Silva", "Chen", "rank", "score"):
        assert other not in text


def test_when_not_selected_the_expert_reads_what_they_lacked(awa, mission):
    for step in (CO.CONTACTED, CO.AVAILABLE, CO.PROPOSED):
        mission.decide("awa", step)
    mission.decide("awa", CO.NOT_SELECTED, reason="Mediation experience was needed.")

    (item,) = awa.get("/me/candidacies").get_json()["items"]

    assert item["outcome"] == "not_selected"
    assert [lacked["code"] for lacked in item["lacking"]] == ["skill.desired.missing"]
    assert item["lacking"][0]["text"].lower() == "lacks desired skill: mediation"
    assert item["reason"] == "Mediation experience was needed."


def test_an_expert_answers_a_call_out_once(awa, planner, mission, document):
    send_call_outs(planner, mission, "awa")
    (item,) = awa.get("/me/candidacies").get_json()["items"]
    public_id = item["call_out"]["public_id"]
    assert public_id == mission.call_out("awa").public_id

    read = awa.get(f"/me/call-outs/{public_id}")
    assert read.status_code == 200 and read.get_json()["open"] is True
    conforms(document, "/me/call-outs/{public_id}", "get", read)

    answer = awa.post(f"/me/call-outs/{public_id}/reply", json={"answer": "available"})

    assert answer.status_code == 200, answer.get_json()
    conforms(document, "/me/call-outs/{public_id}/reply", "post", answer)
    assert answer.get_json()["answer"] == "available" and answer.get_json()["open"] is False
    assert mission.outcome("awa") is CO.AVAILABLE
    (event,) = mission.audit("callout.answered")
    assert event.detail["via"] == "account"
    again = awa.post(f"/me/call-outs/{public_id}/reply", json={"answer": "unavailable"})
    assert again.status_code == 409 and "You already answered" in again.get_json()["detail"]
    assert mission.outcome("awa") is CO.AVAILABLE
    assert awa.get("/me/candidacies").get_json()["items"][0]["outcome"] == "available"


def test_a_reply_is_retried_safely_under_an_idempotency_key(awa, planner, mission):
    send_call_outs(planner, mission, "awa")
    public_id = mission.call_out("awa").public_id
    key = {"Idempotency-Key": "reply-1"}
    path = f"/me/call-outs/{public_id}/reply"

    first = awa.post(path, json={"answer": "unavailable"}, headers=key)
    again = awa.post(path, json={"answer": "unavailable"}, headers=key)
    other = awa.post(path, json={"answer": "available"}, headers=key)

    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert mission.outcome("awa") is CO.UNAVAILABLE
    assert len(mission.audit("callout.answered")) == 1


def test_a_closed_or_withdrawn_call_out_takes_no_answer(awa, planner, mission, db_session):
    send_call_outs(planner, mission, "awa")
    public_id = mission.call_out("awa").public_id
    with db_session() as session:
        from roster.models import CallOut

        call_out = session.scalar(select(CallOut).where(CallOut.public_id == public_id))
        call_out.expires_at = utcnow() - timedelta(hours=1)

    answer = awa.post(f"/me/call-outs/{public_id}/reply", json={"answer": "available"})

    assert answer.status_code == 410 and answer.mimetype == "application/problem+json"
    assert mission.outcome("awa") is CO.CONTACTED


@pytest.mark.parametrize(
    ("body", "path"),
    [({"answer": "maybe"}, "answer"), ({}, "answer"), ({"answer": "available", "x": 1}, "x")],
)
def test_a_bad_answer_is_refused_at_its_path(awa, planner, mission, body, path):
    send_call_outs(planner, mission, "awa")
    public_id = mission.call_out("awa").public_id

    answer = awa.post(f"/me/call-outs/{public_id}/reply", json=body)

    assert answer.status_code == 422 and path in problem_paths(answer)
    assert mission.outcome("awa") is CO.CONTACTED
