"""Deny by default: every route, for the anonymous visitor and each role, against the README."""

import re
from pathlib import Path

import pytest

from roster.auth.access import ROLE_COLUMNS, access_markdown, access_table
from tests.conftest import sign_in

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_publishes_the_current_route_table(app):
    assert access_markdown(app) in README.read_text(), (
        "README.md's route table is out of date: paste `flask --app wsgi roster routes` into it"
    )


def test_every_route_declares_who_may_use_it(app):
    from roster.auth.access import access_rule

    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and access_rule(app.view_functions[rule.endpoint]) is None
    ]
    assert undeclared == []


def _concrete(rule: str) -> str:
    # Unknown ids and tokens: an allowed user gets a 4xx about the id, never a refusal.
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: f"unknown-{m.group(1)}", rule)


@pytest.mark.parametrize("column", ROLE_COLUMNS)
def test_each_role_gets_exactly_the_routes_of_the_table(app, make_user, column):
    client = app.test_client()
    if column != "anonymous":
        make_user(f"{column}@example.org", column)
        assert sign_in(client, f"{column}@example.org").status_code == 302
    wrong = []
    for route, allowed in access_table(app):
        methods, path = route.rsplit(" ", 1)
        if path in ("/logout",):
            continue  # Signing out ends the session this walk needs; tested in test_auth.
        for method in methods.split():
            response = client.open(_concrete(path), method=method)
            refused = response.status_code in (401, 403) or (
                response.status_code == 302 and response.location.startswith("/login")
            )
            if refused == allowed[column]:
                wrong.append(f"{method} {path}: {response.status_code}")
    assert wrong == [], f"{column}: {wrong}"


def test_an_undecorated_view_is_refused_to_everyone(app, make_user):
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    make_user("admin@example.org", "admin")
    client = app.test_client()
    assert client.get("/forgotten").status_code == 403
    sign_in(client, "admin@example.org")
    assert client.get("/forgotten").status_code == 403
