"""Registering, confirming, signing in and out, and resetting a password."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from roster.accounts.passwords import HASHER, password_problem
from roster.models import AuditEvent, User
from tests.conftest import PASSWORD, csrf_token, link_in, outbox, register, sign_in, sign_out


def test_register_confirm_by_emailed_link_then_sign_in(app, client):
    response = register(client)
    assert response.status_code == 302
    [message] = outbox(app)
    assert message["To"] == "new.expert@example.org"
    refused = sign_in(client, "new.expert@example.org")
    assert "Please confirm your email address first" in refused.get_data(as_text=True)
    confirmed = client.get(link_in(message, "confirm"), follow_redirects=True)
    assert "your email address is confirmed" in confirmed.get_data(as_text=True)
    assert sign_in(client, "New.Expert@example.org").status_code == 302
    assert "new.expert@example.org" in client.get("/").get_data(as_text=True)


def test_password_is_hashed_with_argon2id(app, make_user, db_session):
    make_user("a@example.org")
    with db_session() as session:
        stored = session.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored


def test_older_hash_parameters_are_upgraded_at_sign_in(app, client, make_user, db_session):
    from argon2 import PasswordHasher

    make_user("a@example.org")
    with db_session() as session:
        user = session.scalar(select(User))
        user.password_hash = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(
            PASSWORD
        )
    assert sign_in(client, "a@example.org").status_code == 302
    with db_session() as session:
        assert not HASHER.check_needs_rehash(session.scalar(select(User.password_hash)))


@pytest.mark.parametrize(
    "password, problem",
    [
        ("short pass", "at least 12 characters"),
        ("passwordpassword", "too common"),
        ("password123456!", "too common"),
        ("aaaaaaaaaaaaaaaa", "too common"),
        ("abcabcabcabcabc", "too common"),
        ("nadia.rahman-secret-words", "must not contain your email"),
    ],
)
def test_weak_passwords_are_refused_in_plain_words(password, problem):
    assert problem in str(password_problem(password, email="nadia.rahman@example.org"))


def test_a_long_passphrase_without_symbols_is_fine():
    assert password_problem("the river runs past our village") is None


def test_register_with_a_weak_password_shows_the_reason(client):
    response = register(client, password="qwertyuiop12")
    assert response.status_code == 400
    assert "too common" in response.get_data(as_text=True)


def test_registering_a_taken_address_does_not_reveal_it(app, client, make_user):
    make_user("taken@example.org")
    pages = []
    for email in ("taken@example.org", "fresh@example.org"):
        response = register(client, email=email, password="another long passphrase 7")
        assert (response.status_code, response.location) == (302, "/login")
        pages.append(client.get(response.location).get_data(as_text=True))
    assert all("we sent a link to confirm your address" in page for page in pages)
    # The owner is told by mail, with a way in; nothing of the account changed.
    notice = next(m for m in outbox(app) if m["To"] == "taken@example.org")
    assert notice["Subject"] == "You already have an account on the Electoral Expert Roster"
    assert client.get(link_in(notice, "reset")).status_code == 200
    assert sign_in(client, "taken@example.org").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    make_user("a@example.org")
    wrong = sign_in(client, "a@example.org", "not the right password")
    unknown = sign_in(client, "nobody@example.org", "not the right password")
    assert wrong.status_code == unknown.status_code == 400
    message = "The email address or the password is not right."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_account_is_locked_after_five_failures_across_workers(client, make_user, db_session):
    make_user("a@example.org")
    for _ in range(5):
        sign_in(client, "a@example.org", "not the right password")
    locked = sign_in(client, "a@example.org")  # the right password, but too late
    unknown = sign_in(client, "nobody@example.org", "not the right password")
    assert locked.status_code == unknown.status_code == 400

    # A stranger cannot tell a locked account from no account, nor a right guess from a wrong one.
    def answer(response) -> str:  # the page, less its per-request form token
        return re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))

    assert answer(locked) == answer(unknown).replace("nobody@example.org", "a@example.org")
    assert "locked for 15 minutes" in locked.get_data(as_text=True)
    with db_session() as session:
        user = session.scalar(select(User))
        assert user.locked_until is not None  # Kept in the database, shared by all workers.
        user.locked_until -= timedelta(minutes=16)
    assert sign_in(client, "a@example.org").status_code == 302


def test_sign_in_attempts_are_limited_per_address(client, make_user):
    for attempt in range(10):
        assert (
            sign_in(client, f"someone{attempt}@example.org", "a wrong password").status_code == 400
        )
    limited = sign_in(client, "someone@example.org", "a wrong password")
    assert limited.status_code == 429
    assert "Too many sign-in attempts from your network" in limited.get_data(as_text=True)


def test_a_copied_cookie_replayed_after_sign_out_gets_no_access(app, client, make_user):
    make_user("r@example.org", "recruiter")
    sign_in(client, "r@example.org")
    stolen = client.get_cookie("session").value
    assert client.get("/account/password").status_code == 200
    sign_out(client)
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/account/password")
    assert response.status_code == 302 and "/login" in response.location


def test_changing_the_password_ends_other_sessions(app, client, make_user):
    make_user("a@example.org")
    other = app.test_client()
    sign_in(other, "a@example.org")
    sign_in(client, "a@example.org")
    token = csrf_token(client, "/account/password")
    response = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "a new and longer passphrase",
            "confirm": "a new and longer passphrase",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert client.get("/account/password").status_code == 200
    assert other.get("/account/password").status_code == 302


def test_password_reset_link_works_once(app, client, make_user):
    make_user("a@example.org")
    token = csrf_token(client, "/reset")
    client.post("/reset", data={"email": "a@example.org", "csrf_token": token})
    [message] = outbox(app)
    link = link_in(message, "reset")
    form_token = csrf_token(client, link)
    new = "a fresh passphrase for me"
    response = client.post(link, data={"password": new, "confirm": new, "csrf_token": form_token})
    assert response.status_code == 302
    assert sign_in(client, "a@example.org", new).status_code == 302
    reused = app.test_client().get(link)
    assert reused.status_code == 400
    assert "already been used" in reused.get_data(as_text=True)


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(app, client):
    token = csrf_token(client, "/reset")
    response = client.post(
        "/reset", data={"email": "nobody@example.org", "csrf_token": token}, follow_redirects=True
    )
    assert "If an account uses that address" in response.get_data(as_text=True)
    assert outbox(app) == []


@pytest.mark.parametrize("path", ["/confirm/not-a-token", "/reset/eyJ1c2VyIjoiYSJ9.tampered.sig"])
def test_tampered_links_get_a_clear_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(as_text=True)


def test_expired_confirmation_link(app, client, monkeypatch):
    register(client)
    [message] = outbox(app)
    link = link_in(message, "confirm")
    import roster.auth.services as services

    monkeypatch.setattr(services, "CONFIRM_MAX_AGE", -1)
    response = client.get(link)
    assert response.status_code == 400 and "This link has expired" in response.get_data(
        as_text=True
    )


def test_forms_refuse_a_post_without_csrf_token(client, make_user):
    make_user("a@example.org")
    response = client.post("/login", data={"email": "a@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "The form expired or was sent from elsewhere" in response.get_data(as_text=True)


def test_next_parameter_never_leaves_the_site(client, make_user):
    make_user("a@example.org")
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=//evil.example/steal",
        data={"email": "a@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.location == "/me"  # the expert's own page, not the other host


@pytest.mark.parametrize(
    ("roles", "landing"),
    [
        (("expert",), "/me"),
        (("recruiter",), "/experts"),
        (("admin",), "/experts"),
        (("planner",), "/needs"),
        (("admin", "recruiter"), "/experts"),
    ],
)
def test_each_role_lands_on_its_own_page_after_signing_in(client, make_user, roles, landing):
    make_user("a@example.org", *roles)
    assert sign_in(client, "a@example.org").location == landing


def test_sign_in_and_failures_are_audited(client, make_user, db_session):
    make_user("a@example.org")
    sign_in(client, "a@example.org", "not the right password")
    sign_in(client, "a@example.org")
    with db_session() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["auth.login_failed", "auth.login"]


def test_staff_are_signed_out_after_30_idle_minutes(client, make_user):
    make_user("p@example.org", "planner")
    sign_in(client, "p@example.org")
    assert client.get("/account/password").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] -= 31 * 60
    response = client.get("/account/password")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_signing_in_again_after_a_long_absence_starts_a_fresh_idle_clock(client, make_user):
    make_user("r@example.org", "recruiter")
    sign_in(client, "r@example.org")
    sign_out(client)
    with client.session_transaction() as session:
        session["last_seen"] = session.get("last_seen", 0) - 2 * 60 * 60  # Two hours away.
    sign_in(client, "r@example.org")
    response = client.get("/account/password")
    assert response.status_code == 200
    assert b"without activity" not in response.data
