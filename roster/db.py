"""Database engines and the one-session-per-request rule.

SQLite is the embedded default. Every connection turns on foreign keys, WAL and a
busy timeout. Requests that may write open their transaction with ``BEGIN
IMMEDIATE``: a deferred transaction that reads first and writes later can fail at
once with "database is locked" when another gunicorn worker wrote in between,
whereas an immediate one waits for the write lock (up to the busy timeout) and
then cannot be overtaken. Reads keep plain deferred transactions, so they never
wait behind a writer in WAL mode.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app, g, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Engines:
    """The engine for reading and the one for writing (the same outside SQLite)."""

    read: Engine
    write: Engine


def _sqlite_engine(url: str, *, immediate: bool, echo: bool) -> Engine:
    engine = create_engine(
        url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not url.endswith(":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # Erased experts must not linger in free pages of the file.
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_engines(url: str, *, echo: bool = False) -> Engines:
    """Create the engines for a database URL."""
    if url.startswith("sqlite"):
        return Engines(
            read=_sqlite_engine(url, immediate=False, echo=echo),
            write=_sqlite_engine(url, immediate=True, echo=echo),
        )
    # psycopg prepares a statement run five times, and PostgreSQL may then keep one
    # generic plan for it, made while a table was small: an import's lookup of existing
    # external ids went on scanning the whole table, 3 s a batch. Plan every execution.
    engine = create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        connect_args={"options": "-c plan_cache_mode=force_custom_plan"},
    )
    return Engines(read=engine, write=engine)


BUSY_MESSAGE = (
    "The database is busy with another write (an import, perhaps) and did not free up "
    f"within {BUSY_TIMEOUT_MS // 1000} seconds. Nothing was changed; please try again."
)
NO_SCHEMA_MESSAGE = (
    "The database has no roster tables yet. Create them first with "
    "`flask --app wsgi roster init-db`."
)


def is_busy(error: DBAPIError) -> bool:
    """Whether ``error`` is SQLite giving up on a lock held by another writer."""
    return "database is locked" in str(error.orig)


def describe_failure(error: DBAPIError) -> str:
    """Say in plain words why the database refused: busy, no schema, or its own message."""
    if is_busy(error):
        return BUSY_MESSAGE
    text = str(error.orig)
    # SQLite says "no such table"; PostgreSQL 'relation "expert" does not exist'.
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return NO_SCHEMA_MESSAGE
    return "the database refused the operation: " + text.strip().splitlines()[0]


def checkpoint(engine: Engine, *, wait: bool = True) -> None:
    """Fold SQLite's write-ahead log into the database file and empty the log.

    Erased rows are overwritten in the database file (``secure_delete``), but their
    earlier versions stay in the ``-wal`` file until a checkpoint; this one truncates
    it. A reader still inside a transaction can hold part of the log back until the
    next checkpoint; ``wait=False`` does not wait for it (nor for a writer) at all.
    Does nothing on other databases.
    """
    if engine.dialect.name != "sqlite":
        return
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        if not wait:
            cursor.execute("PRAGMA busy_timeout = 0")
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    finally:
        connection.close()


def engines(app: Flask | None = None) -> Engines:
    """Return the engines bound to an app (the current one by default)."""
    return (app or current_app).extensions["roster_db"]


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        bound = engines()
        engine = bound.read if request and request.method in SAFE_METHODS else bound.write
        g.db_session = Session(engine, expire_on_commit=False)
    return g.db_session


def commit_despite_error() -> None:
    """Keep this request's writes although it answers with an error status.

    Requests answered with 4xx roll back by default; a refused sign-in still has to
    count the failure.
    """
    g.commit_despite_error = True


def rollback_session() -> None:
    """Roll back this request's session, if any, so that it can be used again after a failure."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


@contextmanager
def session_scope(app: Flask | None = None, *, write: bool = True) -> Iterator[Session]:
    """Open a session outside a request (commands): commit once at the end or roll back."""
    bound = engines(app)
    with Session(bound.write if write else bound.read, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def init_app(app: Flask) -> None:
    """Bind engines to the app and register the request's single commit point."""
    app.extensions["roster_db"] = make_engines(
        app.config["DATABASE_URL"], echo=app.config.get("SQL_ECHO", False)
    )

    @app.after_request
    def _commit(response):
        session = g.pop("db_session", None)
        if session is not None:
            try:
                if response.status_code < 400 or g.pop("commit_despite_error", False):
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        return response

    @app.teardown_request
    def _rollback(_exc) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()
