"""A person's API access tokens: made on the account page, shown once, used, revoked.

And the same made by ``flask roster create-token`` for set-up scripts.
"""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from roster.accounts.tokens import create_token, hash_secret
from roster.db import session_scope
from roster.models import ApiToken, AuditEvent, User, utcnow
from tests.api.conftest import ApiClient
from tests.conftest import csrf_token, form_token

PAGE = "/account/tokens"
SECRET = re.compile(r'<textarea id="secret"[^>]*>(eer_[^<]+)</textarea>')


def make_token(client, name="nightly export", scopes=("roster:read",), days="30"):
    """Fill in and send the new-token form as a browser would."""
    token = csrf_token(client, PAGE)
    return client.post(
        PAGE, data={"name": name, "scopes": list(scopes), "days": days, "csrf_token": token}
    )


def secret_on(page) -> str:
    found = SECRET.search(page.get_data(as_text=True))
    assert found, "no secret on the page"
    return html.unescape(found.group(1))


def token_count(app) -> int:
    with session_scope(app, write=False) as session:
        return session.scalar(select(func.count()).select_from(ApiToken))


def revoke_button(page: str, name: str) -> str:
    """The action of the revoke button on the card of the token ``name``."""
    card = re.search(
        rf'<li class="token[^"]*"[^>]*>\s*<h3><bdi>{re.escape(name)}</bdi>.*?</form>', page, re.S
    )
    assert card, f"no card for {name}"
    return re.search(r'action="([^"]+/revoke)"', card.group(0)).group(1)


def cards(page: str) -> dict[str, str]:
    """Each token's name on the list, and its card's classes."""
    found = re.findall(r'<li class="(token[^"]*)"[^>]*>\s*<h3><bdi>(.*?)</bdi>', page)
    return {name: classes for classes, name in found}


def test_a_recruiter_is_offered_only_the_scopes_of_their_roles(signed_in):
    client = signed_in("rita@example.org", "recruiter")

    page = client.get(PAGE).get_data(as_text=True)

    offered = re.findall(r'name="scopes"[^>]*value="([^"]+)"', page)
    assert offered == ["roster:read", "roster:write"]
    assert "Search the roster and read experts&#39; profiles, each view audited." in page
    assert "You have no tokens yet." in page
    assert 'href="/api-reference"' in page


def test_a_token_made_on_the_page_is_shown_once_and_works(app, signed_in):
    client = signed_in("rita@example.org", "recruiter")

    made = make_token(client)

    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    secret = secret_on(made)
    page = made.get_data(as_text=True)
    assert 'curl -H "Authorization: Bearer $ROSTER_TOKEN" http://localhost/api/v1/token' in page
    assert "This is the only time it is shown." in page
    answer = ApiClient(app, secret).get("/token")
    assert answer.status_code == 200
    assert answer.get_json()["scopes"] == ["roster:read"]
    assert answer.get_json()["name"] == "nightly export"
    # The list names it by its first characters; the secret itself is nowhere again.
    listed = client.get(PAGE).get_data(as_text=True)
    assert "nightly export" in listed and secret[:12] in listed
    assert secret not in listed
    with session_scope(app, write=False) as session:
        stored = session.scalar(select(ApiToken))
        assert stored.secret_hash == hash_secret(secret)
        assert secret not in repr(stored.model_dump())
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "api.token_created"))
        assert event.detail["via"] == "web" and event.detail["days"] == 30
        assert secret not in repr(event.detail)
        assert event.actor_id == stored.user_id


def test_the_list_says_when_a_token_was_last_used(app, signed_in):
    client = signed_in("rita@example.org", "recruiter")
    secret = secret_on(make_token(client))

    def last_used() -> str:
        page = client.get(PAGE).get_data(as_text=True)
        return re.search(r'<dd class="last-used">(.*?)</dd>', page, re.S).group(1).strip()

    assert last_used() == "never"

    ApiClient(app, secret).get("/token")

    assert re.fullmatch(r'<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d</time>', last_used())


