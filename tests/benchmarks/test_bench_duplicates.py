"""The duplicates benchmark, run small: it plants, sweeps and reports recall and precision."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_planted_duplicates_are_found_and_look_alikes_are_not(tmp_path: Path):
    out = tmp_path / "duplicates.json"
    run = subprocess.run(
        [
            sys.executable,
            "benchmarks/bench_duplicates.py",
            "--experts",
            "3000",
            "--per-kind",
            "20",
            "--no-database",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text())
    assert report["recall_planted"] >= 0.9
    assert report["look_alikes_flagged"] <= 0.05
    assert report["comparisons"] < report["all_pairs"] / 100
