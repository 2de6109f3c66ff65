"""The Electoral Expert Roster web application."""

import os
import sqlite3
from pathlib import Path
from typing import Any

from apiflask import APIFlask
from flask import Flask
from sqlalchemy.exc import DBAPIError

from roster import db, jobs, security, status_mail
from roster.config import default_config
from roster.extensions import csrf, limiter, login_manager

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the app: config, extensions, database, blueprints, errors, CLI."""
    # APIFlask is Flask with an OpenAPI document made from the routes; the pages answer
    # errors as pages, and the API's document and reference are served at /api/v1.
    app = APIFlask(
        __name__,
        title="Electoral Expert Roster API",
        version="1",
        spec_path=None,
        docs_path=None,
        json_errors=False,
        instance_path=os.environ.get("ROSTER_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(default_config(Path(app.instance_path), overrides=test_config or {}))
    register_extensions(app)
    security.init_app(app)
    db.init_app(app)
    empty_write_ahead_log(app)
    jobs.init_app(app)
    status_mail.init_app(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extension instances to the app."""
    from roster import i18n
    from roster.auth import access, loader  # noqa: F401  (registers the user loader)

    # Access is checked first: a refused request never reaches CSRF checks or limits.
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    access.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)


def empty_write_ahead_log(app: Flask) -> None:
    """Empty the SQLite write-ahead log that a process killed mid-import left behind.

    The log still holds the rows of the import that never committed: personal data.
    Cheap: nothing is opened unless the log exists, and nothing waits for another
    process that is reading or writing (its log is emptied after its own import).
    """
    engine = db.engines(app).write
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or not Path(f"{database}-wal").is_file():
        return
    try:
        db.checkpoint(engine, wait=False)
    except (DBAPIError, sqlite3.Error):
        pass  # Unreadable or locked: its first real use says so, in plain words.


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per feature area."""
    from roster.admin.views import blueprint as admin
    from roster.api.views import blueprint as api
    from roster.api.views import pages as api_reference
    from roster.auth.views import blueprint as auth
    from roster.callouts.views import blueprint as callouts
    from roster.dashboard.views import blueprint as dashboard
    from roster.duplicates.views import blueprint as duplicates
    from roster.experts.views import blueprint as experts
    from roster.home.views import blueprint as home
    from roster.lists.views import blueprint as lists
    from roster.needs.views import blueprint as needs
    from roster.profile.views import blueprint as profile
    from roster.replies.views import blueprint as replies
    from roster.searches.views import blueprint as searches
    from roster.shortlists.views import blueprint as shortlists
    from roster.teams.views import blueprint as teams
    from roster.tokens.views import blueprint as tokens
    from roster.vetting.views import blueprint as vetting

    app.register_blueprint(home)
    app.register_blueprint(auth)
    app.register_blueprint(admin)
    app.register_blueprint(profile)
    app.register_blueprint(experts)
    app.register_blueprint(duplicates)
    app.register_blueprint(shortlists)
    app.register_blueprint(needs)
    app.register_blueprint(callouts)
    app.register_blueprint(replies)
    app.register_blueprint(teams)
    app.register_blueprint(vetting)
    app.register_blueprint(lists)
    app.register_blueprint(searches)
    app.register_blueprint(dashboard)
    app.register_blueprint(api)
    app.register_blueprint(api_reference)
    app.register_blueprint(tokens)


def register_error_handlers(app: Flask) -> None:
    """Answer errors with a readable page, or JSON for API clients; install template filters."""
    from roster import errors, templating

    errors.register(app)
    templating.register(app)


def register_commands(app: Flask) -> None:
    """Add the ``flask roster`` and ``flask match`` command groups."""
    from roster import learning_cli  # noqa: F401  (adds `flask match learn` and its kin)
    from roster.cli import duplicates_cli, match_cli, roster_cli
    from roster.missions_cli import decisions_cli, needs_cli

    roster_cli.add_command(needs_cli)
    roster_cli.add_command(decisions_cli)
    roster_cli.add_command(duplicates_cli)
    app.cli.add_command(roster_cli)
    app.cli.add_command(match_cli)
