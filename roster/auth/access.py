"""Who may open which page: deny by default.

Every view declares its rule with ``@public`` or ``@roles_required(...)``. A view
that declares nothing is refused to everyone (403) by ``enforce``, so a forgotten
decorator closes a page rather than opening it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_logged_in, user_logged_out
from sqlalchemy.exc import DBAPIError
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from roster.accounts.tokens import SCOPES, TokenFailure, authenticate, note_use, use_to_note
from roster.db import engines, get_session, reads_only
from roster.messages import N_, Message
from roster.models import STAFF_ROLES, RoleName, utcnow

ACCESS_ATTRIBUTE = "roster_access"
# The sign-in page's address carries the page to come back to, percent-encoded again
# (so up to 5/3 as long): past this many bytes it carries the page without its query,
# or nothing, and stays well inside the request line gunicorn reads (8,190 bytes).
MAX_SIGN_IN_URL = 2048


def public(view: Callable) -> Callable:
    """Mark a view as open to everyone, signed in or not."""
    setattr(view, ACCESS_ATTRIBUTE, "public")
    return view


def roles_required(*roles: RoleName) -> Callable[[Callable], Callable]:
    """Allow a view only to signed-in users holding one of ``roles``.

    The check runs in ``enforce``, before anything else of the request (CSRF checks
    included), so a refused user learns nothing from how the request would fare.
    """
    names = tuple(str(role) for role in roles)

    def decorate(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTRIBUTE, names)
        return view

    return decorate


@dataclass(frozen=True)
class TokenRule:
    """An API operation's rule: a bearer token holding ``scope``, whose owner holds a role."""

    scope: str | None
    roles: tuple[str, ...]


def token_required(scope: str | None, *roles: RoleName) -> Callable[[Callable], Callable]:
    """Allow an API operation to a token holding ``scope`` whose owner holds one of ``roles``.

    The session cookie is never read on the API: a token is the only way in, so a page
    open in a browser cannot be made to call it (no CSRF), and a token does no more than
    its owner may do in the web pages, and no more than its scopes. ``scope`` None:
    any token of an owner holding one of ``roles``.
    """
    if scope is not None and scope not in SCOPES:
        raise ValueError(f"Unknown scope {scope!r}")
    rule = TokenRule(scope, tuple(str(role) for role in roles))

    def decorate(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTRIBUTE, rule)
        return view

    return decorate


def access_rule(view: Callable) -> str | tuple[str, ...] | TokenRule | None:
    """Return a view's declared rule: "public", a tuple of roles, a TokenRule, or None."""
    return getattr(view, ACCESS_ATTRIBUTE, None)


def _api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def translate(message: Message) -> str:
    """``message`` in the request's language (imported late: ``roster.i18n`` imports this)."""
    from roster.i18n import translate as in_language

    return in_language(message)


def _bearer_refused(message: Message, error: str = "invalid_token") -> Unauthorized:
    return Unauthorized(
        translate(message),
        www_authenticate=WWWAuthenticate("Bearer", {"realm": "roster", "error": error}),
    )


def _token_access(rule: TokenRule) -> None:
    """Let the request through as the bearer token's owner, or raise 401 or 403."""
    header = request.headers.get("Authorization", "")
    scheme, _space, secret = header.partition(" ")
    if not header:
        raise Unauthorized(
            translate(Message(N_("Send an access token: Authorization: Bearer <token>."))),
            www_authenticate=WWWAuthenticate("Bearer", {"realm": "roster"}),
        )
    if scheme.lower() != "bearer" or not secret.strip():
        raise _bearer_refused(
            Message(N_("The Authorization header must be: Bearer <token>.")), "invalid_request"
        )
    try:
        user, token = authenticate(session=get_session(), secret=secret.strip())
    except TokenFailure as failure:
        raise _bearer_refused(failure.reason) from None
    g._login_user, g.api_token = user, token
    if not use_to_note(token):
        pass
    elif not reads_only():
        token.last_used_at = utcnow()
    else:
        try:
            note_use(engine=engines().write, token=token)
        except DBAPIError as error:
            # When a token was last used is a courtesy to its owner: never worth a refusal.
            current_app.logger.warning("A token's last use was not written: %s", error.orig)
    if rule.scope is not None and rule.scope not in token.scopes:
        raise Forbidden(
            translate(
                Message(
                    N_("This access token does not hold the scope '%(scope)s'."),
                    {"scope": rule.scope},
                )
            )
        )
    if not user.has_role(*rule.roles):
        raise Forbidden(translate(Message(N_("Your account's roles do not allow this."))))


