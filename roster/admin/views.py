"""Account administration: staff accounts, roles, invitations, removal; the audit trail."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from roster import outbox
from roster.accounts import services
from roster.accounts.links import Signer
from roster.accounts.mail import queue_staff_invitation
from roster.admin.forms import (
    AccessForm,
    ConfirmForm,
    NewStaffForm,
    OutboxFilterForm,
    TrailFilterForm,
)
from roster.administration import operations, queries
from roster.administration.export import export_lines
from roster.auth.access import roles_required
from roster.db import engines, get_session
from roster.i18n import translate
from roster.models import RoleName, User, utcnow
from roster.web.forms import show_refusal

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


def _user_or_404(public_id: str) -> User:
    user = services.user_by_public_id(session=get_session(), public_id=public_id)
    if user is None:
        abort(404, gettext("There is no account at this address (or it was removed)."))
    return user


def _queue_invitation(user: User) -> None:
    queue_staff_invitation(
        session=get_session(), signer=Signer(current_app.config["SECRET_KEY"]), user=user
    )


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
    form = NewStaffForm()
    if form.validate_on_submit():
        if not form.roles.data:
            form.roles.errors.append(gettext("Please choose at least one role."))
        else:
            try:
                user = services.create_user(
                    session=get_session(),
                    email=form.email.data,
                    display_name=form.display_name.data,
                    password=None,
                    roles=form.roles.data,
                    actor_id=current_user.id,
                )
            except services.AccountError as error:
                show_refusal(form, error)
            else:
                _queue_invitation(user)
                flash(
                    gettext(
                        "Account created for %(email)s; a link to choose a password was emailed.",
                        email=user.email,
                    ),
                    "success",
                )
                return redirect(url_for("admin.users"))
    return render_template("admin/new_user.html", form=form), 400 if form.errors else 200


def _access_page(user: User, form: AccessForm, invitation: ConfirmForm | None = None):
    invitation = invitation or ConfirmForm()
    failed = form.errors or invitation.form_errors
    return render_template(
        "admin/edit_user.html", form=form, invitation=invitation, user=user
    ), 400 if failed else 200


@blueprint.route("/users/<public_id>", methods=["GET", "POST"])
@roles_required(RoleName.ADMIN)
def edit_user(public_id: str):
    """Change a user's roles, or disable the account."""
    user = _user_or_404(public_id)
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
            show_refusal(form, error)
        else:
            flash(
                gettext("%(email)s: %(changes)s.", email=user.email, changes=", ".join(changes))
                if changes
                else gettext("%(email)s: nothing changed.", email=user.email),
                "success",
            )
            return redirect(url_for("admin.users"))
    return _access_page(user, form)


@blueprint.post("/users/<public_id>/invitation")
@roles_required(RoleName.ADMIN)
def resend_invitation(public_id: str):
    """Email a staff account that has no password yet a new invitation; earlier links stop."""
    user = _user_or_404(public_id)
    form = ConfirmForm()
    try:
        services.renew_invitation(session=get_session(), user=user, actor_id=current_user.id)
    except services.AccountError as error:
        show_refusal(form, error)
        access = AccessForm(
            formdata=None, data={"roles": [r.role for r in user.roles], "disabled": user.disabled}
        )
        return _access_page(user, access, form)
    _queue_invitation(user)
    flash(
        gettext(
            "A new invitation was emailed to %(email)s. Its link works for one hour; "
            "the links of earlier invitations no longer work.",
            email=user.email,
        ),
        "success",
    )
    return redirect(url_for("admin.edit_user", public_id=user.public_id))


