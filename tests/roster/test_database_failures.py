"""PostgreSQL trouble in the middle of a request: a plain 503 in seconds, then recovery."""

import threading
import time

import pytest
from sqlalchemy import text

from roster import db
from roster.auth.access import public
from roster.db import engines, get_session, make_engines
from roster.models import AuditEvent
from tests.conftest import POSTGRES_URL, register

postgres_only = pytest.mark.skipif(
    not POSTGRES_URL, reason="PostgreSQL pass only: server connections and row locks"
)


@postgres_only
@pytest.mark.parametrize("lost", ["before a query", "before the commit"])
def test_a_connection_lost_mid_request_answers_503_and_the_next_request_works(app, client, lost):
    # As in production: a failure past the view (the commit) goes to the error handlers
    # instead of up to the test.
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/test-connection-lost")
    @public
    def cut_off():
        session = get_session()
        backend = session.scalar(text("SELECT pg_backend_pid()"))
        # As an operator or a failover would: the server ends this request's connection.
        with engines(app).write.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": backend})
        if lost == "before a query":
            session.execute(text("SELECT 1"))
        else:
            session.add(AuditEvent(action="test.lost", detail={}))
        return "the page"

    response = client.get("/test-connection-lost", headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "cannot reach its database" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200


@postgres_only
def test_a_write_waiting_for_a_table_another_writer_holds_gives_up_in_plain_words(
    app, client, database_url, monkeypatch
):
    monkeypatch.setattr(db, "WEB_BUSY_TIMEOUT_MS", 300)
    holder_engine = make_engines(database_url).write
    holder = holder_engine.connect()
    holder.execute(text('LOCK TABLE "user" IN EXCLUSIVE MODE'))  # Reads go on; writes wait.
    release = threading.Lock()

    def give_back() -> None:
        with release:
            if not holder.closed:
                holder.rollback()
                holder.close()

    # However the request fares, the lock is given back within seconds.
    timer = threading.Timer(10, give_back)
    timer.start()
    try:
        started = time.monotonic()
        response = register(client)
        waited = time.monotonic() - started
    finally:
        timer.cancel()
        give_back()
        holder_engine.dispose()
    assert response.status_code == 503, response.status_code
    assert response.headers["Retry-After"]
    assert "The database is busy with another write" in response.get_data(as_text=True)
    assert waited < 3
    assert register(client).status_code == 302