def test_a_token_revoked_on_the_page_is_refused_by_the_api(app, signed_in):
    client = signed_in("rita@example.org", "recruiter")
    secret = secret_on(make_token(client, name="old script"))
    api = ApiClient(app, secret)
    assert api.get("/token").status_code == 200
    page = client.get(PAGE).get_data(as_text=True)

    revoked = client.post(
        revoke_button(page, "old script"),
        data={"csrf_token": form_token(page)},
        follow_redirects=True,
    )

    assert revoked.status_code == 200
    assert "The token “old script” is revoked" in revoked.get_data(as_text=True)
    assert "You have no tokens yet." in revoked.get_data(as_text=True)
    refused = api.get("/token")
    assert refused.status_code == 401
    assert "revoked" in refused.get_json()["detail"]
    with session_scope(app, write=False) as session:
        assert (
            session.scalar(select(func.count()).where(AuditEvent.action == "api.token_revoked"))
            == 1
        )


def test_revoking_without_the_form_s_token_changes_nothing(app, signed_in):
    client = signed_in("rita@example.org", "recruiter")
    secret = secret_on(make_token(client, name="old script"))
    action = revoke_button(client.get(PAGE).get_data(as_text=True), "old script")

    assert client.post(action).status_code == 400

    assert ApiClient(app, secret).get("/token").status_code == 200


def test_another_account_s_token_cannot_be_revoked(app, signed_in, issue_token):
    owner = signed_in("rita@example.org", "recruiter")
    secret = secret_on(make_token(owner, name="rita's"))
    action = revoke_button(owner.get(PAGE).get_data(as_text=True), "rita&#39;s")
    other = signed_in("remy@example.org", "recruiter")
    issue_token("remy@example.org")

    guessed = other.post(action, data={"csrf_token": csrf_token(other, PAGE)})
    unknown = other.post(f"{PAGE}/not-a-token/revoke", data={"csrf_token": csrf_token(other, PAGE)})

    assert guessed.status_code == 404 and unknown.status_code == 404
    assert ApiClient(app, secret).get("/token").status_code == 200
    assert "rita&#39;s" not in other.get(PAGE).get_data(as_text=True)


def test_scopes_beyond_the_account_s_roles_are_refused_on_the_field(app, signed_in):
    client = signed_in("awa@example.org", "expert")

    refused = make_token(client, scopes=("profile:read", "admin", "no:such"))

    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    error = re.search(r'<p class="error" id="scopes-error">(.*?)</p>', page, re.S).group(1)
    assert "Your account&#39;s roles do not allow the scope &#39;admin&#39;." in error
    assert "There is no scope &#39;no:such&#39;." in error
    assert 'href="#scopes"' in page  # the error summary leads to the checkboxes
    assert SECRET.search(page) is None
    assert token_count(app) == 0


@pytest.mark.parametrize(
    "data, field, words",
    [
        ({"name": ""}, "name", "Give the token a name"),
        ({"name": "x" * 101}, "name", "longer than 100 characters"),
        ({"name": "evil\u202ename"}, "name", "right-to-left override"),
        ({"scopes": []}, "scopes", "Choose at least one scope."),
        ({"days": "400"}, "days", "A token lasts between 1 and 366 days."),
        ({"days": "soon"}, "days", "A token lasts between 1 and 366 days."),
    ],
)
def test_what_the_form_cannot_take_is_said_on_its_field(app, signed_in, data, field, words):
    client = signed_in("rita@example.org", "recruiter")
    token = csrf_token(client, PAGE)
    sent = {"name": "a script", "scopes": ["roster:read"], "days": "90", "csrf_token": token}

    refused = client.post(PAGE, data=sent | data)

    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert error and words in error.group(1), page
    assert token_count(app) == 0


def test_a_form_sent_without_its_token_makes_nothing(app, signed_in):
    client = signed_in("rita@example.org", "recruiter")

    refused = client.post(PAGE, data={"name": "a", "scopes": ["roster:read"], "days": "90"})

    assert refused.status_code == 400
    assert token_count(app) == 0


