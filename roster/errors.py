"""Readable error pages for people, JSON errors for API clients; never a traceback."""

from flask import Flask, jsonify, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from roster.db import BUSY_MESSAGE, is_busy, rollback_session

PLAIN_WORDS = {
    400: "The request could not be understood. Please check what you sent and try again.",
    403: "You do not have permission to see this page.",
    404: "There is no page at this address.",
    405: "This page cannot be used that way.",
    413: "The file is too large. The largest file accepted is 5 MB.",
    429: "Too many attempts. Please wait a few minutes and try again.",
    500: "Something went wrong on our side. Nothing was saved. Please try again later.",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        # HTML wins a tie (curl's */*, say): JSON only for a client that prefers it.
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    )


def render_error(status: int, message: str | None = None):
    """Render an error as a page, or as JSON for API clients."""
    text = message or PLAIN_WORDS.get(status, "The request could not be completed.")
    if _wants_json():
        return jsonify(error=text, status=status), status
    return render_template("errors/error.html", status=status, message=text), status


def register(app: Flask) -> None:
    """Install the error handlers on the app."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render_error(
            400,
            "The form expired or was sent from elsewhere. Please reload the page and try again.",
        )

    @app.errorhandler(RateLimitExceeded)
    def _too_many(error: RateLimitExceeded):
        # Without an error_message of its own a limit describes itself ("10 per 1 hour").
        return render_error(429, error.description if error.limit.error_message else None)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        status = error.code or 500
        known = PLAIN_WORDS.get(status)
        # Our own abort(..., description) messages are plain words; Werkzeug's defaults are not.
        custom = error.description if error.description != type(error).description else None
        return render_error(status, custom or known)

    @app.errorhandler(OperationalError)
    def _database(error: OperationalError):
        if not is_busy(error):
            return _unexpected(error)
        rollback_session()
        return render_error(503, BUSY_MESSAGE)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        rollback_session()  # The page below reads the database (the signed-in user's roles).
        return render_error(InternalServerError.code)
