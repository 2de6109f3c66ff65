"""Needs assessments through the API, under the rules of the planner's pages."""

import json

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from matching.vocabulary import DATA_DIR
from roster.db import session_scope
from roster.models import AuditEvent, CandidateDecision, MissionRole, NeedsAssessment
from tests.api.conftest import ApiClient
from tests.factories import needs_record, role_record

PLANNER = "paula@example.org"
with open(DATA_DIR / "needs.schema.json") as contract:
    NEEDS_SCHEMA = Draft202012Validator(json.load(contract))


@pytest.fixture
def planner_api(api_as) -> ApiClient:
    return api_as(PLANNER, "planner")


def count(app, model) -> int:
    with session_scope(app, write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def created(api: ApiClient, record: dict | None = None, **headers):
    answer = api.post("/needs", json=record or needs_record(), headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer


def test_a_planner_enters_an_assessment_and_reads_it_back_in_the_contract_s_format(planner_api):
    record = needs_record(role_record("R1"), role_record("R2", title="Logistics Adviser"))

    made = planner_api.post("/needs", json=record)

    assert made.status_code == 201
    assert made.headers["Location"].startswith("/api/v1/needs/")
    assert made.headers["ETag"]
    NEEDS_SCHEMA.validate(made.get_json())
    read = planner_api.get(made.headers["Location"])
    assert read.status_code == 200
    assert read.get_json() == made.get_json()
    assert read.headers["ETag"] == made.headers["ETag"]
    assert [r["id"] for r in read.get_json()["roles"]] == ["R1", "R2"]
    assert read.get_json()["country"] == "ML"


def test_names_are_read_as_codes_as_the_upload_reads_them(planner_api):
    made = created(planner_api, needs_record(country="Mali"))

    assert made.get_json()["country"] == "ML"


def test_an_assessment_made_by_api_is_on_the_planner_s_page_and_one_made_there_in_the_api(
    app, planner_api, signed_in
):
    web = signed_in("pat@example.org", "planner")
    made = created(planner_api, needs_record(title="Support to the 2027 referendum"))
    public_id = made.headers["Location"].rsplit("/", 1)[1]

    page = web.get(f"/needs/{public_id}")
    listing = web.get("/needs")

    assert page.status_code == 200
    assert "Support to the 2027 referendum" in page.get_data(as_text=True)
    assert public_id in listing.get_data(as_text=True)

    with session_scope(app) as session:
        from roster.missions.records import save_needs

        other, _ = save_needs(
            session=session, record=needs_record(id="NA-WEB", title="Made on the web"), by=None
        )
        other_id = other.public_id
    listed = planner_api.get("/needs").get_json()["items"]
    assert {item["public_id"] for item in listed} == {public_id, other_id}
    assert planner_api.get(f"/needs/{other_id}").get_json()["title"] == "Made on the web"


def test_an_invalid_assessment_is_refused_at_its_paths_and_nothing_is_written(app, planner_api):
    record = needs_record(role_record("R1", required_languages=[{"code": "xx", "level": "C1"}]))
    record["start"], record["end"] = "2027-06-30", "2027-03-01"

    answer = planner_api.post("/needs", json=record)

    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    paths = {p["path"] for p in answer.get_json()["problems"]}
    assert "roles[0].required_languages[0].code" in paths
    assert count(app, NeedsAssessment) == 0


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"surprise": 1}, "surprise"),
        ({"gender_target": "half"}, "gender_target"),
        ({"title": "Bad\u202etitle"}, "title"),
        ({"title": "Bad\x00title"}, "title"),
    ],
)
def test_unknown_fields_wrong_types_and_controls_are_refused(app, planner_api, change, path):
    answer = planner_api.post("/needs", json=needs_record() | change)

    assert answer.status_code == 422, answer.get_json()
    assert path in {p["path"] for p in answer.get_json()["problems"]}
    assert count(app, NeedsAssessment) == 0


def test_a_body_that_is_not_json_is_refused(app, planner_api):
    wrong_type = planner_api.post("/needs", data="id=1", content_type="text/plain")
    broken = planner_api.post("/needs", data="{", content_type="application/json")

    assert wrong_type.status_code == 415 and broken.status_code == 400
    assert count(app, NeedsAssessment) == 0


def test_an_id_already_stored_is_refused_on_post(app, planner_api):
    created(planner_api)

    again = planner_api.post("/needs", json=needs_record(title="Another"))

    assert again.status_code == 422
    assert again.get_json()["problems"][0]["path"] == "id"
    assert count(app, NeedsAssessment) == 1


def test_a_retried_post_creates_once_and_a_reused_key_is_refused(app, planner_api):
    first = created(planner_api, **{"Idempotency-Key": "needs-1"})
    replay = planner_api.post("/needs", json=needs_record(), headers={"Idempotency-Key": "needs-1"})
    other = planner_api.post(
        "/needs", json=needs_record(id="NA-2"), headers={"Idempotency-Key": "needs-1"}
    )

    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == first.get_json()
    assert replay.headers["Location"] == first.headers["Location"]
    assert other.status_code == 422
    assert count(app, NeedsAssessment) == 1


def test_settings_the_format_lacks_are_query_parameters(app, planner_api):
    made = planner_api.post("/needs?blind_review=true&reminder_days=7", json=needs_record())
    bad = planner_api.post("/needs?reminder_days=99", json=needs_record(id="NA-2"))

    assert made.status_code == 201
    summary = planner_api.get("/needs").get_json()["items"][0]
    assert summary["blind_review"] is True and summary["reminder_days"] == 7
    assert bad.status_code == 422 and bad.get_json()["problems"][0]["path"] == "reminder_days"


