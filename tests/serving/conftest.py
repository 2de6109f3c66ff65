"""The app as production serves it: gunicorn with the project's gunicorn.conf.py on 127.0.0.1.

``serve(database_url)`` starts gunicorn in its own process; ``Visitor`` is one browser
speaking HTTP to it (cookies kept, forms sent with their CSRF token, no redirect
followed), timing every answer.
"""

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.conftest import PASSWORD, form_token

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60


@dataclass
class Answer:
    """What a visitor got back: status, headers, text, and how long it took."""

    status: int
    headers: http.client.HTTPMessage
    text: str
    seconds: float


class Visitor:
    """One browser: keeps its cookies and sends forms with their CSRF token."""

    def __init__(self, port: int, *, timeout: float = 15) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, *, form: dict[str, str] | None = None, accept: str = ""
    ) -> Answer:
        """Send one request on a new connection and read the whole answer."""
        headers = {"Accept": accept or "text/html,application/xhtml+xml"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        self._keep_cookies(response.headers)
        return Answer(response.status, response.headers, text, time.monotonic() - started)

    def _keep_cookies(self, headers: http.client.HTTPMessage) -> None:
        for line in headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path: str, *, accept: str = "") -> Answer:
        """GET a page."""
        return self.request("GET", path, accept=accept)

    def post(self, path: str, form: dict[str, str], *, accept: str = "") -> Answer:
        """POST a form."""
        return self.request("POST", path, form=form, accept=accept)

    def token(self, path: str) -> str:
        """Open a page and read its form's CSRF token."""
        page = self.get(path)
        token = form_token(page.text)
        assert token, f"no CSRF token on {path} ({page.status})"
        return token

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        """Sign in through the login form."""
        token = self.token("/login")
        answer = self.post("/login", {"email": email, "password": password, "csrf_token": token})
        assert answer.status == 302, answer.text[:500]


@dataclass
class Server:
    """A running gunicorn: its port and its log."""

    port: int
    process: subprocess.Popen
    log_path: Path

    def visitor(self, *, timeout: float = 15) -> Visitor:
        """A new browser with no cookies."""
        return Visitor(self.port, timeout=timeout)

    def log(self) -> str:
        """Everything gunicorn and the app wrote so far."""
        return self.log_path.read_text(errors="replace")


def _wait_until_answering(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"gunicorn exited at start:\n{server.log()}")
        try:
            server.visitor(timeout=5).get("/login")  # Any answer at all: gunicorn is serving.
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within {STARTUP_SECONDS} s:\n{server.log()}")


def _stop(process: subprocess.Popen) -> None:
    # SIGQUIT: gunicorn's quick shutdown, not the graceful one that waits for requests.
    process.send_signal(signal.SIGQUIT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


@pytest.fixture
def serve(tmp_path: Path, unused_tcp_port: int) -> Iterator[Callable[..., Server]]:
    """Start gunicorn as ``make run`` does, on a free port, with the given database."""
    started: list[Server] = []

    def start(database_url: str, **environment: str) -> Server:
        log_path = tmp_path / f"gunicorn-{len(started)}.log"
        env = {
            **os.environ,
            "PORT": str(unused_tcp_port),
            "DATABASE_URL": database_url,
            "ROSTER_INSTANCE_PATH": str(tmp_path / "instance"),
            "ROSTER_ENV": "development",  # Cookies over plain HTTP, as with `make run`.
            "SECRET_KEY": "test-secret-key-not-for-production",
            "PYTHONPATH": str(PROJECT_ROOT),
            **environment,
        }
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        server = Server(unused_tcp_port, process, log_path)
        started.append(server)
        _wait_until_answering(server)
        return server

    yield start
    for server in started:
        _stop(server.process)
