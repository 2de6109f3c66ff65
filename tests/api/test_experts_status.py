"""Decisions on experts through the API: status one at a time or for a search, and vetting.

Each decision goes through the status machine as on the vetting page: the expert reads
it in their history and is mailed; a stale version changes nothing.
"""

import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from roster.interchange.services import import_records
from roster.models import (
    AuditEvent,
    Expert,
    ExpertSkill,
    OutboxMessage,
    RosterStatus,
    RosterStatusChange,
)
from roster.policy.roster_status import status_history
from roster.recruiting.vetting import vetting_queue
from tests.conftest import outbox
from tests.factories import expert_record

RS = RosterStatus


@pytest.fixture
def roster(db_session):
    """Three profiles under review (two Africans), one rostered, one applicant."""
    records = [
        expert_record(1, full_name="Awa Ndiaye", roster_status="under_review"),
        expert_record(2, full_name="Bo Diallo", roster_status="under_review"),
        expert_record(3, full_name="Cy Park", roster_status="under_review", nationalities=["KR"]),
        expert_record(4, full_name="Di Rossi", nationalities=["IT"]),
        expert_record(5, full_name="Ed Moss", roster_status="applicant", nationalities=["GB"]),
    ]
    with db_session() as session:
        import_records(session=session, records=enumerate(records, 1), source="test")
    return db_session


@pytest.fixture
def api(api_as):
    """A recruiter's script."""
    return api_as("rita@example.org", "recruiter")


def public_id(db_session, external_id: str) -> str:
    with db_session(write=False) as session:
        return session.scalar(select(Expert.public_id).where(Expert.external_id == external_id))


def status_of(db_session, external_id: str) -> RosterStatus:
    with db_session(write=False) as session:
        return session.scalar(select(Expert.roster_status).where(Expert.external_id == external_id))


def count(db_session, model, *where) -> int:
    with db_session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def opened(api, target: str) -> str:
    """Read the expert for vetting; its ETag."""
    answer = api.get(f"/experts/{target}?purpose=vetting")
    assert answer.status_code == 200
    return answer.headers["ETag"]


# --- one decision ------------------------------------------------------------------------


def test_a_decision_is_in_the_expert_s_history_and_mailed(app, roster, api, signed_in):
    target = public_id(roster, "EXP-T-0001")
    tag = opened(api, target)

    answer = api.post(
        f"/experts/{target}/status",
        json={"to": "rostered", "reason": "Strong references."},
        headers={"If-Match": tag},
    )

    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["from_status"] == "under_review" and body["to_status"] == "rostered"
    assert body["reason"] == "Strong references." and body["public_id"] == target
    assert answer.headers["ETag"] not in ("", tag)
    with roster(write=False) as session:
        expert = session.scalar(select(Expert).where(Expert.public_id == target))
        last = status_history(session=session, expert_id=expert.id)[-1]
        assert (last.to_status, last.reason) == (RS.ROSTERED, "Strong references.")
        assert last.changed_by_id is not None
        [row] = session.scalars(select(OutboxMessage))
        assert row.recipient == "expert1@example.org"
    [mail] = outbox(app)
    assert mail["Subject"].endswith("is now: rostered")
    assert "Strong references." in mail.get_payload(decode=True).decode()
    # The search page shows the new status.
    page = signed_in("wendy@example.org", "recruiter").get("/experts?status=rostered")
    assert "Awa Ndiaye" in page.get_data(as_text=True)
    # The next decision names the new version.
    again = api.post(
        f"/experts/{target}/status",
        json={"to": "suspended", "reason": "Conduct review."},
        headers={"If-Match": answer.headers["ETag"]},
    )
    assert again.status_code == 200


