"""The house's walls: no feature imports another feature, and the kernel imports none.

A feature is a folder of ``roster/`` that serves pages (it has a ``views.py``). It may
import the web kernel (``roster.web``), the domain services (``accounts``, ``policy``,
``interchange``, ``validation``, ``refusal``, ``messages`` ...) and the models; of other
features only ``roster.auth.access``, the door every page declares.
"""

import ast
from pathlib import Path

ROSTER = Path(__file__).resolve().parents[2] / "roster"
FEATURES = sorted(path.parent.name for path in ROSTER.glob("*/views.py"))
THE_DOOR = "roster.auth.access"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _feature_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "roster" and parts[1] in FEATURES:
        return parts[1]
    return None


def _crossings(paths, own: str | None) -> list[str]:
    return [
        f"{path.name if own is None else path.relative_to(ROSTER.parent)} imports {module}"
        for path in paths
        for module in sorted(_imports(path))
        if _feature_of(module) not in (None, own) and not module.startswith(THE_DOOR)
    ]


def test_the_features_are_the_folders_that_serve_pages():
    assert FEATURES == [
        "admin",
        "api",
        "auth",
        "callouts",
        "dashboard",
        "duplicates",
        "experts",
        "home",
        "lists",
        "needs",
        "profile",
        "replies",
        "searches",
        "shortlists",
        "teams",
        "tokens",
        "vetting",
    ]


def test_no_feature_imports_another_feature():
    crossings = [
        line
        for feature in FEATURES
        for line in _crossings(sorted((ROSTER / feature).rglob("*.py")), feature)
    ]
    assert crossings == []


def test_the_kernel_and_the_services_import_no_feature():
    shared = [
        path
        for path in sorted(ROSTER.rglob("*.py"))
        if path.relative_to(ROSTER).parts[0] not in FEATURES
        # The app factory and the command line put the features together.
        and path.relative_to(ROSTER).parts[0] not in ("__init__.py", "cli.py")
    ]
    assert _crossings(shared, None) == []


def test_the_check_sees_a_crossing(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "from roster.profile.forms import IdentityForm\nfrom roster.auth.access import public\n"
    )
    assert _crossings([module], None) == [
        "views.py imports roster.profile.forms",
        "views.py imports roster.profile.forms.IdentityForm",
    ]
