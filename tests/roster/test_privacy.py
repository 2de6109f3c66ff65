"""Consent, transparency and erasure: what the roster holds, who looked, and forgetting a person."""

import json
from pathlib import Path

from sqlalchemy import select, text
from sqlmodel import SQLModel

from matching.records import normalise_expert
from roster.models import AuditEvent, Expert, User
from tests.conftest import PASSWORD, link_in, outbox, register, sign_in, stored_expert
from tests.factories import pdf
from tests.roster.conftest import (
    CONSENTED,
    EXPERT_EMAIL,
    EXPERT_NAME,
    download_cv,
    post_form,
    upload_cv,
)


def test_each_sensitive_field_states_its_purpose_and_needs_its_own_consent(
    profiled_client, db_session
):
    page = profiled_client.get("/me/sensitive").get_data(as_text=True)
    purpose = (
        "used only for roster diversity statistics and gender balance of shortlists; "
        "never shown to planners individually"
    )
    assert page.count(purpose) == 3
    response = post_form(
        profiled_client, "/me/sensitive", {"gender": "woman", "birth_year": "1978"}
    )
    assert response.status_code == 400
    assert "Tick the box to let the roster store your gender" in response.get_data(as_text=True)
    assert stored_expert(db_session).gender is None


def test_consent_stores_the_value_and_withdrawal_removes_it_at_once(profiled_client, db_session):
    assert post_form(profiled_client, "/me/sensitive", CONSENTED).status_code == 302
    expert = stored_expert(db_session)
    assert (expert.gender, expert.disability, expert.birth_year) == ("woman", True, 1978)
    given = expert.gender_consent_at
    assert given and expert.disability_consent_at and expert.birth_year_consent_at
    withdrawn = CONSENTED | {"disability_consent": "", "disability": ""}
    del withdrawn["disability_consent"]
    assert post_form(profiled_client, "/me/sensitive", withdrawn).status_code == 302
    expert = stored_expert(db_session)
    assert (expert.disability, expert.disability_consent_at) == (None, None)
    assert (
        expert.gender == "woman" and expert.gender_consent_at == given
    )  # a standing consent keeps its date
    only_unticked = {"gender": "woman", "birth_year": "1978"}
    post_form(profiled_client, "/me/sensitive", only_unticked)
    assert stored_expert(db_session).gender == "woman"  # refused above: nothing changed
    assert post_form(profiled_client, "/me/sensitive", {}).status_code == 302
    expert = stored_expert(db_session)
    assert (
        expert.gender,
        expert.gender_consent_at,
        expert.birth_year,
        expert.birth_year_consent_at,
    ) == (None, None, None, None)


def test_the_data_page_shows_everything_held(profiled_client, db_session):
    post_form(profiled_client, "/me/sensitive", CONSENTED)
    post_form(profiled_client, "/me/summary", {"summary": "Led voter list audits."})
    page = profiled_client.get("/me/data").get_data(as_text=True)
    expert = stored_expert(db_session)
    for shown in (
        EXPERT_NAME,
        EXPERT_EMAIL,
        expert.external_id,
        "Senegal (SN)",
        "woman",
        "1978",
        "Led voter list audits.",
        "registered online",
        "Staff who viewed your profile",
        "auth.login",
    ):
        assert shown in page, shown


