"""Administration by API: staff accounts, roles, the audit trail and the outbox, for admins."""

from datetime import timedelta

from sqlalchemy import select, update

from roster.api.kernel import encode_cursor
from roster.db import session_scope
from roster.models import AuditEvent, OutboxMessage, User, utcnow
from tests.conftest import count_rows, outbox, sign_in

NEW_STAFF = {"email": "rui@example.org", "display_name": "Rui Costa", "roles": ["recruiter"]}


def _account(app, email: str) -> User | None:
    with session_scope(app) as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is not None:
            user.roles  # noqa: B018  (loaded while the session is open)
        return user


def test_an_admin_invites_staff_who_get_a_link_and_appear_on_the_web(app, api_as):
    api = api_as("ada@example.org", "admin")

    made = api.post("/admin/users", json=NEW_STAFF)

    assert made.status_code == 201 and made.headers["ETag"]
    account = made.get_json()
    assert account["email"] == "rui@example.org" and account["roles"] == ["recruiter"]
    assert account["invited"] is True and account["disabled"] is False
    assert made.headers["Location"] == f"/api/v1/admin/users/{account['id']}"
    assert any(mail["To"] == "rui@example.org" for mail in outbox(app))
    with session_scope(app) as session:
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "account.create", AuditEvent.actor_id.is_not(None)
            )
        )
        assert event.detail == {"user": account["id"], "roles": ["recruiter"], "invited": True}
    web = app.test_client()
    assert sign_in(web, "ada@example.org").status_code == 302
    assert "rui@example.org" in web.get("/admin/users").get_data(as_text=True)
    assert api.get(f"/admin/users/{account['id']}").get_json() == account


def test_a_replayed_invitation_invites_once_and_another_body_under_its_key_is_refused(
    app, api_as, db_session
):
    api = api_as("ada@example.org", "admin")
    key = {"Idempotency-Key": "invite-rui"}

    first = api.post("/admin/users", json=NEW_STAFF, headers=key)
    again = api.post("/admin/users", json=NEW_STAFF, headers=key)
    other = api.post("/admin/users", json=NEW_STAFF | {"email": "eve@example.org"}, headers=key)

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert _account(app, "eve@example.org") is None
    assert len([m for m in outbox(app) if m["To"] == "rui@example.org"]) == 1


def test_bad_invitations_are_refused_at_their_path_and_nothing_is_written(app, api_as, db_session):
    api = api_as("ada@example.org", "admin")
    api.post("/admin/users", json=NEW_STAFF)
    before = count_rows(db_session, User), count_rows(db_session, OutboxMessage)

    cases = {
        "colour": NEW_STAFF | {"colour": "red"},
        "roles": NEW_STAFF | {"email": "x@example.org", "roles": []},
        "roles[0]": NEW_STAFF | {"email": "x@example.org", "roles": ["expert"]},
        "display_name": NEW_STAFF | {"email": "x@example.org", "display_name": 7},
        "email": NEW_STAFF,  # taken
        "email ": NEW_STAFF | {"email": "rui@localhost"},
    }
    for path, body in cases.items():
        answer = api.post("/admin/users", json=body)
        assert answer.status_code == 422, path
        assert path.strip() in [p["path"] for p in answer.get_json()["problems"]], path
    for text in ("Rui\u0000", "Rui\u202eCosta"):
        answer = api.post("/admin/users", json=NEW_STAFF | {"display_name": text})
        assert answer.status_code == 422
        assert answer.get_json()["problems"][0]["path"] == "display_name"
    assert (
        api.post("/admin/users", data="x", headers={"Content-Type": "text/plain"}).status_code
        == 415
    )
    assert (count_rows(db_session, User), count_rows(db_session, OutboxMessage)) == before


def test_roles_and_disabling_change_under_if_match_and_are_seen_on_the_web(app, api_as):
    api = api_as("ada@example.org", "admin")
    made = api.post("/admin/users", json=NEW_STAFF)
    path, tag = f"/admin/users/{made.get_json()['id']}", made.headers["ETag"]
    change = {"roles": ["planner"], "disabled": True}

    missing = api.put(path, json=change)
    done = api.put(path, json=change, headers={"If-Match": tag})
    stale = api.put(path, json={"roles": ["admin"], "disabled": False}, headers={"If-Match": tag})

    assert missing.status_code == 428
    assert done.status_code == 200 and done.get_json()["roles"] == ["planner"]
    assert done.get_json()["disabled"] is True and done.headers["ETag"] != tag
    assert stale.status_code == 412
    account = _account(app, "rui@example.org")
    assert account.disabled and [r.role for r in account.roles] == ["planner"]
    assert api.get(path).headers["ETag"] == done.headers["ETag"]
    bad = api.put(path, json={"roles": ["king"], "disabled": "no"}, headers={"If-Match": "*"})
    assert bad.status_code == 422
    assert {p["path"] for p in bad.get_json()["problems"]} == {"roles[0]", "disabled"}
    unknown = api.put(path, json=change | {"colour": "red"}, headers={"If-Match": "*"})
    assert unknown.status_code == 422 and unknown.get_json()["problems"][0]["path"] == "colour"
    assert api.put(path, data="x", headers={"If-Match": "*"}).status_code == 415
    assert (
        api.put("/admin/users/no-such-account", json=change, headers={"If-Match": "*"}).status_code
        == 404
    )


