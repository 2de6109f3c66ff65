"""What the API's tests share: tokens for new accounts, and a client that sends them."""

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from roster.accounts.tokens import create_token, scopes_for
from roster.db import session_scope
from roster.models import User


class ApiClient:
    """A test client that sends one token, JSON bodies, and nothing else (no cookie)."""

    def __init__(self, app: Flask, secret: str | None) -> None:
        self.client: FlaskClient = app.test_client(use_cookies=False)
        self.secret = secret

    def request(self, method: str, path: str, *, json: Any = None, headers=None, **kwargs):
        """Send ``method`` to ``/api/v1`` + ``path`` with the token."""
        sent = dict(headers or {})
        if self.secret is not None:
            sent.setdefault("Authorization", f"Bearer {self.secret}")
        url = path if path.startswith("/") and path.startswith("/api/") else f"/api/v1{path}"
        return self.client.open(url, method=method, json=json, headers=sent, **kwargs)

    def get(self, path: str, **kwargs):
        """GET ``path``."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        """POST ``path``."""
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs):
        """PUT ``path``."""
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs):
        """PATCH ``path``."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs):
        """DELETE ``path``."""
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def issue_token(app: Flask):
    """A token for an existing account: ``issue_token("a@example.org", scopes=[...])``."""

    def issue(email: str, *, scopes: list[str] | None = None, days: int = 30) -> str:
        with session_scope(app) as session:
            user = session.scalar(select(User).where(User.email == email))
            return create_token(
                session=session,
                user=user,
                name="test script",
                scopes=scopes if scopes is not None else scopes_for(user),
                days=days,
            ).secret

    return issue


@pytest.fixture
def api_as(app: Flask, make_user, issue_token):
    """An API client for a new account: ``api_as("rita@example.org", "recruiter")``.

    The token holds every scope the account's roles allow unless ``scopes`` says less.
    """

    def open_as(email: str, *roles: str, scopes: list[str] | None = None, **options) -> ApiClient:
        make_user(email, *roles, **options)
        return ApiClient(app, issue_token(email, scopes=scopes))

    return open_as


@pytest.fixture
def anonymous_api(app: Flask) -> ApiClient:
    """An API client without a token."""
    return ApiClient(app, None)
