"""README's "Using the API": its table of operations is current, and its curl session works.

The session is read from the README and run as written by bash, with curl, against
gunicorn serving a demonstration roster as ``make run`` does; only the address differs
(a free port rather than 8000).
"""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from roster.api.table import operations_markdown
from roster.db import session_scope
from roster.demo_accounts import ensure_demo_accounts
from roster.models import NeedsAssessment
from tests.serving.conftest import PROJECT_ROOT, serve  # noqa: F401  (the fixture)

README = PROJECT_ROOT / "README.md"
MADE_FOR = "http://127.0.0.1:8000"
# The statuses of the session's requests, in order: whom the token acts for, the needs
# assessment made, the shortlist issued, the shortlist read, the mistake refused.
STATUSES = [200, 201, 201, 200, 422]
# Each request's headers land in a file of their own, named in the order they were made.
RECORDING_CURL = 'set -eu\ncurl() { command curl -D "$ANSWERS/$(date +%s%N)" "$@"; }\n'


def api_section() -> str:
    """README's "Using the API" section."""
    text = README.read_text()
    start = text.index("## Using the API")
    return text[start : text.index("\n## ", start + 1)]


def test_the_readme_publishes_the_current_table_of_operations(app):
    assert operations_markdown(app) in README.read_text(), (
        "README.md's table of API operations is out of date: paste "
        "`ROSTER_BASE_URL=http://localhost flask --app wsgi roster api-routes` into it"
    )


@pytest.mark.slow
def test_the_readme_s_curl_session_works_as_written(
    app,
    runner,
    database_url,
    serve,  # noqa: F811  (the fixture imported above)
    unused_tcp_port,
    tmp_path,
):
    demo = runner.invoke(args=["roster", "demo", "--experts", "300", "--seed", "2024"])
    assert demo.exit_code == 0, demo.output
    with session_scope(app) as session:
        ensure_demo_accounts(session=session)
    session_text, shown_problem = _session_and_problem()
    # gunicorn as `make run` starts it; the session's shell is a second terminal's, whose
    # flask command finds the same database and instance folder (make run's instance/).
    served_at = f"http://127.0.0.1:{unused_tcp_port}"  # ``serve`` takes the same free port
    instance = {
        "DATABASE_URL": database_url,
        "ROSTER_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    server = serve(
        database_url,
        **instance,
        ROSTER_ENV="development",
        SECRET_KEY="test-secret-key-not-for-production",
        ROSTER_BASE_URL=served_at,
    )
    script = RECORDING_CURL + session_text.replace(MADE_FOR, served_at)
    terminal = {
        name: value
        for name, value in os.environ.items()
        if name not in ("ROSTER_BASE_URL", "ROSTER_ENV", "SECRET_KEY")
    }
    environment = {**terminal, **instance}

    ran, statuses = _run(script, environment, tmp_path / "first")
    again, statuses_again = _run(script, environment, tmp_path / "again")

    assert ran.returncode == 0, ran.stderr + server.log()
    assert statuses == STATUSES, ran.stdout + ran.stderr
    token, needs_path, shortlist, problem = ran.stdout.splitlines()
    assert json.loads(token)["email"] == "planner@demo.example.org"
    assert re.fullmatch(r"/api/v1/needs/[\w-]+", needs_path), needs_path
    assert json.loads(shortlist)["candidates"], "the shortlist found nobody"
    problem = json.loads(problem)
    assert problem["status"] == shown_problem["status"]
    assert [p["path"] for p in problem["problems"]] == [
        p["path"] for p in shown_problem["problems"]
    ]
    # Run again, the same keys replay the first answers: the same assessment, no other.
    assert again.returncode == 0 and statuses_again == STATUSES, again.stdout + again.stderr
    assert again.stdout.splitlines()[1] == needs_path
    with session_scope(app, write=False) as session:
        made = session.scalars(
            select(NeedsAssessment).where(NeedsAssessment.external_id.like("NA-2027-NG-%"))
        ).all()
        assert [(n.public_id, len(n.roles[0].shortlists)) for n in made] == [
            (needs_path.rsplit("/", 1)[1], 1)
        ]


def _run(script: str, environment: dict[str, str], answers: Path):
    """Run the session in bash; its output and each request's status, in order."""
    answers.mkdir()
    ran = subprocess.run(
        ["bash", "-c", script],
        cwd=PROJECT_ROOT,
        env={**environment, "ANSWERS": str(answers)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return ran, [_status(path) for path in sorted(answers.iterdir())]


def _session_and_problem() -> tuple[str, dict]:
    section = api_section()
    session = re.search(r"```sh\n(.*?)```", section, re.S)
    assert session, "README's Using the API has no ```sh block"
    problem = re.search(r"```json\n(.*?)```", section[session.end() :], re.S)
    assert problem, "README's Using the API shows no problem document after the session"
    return session.group(1), json.loads(problem.group(1))


def _status(headers: Path) -> int:
    return int(headers.read_text().split()[1])
