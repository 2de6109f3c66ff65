"""The load benchmark, run small: it sets everything up, loads the app, reports, cleans up."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = [
    *("--users", "4", "--recruiters", "2", "--roster", "60"),
    *("--ramp", "1", "--think", "0.1", "0.3", "--timeout", "20"),
]
pytestmark = pytest.mark.slow


def bench(*args: str) -> subprocess.Popen:
    """Start benchmarks/bench_load.py on SQLite; the PostgreSQL of the suite stays untouched."""
    env = {key: value for key, value in os.environ.items() if key != "TEST_DATABASE_URL"}
    return subprocess.Popen(
        [sys.executable, "benchmarks/bench_load.py", "--database", "sqlite", *SMALL, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def refused(url: str) -> bool:
    """Whether nothing listens any more at ``http://127.0.0.1:port``."""
    port = int(url.rsplit(":", 1)[1])
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_a_short_run_reports_every_request_type_without_errors(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    run = bench("--duration", "8", "--out", str(out))
    stdout, stderr = run.communicate(timeout=240)
    assert run.returncode == 0, stderr
    report = json.loads(out.read_text())["runs"]["sqlite"]
    assert report["errors"] == 0, report["error_examples"]
    kinds = set(report["by_request"])
    assert {"POST /login", "GET /me", "GET /experts?q=", "GET /experts/<id>"} <= kinds
    assert {"POST /experts/<id>", "all but sign-in"} <= kinds
    assert any(re.fullmatch(r"POST /me/\w+", kind) for kind in kinds), kinds
    overall = report["by_request"]["all but sign-in"]
    assert overall["count"] > 10 and 0 < overall["p50_ms"] <= overall["p95_ms"] <= overall["p99_ms"]
    assert "| `GET /me` |" in stdout
    assert refused(report["url"])


def test_ctrl_c_stops_the_server_too() -> None:
    run = bench("--duration", "120")
    deadline = time.monotonic() + 180
    url = None
    assert run.stderr is not None
    while url is None and time.monotonic() < deadline:
        line = run.stderr.readline()
        assert line, "the benchmark ended before serving"
        if found := re.search(r"(http://127\.0\.0\.1:\d+) serves", line):
            url = found.group(1)
    assert url is not None and not refused(url)
    time.sleep(2)  # users are signing in and loading pages
    run.send_signal(signal.SIGINT)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 1
    assert "Stopped; the server is stopped too." in stderr
    assert refused(url)
