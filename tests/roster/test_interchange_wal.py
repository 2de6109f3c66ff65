"""An import that never committed leaves none of its people in SQLite's write-ahead log."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from roster import PROJECT_ROOT, create_app
from roster.db import engines
from tests.conftest import POSTGRES_URL
from tests.factories import expert_record

pytestmark = pytest.mark.skipif(
    bool(POSTGRES_URL), reason="the write-ahead log is SQLite's; PostgreSQL keeps no such file"
)
PROBE = b"walprobe"


def roster_file(path: Path, count: int, *, broken_last: bool = False) -> Path:
    """Experts as JSON Lines, with addresses that are easy to find in raw bytes."""
    records = [
        expert_record(number, email=f"{PROBE.decode()}{number}@example.org")
        for number in range(1, count + 1)
    ]
    if broken_last:
        records.append(expert_record(count + 1, roster_status="famous"))
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def log_of(database_url: str) -> Path:
    return Path(database_url.removeprefix("sqlite:///") + "-wal")


def log_bytes(database_url: str) -> bytes:
    log = log_of(database_url)
    return log.read_bytes() if log.exists() else b""


def start_app(database_url: str, instance: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ROSTER_INSTANCE_PATH", str(instance))
    return create_app(
        {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key"}
    )


def test_a_killed_import_leaves_no_addresses_in_the_log_once_the_app_starts(
    database_url, tmp_path, monkeypatch
):
    source = roster_file(tmp_path / "big.jsonl", 4000)
    instance = tmp_path / "instance"
    importing = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "roster", "import", str(source)],
        cwd=PROJECT_ROOT,
        env=os.environ | {"DATABASE_URL": database_url, "ROSTER_INSTANCE_PATH": str(instance)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    try:
        while PROBE not in log_bytes(database_url):
            assert importing.poll() is None, "the import ended before its rows reached the log"
            assert time.monotonic() < deadline, "the log never grew"
            time.sleep(0.02)
    finally:
        importing.send_signal(signal.SIGKILL)
        importing.wait()
    assert importing.returncode == -signal.SIGKILL

    app = start_app(database_url, instance, monkeypatch)
    try:
        assert PROBE not in log_bytes(database_url)
        log = log_of(database_url)
        assert not log.exists() or log.stat().st_size == 0
        database = Path(database_url.removeprefix("sqlite:///")).read_bytes()
        assert PROBE not in database, "uncommitted rows reached the database file"
    finally:
        for engine in {engines(app).read, engines(app).write}:
            engine.dispose()


@pytest.mark.parametrize("broken_last", [True, False], ids=["failed", "committed"])
def test_after_an_import_the_log_is_empty(runner, database_url, tmp_path, broken_last):
    # The app's pooled connection stays open, as a running web server's would, so the
    # log is not removed when the command ends.
    source = roster_file(tmp_path / "big.jsonl", 3000, broken_last=broken_last)
    result = runner.invoke(args=["roster", "import", str(source)])
    assert result.exit_code == (1 if broken_last else 0), result.output
    assert PROBE not in log_bytes(database_url)
    assert log_of(database_url).exists() and log_of(database_url).stat().st_size == 0


def test_the_app_starts_at_once_while_another_process_reads(database_url, tmp_path, monkeypatch):
    path = database_url.removeprefix("sqlite:///")
    writer = sqlite3.connect(path, isolation_level=None)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode = WAL")
        writer.execute(
            "INSERT INTO audit_event (action, reason, detail, at) VALUES ('x', '', '{}', 'now')"
        )
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM audit_event").fetchone()  # holds its snapshot
        writer.execute(
            "INSERT INTO audit_event (action, reason, detail, at) VALUES ('y', '', '{}', 'now')"
        )
        started = time.monotonic()
        app = start_app(database_url, tmp_path / "instance", monkeypatch)
        assert time.monotonic() - started < 3, "the start-up waited for the reader"
        for engine in {engines(app).read, engines(app).write}:
            engine.dispose()
    finally:
        reader.close()
        writer.close()


def test_a_checkpoint_held_back_by_a_reader_says_so(app, database_url, caplog):
    from sqlalchemy import text

    from roster.db import checkpoint

    engine = engines(app).write
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE walnote (n INTEGER)"))
    reader = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # holds a snapshot
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO walnote VALUES (1)"))
    assert checkpoint(engine, wait=False) is False
    assert "could not be emptied" in caplog.text
    reader.close()
    assert checkpoint(engine, wait=False) is True
    assert log_of(database_url).stat().st_size == 0
