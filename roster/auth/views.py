"""Register, confirm, sign in and out, reset and change the password."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from roster.accounts import mail
from roster.accounts import services as accounts
from roster.accounts.links import LinkInvalid, Signer
from roster.accounts.passwords import password_problem, verify_password
from roster.accounts.services import AccountError
from roster.auth import services
from roster.auth.access import public, roles_required
from roster.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
    ResetRequestForm,
)
from roster.db import commit_despite_error, get_session, writes
from roster.extensions import limiter
from roster.i18n import current as current_language
from roster.i18n import remember_for as remember_language
from roster.i18n import translate
from roster.models import RoleName
from roster.templating import landing_endpoint
from roster.web.forms import show_refusal

blueprint = Blueprint("auth", __name__)
ANY_ROLE = tuple(RoleName)
LOGIN_LIMIT = "10 per minute;60 per hour"
REGISTER_LIMIT = "10 per minute;30 per hour"


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"])


def _safe_next(target: str | None, user) -> str:
    """Follow ``next`` only to a path on this site, never to another host; else the user's page."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for(landing_endpoint(user, current_app.view_functions))


@blueprint.route("/register", methods=["GET", "POST"])
@limiter.limit(
    REGISTER_LIMIT,
    methods=["POST"],
    error_message=lambda: _("Too many registrations from your network. Please wait a few minutes."),
)
@public
def register():
    """Open an expert account; a confirmation link is emailed."""
    form = RegisterForm()
    if form.validate_on_submit():
        if problem := password_problem(form.password.data, email=form.email.data):
            form.password.errors.append(translate(problem))
        else:
            try:
                registration = services.register_expert(
                    session=get_session(),
                    email=form.email.data,
                    password=form.password.data,
                    full_name=form.full_name.data,
                )
            except AccountError as error:
                show_refusal(form, error)
            else:
                if registration.new:  # the language the account was opened in is its own
                    registration.user.language = current_language().tag
                mail.queue_registration_notice(
                    session=get_session(), signer=_signer(), registration=registration
                )
                # Same answer either way: the page does not tell who has an account.
                flash(_("Check your email: we sent a link to confirm your address."), "success")
                return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@blueprint.get("/confirm/<token>")
@writes
@public
def confirm(token: str):
    """Confirm an email address from the emailed link."""
    try:
        services.confirm_email(session=get_session(), signer=_signer(), token=token)
    except LinkInvalid as error:
        return render_template("auth/link_invalid.html", message=translate(error.message)), 400
    flash(_("Thank you: your email address is confirmed. You can now sign in."), "success")
    return redirect(url_for("auth.login"))


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(
    LOGIN_LIMIT,
    methods=["POST"],
    error_message=lambda: _(
        "Too many sign-in attempts from your network. Please wait a few minutes."
    ),
)
@public
def login():
    """Sign in with email and password."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                session=get_session(), email=form.email.data, password=form.password.data
            )
        except services.LoginRefused as error:
            form.form_errors.append(translate(error.message))
            status = 400
            commit_despite_error()
        else:
            login_user(user)
            remember_language(user)
            return redirect(_safe_next(request.args.get("next"), user))
    elif form.errors:
        status = 400
    return render_template("auth/login.html", form=form), status


@blueprint.post("/logout")
@roles_required(*ANY_ROLE)
def logout():
    """Sign out here and everywhere: every session of the user ends."""
    accounts.end_sessions(session=get_session(), user=current_user)
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("home.index"))


@blueprint.route("/reset", methods=["GET", "POST"])
@limiter.limit(
    LOGIN_LIMIT,
    methods=["POST"],
    error_message=lambda: _(
        "Too many requests for reset links from your network. Please wait a few minutes."
    ),
)
@public
def reset_request():
    """Ask for a password reset link by email."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = accounts.find_user(session=get_session(), email=form.email.data)
        if user is not None and not user.disabled:
            mail.queue_reset(session=get_session(), signer=_signer(), user=user)
        flash(
            _(
                "If an account uses that address, we have emailed it a link to choose "
                "a new password."
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form), 400 if form.errors else 200


@blueprint.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Choose a new password from the emailed link."""
    try:
        user = services.user_for_reset(session=get_session(), signer=_signer(), token=token)
    except LinkInvalid as error:
        return render_template("auth/link_invalid.html", message=translate(error.message)), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(session=get_session(), user=user, password=form.password.data)
        except AccountError as error:
            show_refusal(form, error)
        else:
            logout_user()
            flash(_("Your password is changed. Please sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 400 if form.errors else 200


@blueprint.route("/account/password", methods=["GET", "POST"])
@roles_required(*ANY_ROLE)
def change_password():
    """Change the password; every other session of the user ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append(_("The current password is not right."))
        else:
            try:
                accounts.set_password(
                    session=get_session(), user=current_user, password=form.password.data
                )
            except AccountError as error:
                show_refusal(form, error)
            else:
                # This session goes on with a new form token; typing the current password
                # was a sign-in, so its 12 hours start again.
                login_user(current_user._get_current_object())
                flash(
                    _("Your password is changed. You were signed out everywhere else."), "success"
                )
                return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form), 400 if form.errors else 200
