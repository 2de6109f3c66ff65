"""What an outside probe tried against sign-in, registration and reset, and what it gets now."""

import os
import re
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from roster import create_app
from roster.config import ConfigurationError
from roster.db import engines
from roster.extensions import limiter
from roster.models import AuditEvent, User
from tests.conftest import (
    PASSWORD,
    POSTGRES_URL,
    csrf_token,
    link_in,
    outbox,
    register,
    sign_in,
    sign_out,
)

PROJECT = Path(__file__).resolve().parents[2]


def ask_for_reset(client, email: str, **kwargs):
    token = csrf_token(client, "/reset")
    return client.post("/reset", data={"email": email, "csrf_token": token}, **kwargs)


# --- reset poisoning: links come from ROSTER_BASE_URL, other hosts are refused ------------


def test_a_request_naming_another_host_is_refused_and_mails_nothing(app, client, make_user):
    make_user("victim@example.org")
    poisoned = ask_for_reset(client, "victim@example.org", headers={"Host": "attacker.example"})
    assert poisoned.status_code == 400
    assert "does not answer for the host" in poisoned.get_data(as_text=True)
    assert outbox(app) == []
    assert client.get("/", headers={"Host": "attacker.example:8000"}).status_code == 400


def test_mailed_links_lead_to_the_configured_public_address(app, make_user):
    app.config["ROSTER_BASE_URL"] = "https://roster.example.org"
    make_user("victim@example.org")
    client = app.test_client()
    # Over HTTPS a form must also say where it came from (the CSRF check's Referer).
    kwargs = {
        "base_url": "https://roster.example.org",
        "headers": {"Referer": "https://roster.example.org/reset"},
    }
    token = csrf_token(client, "/reset", **kwargs)
    client.post("/reset", data={"email": "victim@example.org", "csrf_token": token}, **kwargs)
    [message] = outbox(app)
    body = message.get_payload(decode=True).decode()
    assert re.search(r"https://roster\.example\.org/reset/\S+", body), body


def test_behind_a_proxy_a_forwarded_host_is_checked_too(database_url):
    proxied = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "k",
            "TRUSTED_PROXIES": True,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    client = proxied.test_client()
    try:
        forged = client.get("/", headers={"X-Forwarded-Host": "attacker.example"})
        assert forged.status_code == 400
        assert client.get("/", headers={"X-Forwarded-Host": "localhost"}).status_code == 200
    finally:
        engines(proxied).read.dispose()


def test_production_without_a_public_address_does_not_start(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"ROSTER_BASE_URL", "ROSTER_ENV", "DATABASE_URL"}
    }
    env["ROSTER_INSTANCE_PATH"] = str(tmp_path)
    started = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 1
    assert "ROSTER_BASE_URL is not set" in started.stderr
    assert "Traceback" not in started.stderr


@pytest.mark.parametrize(
    "value", ["roster.example.org", "ftp://roster.example.org", "https://x/?a=1"]
)
def test_a_malformed_public_address_is_refused_in_plain_words(value, tmp_path, monkeypatch):
    monkeypatch.setenv("ROSTER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("ROSTER_BASE_URL", value)
    with pytest.raises(ConfigurationError, match="must be an address such as"):
        create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})


def test_a_development_instance_defaults_to_where_make_run_serves(tmp_path, monkeypatch):
    monkeypatch.setenv("ROSTER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("ROSTER_ENV", "development")
    monkeypatch.delenv("ROSTER_BASE_URL")
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    assert app.config["ROSTER_BASE_URL"] == "http://127.0.0.1:8000"


# --- registration does not tell who has an account ----------------------------------------


def test_registering_a_taken_or_a_new_address_takes_as_long(app, client, make_user, monkeypatch):
    monkeypatch.setattr(limiter, "enabled", False)
    make_user("taken@example.org")

    def timed(email: str) -> float:
        token = csrf_token(client, "/register")
        data = {"full_name": "A", "email": email, "password": PASSWORD, "confirm": PASSWORD}
        started = time.perf_counter()
        response = client.post("/register", data=data | {"csrf_token": token})
        elapsed = time.perf_counter() - started
        assert response.status_code == 302
        return elapsed

    taken = statistics.median(timed("taken@example.org") for _ in range(9))
    fresh = statistics.median(timed(f"new{n}@example.org") for n in range(9))
    # Before, a taken address answered five times faster (no password was hashed).
    assert 0.5 < taken / fresh < 2, (taken, fresh)


def test_registering_a_taken_address_is_audited_without_naming_its_owner_as_actor(
    client, make_user, db_session
):
    owner = make_user("taken@example.org")
    assert register(client, email="taken@example.org").status_code == 302
    with db_session(write=False) as session:
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.action == "auth.register_existing")
        )
        assert event.actor_id is None
        assert event.detail == {"account": owner.public_id}


def test_registrations_are_limited_per_address(client):
    for number in range(10):
        assert register(client, email=f"person{number}@example.org").status_code == 302
    refused = register(client, email="one.more@example.org")
    assert refused.status_code == 429
    assert "Too many registrations from your network" in refused.get_data(as_text=True)


# --- the account lock holds under concurrent attempts ------------------------------------


