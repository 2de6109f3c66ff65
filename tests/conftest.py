"""Fixtures: an app per test on SQLite or PostgreSQL, its client and CLI runner.

``TEST_DATABASE_URL`` (a PostgreSQL URL) runs the suite on PostgreSQL: the schema
is migrated once per run and every table emptied after each test. Otherwise each
test gets its own SQLite file, copied from one migrated once per run.

Beside the fixtures, the actions every area's tests share: a browser's sign-in and
registration through the forms, the mail the app wrote, and what the database holds.
Records are built in ``tests/factories.py``.
"""

import html
import os
import re
import shutil
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, text
from sqlmodel import SQLModel

from roster import create_app
from roster.db import engines, session_scope
from roster.matchers import stop_matcher
from roster.migrate import upgrade
from roster.models import Expert

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    """The translations compiled, as `make setup` leaves them (pytest run on its own too)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (PROJECT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            with mo.open("wb") as target:
                write_mo(target, catalog)


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
    stop_matcher(app)
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


def add_account(
    app: Flask,
    email: str,
    *roles: str,
    password: str = PASSWORD,
    confirmed: bool = True,
    name: str = "Test User",
):
    """Open an account in ``app``'s database through the accounts service; return the user."""
    from roster.accounts.services import create_user

    with session_scope(app) as session:
        return create_user(
            session=session,
            email=email,
            password=password,
            roles=list(roles) or ["expert"],
            display_name=name,
            confirmed=confirmed,
        )


@pytest.fixture
def make_user(app: Flask):
    """Build an account: ``make_user("a@example.org", "recruiter", confirmed=True)``."""

    def build(email: str, *roles: str, **options):
        return add_account(app, email, *roles, **options)

    return build


@pytest.fixture
def signed_in(app: Flask, make_user):
    """A new client signed in as a new account: ``signed_in("rita@example.org", "recruiter")``."""

    def sign(email: str, *roles: str, name: str = "Test User") -> FlaskClient:
        make_user(email, *roles, name=name)
        client = app.test_client()
        assert sign_in(client, email).status_code == 302
        return client

    return sign


def form_token(page: str) -> str | None:
    """The CSRF token of the first form in a page's HTML, None if it has none."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def csrf_token(client: FlaskClient, url: str, **kwargs) -> str:
    """Open a page as a browser would (``kwargs`` go to ``client.get``); read its CSRF token."""
    token = form_token(client.get(url, **kwargs).get_data(as_text=True))
    assert token, f"no CSRF token on {url}"
    return token


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


def choose_language(client: FlaskClient, language: str, next_page: str = "/"):
    """Choose ``language`` (a tag: ar, zh, en, fr, ru, es, en-XA, ar-XB) in the page footer.

    Kept for the client's session, and on the account of a signed-in user.
    """
    token = csrf_token(client, "/login")
    return client.post(
        "/language", data={"language": language, "next": next_page, "csrf_token": token}
    )


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):
    """Sign in through the login form, CSRF token included; return the response."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def sign_out(client: FlaskClient):
    """Sign out through the header's form."""
    token = csrf_token(client, "/account/password")
    return client.post("/logout", data={"csrf_token": token})


def outbox(app: Flask) -> list[Message]:
    """The mail the app wrote to its outbox folder (no mail server set), oldest name first."""
    folder = Path(app.instance_path) / "outbox"
    return (
        [message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]
        if folder.exists()
        else []
    )


def link_in(message: Message, path: str, base: str = "http://localhost") -> str:
    """The path of the ``/path/...`` link that a message gives on the public address ``base``."""
    body = message.get_payload(decode=True).decode()
    found = re.search(rf"{re.escape(base)}(/{path}/\S+)", body)
    assert found, body
    return found.group(1)


def count_rows(db_session, model) -> int:
    """How many rows the table of ``model`` holds."""
    with db_session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def stored_expert(db_session, external_id: str | None = None) -> Expert | None:
    """The stored expert with ``external_id`` (the first one when None), lists loaded."""
    with db_session(write=False) as session:
        query = select(Expert).order_by(Expert.id)
        if external_id is not None:
            query = query.where(Expert.external_id == external_id)
        expert = session.scalars(query).first()
        if expert is not None:
            for name in (
                "nationalities",
                "languages",
                "skills",
                "accessibility",
                "availability",
                "deployments",
            ):
                getattr(expert, name)
        return expert
