"""A needs file uploaded, reviewed, then saved; nothing is saved before the review is confirmed."""

import html
import io
import json
import re

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from roster.missions.needs_file import MAX_NEEDS_FILE
from roster.models import NeedsAssessment
from tests.conftest import csrf_token
from tests.factories import needs_record, role_record


def upload(client, data: bytes, name: str = "needs.json"):
    values = {"csrf_token": csrf_token(client, "/needs/upload")}
    boundary, body = encode_multipart(
        MultiDict(values | {"file": FileStorage(io.BytesIO(data), name)})
    )
    return client.post(
        "/needs/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def confirm(client, review_page: str):
    form = re.search(
        r'<form method="post" action="/needs/upload/save".*?</form>', review_page, re.S
    )
    fields = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', form.group(0)))
    return client.post("/needs/upload/save", data={k: html.unescape(v) for k, v in fields.items()})


def count(db_session) -> int:
    with db_session(write=False) as session:
        return session.scalar(select(func.count()).select_from(NeedsAssessment))


def test_a_valid_file_is_reviewed_then_saved(planner, db_session):
    record = needs_record(
        role_record("R1", required_languages=[{"code": "Francais", "level": "C1"}]),
        role_record("R2", title="Logistics Officer", positions=2),
        id="NA-2027-ML-7",
    )
    review = upload(planner, json.dumps(record, indent=2).encode())
    page = review.get_data(as_text=True)
    assert review.status_code == 200
    assert "language &#39;Francais&#39; read as &#39;fr&#39; (French)" in page
    assert "French (fr), C1 or above" in page
    assert "Electoral management and administration" in page
    assert "Mali (ML)" in page and "Logistics Officer" in page
    assert count(db_session) == 0  # nothing yet
    saved = confirm(planner, page)
    assert saved.status_code == 302
    with db_session(write=False) as session:
        needs = session.scalar(select(NeedsAssessment))
        assert (needs.external_id, len(needs.roles)) == ("NA-2027-ML-7", 2)
        assert needs.roles[0].required_languages == [{"code": "fr", "level": "C1"}]
    assert saved.location == f"/needs/{needs.public_id}"
    shown = planner.get(saved.location).get_data(as_text=True)
    assert "Needs assessment saved." in shown and "read as" in shown


def test_an_invalid_file_shows_every_problem_at_its_path(planner, db_session):
    record = needs_record(
        role_record("R1", positions=0, required_languages=[{"code": "Klingon", "level": "C1"}]),
        role_record("R1"),
        start="2027-07-01",
        gender_target=1.5,
    )
    response = upload(planner, json.dumps(record).encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    problems = re.search(r'<ul id="problems">(.*?)</ul>', page, re.S).group(1)
    for path in ("start", "gender_target", "roles[0].positions", "roles[1].id"):
        assert f"<code>{path}</code>" in problems
    assert "<code>roles[0].required_languages[0].code</code>: unknown language" in problems
    assert "/needs/upload/save" not in page
    assert count(db_session) == 0


def test_malformed_json_is_refused_with_line_and_column(planner, db_session):
    response = upload(planner, b'{\n  "id": "NA-1",\n  "country": "ML",,\n}')
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The file is not valid JSON: Expecting property name enclosed in double quotes " in page
    assert "at line 3, column 19." in page


def test_a_file_not_in_utf8_is_refused_where_it_breaks(planner, db_session):
    response = upload(planner, '{\n "title": "Élections"}'.encode("latin-1"))
    assert response.status_code == 400
    assert "line 2, column 12 holds a byte that is not" in response.get_data(as_text=True)
    utf16 = upload(planner, '{"id": "x"}'.encode("utf-16"))
    assert "The file is UTF-16 text" in utf16.get_data(as_text=True)


def test_a_file_over_10_mb_is_refused_in_plain_words(planner, db_session):
    padding = b" " * (MAX_NEEDS_FILE + 10)
    response = upload(planner, b"{}" + padding)
    assert response.status_code == 413
    assert "a needs file may be at most 10 MB" in response.get_data(as_text=True)
    # Far over: the request itself is cut before it is read.
    huge = upload(planner, b" " * (MAX_NEEDS_FILE + 1024 * 1024))
    assert huge.status_code == 413
    assert "The file is 11.0 MB; a needs file may be at most 10 MB." in huge.get_data(as_text=True)
    assert count(db_session) == 0


def test_a_changed_review_is_refused(planner, db_session):
    review = upload(planner, json.dumps(needs_record()).encode()).get_data(as_text=True)
    token = csrf_token(planner, "/needs/upload")
    response = planner.post(
        "/needs/upload/save", data={"csrf_token": token, "reviewed": "tampered.value.here"}
    )
    assert response.status_code == 400
    assert "could not be read back" in response.get_data(as_text=True)
    assert count(db_session) == 0
    assert confirm(planner, review).status_code == 302


def test_saving_over_an_assessment_changed_since_the_review_is_refused(planner, db_session):
    record = needs_record(id="NA-2027-ML-9")
    review = upload(planner, json.dumps(record).encode()).get_data(as_text=True)
    other = upload(planner, json.dumps(record | {"title": "Saved first"}).encode())
    assert confirm(planner, other.get_data(as_text=True)).status_code == 302
    late = confirm(planner, review)
    assert late.status_code == 409
    assert "Someone else saved this needs assessment first." in late.get_data(as_text=True)
    with db_session(write=False) as session:
        assert session.scalar(select(NeedsAssessment.title)) == "Saved first"
