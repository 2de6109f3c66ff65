"""What the benchmarks share: an empty, migrated database, and the app as served on it.

Imported by the scripts beside it (``from benchdb import ...``), which run with this
folder first on their path and the project's root added.
"""

import os
from pathlib import Path

from sqlalchemy import text

from roster.config import _sqlalchemy_url
from roster.db import make_engines
from roster.migrate import upgrade


def fresh_database(kind: str, sqlite_file: Path) -> str:
    """An empty, migrated database: ``sqlite_file`` (made anew unless it is there), or
    PostgreSQL's schema at ``TEST_DATABASE_URL``, emptied. Returns its URL."""
    if kind == "sqlite":
        url = f"sqlite:///{sqlite_file}"
    else:
        url = _sqlalchemy_url(os.environ["TEST_DATABASE_URL"])
        engine = make_engines(url).write
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    return url


def served_app(url: str, folder: Path):
    """The app as served, on ``url``, with its instance folder in ``folder``."""
    os.environ.setdefault("ROSTER_BASE_URL", "http://localhost")
    os.environ["ROSTER_INSTANCE_PATH"] = str(folder / "instance")
    from roster import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "benchmark-secret-key",
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "RATELIMIT_ENABLED": False,
        }
    )
