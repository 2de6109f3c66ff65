"""The recruiter's roster through the API: search, one expert for a purpose, export.

Each test drives ``/api/v1/experts`` as a script would and checks what the search page,
the staff's profile page and the audit trail show for the same thing.
"""

import csv
import io
import json
import re
from urllib.parse import urlencode

import jsonschema
import pytest
from sqlalchemy import select

from matching.vocabulary import DATA_DIR
from roster.interchange.services import import_records
from roster.models import AuditEvent, Expert
from roster.recruiting.criteria import ARGUMENTS
from roster.recruiting.search import facet_counts, parse_criteria
from tests.factories import expert_record
from tests.roster.conftest import post_form

CONTRACT = json.loads((DATA_DIR / "expert.schema.json").read_text())


@pytest.fixture
def roster(db_session):
    """Eight experts: two of one name, two without years, statuses and regions mixed."""
    records = [
        expert_record(1, full_name="Mohammed El-Sayed", nationalities=["EG"], years_experience=20),
        expert_record(2, full_name="Awa Ndiaye", years_experience=7),
        expert_record(3, full_name="Awa Ndiaye", years_experience=None, nationalities=["ML"]),
        expert_record(4, full_name="Li Wei", nationalities=["CN"], years_experience=12),
        expert_record(5, full_name="Sam Keller", roster_status="applicant", years_experience=3),
        expert_record(6, full_name="Ana Souza", nationalities=["BR"], years_experience=None),
        expert_record(
            7,
            full_name="Olga Petrova",
            nationalities=["RU"],
            roster_status="under_review",
            years_experience=12,
            skills=[{"code": "voter-registration", "years": 4}],
        ),
        expert_record(8, full_name="Zoe Martin", nationalities=["FR"], years_experience=30),
    ]
    with db_session() as session:
        import_records(session=session, records=enumerate(records, 1), source="test")
    return db_session


@pytest.fixture
def api(api_as):
    """A recruiter's script."""
    return api_as("rita@example.org", "recruiter")


@pytest.fixture
def page(signed_in):
    """A recruiter's browser."""
    return signed_in("wendy@example.org", "recruiter")


def public_id(db_session, external_id: str) -> str:
    with db_session(write=False) as session:
        return session.scalar(select(Expert.public_id).where(Expert.external_id == external_id))


def walk(api, query: str = "", limit: int = 2) -> list[str]:
    """Every public id of a search, page by page with the cursor."""
    found, cursor = [], None
    while True:
        address = f"/experts?{query}&limit={limit}"
        if cursor is not None:
            address += "&" + urlencode({"cursor": cursor})
        answer = api.get(address)
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        assert len(body["items"]) <= limit
        found += [item["public_id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return found


def page_ids(page, query: str) -> list[str]:
    """The public ids in the search page's result, in its order."""
    response = page.get(f"/experts?{query}", follow_redirects=True)
    assert response.status_code == 200
    return re.findall(r'id="pick-([^"]+)"', response.get_data(as_text=True))


def audit_rows(db_session, action: str) -> list[AuditEvent]:
    with db_session(write=False) as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


# --- search ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "sort=-name",
        "sort=years",
        "sort=-years",
        "sort=registered",
        "sort=-confirmed",
        "region=African&status=rostered",
        "q=awa",
        "skill=electoral-management&lang=fr&level=C1",
        "nationality=CN&nationality=FR&sort=-years",
    ],
)
def test_the_search_finds_the_page_s_experts_in_the_page_s_order(roster, api, page, query):
    assert walk(api, query) == page_ids(page, query)


def test_each_page_s_item_is_the_result_row_without_sensitive_fields(roster, api):
    answer = api.get("/experts?q=li+wei")

    assert answer.status_code == 200
    body = answer.get_json()
    assert body["total"] == 1 and body["next_cursor"] is None
    [item] = body["items"]
    assert set(item) == {
        "public_id",
        "external_id",
        "full_name",
        "roster_status",
        "nationalities",
        "languages",
        "expertise",
        "years_experience",
        "profile_confirmed_at",
        "registered_at",
    }
    assert item["full_name"] == "Li Wei" and item["external_id"] == "EXP-T-0004"
    assert item["nationalities"] == ["CN"] and item["roster_status"] == "rostered"
    assert item["expertise"] == [{"code": "electoral-management", "verified": False}]
    assert item["languages"][0] == {"code": "fr", "level": "native"}
    assert item["profile_confirmed_at"].endswith("Z")  # UTC
    assert "gender" not in json.dumps(body) and "email" not in item