def test_a_stale_or_missing_version_changes_nothing(roster, api, db_session):
    target = public_id(roster, "EXP-T-0001")
    tag = opened(api, target)
    first = api.post(
        f"/experts/{target}/status", json={"to": "rostered"}, headers={"If-Match": tag}
    )
    assert first.status_code == 200

    stale = api.post(
        f"/experts/{target}/status",
        json={"to": "inactive", "reason": "Asked to pause."},
        headers={"If-Match": tag},
    )
    missing = api.post(
        f"/experts/{target}/status", json={"to": "inactive", "reason": "Asked to pause."}
    )

    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert missing.status_code == 428
    assert status_of(roster, "EXP-T-0001") == RS.ROSTERED
    assert count(roster, OutboxMessage) == 1


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"to": "declined"}, "reason"),  # a decline says why
        ({"to": "withdrawn", "reason": "x"}, "to"),  # an administrator's change
        ({"to": "archived"}, "to"),
        ({"to": 5}, "to"),
        ({"to": "rostered", "colour": "blue"}, "colour"),
        ({"to": "rostered", "reason": ["a"]}, "reason"),
        ({"to": "rostered", "reason": "a\u202eb"}, "reason"),
        ({"to": "rostered", "reason": "a\x00b"}, "reason"),
        ({"to": "rostered", "reason": "x" * 1001}, "reason"),
        ({}, "to"),
        ([], ""),
    ],
)
def test_a_refused_decision_is_a_problem_at_its_field_and_writes_nothing(roster, api, body, path):
    target = public_id(roster, "EXP-T-0001")
    tag = opened(api, target)

    answer = api.post(f"/experts/{target}/status", json=body, headers={"If-Match": tag})

    assert answer.status_code == 422, answer.get_json()
    assert path in [found["path"] for found in answer.get_json()["problems"]]
    assert status_of(roster, "EXP-T-0001") == RS.UNDER_REVIEW
    assert count(roster, OutboxMessage) == 0
    assert count(roster, AuditEvent, AuditEvent.action == "roster.status_changed") == 0


def test_a_decision_sent_otherwise_than_as_json_is_refused(roster, api):
    target = public_id(roster, "EXP-T-0001")
    tag = opened(api, target)
    headers = {"If-Match": tag}

    wrong_type = api.post(
        f"/experts/{target}/status", data="to=rostered", content_type="text/plain", headers=headers
    )
    broken = api.post(
        f"/experts/{target}/status",
        data='{"to": ',
        content_type="application/json",
        headers=headers,
    )
    too_large = api.post(
        f"/experts/{target}/status",
        data=b'{"to": "rostered", "reason": "' + b"x" * (1024 * 1024) + b'"}',
        content_type="application/json",
        headers=headers,
    )

    assert [wrong_type.status_code, broken.status_code, too_large.status_code] == [415, 400, 413]
    assert status_of(roster, "EXP-T-0001") == RS.UNDER_REVIEW


def test_an_administrator_withdraws_with_a_reason(roster, api_as):
    admin = api_as("ada@example.org", "admin")
    target = public_id(roster, "EXP-T-0004")
    tag = admin.get(f"/experts/{target}?purpose=data-correction").headers["ETag"]

    answer = admin.post(
        f"/experts/{target}/status",
        json={"to": "withdrawn", "reason": "Asked to leave."},
        headers={"If-Match": tag},
    )

    assert answer.status_code == 200
    assert status_of(roster, "EXP-T-0004") == RS.WITHDRAWN


def test_a_decision_on_an_unknown_expert_is_404(roster, api):
    answer = api.post(
        "/experts/no-such-expert/status", json={"to": "rostered"}, headers={"If-Match": "*"}
    )

    assert answer.status_code == 404


def test_the_decisions_open_are_the_vetting_page_s(roster, api, api_as):
    target = public_id(roster, "EXP-T-0001")
    admin = api_as("ada@example.org", "admin")

    answer = api.get(f"/experts/{target}/status")
    by_admin = admin.get(f"/experts/{target}/status").get_json()

    assert answer.status_code == 200
    shown = answer.get_json()
    assert shown["roster_status"] == "under_review"
    assert [d["to"] for d in shown["items"]] == ["applicant", "rostered", "declined"]
    assert shown["items"][1] == {
        "to": "rostered",
        "words": "Put on the roster",
        "reason_required": False,
    }
    assert [d["to"] for d in by_admin["items"]][-1] == "withdrawn"
    decided = api.post(
        f"/experts/{target}/status",
        json={"to": "rostered"},
        headers={"If-Match": answer.headers["ETag"]},
    )
    assert decided.status_code == 200
    assert api.get("/experts/nobody/status").status_code == 404


# --- a search's experts at once -------------------------------------------------------------


def plan(api, query: str, **body):
    return api.post(f"/experts/status/plan?{query}", json=body)


