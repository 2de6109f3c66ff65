"""The audit trail benchmark, run small: it fills, times and explains every kind of page."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_every_filtered_page_reads_the_newest_rows_in_order_from_an_index(tmp_path: Path):
    out = tmp_path / "audit.json"
    # SQLite: the PostgreSQL of the suite stays untouched.
    env = {key: value for key, value in os.environ.items() if key != "TEST_DATABASE_URL"}
    run = subprocess.run(
        [
            sys.executable,
            "benchmarks/bench_audit.py",
            "--events",
            "3000",
            "--repeats",
            "2",
            "--compare",
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
    pages = {r["page"]: r for r in report["results"]}
    assert pages["first page"]["rows"] == 50
    for name, page in pages.items():
        plan = " ".join(page["plan"])
        assert "TEMP B-TREE" not in plan, (name, plan)  # no sort: the index gives the order
    assert "ix_audit_event_actor_id_at" in " ".join(pages["busiest account, one week"]["plan"])
    before = {r["page"]: " ".join(r["plan"]) for r in report["single_column_indexes"]}
    assert "TEMP B-TREE" in before["action: sign-ins (half the trail)"]
