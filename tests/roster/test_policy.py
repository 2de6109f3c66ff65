"""The rules' house: published as they are in the code, and free of Flask and of features."""

import ast
from pathlib import Path

from roster.policy.candidacy import outcome_markdown
from roster.policy.roster_status import status_markdown

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
# What the rules may build on: the models, each other, the text rule, the matcher's vocabulary,
# and the maths of the standard library and SciPy.
ALLOWED = (
    "roster.models",
    "roster.policy",
    "roster.validation",
    "roster.messages",
    "roster.refusal",
    "matching.vocabulary",
    "sqlalchemy",
    "sqlmodel",
    "collections",
    "dataclasses",
    "enum",
    "typing",
    "math",
    "scipy.optimize",  # the small-count rule bounds each withheld count (roster.policy.privacy)
)


def _between(start: str, end: str) -> str:
    return README.split(f"<!-- {start} -->\n")[1].split(f"\n<!-- {end} -->")[0]


def test_the_readme_publishes_the_current_transition_tables():
    hint = "README.md's tables are out of date: paste `flask --app wsgi roster transitions`"
    assert _between("statuses:start", "statuses:end") == status_markdown(), hint
    assert _between("outcomes:start", "outcomes:end") == outcome_markdown(), hint


def test_the_rules_import_no_web_framework_and_no_feature():
    for path in sorted((ROOT / "roster" / "policy").glob("*.py")) + [
        ROOT / "roster" / "models" / "states.py"
    ]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.startswith(ALLOWED), f"{path.name} imports {name}"