@blueprint.route("/users/<public_id>/remove", methods=["GET", "POST"])
@roles_required(RoleName.ADMIN)
def remove_user(public_id: str):
    """Ask to confirm, then remove a staff account: never one's own, an expert's, the last admin."""
    user = _user_or_404(public_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            address = services.remove_account(
                session=get_session(), user=user, actor_id=current_user.id
            )
        except services.AccountError as error:
            show_refusal(form, error)
        else:
            flash(
                gettext(
                    "The account of %(address)s is removed: its sessions have ended and its "
                    "unsent mail is deleted. The audit trail names it “%(name)s (removed "
                    "account)”.",
                    address=address,
                    name=user.display_name,
                ),
                "success",
            )
            return redirect(url_for("admin.users"))
    refusal = services.removal_refusal(session=get_session(), user=user, actor_id=current_user.id)
    status = 400 if form.form_errors or form.errors else 200
    return render_template(
        "admin/remove_user.html",
        form=form,
        user=user,
        refusal=translate(refusal) if refusal else None,
    ), status


@blueprint.get("/audit")
@roles_required(RoleName.ADMIN)
def audit():
    """The audit trail, newest first, filtered by action, account, expert and days."""
    form = TrailFilterForm(formdata=request.args)
    page = None
    if form.validate():
        filters = _trail_filters(form)
        try:
            page = queries.audit_page(
                session=get_session(),
                filters=filters,
                before=form.before.data,
                after=form.after.data,
            )
        except queries.TrailRefused as refused:
            show_refusal(form, refused)
    shown = {
        name: value
        for name in ("action", "actor", "expert", "since", "until")
        if (value := request.args.get(name, ""))
    }
    return render_template(
        "admin/audit.html", form=form, page=page, filters=shown, export=ConfirmForm()
    ), 200 if page is not None else 400


def _trail_filters(form: TrailFilterForm) -> queries.TrailFilters:
    return queries.TrailFilters(
        action=form.action.data or None,
        actor=form.actor.data or None,
        expert=form.expert.data or None,
        since=form.since.data,
        until=form.until.data,
    )


@blueprint.post("/audit/export")
@roles_required(RoleName.ADMIN)
def audit_export():
    """The events the filters keep, as CSV, streamed; the export itself is audited."""
    form = TrailFilterForm(formdata=request.args)
    confirm = ConfirmForm()
    if not confirm.validate_on_submit():
        abort(400, gettext("The form expired. Please open the audit trail and export again."))
    if not form.validate():
        return render_template("admin/audit.html", form=form, page=None, filters={}), 400
    filters = _trail_filters(form)
    try:
        operations.record_export(session=get_session(), filters=filters, actor_id=current_user.id)
    except queries.TrailRefused as refused:
        show_refusal(form, refused)
        return render_template("admin/audit.html", form=form, page=None, filters={}), 400

    # The request's session commits (the export's own row) before the lines are read.
    lines = export_lines(engine=engines().read, filters=filters)
    name = f"audit-trail-{utcnow():%Y%m%d-%H%M%S}.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blueprint.get("/outbox")
@roles_required(RoleName.ADMIN)
def outbox_page():
    """The mail outbox, newest first: whom to, subject, state and tries; never the body."""
    form = OutboxFilterForm(formdata=request.args)
    if not form.validate():
        return render_template("admin/outbox.html", form=form, page=None, retry=ConfirmForm()), 400
    state = outbox.OutboxState(form.state.data) if form.state.data else None
    page = outbox.outbox_page(session=get_session(), state=state, before=form.before.data)
    return render_template(
        "admin/outbox.html",
        form=form,
        page=page,
        state_of=outbox.message_state,
        retry=ConfirmForm(),
        filters={"state": form.state.data} if form.state.data else {},
    )


@blueprint.post("/outbox/<message_id>/retry")
@roles_required(RoleName.ADMIN)
def outbox_retry(message_id: str):
    """Try a failing message again now (audited); it goes out once this commits."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400, gettext("The form expired. Please open the outbox and try again."))
    try:
        outbox.retry_now(session=get_session(), public_id=message_id, actor_id=current_user.id)
    except outbox.RetryRefused as refused:
        if refused.problems[0].message.text == outbox.GONE:
            abort(404, translate(refused.problems[0].message))
        # A button left on an older page: said on the page, and nothing changes.
        flash(translate(refused.problems[0].message), "error")
        return redirect(url_for("admin.outbox_page"))
    flash(gettext("The message will be tried again now."), "success")
    return redirect(url_for("admin.outbox_page", state=request.args.get("state") or None))


# The matcher's weights, on the same blueprint (imported last: it uses ``blueprint``).
from roster.admin import matching  # noqa: E402, F401