def test_my_data_downloads_as_an_interchange_record_with_history_and_views(
    profiled_client, db_session
):
    post_form(profiled_client, "/me/sensitive", CONSENTED)
    post_form(
        profiled_client, "/me/languages", {"languages-0-code": "fr", "languages-0-level": "native"}
    )
    response = profiled_client.get("/me/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-roster-data.json"'
    document = json.loads(response.data)
    record = document["expert"]
    normalise_expert(record)  # a valid interchange record
    assert (record["full_name"], record["email"], record["gender"], record["disability"]) == (
        EXPERT_NAME,
        EXPERT_EMAIL,
        "woman",
        True,
    )
    assert record["consent"] == {"gender": True, "birth_year": True, "disability": True}
    assert record["languages"] == [{"code": "fr", "level": "native"}]
    assert document["status_history"][0]["to"] == "applicant"
    assert document["staff_views"] == []
    assert document["account"]["email"] == EXPERT_EMAIL


def test_an_account_without_a_profile_downloads_its_account_data(expert_client):
    document = json.loads(expert_client.get("/me/data.json").data)
    assert document["expert"] is None and document["account"]["email"] == EXPERT_EMAIL


def test_staff_views_are_listed_with_name_role_when_and_why_never_email(
    profiled_client, signed_in, db_session
):
    public_id = stored_expert(db_session).public_id
    staff = signed_in("rita.recruiter@example.org", "recruiter", name="Rita Okafor")
    post_form(staff, f"/experts/{public_id}", {"purpose": "vetting", "note": "first check"})
    page = profiled_client.get("/me/views").get_data(as_text=True)
    assert "Rita Okafor" in page and "recruiter" in page
    assert "Vetting: <bdi>first check</bdi>" in page
    assert "rita.recruiter@example.org" not in page


def _dump(app) -> str:
    from roster.db import session_scope

    chunks = []
    with session_scope(app, write=False) as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(text(f'SELECT * FROM "{table.name}"')):
                chunks.append(table.name + ": " + " | ".join(str(value) for value in row))
    return "\n".join(chunks)


def _files(folder: Path) -> bytes:
    return b"\n".join(path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file())


def _database_files(app) -> bytes:
    """The SQLite database file and its write-ahead log, byte for byte (nothing elsewhere)."""
    url = app.config["DATABASE_URL"]
    if not url.startswith("sqlite:///"):
        return b""
    main = Path(url.removeprefix("sqlite:///"))
    journals = [main, main.with_name(main.name + "-wal")]
    assert main.stat().st_size > 0
    return b"\n".join(path.read_bytes() for path in journals if path.exists())


def erase(client):
    return post_form(client, "/me/delete", {"understand": "y", "password": PASSWORD})


def test_erasure_leaves_nothing_of_the_person_in_the_database_or_the_instance_folder(
    app, client, signed_in, db_session
):
    # Registered through the form, so the outbox holds mail to the person too.
    register(client, email=EXPERT_EMAIL, name=EXPERT_NAME)
    client.get(link_in(outbox(app)[0], "confirm"))
    sign_in(client, EXPERT_EMAIL)
    post_form(
        client, "/me/identity", {"full_name": EXPERT_NAME, "nationality_1": "SN", "version": "0"}
    )
    post_form(client, "/me/sensitive", CONSENTED)
    post_form(client, "/me/summary", {"summary": f"I am {EXPERT_NAME}."})
    # No hyphen in the marker: pypdf writes one in a title as an escape (\055).
    cv_bytes = pdf(title="UniqueCvMarker7d1f")
    assert b"UniqueCvMarker7d1f" in cv_bytes
    upload_cv(client, cv_bytes, f"{EXPERT_NAME}.pdf")
    expert = stored_expert(db_session)
    with db_session() as session:
        user_public_id = session.scalar(select(User.public_id).where(User.email == EXPERT_EMAIL))
    staff = signed_in("rita@example.org", "recruiter", name="Rita Okafor")
    assert download_cv(staff, expert.public_id, "other", f"call {EXPERT_NAME}").status_code == 200

    response = erase(client)
    assert response.status_code == 302
    assert client.get("/me").status_code == 302  # signed out

    traces = [
        EXPERT_NAME,
        EXPERT_EMAIL,
        expert.external_id,
        expert.public_id,
        user_public_id,
        "UniqueCvMarker7d1f",
    ]
    dump, files, database = _dump(app), _files(Path(app.instance_path)), _database_files(app)
    assert "Rita Okafor" in dump and b"rita@example.org" not in files  # the dump reads every table
    for trace in traces:
        assert trace not in dump, trace
        assert trace.encode() not in files, trace
        assert trace.encode() not in database, trace
    with db_session() as session:
        views = list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action.in_(["profile.view", "cv.download"]))
            )
        )
        erased = session.scalar(select(AuditEvent).where(AuditEvent.action == "profile.erased"))
        assert session.scalar(select(Expert)) is None
    assert len(views) == 2 and all(v.subject_expert_id is None for v in views)
    assert views[0].actor_id is not None  # the staff member stays accountable
    assert erased is not None and erased.actor_id is None and erased.subject_expert_id is None


def test_erasure_needs_the_tick_and_the_password(profiled_client, db_session):
    response = post_form(profiled_client, "/me/delete", {"password": PASSWORD})
    assert response.status_code == 400 and "Tick the box" in response.get_data(as_text=True)
    response = post_form(
        profiled_client, "/me/delete", {"understand": "y", "password": "not my password"}
    )
    assert response.status_code == 400 and "The password is not right." in response.get_data(
        as_text=True
    )
    assert stored_expert(db_session) is not None
    assert erase(profiled_client).status_code == 302
    with db_session() as session:
        assert session.scalar(select(User)) is None


def test_an_account_without_a_profile_can_be_erased(expert_client, db_session):
    assert erase(expert_client).status_code == 302
    with db_session() as session:
        assert session.scalar(select(User)) is None


def test_erasure_keeps_other_experts(profiled_client, signed_in, db_session):
    other = signed_in("other@example.org", "expert", name="Other Expert")
    post_form(other, "/me/identity", {"full_name": "Other Expert", "nationality_1": "FR"})
    erase(profiled_client)
    with db_session() as session:
        assert [e.full_name for e in session.scalars(select(Expert))] == ["Other Expert"]