def test_the_last_admin_cannot_lose_the_role(app, api_as):
    api = api_as("ada@example.org", "admin")
    me = api.get("/admin/users?q=ada").get_json()["items"][0]
    tag = api.get(f"/admin/users/{me['id']}").headers["ETag"]

    answer = api.put(
        f"/admin/users/{me['id']}",
        json={"roles": ["recruiter"], "disabled": False},
        headers={"If-Match": tag},
    )

    assert answer.status_code == 422
    assert answer.get_json()["problems"][0]["path"] == "roles"
    assert [r.role for r in _account(app, "ada@example.org").roles] == ["admin"]


def test_accounts_are_listed_by_address_a_page_at_a_time(api_as, make_user):
    api = api_as("ada@example.org", "admin")
    for name in ("bea", "cai", "dan"):
        make_user(f"{name}@example.org", "planner")

    first = api.get("/admin/users?limit=2").get_json()
    second = api.get(f"/admin/users?limit=2&cursor={first['next_cursor']}").get_json()

    emails = [a["email"] for a in first["items"] + second["items"]]
    assert emails == [f"{n}@example.org" for n in ("ada", "bea", "cai", "dan")]
    assert second["next_cursor"] is None
    assert [a["email"] for a in api.get("/admin/users?q=CAI").get_json()["items"]] == [
        "cai@example.org"
    ]
    assert api.get("/admin/users/no-such-account").status_code == 404
    assert api.get("/admin/users?cursor=eyJhZnRlciI6IDd9").status_code == 422
    nul_cursor = encode_cursor({"after": "a\x00"})
    assert api.get(f"/admin/users?cursor={nul_cursor}").status_code == 422
    bidi = api.get("/admin/users?q=a%E2%80%AEb")
    assert bidi.status_code == 422 and bidi.get_json()["problems"][0]["path"] == "q"
    assert api.get("/admin/users?q=a%00b").status_code == 400


def test_the_audit_trail_is_searched_with_the_page_s_filters_and_paged(api_as):
    api = api_as("ada@example.org", "admin")
    for name in ("rui", "sol", "tao"):
        api.post("/admin/users", json=NEW_STAFF | {"email": f"{name}@example.org"})

    first = api.get("/admin/audit?action=account.create&actor=ada@example.org&limit=2")
    body = first.get_json()
    second = api.get(f"/admin/audit?action=account.create&cursor={body['next_cursor']}").json

    assert first.status_code == 200 and len(body["items"]) == 2
    event = body["items"][0]
    assert event["action"] == "account.create" and event["actor"]["label"] == "Test User"
    assert event["account"]["label"] == "Rui Costa" and event["what"]
    assert len(second["items"]) == 2  # tao, sol, rui, and ada's own account
    assert second["next_cursor"] is None
    for query, path in [
        ("action=no.such", "action"),
        ("since=yesterday", "since"),
        ("since=2027-03-02&until=2027-03-01", "until"),
        ("actor=nobody@example.org", "actor"),
    ]:
        answer = api.get(f"/admin/audit?{query}")
        assert answer.status_code == 422, query
        assert answer.get_json()["problems"][0]["path"] == path, query


def test_the_outbox_shows_whom_to_subject_and_state_never_the_body(api_as):
    api = api_as("ada@example.org", "admin")
    api.post("/admin/users", json=NEW_STAFF)

    items = api.get("/admin/outbox").get_json()["items"]
    sent = api.get("/admin/outbox?state=sent").get_json()["items"]

    assert [m["recipient"] for m in items] == ["rui@example.org"]
    assert "body" not in items[0] and items[0]["state"] in ("sent", "queued")
    assert len(sent) in (0, 1)
    assert api.get("/admin/outbox?state=lost").status_code == 422


