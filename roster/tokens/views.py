"""The account's API access tokens: make one (its secret shown once), list them, revoke one.

The secret is shown on the answer to the POST that made it, and nowhere else: not in a
redirect's address, not in the session (a signed cookie, readable by whoever holds it),
not in a flashed message. The answer is sent only after the token's hash is committed
(the request's one commit point runs before it leaves), and it is not cached
(``Cache-Control: no-store`` on every signed-in page). Reloading it asks the browser to
send the form again, which would make a second token, listed and revocable like any.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from roster.accounts import tokens
from roster.auth.access import roles_required
from roster.db import get_session
from roster.models import RoleName, utcnow
from roster.tokens.forms import NewTokenForm, RevokeForm
from roster.web.forms import show_refusal

blueprint = Blueprint("tokens", __name__)
ANY_ROLE = tuple(RoleName)


def _list_page(form: NewTokenForm, status: int = 200):
    """The tokens page: the account's live tokens, and ``form`` to make another."""
    return render_template(
        "tokens/index.html",
        form=form,
        revoke=RevokeForm(),
        tokens=tokens.tokens_of(session=get_session(), user=current_user),
        now=utcnow(),
    ), status


@blueprint.route("/account/tokens", methods=["GET", "POST"])
@roles_required(*ANY_ROLE)
def index():
    """List the account's tokens; make a new one and show its secret, once."""
    form = NewTokenForm.offering(tokens.scopes_for(current_user))
    if not form.validate_on_submit():
        return _list_page(form, 400 if form.is_submitted() else 200)
    try:
        issued = tokens.create_token(
            session=get_session(),
            user=current_user,
            name=form.name.data or "",
            scopes=list(form.scopes.data or []),
            days=form.days.data,
        )
    except tokens.TokenRefused as refusal:
        show_refusal(form, refusal)
        return _list_page(form, 400)
    return render_template(
        "tokens/created.html",
        issued=issued,
        scopes=tokens.SCOPES,
        base_url=current_app.config["ROSTER_BASE_URL"].rstrip("/"),
    )


@blueprint.post("/account/tokens/<public_id>/revoke")
@roles_required(*ANY_ROLE)
def revoke(public_id: str):
    """Revoke one of the account's tokens; another account's (or none) is not found."""
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400, _("The form expired. Please open your tokens again and revoke it there."))
    token = tokens.revoke_token(session=get_session(), user=current_user, public_id=public_id)
    if token is None:
        abort(404)
    flash(
        _(
            "The token “%(name)s” is revoked: requests made with it are refused from now on.",
            name=token.name,
        ),
        "success",
    )
    return redirect(url_for("tokens.index"))