def test_the_facets_are_the_page_s_counts(app, roster, api):
    body = api.get("/experts?status=rostered").get_json()

    with app.test_request_context():
        from roster.db import get_session

        criteria = parse_criteria({"status": ["rostered"]})
        expected = facet_counts(session=get_session(), criteria=criteria)
    assert body["total"] == 6
    for name, counts in expected.items():
        assert body["facets"][name] == [{"code": c, "count": n} for c, n in counts], name
    assert {"code": "African", "count": 3} in body["facets"]["region"]


def test_paging_returns_every_match_once_while_experts_are_added(roster, api, db_session):
    before = walk(api, "sort=name", limit=3)
    first = api.get("/experts?limit=3").get_json()
    seen = [item["public_id"] for item in first["items"]]
    # Added after the first page was read: one before the cursor, one after it.
    more = [expert_record(20, full_name="Aaron Abel"), expert_record(21, full_name="Yusuf Zaki")]
    with db_session() as session:
        import_records(session=session, records=enumerate(more, 1), source="test")
    cursor = first["next_cursor"]
    while cursor is not None:
        body = api.get("/experts?limit=3&" + urlencode({"cursor": cursor})).get_json()
        seen += [item["public_id"] for item in body["items"]]
        cursor = body["next_cursor"]

    assert len(seen) == len(set(seen))
    assert set(before) <= set(seen)
    assert public_id(db_session, "EXP-T-0021") in seen  # after the cursor: found
    assert public_id(db_session, "EXP-T-0020") not in seen  # before it: not repeated
    assert len(before) == 8


@pytest.mark.parametrize(
    ("query", "path", "words"),
    [
        ("skill=no-such-area", "skill", "has no value “no-such-area”"),
        ("from=2027-01-01", "to", "Give both the first and the last day"),
        ("from=2027-02-01&to=2027-01-01", "to", "ends (1 January 2027) before it starts"),
        ("level=C1", "level", "Choose the language that the level is for."),
        ("years=200", "years", "whole number from 0 to 80"),
        ("sort=gender", "sort", "can be sorted by name, years, confirmed, registered only"),
        ("skills=electoral-management", "skills", "takes no parameter “skills”"),
        ("limit=0", "limit", "from 1 to 200"),
        ("status=&from=", "status", "is empty: give it a value, or leave it out"),
        ("cursor=not-a-cursor!", "cursor", "not given by the roster"),
        ("q=%E2%80%AEevil", "q", "holds a character that no profile holds"),
    ],
)
def test_a_search_the_page_refuses_is_a_problem_at_its_parameter(roster, api, query, path, words):
    answer = api.get(f"/experts?{query}")

    assert answer.status_code == 422, answer.get_json()
    assert answer.mimetype == "application/problem+json"
    problems = answer.get_json()["problems"]
    assert path in [found["path"] for found in problems]
    assert any(words in found["message"] for found in problems), problems


def test_a_cursor_of_another_order_is_refused(roster, api):
    cursor = api.get("/experts?limit=2").get_json()["next_cursor"]

    answer = api.get("/experts?limit=2&sort=-years&" + urlencode({"cursor": cursor}))

    assert answer.status_code == 422
    assert answer.get_json()["problems"][0]["path"] == "cursor"


# --- one expert, for a purpose ---------------------------------------------------------------


def test_a_view_without_a_purpose_is_refused_and_writes_no_audit_row(roster, api, db_session):
    target = public_id(db_session, "EXP-T-0002")

    missing = api.get(f"/experts/{target}")
    unknown = api.get(f"/experts/{target}?purpose=curiosity")
    other = api.get(f"/experts/{target}?purpose=other")

    for answer, path in [(missing, "purpose"), (unknown, "purpose"), (other, "note")]:
        assert answer.status_code == 422
        assert [found["path"] for found in answer.get_json()["problems"]] == [path]
    assert audit_rows(db_session, "profile.view") == []


