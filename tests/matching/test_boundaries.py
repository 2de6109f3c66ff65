"""The matcher's boundaries: no web or database module, and the team on its public surface."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.spec import EXAMPLES

PROJECT = Path(__file__).resolve().parents[2]
TEAM = PROJECT / "matching" / "team.py"
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


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(source: str) -> list[str]:
    """Every private name of another module or object that ``source`` touches, with its line.

    An attribute ``obj._name`` (but ``self._name`` inside the module's own classes), an
    imported ``_name`` or ``module._private``, and ``getattr(obj, "_name")``.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            if not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                found.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".") + [alias.name for alias in node.names]
            found += [(node.lineno, f"import {part}") for part in parts if _private(part)]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                found += [(node.lineno, f"import {part}") for part in parts if _private(part)]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            found.append((node.lineno, f"{node.func.id} {node.args[1].value}"))
    return [f"line {line}: {what}" for line, what in sorted(found)]


def test_the_private_name_check_finds_what_it_looks_for():
    source = """
from matching.matcher import _merge_weights
import matching._hidden
def use(matcher):
    matcher._shortlist(getattr(matcher, "_scored"), matcher.index_.__class__)
class Own:
    def go(self):
        return self._mine
"""
    assert private_uses(source) == [
        "line 2: import _merge_weights",
        "line 3: import _hidden",
        "line 5: ._shortlist",
        "line 5: getattr _scored",
    ]


def test_the_team_uses_only_the_matchers_public_surface():
    assert private_uses(TEAM.read_text(encoding="utf-8")) == []