def test_a_recruiter_s_token_and_a_token_without_the_admin_scope_get_403(api_as):
    recruiter = api_as("rita@example.org", "recruiter")
    narrow = api_as("ada@example.org", "admin", scopes=["roster:read"])

    for api in (recruiter, narrow):
        assert api.get("/admin/users").status_code == 403
        assert api.post("/admin/users", json=NEW_STAFF).status_code == 403
        assert api.get("/admin/audit").status_code == 403
        assert api.get("/admin/outbox").status_code == 403
        assert api.put("/admin/users/x", json={}, headers={"If-Match": "*"}).status_code == 403
        assert api.delete("/admin/users/x", headers={"If-Match": "*"}).status_code == 403
        assert api.post("/admin/users/x/invitation").status_code == 403
        assert api.post("/admin/audit/export").status_code == 403
        assert api.post("/admin/outbox/x/retry").status_code == 403


def test_answers_match_the_openapi_document(api_as):
    from tests.api.schema_check import assert_conforms

    api = api_as("ada@example.org", "admin")
    made = api.post("/admin/users", json=NEW_STAFF)
    path = f"/admin/users/{made.get_json()['id']}"
    changed = api.put(
        path,
        json={"roles": ["planner"], "disabled": False},
        headers={"If-Match": made.headers["ETag"]},
    )

    assert_conforms(api, "POST", "/api/v1/admin/users", made)
    assert_conforms(api, "PUT", "/api/v1/admin/users/<public_id>", changed)
    invited = api.post(f"{path}/invitation")
    assert_conforms(api, "POST", "/api/v1/admin/users/<public_id>/invitation", invited)
    removed = api.delete(path, headers={"If-Match": invited.headers["ETag"]})
    assert_conforms(api, "DELETE", "/api/v1/admin/users/<public_id>", removed)
    for rule, answer in [
        ("/api/v1/admin/users", api.get("/admin/users")),
        ("/api/v1/admin/users/<public_id>", api.get(path)),
        ("/api/v1/admin/audit", api.get("/admin/audit")),
        ("/api/v1/admin/outbox", api.get("/admin/outbox")),
    ]:
        assert_conforms(api, "GET", rule, answer)


def test_the_trail_is_exported_as_csv_and_the_export_audited(api_as, db_session):
    api = api_as("ada@example.org", "admin")
    api.post("/admin/users", json=NEW_STAFF)

    answer = api.post("/admin/audit/export?action=account.create")
    refused = api.post("/admin/audit/export?actor=nobody@example.org")

    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    lines = answer.get_data(as_text=True).splitlines()
    assert lines[0].startswith("at_utc,actor,actor_email,action")
    assert len(lines) == 3 and all("account.create" in line for line in lines[1:])
    assert refused.status_code == 422
    assert refused.get_json()["problems"][0]["path"] == "actor"
    with db_session(write=False) as session:
        exports = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "audit.exported")
        ).all()
    assert [event.detail for event in exports] == [{"action": "account.create"}]


def test_an_invitation_is_sent_again_once_per_key_and_never_to_who_chose_a_password(
    app, api_as, db_session
):
    api = api_as("ada@example.org", "admin")
    made = api.post("/admin/users", json=NEW_STAFF).get_json()
    path = f"/admin/users/{made['id']}/invitation"
    key = {"Idempotency-Key": "again-1"}

    first = api.post(path, headers=key)
    replayed = api.post(path, headers=key)
    expert = api.get("/admin/users?q=ada").get_json()["items"][0]
    refused = api.post(f"/admin/users/{expert['id']}/invitation")

    assert first.status_code == replayed.status_code == 200
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert len([m for m in outbox(app) if m["To"] == "rui@example.org"]) == 2
    assert refused.status_code == 422 and "already chose a password" in refused.json["detail"]
    assert api.post("/admin/users/no-such-account/invitation").status_code == 404
    with db_session(write=False) as session:
        resent = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "account.invitation_resent")
        ).all()
    assert len(resent) == 1


def test_a_staff_account_is_removed_under_if_match_never_one_s_own(app, api_as):
    api = api_as("ada@example.org", "admin")
    made = api.post("/admin/users", json=NEW_STAFF)
    path = f"/admin/users/{made.get_json()['id']}"
    me = api.get("/admin/users?q=ada").get_json()["items"][0]
    my_tag = api.get(f"/admin/users/{me['id']}").headers["ETag"]

    missing = api.delete(path)
    stale = api.delete(path, headers={"If-Match": '"stale"'})
    done = api.delete(path, headers={"If-Match": made.headers["ETag"]})
    own = api.delete(f"/admin/users/{me['id']}", headers={"If-Match": my_tag})

    assert (missing.status_code, stale.status_code, done.status_code) == (428, 412, 204)
    assert api.get(path).status_code == 404
    assert own.status_code == 422 and "your own account" in own.get_json()["detail"]
    assert _account(app, "rui@example.org") is None  # its address is gone too
    web = app.test_client()
    assert sign_in(web, "ada@example.org").status_code == 302
    assert "rui@example.org" not in web.get("/admin/users").get_data(as_text=True)