def init_app(app: Flask) -> None:
    """Refuse undeclared views and sign staff out after their idle time."""

    # A sign-in starts the session's clocks afresh, whatever an earlier sign-in in the
    # same browser left behind; signing in and out both rotate the form token.
    user_logged_in.connect(_start_session, app)
    user_logged_out.connect(_rotate_form_token, app)

    @app.before_request
    def enforce():
        if _api_request():
            # The API never reads the session cookie: whoever is signed in there is
            # nobody here until a token says otherwise.
            g._login_user = app.login_manager.anonymous_user()
        if request.endpoint is None or request.endpoint == "static":
            return None
        rule = access_rule(app.view_functions[request.endpoint])
        if rule is None:
            abort(403)
        if isinstance(rule, TokenRule):
            return _token_access(rule)
        if _api_request() and rule != "public":
            abort(403)
        if rule == "public":
            return _session_limits()
        if not current_user.is_authenticated:
            if request.path.startswith("/api/"):
                abort(401)
            return redirect(_sign_in_url())
        if not current_user.has_role(*rule):
            abort(403)
        return _session_limits()


def _sign_in_url() -> str:
    """The sign-in page, coming back to the page asked for while the address stays short."""
    for target in (request.full_path.rstrip("?"), request.path):
        url = url_for("auth.login", next=target)
        if len(url) <= MAX_SIGN_IN_URL:
            return url
    return url_for("auth.login")


def _rotate_form_token(sender: Flask, **extra: object) -> None:
    # A token read before the change of user must not serve after it (login CSRF, and
    # a page left open by the previous user of a shared computer).
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


def _start_session(sender: Flask, **extra: object) -> None:
    _rotate_form_token(sender)
    now = utcnow().timestamp()
    session["signed_in_at"] = session["last_seen"] = now


def _signed_out(message: str):
    logout_user()
    session.clear()
    flash(message, "info")
    return redirect(url_for("auth.login"))


def _session_limits():
    """Sign out a session past its absolute lifetime, or staff past their idle time."""
    if not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    hours = current_app.config["SESSION_LIFETIME_HOURS"]
    if now - session.get("signed_in_at", 0) > hours * 3600:
        return _signed_out(
            _(
                "You were signed out because a session lasts at most %(hours)d hours. "
                "Please sign in again.",
                hours=hours,
            )
        )
    if not current_user.has_role(*STAFF_ROLES):
        return None
    minutes = current_app.config["STAFF_IDLE_MINUTES"]
    last_seen = session.get("last_seen")
    if last_seen is not None and now - last_seen > minutes * 60:
        return _signed_out(
            _(
                "You were signed out after %(minutes)d minutes without activity. "
                "Please sign in again.",
                minutes=minutes,
            )
        )
    session["last_seen"] = now
    return None


ROLE_COLUMNS = ("anonymous", *(role.value for role in RoleName))


def access_table(app: Flask) -> list[tuple[str, dict[str, bool]]]:
    """Who may use each route: ``[("GET /path", {"anonymous": False, "expert": True, ...})]``."""
    rows = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods or ()))):
        if rule.endpoint == "static":
            continue
        declared = access_rule(app.view_functions[rule.endpoint])
        if isinstance(declared, TokenRule):
            continue  # The API's operations have their own table (roster.api.table).
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        allowed = {
            column: declared == "public" or (isinstance(declared, tuple) and column in declared)
            for column in ROLE_COLUMNS
        }
        rows.append((f"{' '.join(methods)} {rule.rule}", allowed))
    return rows


def access_markdown(app: Flask) -> str:
    """The route-by-role table as Markdown, as published in the README."""
    lines = [
        "| route | " + " | ".join(ROLE_COLUMNS) + " |",
        "| --- |" + " :---: |" * len(ROLE_COLUMNS),
    ]
    for route, allowed in access_table(app):
        cells = " | ".join("yes" if allowed[c] else "no" for c in ROLE_COLUMNS)
        lines.append(f"| `{route}` | {cells} |")
    return "\n".join(lines)
