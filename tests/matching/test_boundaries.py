"""The matcher's boundaries: it loads no web or database module."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.spec import EXAMPLES

PROJECT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "roster", "sqlalchemy", "sqlmodel")
EVERY_MODULE = """
import importlib, pkgutil, matching
for found in pkgutil.walk_packages(matching.__path__, "matching."):
    importlib.import_module(found.name)
"""
FIT_SHORTLIST_TEAM = f"""
import json
from matching import Matcher
roster = [json.loads(line) for line in open({str(EXAMPLES / "roster.jsonl")!r}) if line.strip()]
needs = json.load(open({str(EXAMPLES / "needs.json")!r}))
matcher = Matcher().fit(roster)
matcher.shortlist(needs, role_id=needs["roles"][0]["id"])
matcher.team(needs)
"""


def loaded_after(statements: str) -> list[str]:
    """The modules a fresh interpreter holds in ``sys.modules`` after ``statements``."""
    program = f"{statements}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=PROJECT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "statements",
    ["import matching", EVERY_MODULE, FIT_SHORTLIST_TEAM],
    ids=["import matching", "every module", "fit, shortlist and team"],
)
def test_the_matcher_loads_no_web_or_database_module(statements):
    offending = [name for name in loaded_after(statements) if name.split(".")[0] in FORBIDDEN]
    packages = sorted({name.split(".")[0] for name in offending})
    assert not offending, (
        f"matching loaded {', '.join(packages)} ({len(offending)} modules: "
        f"{', '.join(offending[:8])}{' ...' if len(offending) > 8 else ''})"
    )