def _failing_mail(db_session) -> dict[str, str]:
    """Messages in each state (public ids by state), as the outbox holds them."""
    now = utcnow()
    with db_session() as session:
        messages = {
            "queued": OutboxMessage(recipient="q@example.org", subject="Waiting", body="B1"),
            "failed": OutboxMessage(
                recipient="failed@example.org",
                subject="Given up",
                body="SECRET-LINK",
                attempts=10,
                last_error="SMTPRecipientsRefused: 550",
            ),
            "retrying": OutboxMessage(
                recipient="r@example.org",
                subject="Failing",
                body="B3",
                attempts=2,
                last_error="ConnectionRefusedError",
                next_attempt_at=now + timedelta(hours=1),
            ),
        }
        session.add_all(messages.values())
        session.flush()
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == messages["failed"].id)
            .values(next_attempt_at=None)
        )
        return {state: message.public_id for state, message in messages.items()}


def test_an_admin_retries_a_failed_message_by_its_public_id_and_it_goes_out(
    app, api_as, db_session
):
    from tests.api.schema_check import assert_conforms

    api = api_as("ada@example.org", "admin")
    mail = _failing_mail(db_session)
    listed = {m["recipient"]: m["id"] for m in api.get("/admin/outbox").get_json()["items"]}
    assert listed["failed@example.org"] == mail["failed"]

    retried = api.post(f"/admin/outbox/{mail['failed']}/retry")

    assert retried.status_code == 200, retried.get_json()
    assert_conforms(api, "POST", "/api/v1/admin/outbox/<public_id>/retry", retried)
    assert retried.get_json()["id"] == mail["failed"]
    # Sent once the retry committed (the test's job queue runs at once).
    assert [m["To"] for m in outbox(app) if m["To"] == "failed@example.org"] == [
        "failed@example.org"
    ]
    with db_session(write=False) as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.public_id == mail["failed"]))
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "outbox.retried"))
    assert row.sent_at is not None
    assert event.detail == {"message": mail["failed"]}
    sent = api.get("/admin/outbox?state=sent").get_json()["items"]
    assert [m["id"] for m in sent] == [mail["failed"]]
    # The page shows it sent, and its retry button names the public id of those still failing.
    web = app.test_client()
    assert sign_in(web, "ada@example.org").status_code == 302
    page = web.get("/admin/outbox").get_data(as_text=True)
    assert f"/admin/outbox/{mail['retrying']}/retry" in page
    assert f"/admin/outbox/{mail['failed']}/retry" not in page


def test_a_retry_of_what_has_not_failed_or_is_no_message_changes_nothing(api_as, db_session):
    api = api_as("ada@example.org", "admin")
    mail = _failing_mail(db_session)
    with db_session(write=False) as session:
        number = session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.public_id == mail["failed"])
        )

    queued = api.post(f"/admin/outbox/{mail['queued']}/retry")
    assert queued.status_code == 422
    assert "has not failed" in queued.get_json()["detail"]
    for address in (str(number), "1", "x" * 60, "AAAAAAAAAAAAAAAA"):
        assert api.post(f"/admin/outbox/{address}/retry").status_code == 404, address
    with db_session(write=False) as session:
        assert (
            session.scalar(select(AuditEvent).where(AuditEvent.action == "outbox.retried")) is None
        )
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.public_id == mail["failed"]))
        assert row.next_attempt_at is None and row.attempts == 10


def test_a_retried_retry_under_its_key_gets_the_first_answer(app, api_as, db_session):
    api = api_as("ada@example.org", "admin")
    mail = _failing_mail(db_session)
    key = {"Idempotency-Key": "retry-1"}

    first = api.post(f"/admin/outbox/{mail['retrying']}/retry", headers=key)
    again = api.post(f"/admin/outbox/{mail['retrying']}/retry", headers=key)
    other = api.post(f"/admin/outbox/{mail['failed']}/retry", headers=key)

    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    with db_session(write=False) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.retried"))
        assert [event.detail for event in events] == [{"message": mail["retrying"]}]
