"""A database that is down or unreadable gets a plain 503 with Retry-After, never a 500,
and the app serves again by itself once the database is back."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from roster import create_app
from roster.db import engines
from roster.migrate import upgrade
from tests.conftest import PASSWORD, POSTGRES_URL, add_account
from tests.serving.conftest import Answer, Visitor

pytestmark = pytest.mark.slow

RECRUITER = "recruiter@example.org"
OUTAGE_WORDS = "cannot reach its database"
BOUND_S = 5
JSON = "application/json"


@dataclass
class Cluster:
    """A throw-away PostgreSQL server of this test's own, which it may stop and start."""

    bindir: Path
    folder: Path
    port: int
    run_as: list[str]

    @property
    def url(self) -> str:
        """The roster database on this server."""
        return f"postgresql+psycopg://roster@127.0.0.1:{self.port}/roster"

    def run(self, program: str, *args: str) -> None:
        """Run one of PostgreSQL's programs as the server's owner."""
        subprocess.run(
            [*self.run_as, str(self.bindir / program), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        log = str(self.folder / "server.log")
        self.run("pg_ctl", "-D", str(self.folder / "db"), "-l", log, "-w", "-o", options, "start")

    def stop(self) -> None:
        """Stop the server as an operator would, ending every connection."""
        self.run("pg_ctl", "-D", str(self.folder / "db"), "-m", "fast", "-w", "stop")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """Create, start and finally remove a PostgreSQL server on a free port."""
    bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not bindir:
        pytest.fail("PostgreSQL is not installed: run `make system` (Debian package postgresql)")
    # Not under tmp_path: when running as root the server runs as postgres, who must reach it.
    folder = Path(tempfile.mkdtemp(prefix="roster-outage-"))
    folder.chmod(0o755)
    run_as = []
    if os.geteuid() == 0:  # initdb refuses to run as root.
        shutil.chown(folder, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    server = Cluster(bindir[-1], folder, _free_port(), run_as)
    try:
        server.run("initdb", "-D", str(folder / "db"), "-U", "roster", "--auth=trust", "-E", "UTF8")
        server.start()
        server.run("createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", "roster", "roster")
        yield server
    finally:
        subprocess.run(
            [
                *run_as,
                str(server.bindir / "pg_ctl"),
                "-D",
                str(folder / "db"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)


def _add_recruiter(database_url: str, instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROSTER_INSTANCE_PATH", str(instance))
    upgrade(database_url)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k"})
    add_account(app, RECRUITER, "recruiter", name="")
    for engine in {engines(app).read, engines(app).write}:
        engine.dispose()


def _assert_unavailable(answer: Answer, where: str) -> None:
    assert answer.status == 503, (where, answer.status, answer.text[:300])
    assert int(answer.headers["Retry-After"]) > 0, where
    assert answer.seconds < BOUND_S, (where, answer.seconds)
    assert "Traceback" not in answer.text and "Internal Server Error" not in answer.text


def _registration(token: str) -> dict[str, str]:
    return {
        "full_name": "Nadia Rahman",
        "email": "nadia@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "csrf_token": token,
    }


def _check_every_kind_of_page(anonymous: Visitor, tokens: dict[str, str], staff=None) -> None:
    """GET and POST, as a visitor and (when given) signed in: all 503 in plain words."""
    pages = {
        "GET /": anonymous.get("/"),
        "POST /login": anonymous.post(
            "/login", {"email": RECRUITER, "password": PASSWORD, "csrf_token": tokens["login"]}
        ),
        "POST /register": anonymous.post("/register", _registration(tokens["register"])),
    }
    if staff is not None:
        pages["signed in GET /experts"] = staff.get("/experts")
        pages["signed in GET /"] = staff.get("/")
        pages["signed in POST /logout"] = staff.post("/logout", {"csrf_token": tokens["staff"]})
    for where, answer in pages.items():
        _assert_unavailable(answer, where)
        assert OUTAGE_WORDS in answer.text, where
    api_answers = {"GET / as JSON": anonymous.get("/", accept="application/json")}
    if staff is not None:
        api_answers["signed in GET /experts as JSON"] = staff.get("/experts", accept=JSON)
    for where, answer in api_answers.items():
        _assert_unavailable(answer, where)
        assert answer.headers["Content-Type"] == JSON, where
        body = json.loads(answer.text)
        assert body["status"] == 503 and OUTAGE_WORDS in body["error"], where


@pytest.mark.skipif(
    not POSTGRES_URL,
    reason="PostgreSQL pass only: the test stops and starts a PostgreSQL server of its own",
)
def test_a_stopped_postgresql_gets_503_and_the_app_recovers_when_it_returns(
    cluster, serve, tmp_path, monkeypatch
):
    _add_recruiter(cluster.url, tmp_path / "instance", monkeypatch)
    server = serve(cluster.url)
    staff, anonymous = server.visitor(), server.visitor()
    staff.sign_in(RECRUITER)
    assert staff.get("/experts").status == 200
    tokens = {
        "login": anonymous.token("/login"),
        "register": anonymous.token("/register"),
        "staff": staff.token("/account/password"),
    }

    cluster.stop()
    _check_every_kind_of_page(anonymous, tokens, staff)

    cluster.start()
    assert anonymous.get("/").status == 200
    search = staff.get("/experts")
    assert search.status == 200 and RECRUITER in search.text  # Still signed in.
    assert server.process.poll() is None  # Served by the same gunicorn, never restarted.


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite pass only: the database is a file")
def test_an_unreadable_sqlite_file_gets_503_and_the_app_recovers_when_it_returns(
    database_url, serve
):
    path = Path(database_url.removeprefix("sqlite:///"))
    saved = path.with_name("roster.db.saved")
    path.rename(saved)
    path.mkdir()  # A folder where the file should be: SQLite cannot open it.
    server = serve(database_url)
    anonymous = server.visitor()
    tokens = {"login": anonymous.token("/login"), "register": anonymous.token("/register")}

    _check_every_kind_of_page(anonymous, tokens)

    path.rmdir()
    saved.rename(path)
    assert anonymous.get("/").status == 200
    assert anonymous.post("/register", _registration(tokens["register"])).status == 302
