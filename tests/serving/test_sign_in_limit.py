"""The per-address sign-in limit, through gunicorn's several workers."""

import pytest


@pytest.mark.slow
def test_the_sign_in_limit_per_address_holds_across_workers(serve, database_url):
    # Two worker processes: a limit kept in one process's memory let through twice as many.
    server = serve(database_url, WEB_CONCURRENCY="2")
    statuses = []
    for _ in range(30):
        visitor = server.visitor()
        token = visitor.token("/login")
        form = {"email": "nobody@example.org", "password": "wrong", "csrf_token": token}
        statuses.append(visitor.post("/login", form).status)
    assert statuses.count(400) == 10, statuses
    assert statuses.count(429) == 20, statuses
