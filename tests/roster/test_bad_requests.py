"""Odd requests get a readable answer in plain words, never a server error."""

import pytest
from sqlalchemy import select, text

from roster.auth.access import public
from roster.db import get_session
from roster.models import User
from tests.conftest import count_rows, csrf_token, outbox, register, sign_in


@pytest.mark.parametrize(
    "url", ["/experts/a%00b", "/experts?q=a%00b", "/admin/users/a%00b", "/admin/users?q=a%00b"]
)
def test_a_null_character_in_an_address_is_refused_in_plain_words(client, make_user, url):
    make_user("admin@example.org", "admin")
    sign_in(client, "admin@example.org")
    response = client.get(url)
    assert response.status_code == 400
    assert "null character" in response.get_data(as_text=True)


def test_a_null_character_in_a_form_is_refused_and_nothing_is_stored(client, db_session):
    response = register(client, email="nul@example.org", name="Nul\x00Name")
    assert response.status_code == 400
    assert "Full name contains characters that cannot be stored" in response.get_data(as_text=True)
    assert count_rows(db_session, User) == 0


def test_a_name_is_stored_by_the_text_rule_of_profiles_and_imports(client, db_session):
    # Trimmed like a profile's name or an imported one, not refused for its tab.
    response = register(client, email="tab@example.org", name="\tAwa Ndiaye \r\n")
    assert response.status_code == 302
    with db_session(write=False) as session:
        assert session.scalar(select(User.display_name)) == "Awa Ndiaye"
    refused = register(client, email="esc@example.org", name="Awa\x1bNdiaye")
    assert "Full name contains characters that cannot be stored" in refused.get_data(as_text=True)


def test_an_address_with_a_slash_can_register_and_its_mail_is_kept(app, client):
    response = register(client, email="a/b@example.org")
    assert response.status_code == 302
    [mail] = outbox(app)
    assert mail["To"] == "a/b@example.org"


def test_a_failed_write_still_shows_the_readable_error_page_to_a_signed_in_user(
    app, client, make_user
):
    @app.get("/test-failure")
    @public
    def failure():
        session = get_session()
        session.execute(text("SELECT 1"))
        session.execute(text("INSERT INTO no_such_table VALUES (1)"))

    make_user("r@example.org", "recruiter")
    sign_in(client, "r@example.org")
    response = client.get("/test-failure", headers={"Accept": "text/html"})
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)


def test_a_client_that_accepts_anything_gets_the_page_not_json(client):
    response = client.get("/no/such/page", headers={"Accept": "*/*"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_too_many_reset_requests_get_a_sentence_not_a_formula(client):
    for _attempt in range(11):
        token = csrf_token(client, "/reset")
        response = client.post("/reset", data={"csrf_token": token, "email": "x@example.org"})
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many requests for reset links" in page
    assert "per 1 minute" not in page
