"""Over-long addresses, through gunicorn as production runs it: the roster's page, never
gunicorn's bare "URI Too Long"."""

from urllib.parse import quote

import pytest

RECRUITER = "recruiter@example.org"
LIMIT = 8190  # gunicorn's longest request line (limit_request_line in gunicorn.conf.py)


def search_line(query: str) -> str:
    """The address of an expert search, percent-encoded as a browser sends it."""
    return f"/experts?q={quote(query)}"


def line_length(path: str) -> int:
    return len(f"GET {path} HTTP/1.1")


@pytest.fixture
def served(database_url, make_user, serve):
    """gunicorn as configured, and a recruiter signed in through it."""
    make_user(RECRUITER, "recruiter")
    server = serve(database_url)
    recruiter = server.visitor()
    recruiter.sign_in(RECRUITER)
    return server, recruiter


def test_a_search_longer_than_gunicorns_default_line_gets_the_search_page_and_its_error(served):
    _, recruiter = served
    query = "ن" * 1_200  # 1,200 Arabic letters: 7,200 bytes in the address
    path = search_line(query)
    assert 4094 < line_length(path) <= LIMIT  # gunicorn's default would have refused it
    answer = recruiter.get(path)
    assert answer.status == 400, answer.text[:300]
    assert 'class="site-header"' in answer.text
    assert "The search is 1,200 characters long; a search can be at most 200" in answer.text
    assert answer.headers["Content-Security-Policy"]


def test_an_address_longer_than_gunicorn_reads_gets_the_roster_page_in_plain_words(served):
    server, recruiter = served
    for query in ("a" * (LIMIT - 20), "ن" * 5_000, "a" * 200_000):
        path = search_line(query)
        assert line_length(path) > LIMIT
        answer = recruiter.get(path)
        assert answer.status == 414
        assert "URI Too Long" not in answer.text  # gunicorn's own page
        assert 'class="site-header"' in answer.text
        assert "This address is too long for the roster to read" in answer.text
        assert "a search can be at most 200 characters" in answer.text
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert "Set-Cookie" not in answer.headers
    assert "Request Line is too large" in server.log()  # said in the log, as gunicorn says it
    # The workers go on serving, the signed-in session too.
    assert recruiter.get(search_line("Ndiaye")).status == 200


def test_a_signed_out_visitor_with_a_long_search_is_sent_to_a_short_sign_in_address(
    database_url, serve
):
    server = serve(database_url)
    answer = server.visitor().get(search_line("ن" * 1_200))
    assert answer.status == 302
    assert answer.headers["Location"] == "/login?next=/experts"
    assert server.visitor().get(answer.headers["Location"]).status == 200
