"""Imports by API: a partner system sends a file, follows its job, reads its problems."""

import json

from sqlalchemy import select

from roster.api.imports import MAX_IMPORT_BODY
from roster.db import session_scope
from roster.interchange.csv_rows import record_to_csv_row
from roster.interchange.formats import CSV_COLUMNS, CSV_CONSENT_COLUMN
from roster.interchange.runs import count_records
from roster.models import AuditEvent, Expert, ImportRun
from tests.conftest import count_rows, sign_in
from tests.factories import expert_record

NDJSON = {"Content-Type": "application/x-ndjson"}


def _lines(*records) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode()


def _send(api, body: bytes, headers=None):
    return api.post("/imports", data=body, headers={**NDJSON, **(headers or {})})


def test_a_good_import_runs_as_a_job_and_its_experts_are_found_on_the_web(app, api_as, db_session):
    api = api_as("rita@example.org", "recruiter")
    body = _lines(
        expert_record(1, full_name="Awa Ndiaye"), expert_record(2, full_name="Jonas Berg")
    )

    sent = _send(api, body)

    assert sent.status_code == 202
    location = sent.headers["Location"]
    assert location == f"/api/v1/imports/{sent.get_json()['id']}"
    assert sent.get_json()["state"] == "queued"  # as answered, before the job ran
    assert sent.get_json()["progress"] == {"rows_read": 0, "rows_total": 2}
    run = api.get(location).get_json()
    assert run["state"] == "done"
    assert run["progress"] == {"rows_read": 2, "rows_total": 2}
    assert run["result"] == {"created": 2, "updated": 0, "unchanged": 0, "duplicates": 0}
    assert run["problems"] == [] and run["finished_at"]
    with db_session(write=False) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "roster.import"))
        event = event.one()
        assert event.actor_id is not None
        assert event.detail["created"] == 2
        assert event.detail["source"] == f"import-{sent.get_json()['id']}.jsonl"
        assert session.scalar(select(ImportRun.content)) == b""  # the file is not kept
    web = app.test_client()
    assert sign_in(web, "rita@example.org").status_code == 302
    page = web.get("/experts?q=awa+ndiaye").get_data(as_text=True)
    assert "EXP-T-0001" in page and "EXP-T-0002" not in page


def test_a_bad_line_is_reported_with_its_line_and_field_path_and_nothing_is_written(
    api_as, db_session
):
    api = api_as("rita@example.org", "recruiter")
    bad = expert_record(2, languages=[{"code": "fr", "level": "fluent-ish"}])
    body = _lines(expert_record(1), bad, expert_record(3)) + b"{not json\n"

    sent = _send(api, body)

    run = api.get(sent.headers["Location"]).get_json()
    assert run["state"] == "failed"
    assert run["result"]["created"] == 0
    found = {(p["line"], p["path"]) for p in run["problems"]}
    assert (2, "languages[0].level") in found
    assert any(p["line"] == 4 and "malformed JSON" in p["message"] for p in run["problems"])
    level = next(p for p in run["problems"] if p["path"] == "languages[0].level")
    assert level["external_id"] == "EXP-T-0002"
    assert count_rows(db_session, Expert) == 0  # not even the good lines


def test_a_csv_file_is_read_as_the_interchange_s_csv(api_as, db_session):
    api = api_as("rita@example.org", "recruiter")
    header = ",".join([*CSV_COLUMNS, CSV_CONSENT_COLUMN])
    rows = [",".join(f'"{cell}"' for cell in record_to_csv_row(expert_record(n))) for n in (1, 2)]
    body = "\n".join([header, *rows, ""]).encode()

    sent = api.post("/imports", data=body, headers={"Content-Type": "text/csv"})

    run = api.get(sent.headers["Location"]).get_json()
    assert run["format"] == "csv" and run["state"] == "done", run["problems"]
    assert run["progress"] == {"rows_read": 2, "rows_total": 2}
    assert count_rows(db_session, Expert) == 2


def test_a_replayed_idempotency_key_imports_once_and_another_body_under_it_is_refused(
    api_as, db_session
):
    api = api_as("rita@example.org", "recruiter")
    body = _lines(expert_record(1))
    key = {"Idempotency-Key": "import-2027-03-01"}

    first = _send(api, body, key)
    again = _send(api, body, key)
    other = _send(api, _lines(expert_record(2)), key)

    assert first.status_code == again.status_code == 202
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert other.status_code == 422
    assert count_rows(db_session, ImportRun) == 1
    assert count_rows(db_session, Expert) == 1


def test_wrong_content_type_empty_and_oversized_files_are_refused_with_nothing_kept(
    api_as, db_session
):
    api = api_as("rita@example.org", "recruiter")

    as_json = api.post("/imports", json=[expert_record(1)])
    too_large = _send(api, b" " * (MAX_IMPORT_BODY + 1))
    empty = _send(api, b"")

    assert as_json.status_code == 415 and as_json.mimetype == "application/problem+json"
    assert too_large.status_code == 413
    assert count_rows(db_session, ImportRun) == 1  # the empty file: kept, and failed
    run = api.get(empty.headers["Location"]).get_json()
    assert run["state"] == "failed" and run["problems"][0]["line"] == 0
    assert "empty" in run["problems"][0]["message"]