def test_a_view_with_a_purpose_writes_the_web_s_audit_row(roster, api, page, db_session):
    target = public_id(db_session, "EXP-T-0002")

    answer = api.get(f"/experts/{target}?purpose=shortlist-review&note=mission+X")
    viewed = post_form(
        page, f"/experts/{target}", {"purpose": "shortlist-review", "note": "mission X"}
    )
    assert viewed.status_code == 200

    assert answer.status_code == 200 and answer.headers["ETag"]
    by_api, by_web = audit_rows(db_session, "profile.view")
    same = ("action", "subject_expert_id", "reason", "detail")
    assert [getattr(by_api, f) for f in same] == [getattr(by_web, f) for f in same]
    assert by_api.detail == {"purpose": "shortlist-review"} and by_api.reason == "mission X"
    assert by_api.actor_id != by_web.actor_id


def test_the_expert_is_answered_in_the_contract_s_format(roster, api, db_session):
    target = public_id(db_session, "EXP-T-0004")

    record = api.get(f"/experts/{target}?purpose=vetting").get_json()

    jsonschema.validate(record, CONTRACT)
    assert record["external_id"] == "EXP-T-0004" and record["full_name"] == "Li Wei"
    assert record["deployments"][0]["country"] == "NE"


@pytest.mark.parametrize(
    ("role", "purpose", "shown"),
    [
        ("recruiter", "vetting", False),
        ("recruiter", "shortlist-review", True),
        ("admin", "data-correction", True),
    ],
)
def test_gender_is_shown_as_the_page_shows_it(roster, api_as, db_session, role, purpose, shown):
    target = public_id(db_session, "EXP-T-0002")
    script = api_as(f"{role}.two@example.org", role)

    record = script.get(f"/experts/{target}?purpose={purpose}").get_json()

    assert ("gender" in record) is shown
    assert ("consent" in record) is shown


def test_guessed_and_enumerated_ids_are_404_and_write_nothing(roster, api, db_session):
    with db_session(write=False) as session:
        number = session.scalar(select(Expert.id).where(Expert.external_id == "EXP-T-0001"))
    for guess in [str(number), "EXP-T-0001", "0" * 22, "x" * 40, "%E2%80%AE"]:
        answer = api.get(f"/experts/{guess}?purpose=vetting")
        assert answer.status_code == 404, guess
        assert answer.mimetype == "application/problem+json"
    assert audit_rows(db_session, "profile.view") == []


def test_an_expert_s_or_a_planner_s_token_is_refused_everywhere(roster, api_as, db_session):
    target = public_id(db_session, "EXP-T-0007")
    expert = api_as("awa@example.org", "expert")
    planner = api_as("pat@example.org", "planner", scopes=["roster:read", "needs:read"])
    calls = [
        ("GET", "/experts"),
        ("GET", f"/experts/{target}?purpose=vetting"),
        ("GET", f"/experts/{target}/status"),
        ("POST", f"/experts/{target}/status"),
        ("POST", "/experts/status/plan"),
        ("POST", "/experts/status"),
        ("POST", "/experts/export"),
        ("PUT", f"/experts/{target}/expertise/voter-registration/verification"),
        ("GET", "/vetting"),
    ]
    for script in (expert, planner):
        for method, path in calls:
            answer = script.request(method, path, json={"to": "rostered"})
            assert answer.status_code == 403, (method, path)
            assert answer.mimetype == "application/problem+json"
    assert audit_rows(db_session, "profile.view") == []


def test_a_token_without_roster_write_reads_but_does_not_decide(roster, api_as, db_session):
    reader = api_as("rex@example.org", "recruiter", scopes=["roster:read"])
    target = public_id(db_session, "EXP-T-0007")

    assert reader.get("/experts").status_code == 200
    answer = reader.post(f"/experts/{target}/status", json={"to": "rostered"})

    assert answer.status_code == 403
    assert "roster:write" in answer.get_json()["detail"]


# --- export --------------------------------------------------------------------------------------


def test_the_export_is_the_page_s_csv_audited_as_the_page_s(roster, api, db_session):
    answer = api.post("/experts/export?region=African&sort=-years", json={"reason": "mission X"})

    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["external_id", "name", "roster_status"]
    assert "gender" not in rows[0] and "birth_year" not in rows[0]
    names = [row[1] for row in rows[1:]]
    assert names == ["Mohammed El-Sayed", "Awa Ndiaye", "Sam Keller", "Awa Ndiaye"]
    assert answer.headers["X-Rows"] == "4"
    [event] = audit_rows(db_session, "experts.export")
    assert event.reason == "mission X"
    assert event.detail == {"criteria": {"region": "African"}, "sort": "-years", "rows": 4}


