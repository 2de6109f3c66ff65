"""The roster's public address: links given out in mail, and the hosts it answers to.

Links are never built from the request's ``Host`` header (or ``X-Forwarded-Host``):
a stranger who asked for a reset link with ``Host: attacker.example`` would otherwise
be mailed the victim's token on their own host. They come from ``ROSTER_BASE_URL``,
and a request naming any other host is refused before the app sees it.
"""

from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from flask import Flask, current_app
from werkzeug.sansio.utils import host_is_trusted
from werkzeug.wrappers import Response
from werkzeug.wsgi import get_host

# A development instance is reached as 127.0.0.1 or as localhost, whichever is typed.
DEVELOPMENT_HOSTS = ("127.0.0.1", "localhost")


def public_url(endpoint: str, **values: object) -> str:
    """The full address of a page, on the configured public address (for mail)."""
    base = urlsplit(current_app.config["ROSTER_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def trusted_hosts(config: dict) -> list[str]:
    """The host names this instance answers to: the public address's, and locally typed ones."""
    hosts = [urlsplit(config["ROSTER_BASE_URL"]).hostname or ""]
    if config.get("ROSTER_ENV") == "development":
        hosts.extend(DEVELOPMENT_HOSTS)
    return hosts


class HostGuard:
    """WSGI middleware: answer 400 to a request for a host that is not the roster's."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        # Read at each request: tests and a live reconfiguration change the address.
        hosts = trusted_hosts(self.app.config)
        if not host_is_trusted(get_host(environ), hosts):
            response = Response(
                "This server does not answer for the host named in the request. "
                f"The roster is at {self.app.config['ROSTER_BASE_URL']}\n",
                status=400,
                mimetype="text/plain",
            )
            return response(environ, start_response)
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    """Refuse requests for other hosts (after a trusted proxy's headers are applied)."""
    app.wsgi_app = HostGuard(app, app.wsgi_app)
