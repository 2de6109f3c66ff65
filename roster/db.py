"""Database engines and the one-session-per-request rule.

SQLite is the embedded default. Every connection turns on foreign keys, WAL and a
busy timeout. Requests that may write open their transaction with ``BEGIN
IMMEDIATE``: a deferred transaction that reads first and writes later can fail at
once with "database is locked" when another gunicorn worker wrote in between,
whereas an immediate one waits for the write lock (up to the busy timeout) and
then cannot be overtaken. Reads keep plain deferred transactions, so they never
wait behind a writer in WAL mode.

Commands wait up to ``BUSY_TIMEOUT_MS`` for the write lock; web requests only up to
``WEB_BUSY_TIMEOUT_MS``, well inside gunicorn's worker timeout, and then answer 503
(on PostgreSQL too, for a row or table another writer holds). Both share one pool:
each transaction sets its connection's wait as it begins.
"""

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app, g, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session

from roster.revisions import track

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# How long a command (an import, say) waits for another writer's lock on SQLite.
BUSY_TIMEOUT_MS = 15_000
# How long a web request waits: once, well inside gunicorn's 30-second worker timeout.
WEB_BUSY_TIMEOUT_MS = 5_000
# The execution option that carries a shorter wait to the transaction's start.
BUSY_OPTION = "roster_busy_timeout_ms"
# A PostgreSQL server that does not answer must not hold a request for minutes.
CONNECT_TIMEOUT_S = 5


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
        wait = connection.get_execution_options().get(BUSY_OPTION, BUSY_TIMEOUT_MS)
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait)}")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_engines(url: str, *, echo: bool = False) -> Engines:
    """Create the engines for a database URL; their writes bump the roster revision."""
    bound = _make_engines(url, echo=echo)
    for engine in {bound.read, bound.write}:
        track(engine)
    return bound


def _make_engines(url: str, *, echo: bool) -> Engines:
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
        connect_args={
            "options": "-c plan_cache_mode=force_custom_plan",
            "connect_timeout": CONNECT_TIMEOUT_S,
        },
    )

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A web request waits for a row another writer (an import) holds as long as it
        # would wait on SQLite; commands wait as long as it takes.
        wait = connection.get_execution_options().get(BUSY_OPTION)
        if wait is not None:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(wait)}")

    return Engines(read=engine, write=engine)


def busy_message(waited_ms: int) -> str:
    """Say in plain words that another writer held the database for ``waited_ms``."""
    seconds = max(1, round(waited_ms / 1000))
    return (
        "The database is busy with another write (an import, perhaps) and did not free up "
        f"within {seconds} seconds. Nothing was changed; please try again."
    )


NO_SCHEMA_MESSAGE = (
    "The database has no roster tables yet. Create them first with "
    "`flask --app wsgi roster init-db`."
)


# SQLite's result codes for a file that cannot be opened, read, written or trusted.
_SQLITE_UNAVAILABLE = (
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR",
    "SQLITE_NOTADB",
    "SQLITE_CORRUPT",
    "SQLITE_FULL",
    "SQLITE_READONLY",
    "SQLITE_PERM",
    "SQLITE_PROTOCOL",
    "SQLITE_NOLFS",
)
# PostgreSQL's SQLSTATE classes for a server that is gone, full, shutting down or failing:
# connection exception, insufficient resources, operator intervention, system error.
_POSTGRES_UNAVAILABLE = ("08", "53", "57", "58")


def is_busy(error: DBAPIError) -> bool:
    """Whether ``error`` is the database giving up on a lock held by another writer."""
    name = getattr(error.orig, "sqlite_errorname", None) or ""
    if name.startswith("SQLITE_BUSY") or "database is locked" in str(error.orig):
        return True
    return getattr(error.orig, "sqlstate", None) == "55P03"  # PostgreSQL's lock_not_available


def is_unavailable(error: DBAPIError) -> bool:
    """Whether ``error`` says the database cannot serve at all (down, unreachable, unreadable).

    Such failures pass when the database comes back; a failing statement (a missing
    table, say) is a fault of the code or of the schema instead.
    """
    if error.connection_invalidated:
        return True
    if isinstance(error.orig, sqlite3.Error):
        name = getattr(error.orig, "sqlite_errorname", None) or ""
        return name.startswith(_SQLITE_UNAVAILABLE)
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is None:
        # psycopg's failures to connect, and its closed connections, carry no SQLSTATE.
        return isinstance(error, OperationalError | InterfaceError)
    return sqlstate.startswith(_POSTGRES_UNAVAILABLE)


def describe_failure(error: DBAPIError) -> str:
    """Say in plain words why the database refused: busy, no schema, or its own message."""
    if is_busy(error):
        return busy_message(BUSY_TIMEOUT_MS)
    text = str(error.orig)
    # SQLite says "no such table"; PostgreSQL 'relation "expert" does not exist'.
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return NO_SCHEMA_MESSAGE
    return "the database refused the operation: " + text.strip().splitlines()[0]


def checkpoint(engine: Engine, *, wait: bool = True) -> bool:
    """Fold SQLite's write-ahead log into the database file and empty the log.

    Erased rows are overwritten in the database file (``secure_delete``), but their
    earlier versions stay in the ``-wal`` file until a checkpoint; this one truncates
    it. A reader still inside a transaction can hold part of the log back until the
    next checkpoint; ``wait=False`` does not wait for it (nor for a writer) at all.
    Returns whether the log was emptied (always true on other databases, where it
    does nothing); a log held back is logged as a warning, for the next run to finish.
    """
    if engine.dialect.name != "sqlite":
        return True
    wait_ms = engine.get_execution_options().get(BUSY_OPTION, BUSY_TIMEOUT_MS) if wait else 0
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        # Each transaction sets its own wait again as it begins (see _sqlite_engine).
        cursor.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        (busy, _, _) = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        connection.close()
    if busy:
        logging.getLogger(__name__).warning(
            "The write-ahead log of %s could not be emptied: another connection holds it. "
            "The next checkpoint (every start, import or erasure) empties it.",
            engine.url.database,
        )
    return not busy


def engines(app: Flask | None = None) -> Engines:
    """Return the engines bound to an app (the current one by default)."""
    return (app or current_app).extensions["roster_db"]


def writes(view: Callable) -> Callable:
    """Mark a view that writes although it answers GET (an emailed link, say).

    Its request's session takes the write engine: on SQLite a read transaction that
    then writes fails at once if another writer committed meanwhile, while a write
    transaction waits for its turn.
    """
    view.roster_writes = True  # type: ignore[attr-defined]
    return view


def _reads_only() -> bool:
    """Whether this request's session may use the read engine."""
    if not request or request.method not in SAFE_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "roster_writes", False)


def reads_only() -> bool:
    """Whether this request's session reads only (a GET, not marked ``writes``)."""
    return _reads_only()


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        bound = engines()
        engine = bound.read if _reads_only() else bound.write
        # Same pool, shorter wait: a request gives up on a busy SQLite in seconds.
        engine = engine.execution_options(**{BUSY_OPTION: WEB_BUSY_TIMEOUT_MS})
        g.db_session = Session(engine, expire_on_commit=False)
    return g.db_session


def commit_despite_error() -> None:
    """Keep this request's writes although it answers with an error status.

    Requests answered with 4xx roll back by default; a refused sign-in still has to
    count the failure.
    """
    g.commit_despite_error = True


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