def test_a_search_s_experts_are_moved_after_the_plan_is_seen(app, roster, api):
    planned = plan(api, "status=under_review&region=African", to="rostered")

    assert planned.status_code == 200, planned.get_json()
    shown = planned.get_json()
    assert shown["to"] == "rostered" and shown["will_move"] == 2 and shown["cannot_move"] == 0
    assert shown["movable"] == [
        {
            "from_status": "under_review",
            "count": 2,
            "names": ["Awa Ndiaye", "Bo Diallo"],
            "refusal": None,
        }
    ]
    moved = api.post(
        "/experts/status?status=under_review&region=African",
        json={"to": "rostered", "reason": "Vetted."},
        headers={"If-Match": planned.headers["ETag"]},
    )

    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json() == {"to": "rostered", "moved": 2, "skipped": []}
    assert status_of(roster, "EXP-T-0001") == RS.ROSTERED
    assert status_of(roster, "EXP-T-0002") == RS.ROSTERED
    assert status_of(roster, "EXP-T-0003") == RS.UNDER_REVIEW
    assert sorted(mail["To"] for mail in outbox(app)) == [
        "expert1@example.org",
        "expert2@example.org",
    ]
    with roster(write=False) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "experts.bulk_status"))
    assert event.detail["moved"] == 2 and event.detail["criteria"] == {
        "region": "African",
        "status": "under_review",
    }


def test_those_the_machine_refuses_are_named_and_skipped(roster, api):
    planned = plan(api, "", to="rostered")
    shown = planned.get_json()
    assert shown["will_move"] == 3 and shown["cannot_move"] == 2
    blocked = {group["from_status"]: group for group in shown["blocked"]}
    assert set(blocked) == {"applicant", "rostered"}
    assert blocked["applicant"]["refusal"]

    moved = api.post(
        "/experts/status", json={"to": "rostered"}, headers={"If-Match": planned.headers["ETag"]}
    )

    assert moved.get_json()["moved"] == 3
    assert status_of(roster, "EXP-T-0005") == RS.APPLICANT


def test_listed_experts_only_are_moved(roster, api):
    listed = [public_id(roster, "EXP-T-0003")]
    planned = plan(api, "status=under_review", to="rostered", experts=listed)
    assert planned.get_json()["will_move"] == 1

    moved = api.post(
        "/experts/status?status=under_review",
        json={"to": "rostered", "experts": listed},
        headers={"If-Match": planned.headers["ETag"]},
    )

    assert moved.get_json()["moved"] == 1
    assert status_of(roster, "EXP-T-0003") == RS.ROSTERED
    assert status_of(roster, "EXP-T-0001") == RS.UNDER_REVIEW


def test_a_plan_gone_stale_changes_nothing(roster, api):
    planned = plan(api, "status=under_review", to="rostered")
    # Someone decides on one of them meanwhile.
    target = public_id(roster, "EXP-T-0002")
    api.post(
        f"/experts/{target}/status",
        json={"to": "declined", "reason": "No references."},
        headers={"If-Match": opened(api, target)},
    )

    stale = api.post(
        "/experts/status?status=under_review",
        json={"to": "rostered"},
        headers={"If-Match": planned.headers["ETag"]},
    )
    missing = api.post("/experts/status?status=under_review", json={"to": "rostered"})
    other_status = api.post(
        "/experts/status?status=under_review",
        json={"to": "declined", "reason": "x"},
        headers={"If-Match": planned.headers["ETag"]},
    )

    assert [stale.status_code, missing.status_code, other_status.status_code] == [412, 428, 412]
    assert status_of(roster, "EXP-T-0001") == RS.UNDER_REVIEW
    assert count(roster, AuditEvent, AuditEvent.action == "experts.bulk_status") == 0


@pytest.mark.parametrize(
    ("query", "body", "path"),
    [
        ("", {"to": "rostered", "experts": []}, "experts"),
        ("", {"to": "nowhere"}, "to"),
        ("", {"to": "rostered", "experts": [5]}, "experts[0]"),
        ("", {"to": "rostered", "everyone": True}, "everyone"),
        ("q=nobody+at+all", {"to": "rostered"}, ""),
        ("region=Atlantis", {"to": "rostered"}, "region"),
    ],
)
def test_a_refused_bulk_change_is_a_problem_at_its_field(roster, api, query, body, path):
    planned = plan(api, query, **body)
    applied = api.post(f"/experts/status?{query}", json=body, headers={"If-Match": "*"})

    for answer in (planned, applied):
        assert answer.status_code == 422, answer.get_json()
        assert path in [found["path"] for found in answer.get_json()["problems"]]
    assert count(roster, RosterStatusChange, RosterStatusChange.changed_by_id.is_not(None)) == 0


