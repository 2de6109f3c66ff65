"""The API's doors and manners: tokens, scopes, problem documents, no cookies, limits."""

import json
from datetime import timedelta

from sqlalchemy import select

from matching.vocabulary import DATA_DIR
from roster.db import session_scope
from roster.models import ApiToken, AuditEvent, utcnow
from tests.conftest import sign_in


def test_a_token_says_whom_it_acts_for(api_as):
    api = api_as("rita@example.org", "recruiter")

    answer = api.get("/token")

    assert answer.status_code == 200
    assert answer.get_json()["email"] == "rita@example.org"
    assert answer.get_json()["roles"] == ["recruiter"]
    assert answer.get_json()["scopes"] == ["roster:read", "roster:write"]
    assert answer.headers["Cache-Control"] == "no-store"


def test_without_a_token_the_api_answers_401_with_a_problem(anonymous_api):
    answer = anonymous_api.get("/token")

    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    problem = answer.get_json()
    assert problem["status"] == 401 and problem["type"] == "about:blank"
    assert problem["title"] == "Unauthorized"
    assert "Authorization: Bearer" in problem["detail"]
    assert problem["instance"] == "/api/v1/token"


def test_malformed_unknown_revoked_and_expired_tokens_are_refused(app, api_as):
    api = api_as("rita@example.org", "recruiter")
    for header, words in [
        ("Basic cml0YTpwYXNz", "must be: Bearer"),
        ("Bearer ", "must be: Bearer"),
        ("Bearer not-a-token", "not valid"),
        ("Bearer eer_" + "x" * 43, "not valid"),
    ]:
        answer = api.get("/token", headers={"Authorization": header})
        assert answer.status_code == 401, header
        assert words in answer.get_json()["detail"], header
    with session_scope(app) as session:
        token = session.scalar(select(ApiToken))
        token.expires_at = utcnow() - timedelta(seconds=1)
    assert "expired" in api.get("/token").get_json()["detail"]
    with session_scope(app) as session:
        token = session.scalar(select(ApiToken))
        token.expires_at, token.revoked_at = utcnow() + timedelta(days=1), utcnow()
    assert "revoked" in api.get("/token").get_json()["detail"]


def test_a_disabled_account_s_token_stops_working(app, api_as):
    api = api_as("rita@example.org", "recruiter")
    with session_scope(app) as session:
        session.scalar(select(ApiToken)).user.disabled = True

    answer = api.get("/token")

    assert answer.status_code == 401
    assert "disabled" in answer.get_json()["detail"]


def test_a_browser_session_cookie_is_not_accepted_nor_set_on_the_api(app, make_user):
    make_user("rita@example.org", "recruiter")
    browser = app.test_client()
    assert sign_in(browser, "rita@example.org").status_code == 302

    answer = browser.get("/api/v1/token")

    assert answer.status_code == 401
    assert "Set-Cookie" not in answer.headers


def test_the_api_answers_unknown_addresses_and_methods_with_problems(api_as):
    api = api_as("rita@example.org", "recruiter")

    missing = api.get("/no-such-thing")
    wrong_method = api.delete("/token")

    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert wrong_method.status_code == 405
    assert wrong_method.mimetype == "application/problem+json"
    assert "GET" in wrong_method.headers["Allow"]


def test_a_token_is_limited_per_minute_and_told_when_to_come_back(app, api_as):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    api = api_as("rita@example.org", "recruiter")
    other = api_as("pat@example.org", "planner")

    answers = [api.get("/token") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].mimetype == "application/problem+json"
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 61
    assert other.get("/token").status_code == 200  # Each token has its own count.


def test_the_openapi_document_carries_the_contract_s_schemas_as_they_are(anonymous_api):
    answer = anonymous_api.get("/openapi.json")

    document = answer.get_json()
    assert answer.status_code == 200 and document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    for name, title in [("expert", "Expert"), ("needs", "Needs"), ("decisions", "Decisions")]:
        with open(DATA_DIR / f"{name}.schema.json") as contract:
            expected = json.load(contract)
        expected.pop("$schema"), expected.pop("$id", None)
        text = json.dumps(expected).replace('"#/$defs/', f'"#/components/schemas/{title}/$defs/')
        assert schemas[title] == json.loads(text)
    token = document["paths"]["/api/v1/token"]["get"]
    assert token["security"] == [{"bearerToken": []}]
    assert "application/problem+json" in token["responses"]["401"]["content"]


def test_the_reference_page_explains_the_operations_and_problems(app):
    page = app.test_client().get("/api-reference")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<code class="path">/api/v1/token</code>' in text and 'id="op-get-api-v1-token"' in text
    assert 'id="problem-invalid"' in text


def test_a_token_s_use_is_remembered_and_its_making_audited(app, api_as):
    api = api_as("rita@example.org", "recruiter")
    api.get("/token")

    with session_scope(app) as session:
        token = session.scalar(select(ApiToken))
        assert token.last_used_at is not None
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "api.token_created"))
        assert event.detail["token"] == token.public_id


def test_numbers_and_cursors_the_roster_never_writes_are_refused_in_plain_words(api_as):
    api = api_as("rita@example.org", "recruiter")
    cursor = __import__("base64").urlsafe_b64encode
    for query in [
        "limit=%C2%B2",  # "²" counts as a digit to Python, not as a number
        "limit=9999999999999999999999",
        "cursor=" + cursor(b'{"sort": "years", "value": 1e400, "after": "x"}').decode(),
        "cursor="
        + cursor(b'{"sort": "years", "value": 10000000000000000000000, "after": "x"}').decode(),
        "sort=confirmed&cursor="
        + cursor(b'{"sort": "confirmed", "value": "2026-01-01T00:00:00", "after": "x"}').decode(),
        "cursor=" + cursor(b"[" * 50000).decode(),
        "cursor=" + cursor(b'{"after": "a\\u0000b"}').decode(),
    ]:
        answer = api.get(f"/experts?{query}")
        assert answer.status_code == 422, query
        assert answer.get_json()["problems"][0]["path"] in ("limit", "cursor"), query


def test_a_body_nested_too_deeply_is_a_bad_request(api_as):
    planner = api_as("pat@example.org", "planner")

    answer = planner.post(
        "/decisions", data="[" * 50000, headers={"Content-Type": "application/json"}
    )

    assert answer.status_code == 400
    assert "nested too deeply" in answer.get_json()["detail"]
