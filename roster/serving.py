"""gunicorn's worker for the roster: the threads of ``gthread``, and the roster's own page
for a request line longer than gunicorn reads.

gunicorn reads request lines (method, address, protocol) of at most
``limit_request_line`` bytes, 8,190 at most however it is configured (gunicorn.conf.py).
A longer line never reaches the app: gunicorn answers it itself, with a bare "URI Too
Long" page. This worker answers it instead with the page the app would draw, in the
house layout and in plain words (``roster.errors.page_outside_a_request``), drawn once
per worker; every other error of a request gunicorn cannot read is answered as before.

Served with ``worker_class = "roster.serving.RosterWorker"`` (gunicorn.conf.py).
"""

from http import HTTPStatus

from flask import Flask
from gunicorn import util
from gunicorn.http.errors import LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker

from roster.errors import page_outside_a_request

URI_TOO_LONG = HTTPStatus.REQUEST_URI_TOO_LONG
# The name RFC 9110 gives 414, as gunicorn says it (Python's is RFC 2616's).
REASON = "URI Too Long"
# Headers of the app's page that a response written by the server does not repeat.
_NOT_REPEATED = {"content-length", "connection", "set-cookie"}


def http_response(app: Flask) -> bytes:
    """The whole HTTP/1.1 answer to a request line too long to read, as bytes to send."""
    page = page_outside_a_request(app, URI_TOO_LONG)
    body = page.get_data()
    head = [f"HTTP/1.1 {URI_TOO_LONG.value} {REASON}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in page.headers.items() if k.lower() not in _NOT_REPEATED]
    head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class RosterWorker(ThreadWorker):
    """gunicorn's gthread worker, answering an over-long request line with the roster's page."""

    _too_long: bytes | None = None

    def handle_error(self, req, client, addr, exc) -> None:
        """Answer a request gunicorn could not read: ours for too long a line, else gunicorn's."""
        if isinstance(exc, LimitRequestLine) and (answer := self._too_long_answer()):
            ip = addr[0] if addr else ""
            self.log.warning("Invalid request from ip=%s: %s", ip, exc)
            try:
                util.write_nonblock(client, answer)
            except OSError:
                self.log.debug("Failed to send error message.")
            return
        super().handle_error(req, client, addr, exc)

    def _too_long_answer(self) -> bytes:
        """The page, drawn at its first use; empty (gunicorn's own) if it cannot be drawn."""
        if self._too_long is None:
            try:
                self._too_long = http_response(self.wsgi)
            except Exception:  # A page that cannot be drawn must not cost the answer.
                self.log.exception("Could not draw the page for an over-long address")
                self._too_long = b""
        return self._too_long