def test_the_web_s_export_writes_the_same_row(roster, page, db_session):
    from tests.conftest import form_token

    token = form_token(page.get("/experts?region=African").get_data(as_text=True))
    response = page.post(
        "/experts/export",
        data={
            "csrf_token": token,
            "query": "region=African",
            "sort": "-years",
            "reason": "mission X",
        },
    )

    assert response.status_code == 200
    [event] = audit_rows(db_session, "experts.export")
    assert event.detail == {"criteria": {"region": "African"}, "sort": "-years", "rows": 4}


@pytest.mark.parametrize(
    ("query", "body", "status", "path"),
    [
        ("", {}, 422, "reason"),
        ("", {"reason": "x", "format": "xlsx"}, 422, "format"),
        ("", {"reason": 5}, 422, "reason"),
        ("", {"reason": "a\u202eb"}, 422, "reason"),
        ("", {"reason": "a\x00b"}, 422, "reason"),
        ("skill=nope", {"reason": "x"}, 422, "skill"),
    ],
)
def test_an_export_refused_writes_no_audit_row(roster, api, db_session, query, body, status, path):
    answer = api.post(f"/experts/export?{query}", json=body)

    assert answer.status_code == status
    assert path in [found["path"] for found in answer.get_json()["problems"]]
    assert audit_rows(db_session, "experts.export") == []


def test_an_export_sent_as_a_form_is_415(roster, api, db_session):
    answer = api.post("/experts/export", data="reason=x", content_type="text/plain")

    assert answer.status_code == 415
    assert audit_rows(db_session, "experts.export") == []


def test_the_search_answer_matches_the_openapi_document(roster, api, anonymous_api):
    document = anonymous_api.get("/openapi.json").get_json()
    operation = document["paths"]["/api/v1/experts"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    resolver = {"$ref": schema["$ref"], "components": document["components"]}
    jsonschema.validate(api.get("/experts?limit=3").get_json(), resolver)
    names = [parameter["name"] for parameter in operation["parameters"]]
    assert names == [*ARGUMENTS, "sort", "cursor", "limit"]


def test_a_refusal_s_parameters_are_json_values(roster, api):
    answer = api.get("/experts?from=2027-02-01&to=2027-01-01")

    [found] = answer.get_json()["problems"]
    assert found["params"] == {"start": "2027-02-01", "end": "2027-01-01"}


def test_a_null_character_in_the_address_is_400(roster, api):
    answer = api.get("/experts?q=a%00b")

    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"


def _erase(db_session, public: str) -> None:
    with db_session() as session:
        session.delete(session.scalar(select(Expert).where(Expert.public_id == public)))


def test_paging_on_after_the_last_expert_seen_was_erased(roster, api, db_session):
    first = api.get("/experts?sort=-years&limit=2").get_json()
    seen = [item["public_id"] for item in first["items"]]  # Zoe (30), Mohammed (20)
    _erase(db_session, seen[-1])

    rest = api.get("/experts?sort=-years&limit=10&" + urlencode({"cursor": first["next_cursor"]}))

    names = [item["full_name"] for item in rest.get_json()["items"]]
    assert names == [
        "Li Wei",
        "Olga Petrova",
        "Awa Ndiaye",
        "Sam Keller",
        "Awa Ndiaye",
        "Ana Souza",
    ]


def test_a_cursor_among_experts_without_a_value_whose_expert_was_erased_is_refused(
    roster, api, db_session
):
    first = api.get("/experts?sort=years&limit=7").get_json()
    last = first["items"][-1]
    assert last["years_experience"] is None
    _erase(db_session, last["public_id"])

    answer = api.get("/experts?sort=years&" + urlencode({"cursor": first["next_cursor"]}))

    assert answer.status_code == 422
    assert answer.get_json()["problems"][0]["path"] == "cursor"


def test_across_the_page_s_pages_the_order_is_the_same(db_session, api, page):
    names = ["Émile Zola", "emile zola", "Zoë Ba", "ana", "Ana", "Ångström", "Ñora"] * 5
    with db_session() as session:
        for number, name in enumerate(names):
            session.add(
                Expert(
                    external_id=f"MANY-{number:03d}",
                    full_name=name,
                    email=f"many{number}@example.org",
                    years_experience=number % 4 or None,
                )
            )
    for query in ("", "sort=-years", "sort=-name"):
        on_pages = page_ids(page, query) + page_ids(page, f"{query}&page=2")

        assert walk(api, query, limit=4) == on_pages and len(on_pages) == 35, query
