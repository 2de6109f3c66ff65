"""The job queue: its storage from JOBS_URL, and a real worker process sending queued mail."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from huey import PostgresHuey, SqliteHuey

from roster import create_app
from roster.config import ConfigurationError
from roster.db import engines
from roster.jobs import make_queue, prepare
from tests.conftest import POSTGRES_URL, outbox, register

PROJECT = Path(__file__).resolve().parents[2]


def test_the_queue_is_a_sqlite_file_in_the_instance_folder_by_default(
    database_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("ROSTER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k"})
    queue = app.extensions["roster_jobs"].queue
    assert isinstance(queue, SqliteHuey) and not queue.immediate
    assert queue.storage.filename == str(Path(app.instance_path) / "jobs.db")
    assert (Path(app.instance_path) / "jobs.db").is_file()
    for engine in {engines(app).read, engines(app).write}:
        engine.dispose()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://queue.example.org", "JOBS_URL must be sqlite:///path/to/jobs.db"),
        ("sqlite://", "JOBS_URL must be sqlite:///path/to/jobs.db"),
        ("redis://127.0.0.1:6379/0", "the redis package is not installed"),
    ],
)
def test_a_queue_that_cannot_be_had_is_refused_in_plain_words(url, words):
    with pytest.raises(ConfigurationError, match=words):
        make_queue({"JOBS_URL": url})


def test_the_worker_says_plainly_that_bad_jobs_url_is_bad(tmp_path):
    env = os.environ | {"ROSTER_INSTANCE_PATH": str(tmp_path), "JOBS_URL": "ftp://x"}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "roster", "worker"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Configuration error: JOBS_URL must be" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_worker_refuses_to_run_when_jobs_run_immediately(runner):
    result = runner.invoke(args=["roster", "worker"])
    assert result.exit_code == 1
    assert "JOBS_IMMEDIATE is set" in result.output


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL storage needs the PostgreSQL pass")
def test_a_postgresql_url_keeps_the_queue_in_postgresql():
    queue = make_queue({"JOBS_URL": POSTGRES_URL})
    assert isinstance(queue, PostgresHuey)
    prepare(queue)
    prepare(queue)  # Safe to run again.
    queue.flush()
    assert len(queue) == 0
    queue.storage.close()


def _start_worker(env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as handle:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "roster", "worker", "--workers", "1"],
            cwd=PROJECT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )


def _wait_for_mail(app, deadline: float) -> list:
    while time.monotonic() < deadline:
        if messages := outbox(app):
            return messages
        time.sleep(0.2)
    return []


STORAGES = [
    pytest.param(None, id="sqlite-file"),
    pytest.param(
        POSTGRES_URL,
        id="postgresql",
        marks=pytest.mark.skipif(not POSTGRES_URL, reason="needs the PostgreSQL pass"),
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("jobs_url", STORAGES)
def test_a_worker_process_sends_what_a_web_request_queued(jobs_url, app, database_url, tmp_path):
    config = {"JOBS_URL": jobs_url} if jobs_url else {}
    # The web side: the same database and instance folder as ``app``, with a real queue.
    web = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SESSION_COOKIE_SECURE": False,
            "JOBS_IMMEDIATE": False,
        }
        | config
    )
    env = (
        os.environ
        | {
            "DATABASE_URL": database_url,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "ROSTER_INSTANCE_PATH": app.instance_path,
        }
        | config
    )
    env.pop("JOBS_IMMEDIATE", None)
    prepare(web.extensions["roster_jobs"].queue)  # as `roster init-db` does on deployment
    log = tmp_path / "worker.log"
    worker = _start_worker(env, log)
    try:
        assert register(web.test_client(), email="queued@example.org").status_code == 302
        messages = _wait_for_mail(app, time.monotonic() + 20)
        assert [m["To"] for m in messages] == ["queued@example.org"], log.read_text()
        assert "/confirm/" in messages[0].get_payload(decode=True).decode()
    finally:
        worker.send_signal(signal.SIGINT)
        code = worker.wait(timeout=30)
        web.extensions["roster_jobs"].queue.storage.close()
        for engine in {engines(web).read, engines(web).write}:
            engine.dispose()
    assert code == 0, log.read_text()
    assert "Consumer exiting" in log.read_text()
