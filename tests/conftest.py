"""Fixtures: an app per test on SQLite or PostgreSQL, its client and CLI runner.

``TEST_DATABASE_URL`` (a PostgreSQL URL) runs the suite on PostgreSQL: the schema
is migrated once per run and every table emptied after each test. Otherwise each
test gets its own SQLite file, copied from one migrated once per run.
"""

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text
from sqlmodel import SQLModel

from roster import create_app
from roster.db import engines, session_scope
from roster.migrate import upgrade

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture(autouse=True)
def public_address(monkeypatch: pytest.MonkeyPatch) -> str:
    """The public address every app (and command run by a test) is configured with."""
    monkeypatch.setenv("ROSTER_BASE_URL", "http://localhost")
    return "http://localhost"


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate a database once per run; return its URL."""
    if POSTGRES_URL:
        from roster.config import _sqlalchemy_url

        url = _sqlalchemy_url(POSTGRES_URL)
        upgrade(url)
        return url
    path = tmp_path_factory.mktemp("template") / "roster.db"
    upgrade(f"sqlite:///{path}")
    return f"sqlite:///{path}"


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> str:
    """A migrated, empty database for one test."""
    if POSTGRES_URL:
        return migrated_database
    target = tmp_path / "roster.db"
    shutil.copy(migrated_database.removeprefix("sqlite:///"), target)
    return f"sqlite:///{target}"


@pytest.fixture
def app(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """An app with its own database and instance folder; CSRF protection stays on."""
    monkeypatch.setenv("ROSTER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            # Jobs (sending the outbox) run at once, in the test's own process.
            "JOBS_IMMEDIATE": True,
            # Pages can be shown in the pseudo-locales that reveal unmarked text.
            "PSEUDO_LOCALES": True,
        }
    )
    yield app
    if POSTGRES_URL:
        _empty_tables(app)
    for engine in {engines(app).read, engines(app).write}:
        engine.dispose()


def _empty_tables(app: Flask) -> None:
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with session_scope(app) as session:
        session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A runner for the app's ``flask`` commands."""
    return app.test_cli_runner()


@pytest.fixture
def db_session(app: Flask):
    """A session on the test app's database that commits at the end of the block."""

    # No app context is pushed here: requests made meanwhile must get their own `g`.
    def opened(write: bool = True):
        return session_scope(app, write=write)

    return opened


@pytest.fixture
def unused_tcp_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (free when asked)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(app: Flask):
    """Build an account: ``make_user("a@example.org", "recruiter", confirmed=True)``."""
    from roster.accounts.services import create_user

    def build(
        email: str,
        *roles: str,
        password: str = PASSWORD,
        confirmed: bool = True,
        name: str = "Test User",
    ):
        with session_scope(app) as session:
            user = create_user(
                session=session,
                email=email,
                password=password,
                roles=list(roles) or ["expert"],
                display_name=name,
                confirmed=confirmed,
            )
            return user

    return build


def csrf_token(client: FlaskClient, url: str) -> str:
    """Open a page as a browser would and read its form's CSRF token."""
    import re

    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def register(
    client: FlaskClient,
    email: str = "new.expert@example.org",
    password: str = PASSWORD,
    name: str = "Nadia Rahman",
):
    """Open an expert account through the registration form; return the response."""
    token = csrf_token(client, "/register")
    return client.post(
        "/register",
        data={
            "full_name": name,
            "email": email,
            "password": password,
            "confirm": password,
            "csrf_token": token,
        },
    )


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):
    """Sign in through the login form, CSRF token included; return the response."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def sign_out(client: FlaskClient):
    """Sign out through the header's form."""
    token = csrf_token(client, "/account/password")
    return client.post("/logout", data={"csrf_token": token})
