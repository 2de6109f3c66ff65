"""The API access tokens pages and the API reference in the pseudo-locale: every word marked.

Data the test names: addresses, the token's name and secret, scope codes, times, the
shell example; on the reference page, the OpenAPI document's own English (summaries and
descriptions from the operations' docstrings, paths, schema and field names, type words),
except the words the roster marked in it, which must come back translated.
"""

import re
from datetime import timedelta

from sqlalchemy import select

from roster.accounts.tokens import SCOPES
from roster.api.kernel import PROBLEM_TYPES
from roster.api.spec import MARKED_WORDS
from roster.db import session_scope
from roster.models import ApiToken, utcnow
from tests.conftest import csrf_token
from tests.roster.test_pseudo_locale import assert_all_marked
from tests.roster.test_pseudo_locale_staff import choose

EMAIL = "rita@example.org"
SHELL = (
    "read -rs ROSTER_TOKEN",
    "export ROSTER_TOKEN",
    'curl -H "Authorization: Bearer $ROSTER_TOKEN" http://localhost/api/v1/token',
    "#",
)


def strings_of(value) -> set[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set(value) | {s for item in value.values() for s in strings_of(item)}
    if isinstance(value, list):
        return {s for item in value for s in strings_of(item)}
    return set()


def test_the_tokens_pages_are_all_marked(app, signed_in):
    client = choose(signed_in(EMAIL, "recruiter", "planner"), "en-XA")
    assert_all_marked(client.get("/account/tokens"), EMAIL, *SCOPES)

    token = csrf_token(client, "/account/tokens")
    made = client.post(
        "/account/tokens",
        data={"name": "nightly", "scopes": ["roster:read"], "days": "30", "csrf_token": token},
    )
    secret = re.search(r"readonly[^>]*>(eer_[^<]+)</textarea>", made.get_data(as_text=True)).group(
        1
    )
    assert_all_marked(made, EMAIL, "nightly", secret, *SCOPES, *SHELL)

    with session_scope(app) as session:
        session.scalar(select(ApiToken)).expires_at = utcnow() - timedelta(days=1)
    listed = client.get("/account/tokens")
    assert 'class="token expired"' in listed.get_data(as_text=True)
    assert_all_marked(listed, EMAIL, "nightly", secret[:12], *SCOPES)

    token = csrf_token(client, "/account/tokens")
    refused = client.post(
        "/account/tokens",
        data={"name": "", "scopes": ["admin"], "days": "0", "csrf_token": token},
    )
    assert refused.status_code == 400
    assert_all_marked(refused, EMAIL, "nightly", secret[:12], *SCOPES)

    action = re.search(r'action="([^"]+/revoke)"', listed.get_data(as_text=True)).group(1)
    revoked = client.post(
        action, data={"csrf_token": csrf_token(client, "/account/tokens")}, follow_redirects=True
    )
    assert 'class="flash flash-success"' in revoked.get_data(as_text=True)
    assert_all_marked(revoked, EMAIL, "nightly", *SCOPES)


def test_the_reference_page_is_all_marked(client, signed_in):
    document = client.get("/api/v1/openapi.json").get_json()
    data = {s for s in strings_of(document) if s not in MARKED_WORDS}
    # Docstrings are shown in English, a paragraph at a time, `code` spans apart.
    data |= {piece.strip() for s in data for piece in re.split(r"\n\s*\n|`", s)}
    data |= {"about:blank", "items", "next_cursor", "?cursor=", "-i"}
    data |= {
        "http://localhost",
        *SHELL,
        *SCOPES,
        *PROBLEM_TYPES,
        "GET",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
    }
    assert_all_marked(choose(client, "en-XA").get("/api-reference"), *data)
    staff = choose(signed_in(EMAIL, "admin"), "en-XA")
    assert_all_marked(staff.get("/api-reference"), EMAIL, *data)
