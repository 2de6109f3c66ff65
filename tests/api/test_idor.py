"""Tokens of one account against another's resources, by guessed and enumerated ids.

Experts: a token reaches its owner's profile, data, candidacies, call-outs and CV, and
nobody else's. Another's call-out answers 404 exactly as an id that never existed does,
so that existence is never confirmed; nothing of the other expert is written.
"""

import pytest
from sqlalchemy import select

from roster.models import CallOut, CandidateOutcome, Expert, new_public_id
from tests.api.conftest import ApiClient
from tests.callouts import conftest as callouts
from tests.callouts.conftest import AWA_EMAIL, send_call_outs
from tests.factories import pdf

CO = CandidateOutcome
mission, planner = callouts.mission, callouts.planner
ANA = "ana@example.org"
IDENTITY = {"full_name": "Ana Lima", "nationalities": ["BR"]}


@pytest.fixture
def awa(app, mission, issue_token, planner) -> ApiClient:
    """Awa Ndiaye, with a profile, a call-out waiting and a CV: the expert attacked."""
    client = ApiClient(app, issue_token(AWA_EMAIL))
    send_call_outs(planner, mission, "awa", "bruno", "chen")
    etag = client.get("/me").headers["ETag"]
    uploaded = client.put(
        "/me/cv", data=pdf(), content_type="application/pdf", headers={"If-Match": etag}
    )
    assert uploaded.status_code == 200, uploaded.get_json()
    return client


@pytest.fixture
def ana(api_as, awa) -> ApiClient:
    """Ana Lima, another expert with a profile of her own: the attacker."""
    client = api_as(ANA, "expert", name="Ana Lima")
    assert client.post("/me", json=IDENTITY).status_code == 201
    return client


def every_call_out(db_session) -> list[str]:
    """The public ids of every call-out in the roster (what enumeration could find)."""
    with db_session(write=False) as session:
        return list(session.scalars(select(CallOut.public_id)))


def test_a_token_reads_only_its_owner_s_profile_and_data(ana, awa):
    mine = ana.get("/me").get_json()
    theirs = awa.get("/me").get_json()

    assert mine["full_name"] == "Ana Lima" and theirs["full_name"] == "Awa Ndiaye"
    for path in ("/me", "/me/data", "/me/candidacies"):
        text = ana.get(path).get_data(as_text=True)
        assert "Awa" not in text and AWA_EMAIL not in text
        assert theirs["external_id"] not in text
    assert ana.get("/me/candidacies").get_json()["items"] == []
    assert ana.get("/me/cv").status_code == 404  # Ana has none; Awa's is never handed out


def test_another_expert_s_call_outs_answer_404_as_unknown_ids_do(ana, awa, mission, db_session):
    enumerated = every_call_out(db_session)
    assert len(enumerated) == 3
    guessed = [
        new_public_id(),
        "0" * 32,
        mission.public_id("awa"),  # an expert's id, not a call-out's
        mission.needs_public_id,
        enumerated[0][:-1] + ("0" if enumerated[0][-1] != "0" else "1"),
    ]
    unknown = ana.get(f"/me/call-outs/{new_public_id()}").get_json()["detail"]

    for public_id in enumerated + guessed:
        read = ana.get(f"/me/call-outs/{public_id}")
        reply = ana.post(f"/me/call-outs/{public_id}/reply", json={"answer": "unavailable"})
        for answer in (read, reply):
            assert answer.status_code == 404, public_id
            assert answer.mimetype == "application/problem+json"
            assert answer.get_json()["detail"] == unknown

    assert {mission.outcome(who) for who in ("awa", "bruno", "chen")} == {CO.CONTACTED}
    assert mission.audit("callout.answered") == []
    # Awa still answers her own.
    own = mission.call_out("awa").public_id
    assert awa.post(f"/me/call-outs/{own}/reply", json={"answer": "available"}).status_code == 200


def test_another_expert_s_version_does_not_open_one_s_own_profile(ana, awa, db_session):
    theirs = awa.get("/me").headers["ETag"]

    answer = ana.put(
        "/me/sections/summary", json={"summary": "Mine."}, headers={"If-Match": theirs}
    )

    assert answer.status_code == 412
    with db_session(write=False) as session:
        assert {e.summary for e in session.scalars(select(Expert))} == {""}


def test_no_operation_of_me_takes_another_expert_s_id(ana, awa, mission):
    for path in (
        f"/me/{mission.public_id('awa')}",
        f"/me/sections/summary/{mission.public_id('awa')}",
        f"/me/cv/{mission.public_id('awa')}",
        f"/me/candidacies/{mission.public_id('awa')}",
    ):
        assert ana.get(path).status_code == 404, path


def test_a_staff_token_does_not_reach_an_expert_s_own_resources(api_as, awa, mission):
    for role in ("recruiter", "planner", "admin"):
        staff = api_as(f"{role}@example.org", role)
        own = mission.call_out("awa").public_id
        for answer in (
            staff.get("/me"),
            staff.get("/me/cv"),
            staff.get(f"/me/call-outs/{own}"),
            staff.post(f"/me/call-outs/{own}/reply", json={"answer": "unavailable"}),
        ):
            assert answer.status_code == 403, role
    assert mission.outcome("awa") is CO.CONTACTED