def test_a_replacement_needs_the_version_read_and_a_stale_one_changes_nothing(app, planner_api):
    made = created(planner_api)
    where = made.headers["Location"]
    changed = needs_record(title="Renamed")

    missing = planner_api.put(where, json=changed)
    stale = planner_api.put(where, json=changed, headers={"If-Match": '"stale"'})
    done = planner_api.put(where, json=changed, headers={"If-Match": made.headers["ETag"]})
    late = planner_api.put(
        where, json=needs_record(title="Late"), headers={"If-Match": made.headers["ETag"]}
    )

    assert missing.status_code == 428 and stale.status_code == 412
    assert done.status_code == 200 and done.get_json()["title"] == "Renamed"
    assert done.headers["ETag"] != made.headers["ETag"]
    assert late.status_code == 412
    assert planner_api.get(where).get_json()["title"] == "Renamed"


def test_a_replacement_may_not_drop_a_role_that_has_candidates(app, planner_api, runner, tmp_path):
    made = created(planner_api, needs_record(role_record("R1"), role_record("R2")))
    with session_scope(app) as session:
        from tests.factories import expert_row

        expert = expert_row()
        session.add(expert)
        session.flush()
        role = session.scalar(select(MissionRole).where(MissionRole.role_key == "R2"))
        session.add(CandidateDecision(role_id=role.id, expert_id=expert.id, outcome="shortlisted"))

    answer = planner_api.put(
        made.headers["Location"],
        json=needs_record(role_record("R1")),
        headers={"If-Match": made.headers["ETag"]},
    )

    assert answer.status_code == 422
    assert answer.get_json()["problems"][0]["path"] == "roles"
    assert "R2" in answer.get_json()["problems"][0]["message"]
    assert [r["id"] for r in planner_api.get(made.headers["Location"]).get_json()["roles"]] == [
        "R1",
        "R2",
    ]


def test_closing_and_reopening_are_audited_and_versioned(app, planner_api, signed_in):
    made = created(planner_api)
    where = made.headers["Location"]

    without = planner_api.post(f"{where}/close")
    closed = planner_api.post(f"{where}/close", headers={"If-Match": made.headers["ETag"]})

    assert without.status_code == 428
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert planner_api.get("/needs?status=open").get_json()["items"] == []
    assert len(planner_api.get("/needs?status=closed").get_json()["items"]) == 1
    stale = planner_api.post(f"{where}/reopen", headers={"If-Match": made.headers["ETag"]})
    assert stale.status_code == 412
    reopened = planner_api.post(f"{where}/reopen", headers={"If-Match": closed.headers["ETag"]})
    assert reopened.get_json()["status"] == "open"
    with session_scope(app, write=False) as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("needs.closed") == 1 and actions.count("needs.reopened") == 1


def test_the_list_is_paged_by_cursor_and_filtered(app, planner_api):
    for n in range(5):
        created(planner_api, needs_record(id=f"NA-{n}", start=f"2027-0{n + 1}-01"))

    first = planner_api.get("/needs?limit=2").get_json()
    second = planner_api.get(f"/needs?limit=2&cursor={first['next_cursor']}").get_json()
    third = planner_api.get(f"/needs?limit=2&cursor={second['next_cursor']}").get_json()

    ids = [i["id"] for page in (first, second, third) for i in page["items"]]
    assert ids == ["NA-0", "NA-1", "NA-2", "NA-3", "NA-4"]
    assert third["next_cursor"] is None
    assert planner_api.get("/needs?cursor=nonsense").status_code == 422
    assert planner_api.get("/needs?status=lost").status_code == 422
    assert planner_api.get("/needs?limit=0").status_code == 422


def test_the_roles_say_where_each_stands(app, planner_api):
    made = created(planner_api, needs_record(role_record("R1", positions=2), role_record("R2")))

    roles = planner_api.get(made.headers["Location"] + "/roles").get_json()

    assert [r["role_id"] for r in roles["items"]] == ["R1", "R2"]
    first = roles["items"][0]
    assert first["state"] == "open" and first["positions"] == 2
    assert first["candidates"] == 0 and first["latest_shortlist"] is None


def test_every_planner_sees_every_assessment_others_get_403_and_unknown_ids_404(
    app, planner_api, api_as
):
    made = created(planner_api)
    where = made.headers["Location"]
    other_planner = api_as("otto@example.org", "planner")
    recruiter = api_as("rita@example.org", "recruiter")
    expert = api_as("erin@example.org", "expert")
    reader = api_as("rhea@example.org", "planner", scopes=["needs:read"])

    assert other_planner.get(where).status_code == 200  # the pages let every planner in
    assert recruiter.get(where).status_code == 403
    assert expert.get("/needs").status_code == 403
    assert expert.post("/needs", json=needs_record(id="NA-X")).status_code == 403
    assert reader.post("/needs", json=needs_record(id="NA-X")).status_code == 403
    assert reader.get(where).status_code == 200
    assert planner_api.get("/needs/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404
    assert planner_api.get("/needs/1").status_code == 404
    assert planner_api.get("/needs/1/roles").status_code == 404
    assert count(app, NeedsAssessment) == 1