def test_concurrent_wrong_passwords_check_at_most_five(app, make_user, db_session, monkeypatch):
    monkeypatch.setattr(limiter, "enabled", False)
    make_user("target@example.org")
    clients = [app.test_client() for _ in range(40)]
    tokens = [csrf_token(client, "/login") for client in clients]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def attempt(client, token) -> None:
        start.wait()
        data = {"email": "target@example.org", "password": "wrong guess", "csrf_token": token}
        statuses.append(client.post("/login", data=data).status_code)

    threads = [
        threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [400] * 40
    with db_session() as session:
        checked = session.scalar(
            select(func.count()).where(AuditEvent.action == "auth.login_failed")
        )
    assert checked == 5
    assert sign_in(app.test_client(), "target@example.org").status_code == 400  # locked


# --- form tokens and session lifetime -----------------------------------------------------


def test_a_form_token_from_before_sign_in_does_not_serve_after_it(client, make_user):
    make_user("a@example.org")
    before = csrf_token(client, "/login")
    data = {"email": "a@example.org", "password": PASSWORD, "csrf_token": before}
    assert client.post("/login", data=data).status_code == 302
    stale = client.post("/account/password", data={"csrf_token": before, "current": PASSWORD})
    assert stale.status_code == 400
    assert "The form expired" in stale.get_data(as_text=True)


def test_a_form_token_from_before_sign_out_does_not_serve_after_it(client, make_user):
    make_user("a@example.org")
    sign_in(client, "a@example.org")
    before = csrf_token(client, "/account/password")
    sign_out(client)
    stale = client.post(
        "/login", data={"email": "a@example.org", "password": PASSWORD, "csrf_token": before}
    )
    assert stale.status_code == 400
    assert "The form expired" in stale.get_data(as_text=True)


def test_an_expert_session_ends_after_twelve_hours_however_active(client, make_user):
    make_user("a@example.org", "expert")
    sign_in(client, "a@example.org")
    assert client.get("/me").status_code == 200
    with client.session_transaction() as session:
        session["signed_in_at"] -= 12 * 60 * 60 + 1
    response = client.get("/me")
    assert response.status_code == 302 and response.location.startswith("/login")
    page = client.get(response.location).get_data(as_text=True)
    assert "a session lasts at most 12 hours" in page
    assert client.get("/me").status_code == 302


# --- the per-address counters: pruned, and a failing store refuses in plain words ---------


def test_ended_windows_are_pruned_and_report_no_past_expiry(tmp_path):
    from roster.ratelimits import SQLiteStorage

    storage = SQLiteStorage(f"sqlite:///{tmp_path / 'limits.db'}")
    storage.incr("login/198.51.100.1", expiry=0.05)
    time.sleep(0.1)
    before = time.time()
    assert storage.get_expiry("login/198.51.100.1") >= before
    storage.incr("login/198.51.100.2", expiry=60)
    rows = storage._connection().execute("SELECT key FROM hits").fetchall()
    assert rows == [("login/198.51.100.2",)]


def test_the_first_sign_ins_on_a_fresh_instance_all_count(tmp_path):
    from roster.ratelimits import SQLiteStorage

    # Sixteen threads of two workers opening a new counters file at once: switching it to
    # WAL answered "database is locked" at once to some of them (a 503 on the first sign-ins).
    failures = []
    for trial in range(40):
        path = tmp_path / f"limits-{trial}.db"
        workers = [SQLiteStorage(f"sqlite:///{path}") for _ in range(2)]

        def sign_in_attempt(n: int, workers=workers) -> None:
            try:
                workers[n % 2].incr(f"login/198.51.100.{n}", expiry=60)
            except Exception as error:  # noqa: BLE001  (every failure is what is counted)
                failures.append(error)

        threads = [threading.Thread(target=sign_in_attempt, args=(n,)) for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []


def test_a_limit_store_that_fails_refuses_sign_in_with_a_503(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("ROSTER_INSTANCE_PATH", str(tmp_path / "instance"))
    # A folder where the counters' file should be: SQLite cannot open it.
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path}",
        }
    )
    client = app.test_client()
    try:
        token = csrf_token(client, "/login")
        response = client.post(
            "/login", data={"email": "a@example.org", "password": PASSWORD, "csrf_token": token}
        )
    finally:
        for engine in {engines(app).read, engines(app).write}:
            engine.dispose()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "cannot count attempts on this page just now" in page
    assert "Traceback" not in page


# --- an emailed confirmation link writes in a write transaction --------------------------


@pytest.mark.skipif(
    bool(POSTGRES_URL), reason="SQLite's deferred transactions; one engine on PostgreSQL"
)
def test_a_confirmation_link_opened_while_another_writer_commits_still_confirms(
    app, client, database_url, db_session
):
    register(client)
    [message] = outbox(app)
    link = link_in(message, "confirm")
    other = sqlite3.connect(
        database_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False
    )
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE audit_event SET reason = reason")

    def commit_soon():
        time.sleep(0.5)
        other.execute("COMMIT")

    writer = threading.Thread(target=commit_soon)
    writer.start()
    # A read transaction that began before that commit could not write after it.
    response = client.get(link)
    writer.join()
    other.close()
    assert response.status_code == 302, response.get_data(as_text=True)
    with db_session(write=False) as session:
        assert session.scalar(select(func.count()).where(User.email_confirmed_at.is_not(None)))