def test_expired_tokens_are_listed_as_expired(app, signed_in):
    client = signed_in("rita@example.org", "recruiter")
    make_token(client, name="fresh")
    make_token(client, name="stale")
    with session_scope(app) as session:
        stale = session.scalar(select(ApiToken).where(ApiToken.name == "stale"))
        stale.expires_at = utcnow() - timedelta(days=1)

    page = client.get(PAGE).get_data(as_text=True)

    assert cards(page) == {"stale": "token expired", "fresh": "token"}
    assert page.count('class="tag tag-expired">expired</strong>') == 1


@pytest.mark.parametrize("role", ["expert", "recruiter", "planner", "admin"])
def test_every_role_reaches_the_tokens_page_from_the_menu(signed_in, role):
    client = signed_in(f"{role}@example.org", role)

    home = client.get("/").get_data(as_text=True)

    assert f'<a href="{PAGE}">API tokens</a>' in home
    assert client.get(PAGE).status_code == 200


def test_the_tokens_page_asks_a_visitor_to_sign_in(client):
    assert client.get(PAGE).status_code == 302
    assert client.post(f"{PAGE}/x/revoke").status_code == 302


# The command line


def create_token_command(runner, *args: str):
    return runner.invoke(args=["roster", "create-token", *args])


def test_the_command_prints_only_a_working_secret(app, runner, make_user):
    make_user("rita@example.org", "recruiter")

    result = create_token_command(
        runner, "--email", "Rita@Example.org", "--scope", "roster:read", "--days", "7"
    )

    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert result.stdout == secret + "\n" and secret.startswith("eer_")
    answer = ApiClient(app, secret).get("/token")
    assert answer.status_code == 200 and answer.get_json()["scopes"] == ["roster:read"]
    with session_scope(app, write=False) as session:
        token = session.scalar(select(ApiToken))
        assert token.name == "command line"
        assert timedelta(days=6, hours=23) < token.expires_at - utcnow() <= timedelta(days=7)
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "api.token_created"))
        assert event.detail["via"] == "cli" and event.actor_id is None


@pytest.mark.parametrize(
    "args, words",
    [
        (["--email", "nobody@example.org", "--scope", "roster:read"], "no account uses"),
        (["--email", "rita@example.org", "--scope", "nope"], "There is no scope 'nope'."),
        (
            ["--email", "rita@example.org", "--scope", "admin"],
            "Your account's roles do not allow the scope 'admin'.",
        ),
        (
            ["--email", "rita@example.org", "--scope", "roster:read", "--days", "0"],
            "days: A token lasts between 1 and 366 days.",
        ),
        (
            ["--email", "rita@example.org", "--scope", "roster:read", "--days", "367"],
            "days: A token lasts between 1 and 366 days.",
        ),
        (
            ["--email", "rita@example.org", "--scope", "roster:read", "--name", " "],
            "name: Give the token a name",
        ),
        (["--email", "rita@example.org"], "Missing option '--scope'"),
        (["--email", "rita@example.org", "--scope", "roster:read", "--days", "x"], "--days"),
    ],
)
def test_the_command_refuses_in_plain_words_and_makes_nothing(app, runner, make_user, args, words):
    make_user("rita@example.org", "recruiter")

    result = create_token_command(runner, *args)

    assert result.exit_code != 0
    assert result.stdout == ""
    assert words in result.stderr
    assert "Traceback" not in result.output
    assert token_count(app) == 0


def test_the_command_refuses_a_disabled_account(app, runner, make_user):
    make_user("rita@example.org", "recruiter")
    with session_scope(app) as session:
        session.scalar(select(User).where(User.email == "rita@example.org")).disabled = True

    result = create_token_command(runner, "--email", "rita@example.org", "--scope", "roster:read")

    assert result.exit_code == 1
    assert "This account is disabled" in result.stderr
    assert "the token was not made" in result.stderr
    assert token_count(app) == 0


def test_the_service_refuses_a_token_to_a_disabled_account(app, make_user):
    from roster.accounts.tokens import TokenRefused

    make_user("rita@example.org", "recruiter")
    with session_scope(app) as session:
        user = session.scalar(select(User).where(User.email == "rita@example.org"))
        user.disabled = True
        with pytest.raises(TokenRefused) as refused:
            create_token(session=session, user=user, name="x", scopes=["roster:read"])
    assert refused.value.problems[0].path == ""
