"""Account administration: staff accounts, roles, disabling."""

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from roster.accounts import services
from roster.auth.access import roles_required
from roster.auth.mail import queue_staff_invitation
from roster.auth.services import Signer
from roster.db import get_session
from roster.models import RoleName

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.get("/users")
@roles_required(RoleName.ADMIN)
def users():
    """List accounts with their roles, staff first."""
    from roster.admin.forms import UserSearchForm

    form = UserSearchForm(request.args)
    if not form.validate():
        return render_template("admin/users.html", form=form, users=None), 400
    return render_template(
        "admin/users.html",
        users=services.list_users(session=get_session(), query=form.q.data),
        form=form,
    )


@blueprint.route("/users/new", methods=["GET", "POST"])
@roles_required(RoleName.ADMIN)
def new_user():
    """Create a staff account and email it a link to choose a password."""
    from roster.admin.forms import NewStaffForm

    form = NewStaffForm()
    if form.validate_on_submit():
        if not form.roles.data:
            form.roles.errors.append("Please choose at least one role.")
        else:
            try:
                user = services.create_user(
                    session=get_session(),
                    email=form.email.data,
                    display_name=form.display_name.data,
                    password=secrets.token_urlsafe(32),
                    roles=form.roles.data,
                    actor_id=current_user.id,
                )
            except services.AccountError as error:
                form.email.errors.append(str(error))
            else:
                queue_staff_invitation(
                    session=get_session(),
                    signer=Signer(current_app.config["SECRET_KEY"]),
                    user=user,
                )
                flash(
                    f"Account created for {user.email}; a link to choose a password was emailed.",
                    "success",
                )
                return redirect(url_for("admin.users"))
    return render_template("admin/new_user.html", form=form), 400 if form.errors else 200


@blueprint.route("/users/<public_id>", methods=["GET", "POST"])
@roles_required(RoleName.ADMIN)
def edit_user(public_id: str):
    """Change a user's roles, or disable the account."""
    from roster.admin.forms import AccessForm

    user = services.user_by_public_id(session=get_session(), public_id=public_id)
    if user is None:
        abort(404)
    form = AccessForm(data={"roles": [r.role for r in user.roles], "disabled": user.disabled})
    if form.validate_on_submit():
        try:
            changes = services.update_access(
                session=get_session(),
                user=user,
                roles=form.roles.data,
                disabled=form.disabled.data,
                actor_id=current_user.id,
            )
        except services.AccountError as error:
            form.roles.errors.append(str(error))
        else:
            flash(
                f"{user.email}: " + (", ".join(changes) if changes else "nothing changed") + ".",
                "success",
            )
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/edit_user.html", form=form, user=user
    ), 400 if form.errors else 200
