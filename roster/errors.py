"""Readable error pages for people, JSON errors for API clients; never a traceback.

An error page never touches the database: it may be answering because the database
is down or busy, and a second wait or failure there would outlast the request.
"""

import math
import time

from flask import Flask, Response, current_app, g, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from limits.errors import StorageError
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.http import HTTP_STATUS_CODES

from roster import db
from roster.extensions import limiter
from roster.search import MAX_SEARCH

PLAIN_WORDS = {
    400: _l("The request could not be understood. Please check what you sent and try again."),
    403: _l("You do not have permission to see this page."),
    404: _l("There is no page at this address."),
    405: _l("This page cannot be used that way."),
    413: _l("The file is too large. The largest file accepted is 5 MB."),
    414: _l(
        "This address is too long for the roster to read. If you were searching, a search "
        "can be at most %(limit)d characters: go back, shorten it and search again.",
        limit=MAX_SEARCH,
    ),
    429: _l("Too many attempts. Please wait a few minutes and try again."),
    500: _l("Something went wrong on our side. Nothing was saved. Please try again later."),
}
# Where a page's words speak of pages, the API's speak of what it serves.
API_WORDS = {
    403: _l("You do not have permission to do this."),
    404: _l("There is nothing at this address."),
    405: _l("This address does not take this method."),
}
UNAVAILABLE_MESSAGE = _l(
    "The roster cannot reach its database just now. Nothing was changed. "
    "Please try again in a few minutes."
)
# Seconds a client is asked to wait before trying again (the Retry-After header).
RETRY_AFTER_BUSY = 10
RETRY_AFTER_UNAVAILABLE = 30
LIMITS_UNAVAILABLE_MESSAGE = _l(
    "The roster cannot count attempts on this page just now, so it does not accept them. "
    "Nothing was changed. Please try again in a few minutes."
)


PROBLEM_JSON = "application/problem+json"
# Headers an HTTP error carries that its answer keeps: how to authenticate, what is allowed.
KEPT_HEADERS = ("WWW-Authenticate", "Allow")


def api_request() -> bool:
    """Whether this request is one of the API's (``/api/...``)."""
    return request.path == "/api" or request.path.startswith("/api/")


def problem_response(
    status: int, detail: str, *, type_: str = "about:blank", title: str | None = None, **extra
) -> Response:
    """An RFC 9457 problem document: ``type``, ``title``, ``status``, ``detail``, ``instance``.

    ``about:blank`` problems are titled by their HTTP status (RFC 9457, section 4.2.1);
    ``extra`` members (the domain's ``problems`` with their paths, say) follow.
    """
    body = {
        "type": type_,
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.path,
        **extra,
    }
    response = make_response(jsonify(body), status)
    response.mimetype = PROBLEM_JSON
    return response


def _wants_json() -> bool:
    return api_request() or (
        # HTML wins a tie (curl's */*, say): JSON only for a client that prefers it.
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    )


def _loaded(instance: object, *attributes: str) -> bool:
    """Whether reading ``attributes`` of a database row needs no query."""
    state = inspect(instance, raiseerr=False)
    return state is None or not set(attributes) & state.unloaded


def _user_without_queries() -> None:
    """Make the page's header show the signed-in user only if that needs no query.

    The header reads the user's address and roles. When the user could not be loaded
    (the database failed while loading it) or those values are no longer in memory,
    the page is drawn as for a visitor rather than asking the database again.
    """
    user = g.get("_login_user")  # Where Flask-Login keeps the request's user once loaded.
    if user is not None and not getattr(user, "is_authenticated", False):
        return
    if (
        user is not None
        and _loaded(user, "email", "roles")
        and all(_loaded(role, "role") for role in user.roles)
    ):
        return
    g._login_user = current_app.login_manager.anonymous_user()


def render_error(status: int, message: str | None = None) -> Response:
    """Render an error as a page, or as JSON for API clients, without querying the database."""
    text = str(message or PLAIN_WORDS.get(status, _l("The request could not be completed.")))
    # Before the JSON answer too: headers added after every response ask who is signed in.
    _user_without_queries()
    if api_request():
        if status in API_WORDS and (message is None or message is PLAIN_WORDS.get(status)):
            text = str(API_WORDS[status])
        return problem_response(status, text)
    if _wants_json():
        return make_response(jsonify(error=text, status=status), status)
    page = render_template("errors/error.html", status=status, message=text)
    return make_response(page, status)


def page_outside_a_request(app: Flask, status: int) -> Response:
    """The error page for ``status`` as a visitor would get it, drawn with no request.

    For the server itself (``roster.serving``), which answers requests the app never
    reads; the page, the headers added to every response included, and no cookie.
    """
    # At an address of no page, so that no link of the menu is marked as the current page.
    with app.test_request_context(f"/{status}", headers={"Accept": "text/html"}):
        return app.process_response(render_error(status))


def _database_down(error: DBAPIError) -> Response | None:
    """A 503 answer, with Retry-After, for a busy or unavailable database; None otherwise."""
    if db.is_busy(error):
        response = render_error(ServiceUnavailable.code, db.busy_message(db.WEB_BUSY_TIMEOUT_MS))
        response.retry_after = RETRY_AFTER_BUSY
    elif db.is_unavailable(error):
        response = render_error(ServiceUnavailable.code, UNAVAILABLE_MESSAGE)
        response.retry_after = RETRY_AFTER_UNAVAILABLE
    else:
        return None
    current_app.logger.warning(
        "Database unavailable on %s %s: %s", request.method, request.path, error.orig
    )
    return response


def register(app: Flask) -> None:
    """Install the error handlers on the app."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render_error(
            400,
            _l(
                "The form expired or was sent from elsewhere. Please reload the page and try again."
            ),
        )

    @app.errorhandler(RateLimitExceeded)
    def _too_many(error: RateLimitExceeded):
        # Without an error_message of its own a limit describes itself ("10 per 1 hour").
        response = render_error(429, error.description if error.limit.error_message else None)
        current = limiter.current_limit
        if current is not None:
            response.retry_after = max(1, math.ceil(current.reset_at - time.time()))
        return response

    @app.errorhandler(StorageError)
    def _limits_unavailable(error: StorageError):
        # Refused rather than let through: a limit that fails open invites guessing.
        app.logger.warning("Rate-limit storage failed on %s: %s", request.path, error.storage_error)
        response = render_error(ServiceUnavailable.code, LIMITS_UNAVAILABLE_MESSAGE)
        response.retry_after = RETRY_AFTER_UNAVAILABLE
        return response

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        original = getattr(error, "original_exception", None)
        if isinstance(error, InternalServerError) and isinstance(original, DBAPIError):
            # Raised past the views, by the commit after the response was made.
            return _database(original)
        status = error.code or 500
        known = PLAIN_WORDS.get(status)
        # Our own abort(..., description) messages are plain words; Werkzeug's defaults are not.
        custom = error.description if error.description != type(error).description else None
        response = render_error(status, custom or known)
        for name, value in error.get_headers():
            if name in KEPT_HEADERS:
                response.headers[name] = value
        return response

    @app.errorhandler(DBAPIError)
    def _database(error: DBAPIError):
        return _database_down(error) or _unexpected(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError.code)
