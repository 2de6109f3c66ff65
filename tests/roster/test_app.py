"""The app factory, configuration and error pages."""

from pathlib import Path

from roster import create_app


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ROSTER_INSTANCE_PATH", str(tmp_path))
    first = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    second = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    key_file = Path(tmp_path) / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text().strip()
    assert key_file.stat().st_mode & 0o077 == 0


def test_database_url_from_the_environment_names_the_psycopg_driver(tmp_path, monkeypatch):
    monkeypatch.setenv("ROSTER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgres://roster@127.0.0.1/roster")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://roster@127.0.0.1/roster"


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ROSTER_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'roster.db'}"


def test_unknown_page_is_a_readable_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"There is no page at this address." in response.data


def test_api_clients_get_problem_documents(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "There is nothing at this address.",
        "instance": "/api/nothing-here",
    }


def test_cookies_are_secure_outside_development(tmp_path, monkeypatch):
    monkeypatch.setenv("ROSTER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("ROSTER_ENV", raising=False)
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_security_headers_on_every_page(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_signed_in_pages_are_not_cached(client, make_user):
    from tests.conftest import sign_in

    make_user("a@example.org")
    sign_in(client, "a@example.org")
    assert client.get("/account/password").headers["Cache-Control"] == "no-store"


def test_hsts_outside_development(tmp_path, monkeypatch):
    monkeypatch.setenv("ROSTER_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    from roster.migrate import upgrade

    upgrade(app.config["DATABASE_URL"])
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
