"""Per-address limits shared by every worker of one machine, in a small SQLite file.

Flask-Limiter's ``memory://`` storage lives in one process: with two gunicorn
workers an address got twice the documented attempts. This storage keeps the
fixed-window counters in ``instance/ratelimits.db`` (apart from the roster's
database, so an import holding that one never delays a sign-in), counted under
SQLite's write lock, so the limit holds across workers and threads. Several
machines share Redis instead (``RATELIMIT_STORAGE_URI=redis://...``).
"""

import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage

BUSY_TIMEOUT_S = 5.0
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS hits "
    "(key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL NOT NULL)",
    # Ended windows are pruned on every hit: the file stays as small as the live counters.
    "CREATE INDEX IF NOT EXISTS hits_expires_at ON hits (expires_at)",
)


def _into_wal(connection: sqlite3.Connection) -> None:
    """Put the file in WAL mode, waiting for other connections doing the same.

    Switching a new file to WAL answers "database is locked" at once, without the busy
    wait, while another connection (a worker's other thread, or another worker) is
    opening it too: the first sign-ins on a fresh instance met that as a 503.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class SQLiteStorage(Storage):
    """A ``limits`` storage for fixed windows: ``sqlite:////absolute/path.db``."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: object) -> None:
        self.path = Path(uri.removeprefix("sqlite:///"))
        self._local = threading.local()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        """What a failing storage raises."""
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread: sqlite3 connections are not shared between threads.
        connection = getattr(self._local, "connection", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            _into_wal(connection)
            connection.execute("PRAGMA synchronous = NORMAL")
            for statement in _SCHEMA:
                connection.execute(statement)
            self._local.connection = connection
        return connection

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Count ``amount`` more hits of ``key``; a new window lasts ``expiry`` seconds."""
        now = time.time()
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute("DELETE FROM hits WHERE expires_at <= ?", (now,))
            (count,) = connection.execute(
                "INSERT INTO hits (key, count, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET count = count + excluded.count "
                "RETURNING count",
                (key, amount, now + expiry),
            ).fetchone()
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return count

    def get(self, key: str) -> int:
        """The hits of ``key`` in its current window."""
        row = (
            self._connection()
            .execute("SELECT count FROM hits WHERE key = ? AND expires_at > ?", (key, time.time()))
            .fetchone()
        )
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        """When the current window of ``key`` ends (a Unix time)."""
        now = time.time()
        row = (
            self._connection()
            .execute("SELECT expires_at FROM hits WHERE key = ? AND expires_at > ?", (key, now))
            .fetchone()
        )
        return row[0] if row else now

    def check(self) -> bool:
        """Whether the file can be used."""
        try:
            self._connection().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; return how many there were."""
        return self._connection().execute("DELETE FROM hits").rowcount

    def clear(self, key: str) -> None:
        """Forget the counter of ``key``."""
        self._connection().execute("DELETE FROM hits WHERE key = ?", (key,))