def test_nul_and_text_direction_controls_in_a_record_are_refused_at_their_path(api_as, db_session):
    api = api_as("rita@example.org", "recruiter")
    body = _lines(
        expert_record(1, full_name="Awa\u202e Ndiaye"), expert_record(2, summary="a\x00b")
    )

    run = api.get(_send(api, body).headers["Location"]).get_json()

    assert run["state"] == "failed"
    assert {(p["line"], p["path"]) for p in run["problems"]} >= {(1, "full_name"), (2, "summary")}
    assert count_rows(db_session, Expert) == 0


def test_only_the_sender_or_an_admin_sees_an_import(api_as):
    rita = api_as("rita@example.org", "recruiter")
    sam = api_as("sam@example.org", "recruiter")
    ada = api_as("ada@example.org", "admin")
    location = _send(rita, _lines(expert_record(1))).headers["Location"]

    assert sam.get(location).status_code == 404
    assert sam.get("/imports/not-an-import").status_code == 404
    assert ada.get(location).status_code == 200
    assert rita.get(location).status_code == 200


def test_planners_experts_and_tokens_without_the_scope_cannot_import(api_as):
    body = _lines(expert_record(1))
    planner = api_as("pat@example.org", "planner")
    expert = api_as("e@example.org", "expert")
    reader = api_as("rita@example.org", "recruiter", scopes=["roster:read"])

    for api in (planner, expert, reader):
        assert _send(api, body).status_code == 403


def test_the_records_of_a_file_are_counted_before_it_runs():
    assert count_records(b'{"a": 1}\n\n{"b": 2}\n', "jsonl") == 2
    assert count_records(b"h1,h2\n1,2\n\n3,4\n", "csv") == 2
    assert count_records(b"\xff\xfe", "csv") is None


def test_an_import_s_job_runs_once(app, api_as):
    from roster.jobs import run_import

    api = api_as("rita@example.org", "recruiter")
    public_id = _send(api, _lines(expert_record(1))).get_json()["id"]

    assert run_import(app, public_id) is None  # done already: not run again
    with session_scope(app) as session:
        assert session.scalar(select(ImportRun.state)) == "done"


def test_answers_match_the_openapi_document(api_as):
    from tests.api.schema_check import assert_conforms

    api = api_as("rita@example.org", "recruiter")
    sent = _send(api, _lines(expert_record(1), {"external_id": "x"}))

    assert_conforms(api, "POST", "/api/v1/imports", sent)
    assert_conforms(api, "GET", "/api/v1/imports/<public_id>", api.get(sent.headers["Location"]))
    assert_conforms(api, "GET", "/api/v1/imports/<public_id>", api.get("/imports/nope"))


def test_a_running_import_reports_the_records_read_so_far(app, api_as, make_user):
    from roster.interchange.runs import progress_key
    from roster.jobs import jobs_of
    from roster.models import ImportRun, User

    api = api_as("rita@example.org", "recruiter")
    with session_scope(app) as session:
        owner = session.scalar(select(User).where(User.email == "rita@example.org"))
        run = ImportRun(user_id=owner.id, format="jsonl", state="running", rows_total=5000)
        session.add(run)
        session.flush()
        public_id = run.public_id
    jobs_of(app).queue.put(progress_key(public_id), 1200)

    progress = api.get(f"/imports/{public_id}").get_json()["progress"]

    assert progress == {"rows_read": 1200, "rows_total": 5000}


def test_the_job_tells_its_progress_as_it_reads(app, make_user, monkeypatch):
    from roster.interchange import runs
    from roster.models import User

    make_user("rita@example.org", "recruiter")
    monkeypatch.setattr(runs, "PROGRESS_EVERY", 2)
    with session_scope(app) as session:
        owner = session.scalar(select(User).where(User.email == "rita@example.org"))
        body = _lines(*(expert_record(n) for n in range(1, 6)))
        run = ImportRun(user_id=owner.id, format="jsonl", content=body, rows_total=5)
        session.add(run)
        session.flush()
        public_id = run.public_id
    told: list[int] = []

    state = runs.execute(
        open_session=lambda: session_scope(app), public_id=public_id, on_progress=told.append
    )

    assert state == "done" and told == [2, 4]


def test_imports_left_behind_are_failed_or_queued_again(app, make_user):
    from datetime import timedelta

    from roster.jobs import sweep_imports
    from roster.models import User, utcnow

    make_user("rita@example.org", "recruiter")
    long_ago = utcnow() - timedelta(hours=3)
    with session_scope(app) as session:
        owner = session.scalar(select(User).where(User.email == "rita@example.org"))
        stopped = ImportRun(
            user_id=owner.id, format="jsonl", state="running", content=b"{}", started_at=long_ago
        )
        lost = ImportRun(
            user_id=owner.id,
            format="jsonl",
            content=_lines(expert_record(1)),
            created_at=long_ago,
        )
        old = ImportRun(
            user_id=owner.id, format="csv", state="done", finished_at=long_ago - timedelta(days=30)
        )
        session.add_all([stopped, lost, old])
        session.flush()
        ids = stopped.public_id, lost.public_id

    assert sweep_imports(app) == [ids[1]]

    with session_scope(app) as session:
        states = dict(session.execute(select(ImportRun.public_id, ImportRun.state)).all())
        assert states == {ids[0]: "failed", ids[1]: "done"}
        assert session.scalar(select(ImportRun.content).where(ImportRun.public_id == ids[0])) == b""
