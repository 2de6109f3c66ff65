"""HTTP hygiene: headers that keep pages in their place (CSP, no framing, no sniffing,
HSTS), and a refusal of input that no database can store."""

from flask import Flask, Response, abort, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from roster import links

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ]
)


class NoSessionOnTheApi(SecureCookieSessionInterface):
    """The session cookie of the web pages, never read nor set on the API (``/api/...``).

    A script authenticates with its token alone; a browser's cookie sent along with an
    API call is ignored, and no answer of the API sets or refreshes one.
    """

    def open_session(self, app, request):  # noqa: D102
        if request.path == "/api" or request.path.startswith("/api/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    """Add security headers to every response; trust one proxy's headers when told to."""
    links.init_app(app)
    app.session_interface = NoSessionOnTheApi()
    if app.config.get("TRUSTED_PROXIES"):
        # Behind a TLS-terminating proxy: the client's address and scheme come from it. Its
        # X-Forwarded-Host is checked against the roster's hosts like a Host header (ProxyFix
        # runs first, then the guard inside it).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    @app.before_request
    def _refuse_nul():
        # PostgreSQL cannot compare or store NUL, and nobody types it: refuse it in the
        # address and the query string before any page looks it up. Forms say it per
        # field (roster.web.forms.Storable), keeping what else was typed.
        values = [*(request.view_args or {}).values(), *request.args.values()]
        if any("\x00" in value for value in values if isinstance(value, str)):
            abort(400, "The request contains a null character, which no field accepts.")

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static" and current_user.is_authenticated:
            # Pages with personal data are not kept by browsers or shared caches.
            headers["Cache-Control"] = "no-store"
        return response
