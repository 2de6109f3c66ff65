"""Configuration: safe defaults for the embedded set-up, overridden by the environment."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

# Where `make run` serves, and so the public address of a development instance.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"


class ConfigurationError(ValueError):
    """A setting is missing or wrong; the message says which and what to set."""


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once into instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # Created with owner-only permissions before anything is written to it.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _sqlalchemy_url(url: str) -> str:
    """Name the psycopg driver explicitly, as SQLAlchemy wants it."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _base_url(value: str, *, development: bool) -> str:
    """Check the public address that links in mail are built from; return it without a slash."""
    if not value:
        if development:
            return DEVELOPMENT_BASE_URL
        raise ConfigurationError(
            "ROSTER_BASE_URL is not set. Set it to the address people use to reach the roster, "
            "for example ROSTER_BASE_URL=https://roster.example.org: links in emails are built "
            "from it, and requests for any other host are refused."
        )
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigurationError(
            f"ROSTER_BASE_URL must be an address such as https://roster.example.org, not {value!r}."
        )
    return value.rstrip("/")


def default_config(instance_path: Path, *, overrides: dict) -> dict:
    """Build the configuration from defaults, environment variables and ``overrides``."""
    development = os.environ.get("ROSTER_ENV", "production") == "development"
    config = {
        "DATABASE_URL": os.environ.get("DATABASE_URL")
        or f"sqlite:///{instance_path / 'roster.db'}",
        "ROSTER_ENV": "development" if development else "production",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not development,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": not development,
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        # The token lives as long as the session, which ends on sign-out, on a password
        # change and after staff's idle time: an expert writing a long summary loses nothing.
        "WTF_CSRF_TIME_LIMIT": None,
        "SQL_ECHO": os.environ.get("SQL_ECHO") == "1",
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS") == "1",
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Electoral Expert Roster <roster@localhost>"),
        # Shared by every worker on this machine; redis://host:6379 where several serve.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
        or f"sqlite:///{instance_path / 'ratelimits.db'}",
        # A storage that fails raises limits' StorageError, which answers 503 (errors.py).
        "RATELIMIT_STORAGE_OPTIONS": {"wrap_exceptions": True},
        "ROSTER_BASE_URL": os.environ.get("ROSTER_BASE_URL", ""),
        # Requests one API token may make (RATELIMIT_STORAGE_URI counts them).
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "600 per minute"),
        # The job queue: a SQLite file by default; redis://... or postgresql://... to share one.
        "JOBS_URL": os.environ.get("JOBS_URL") or f"sqlite:///{instance_path / 'jobs.db'}",
        # Run each job at once, in the caller (tests): no queue, no worker.
        "JOBS_IMMEDIATE": os.environ.get("JOBS_IMMEDIATE") == "1",
        "STAFF_IDLE_MINUTES": 30,
        # How many days a call-out (and the links mailed with it) stays open, at most:
        # it closes sooner when the role starts sooner.
        "CALL_OUT_DAYS": int(os.environ.get("CALL_OUT_DAYS", "14")),
        # An absolute limit for every session, idle or not (OWASP ASVS 3.3).
        "SESSION_LIFETIME_HOURS": 12,
        "TRUSTED_PROXIES": os.environ.get("TRUSTED_PROXIES") == "1",
        # The pseudo-locales that show unmarked text (roster/i18n.py): never in production.
        "PSEUDO_LOCALES": development,
    }
    config.update(overrides)
    config["DATABASE_URL"] = _sqlalchemy_url(config["DATABASE_URL"])
    config["ROSTER_BASE_URL"] = _base_url(
        config["ROSTER_BASE_URL"], development=config["ROSTER_ENV"] == "development"
    )
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _secret_key(instance_path)
    return config
