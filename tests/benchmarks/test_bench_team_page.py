"""The team page benchmark, run small: it fills, signs in, and times each kind of page."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_the_team_page_is_timed_as_proposed_and_after_swaps(tmp_path: Path):
    out = tmp_path / "team.json"
    # SQLite: the PostgreSQL of the suite stays untouched.
    env = {key: value for key, value in os.environ.items() if key != "TEST_DATABASE_URL"}
    run = subprocess.run(
        [
            sys.executable,
            "benchmarks/bench_team_page.py",
            "--experts",
            "2000",
            "--roles",
            "4",
            "--repeats",
            "2",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text())
    assert report["members"] == 4
    assert [r["page"] for r in report["results"]] == [
        "team, solved anew",
        "team, solved before",
        "one swap, the team before it kept",
        "one swap, nothing kept (two solves)",
        "third swap, the two before kept",
        "the matcher's team alone",
    ]
    assert all(r["n"] == 2 for r in report["results"])
