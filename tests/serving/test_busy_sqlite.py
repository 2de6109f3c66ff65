"""While another process holds SQLite's write lock (an import), readers go on and writers
get a plain 503 in seconds, through gunicorn as production runs it."""

import json
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from roster.db import WEB_BUSY_TIMEOUT_MS
from tests.conftest import POSTGRES_URL

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's write lock; PostgreSQL has none"),
]

WAIT_S = WEB_BUSY_TIMEOUT_MS / 1000
RECRUITER = "recruiter@example.org"
EXPERT = "expert@example.org"
API_CLIENT = "client@example.org"


def test_writers_give_up_in_plain_words_while_readers_are_served(database_url, make_user, serve):
    make_user(RECRUITER, "recruiter")
    make_user(EXPERT, "expert")
    make_user(API_CLIENT, "expert")
    server = serve(database_url)
    recruiter, expert, client, newcomer = (server.visitor() for _ in range(4))
    recruiter.sign_in(RECRUITER)
    expert.sign_in(EXPERT)
    client.sign_in(API_CLIENT)
    sign_out_form = {"csrf_token": expert.token("/account/password")}
    client_form = {"csrf_token": client.token("/account/password")}
    register_form = {
        "full_name": "Nadia Rahman",
        "email": "nadia@example.org",
        "password": "a long enough password",
        "confirm": "a long enough password",
        "csrf_token": newcomer.token("/register"),
    }

    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # Another writer, an import say, holds the lock.
    try:
        # Writers wait at once, more than there are workers: a visitor registering, and
        # signed-in users signing out (each loaded from the database first), one of them
        # a client asking for JSON.
        with ThreadPoolExecutor(max_workers=3) as background:
            registering = background.submit(newcomer.post, "/register", register_form)
            signing_out = background.submit(expert.post, "/logout", sign_out_form)
            api = background.submit(client.post, "/logout", client_form, accept="application/json")
            time.sleep(1)  # Both are inside the server now, waiting for the lock.
            search = recruiter.get("/experts")
            home = server.visitor().get("/")
            writes = [registering.result(), signing_out.result()]
            api_write = api.result()
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert search.status == 200 and RECRUITER in search.text
    assert home.status == 200
    assert search.seconds < 1 and home.seconds < 1, (search.seconds, home.seconds)
    for answer in writes:
        assert answer.status == 503
        assert "The database is busy with another write" in answer.text
        assert f"within {WAIT_S:.0f} seconds" in answer.text
        assert int(answer.headers["Retry-After"]) > 0
        assert answer.seconds <= WAIT_S + 2, answer.seconds
    assert api_write.status == 503 and api_write.seconds <= WAIT_S + 2, api_write.seconds
    assert "The database is busy" in json.loads(api_write.text)["error"]
    assert int(api_write.headers["Retry-After"]) > 0
    assert "WORKER TIMEOUT" not in server.log()

    # The lock is free again: the same forms go through.
    register_form["csrf_token"] = newcomer.token("/register")
    assert newcomer.post("/register", register_form).status == 302
    assert expert.post("/logout", sign_out_form).status == 302