def test_a_declined_bulk_change_needs_its_reason(roster, api):
    planned = plan(api, "status=under_review", to="declined")

    answer = api.post(
        "/experts/status?status=under_review",
        json={"to": "declined"},
        headers={"If-Match": planned.headers["ETag"]},
    )

    assert answer.status_code == 422
    assert answer.get_json()["problems"][0]["path"] == "reason"
    assert status_of(roster, "EXP-T-0001") == RS.UNDER_REVIEW


# --- vetting -----------------------------------------------------------------------------------


def test_the_queue_is_the_page_s_the_longest_waiting_first(app, roster, api, signed_in):
    found, cursor = [], None
    while True:
        address = "/vetting?limit=1" + (f"&{urlencode({'cursor': cursor})}" if cursor else "")
        body = api.get(address).get_json()
        found += [item["public_id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    with roster(write=False) as session:
        expected = [e.expert.public_id for e in vetting_queue(session=session).entries]
    page = signed_in("wendy@example.org", "recruiter").get("/vetting").get_data(as_text=True)

    assert found == expected and len(found) == 3
    assert found == list(dict.fromkeys(re.findall(r'href="/vetting/([^"#]+)"', page)))
    first = api.get("/vetting").get_json()["items"][0]
    assert first["expertise_areas"] == 1 and first["verified_areas"] == 0
    assert first["days_waiting"] == 0 and first["waiting_since"].endswith("Z")


def test_a_bad_queue_cursor_or_parameter_is_refused(roster, api):
    assert api.get("/vetting?cursor=bm90LWpzb24").get_json()["problems"][0]["path"] == "cursor"
    assert api.get("/vetting?page=2").get_json()["problems"][0]["path"] == "page"


def test_an_area_is_verified_with_its_evidence(roster, api, signed_in):
    target = public_id(roster, "EXP-T-0003")
    tag = opened(api, target)
    address = f"/experts/{target}/expertise/electoral-management/verification"

    answer = api.put(
        address, json={"verified": True, "note": "Certificate seen."}, headers={"If-Match": tag}
    )

    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["verified"] is True and body["note"] == "Certificate seen."
    assert body["code"] == "electoral-management" and body["verified_at"].endswith("Z")
    with roster(write=False) as session:
        skill = session.scalar(select(ExpertSkill).join(Expert).where(Expert.public_id == target))
        assert skill.verified_at is not None
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "expertise.verified"))
        assert event.reason == "Certificate seen." and event.detail == {
            "skill": "electoral-management"
        }
    page = signed_in("wendy@example.org", "recruiter").get("/experts?expertise=verified")
    assert "Cy Park" in page.get_data(as_text=True)
    # Taken off again, with the new version.
    undone = api.put(
        address, json={"verified": False}, headers={"If-Match": answer.headers["ETag"]}
    )
    assert undone.status_code == 200 and undone.get_json()["verified"] is False


@pytest.mark.parametrize(
    ("code", "body", "path"),
    [
        ("electoral-management", {"verified": True}, "note"),
        ("electoral-management", {"verified": "yes", "note": "x"}, "verified"),
        ("electoral-management", {"verified": True, "note": "x", "by": "me"}, "by"),
        ("electoral-management", {"verified": True, "note": "a\u202eb"}, "note"),
        ("mediation", {"verified": True, "note": "x"}, "code"),
    ],
)
def test_a_refused_verification_writes_nothing(roster, api, code, body, path):
    target = public_id(roster, "EXP-T-0003")
    tag = opened(api, target)

    answer = api.put(
        f"/experts/{target}/expertise/{code}/verification", json=body, headers={"If-Match": tag}
    )

    assert answer.status_code == 422, answer.get_json()
    assert path in [found["path"] for found in answer.get_json()["problems"]]
    assert count(roster, ExpertSkill, ExpertSkill.verified_at.is_not(None)) == 0


def test_a_verification_on_a_stale_version_changes_nothing(roster, api):
    target = public_id(roster, "EXP-T-0003")
    tag = opened(api, target)
    address = f"/experts/{target}/expertise/electoral-management/verification"
    decided = api.post(
        f"/experts/{target}/status", json={"to": "rostered"}, headers={"If-Match": tag}
    )
    assert decided.status_code == 200

    stale = api.put(address, json={"verified": True, "note": "x"}, headers={"If-Match": tag})
    missing = api.put(address, json={"verified": True, "note": "x"})

    assert [stale.status_code, missing.status_code] == [412, 428]
    assert count(roster, ExpertSkill, ExpertSkill.verified_at.is_not(None)) == 0
