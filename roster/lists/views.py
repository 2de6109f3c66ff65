"""Named lists of experts: recruiters keep them and share them with planners.

A list someone may not read (another's private list) answers 404, as one that does not
exist; a list someone may read but not change (another's shared list) answers 404 to
every change, too.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from roster.auth.access import roles_required
from roster.db import get_session
from roster.i18n import translate
from roster.lists.forms import NEW_LIST, AddForm, ConfirmForm, ListNameForm, RemoveForm, ShareForm
from roster.messages import N_
from roster.models import ExpertList, RoleName
from roster.recruiting import lists
from roster.refusal import Changed, Problem
from roster.web import display
from roster.web.forms import set_version, show_refusal
from roster.web.pages import submit

blueprint = Blueprint("lists", __name__, url_prefix="/lists")
blueprint.context_processor(display.context)
KEEPERS = (RoleName.RECRUITER, RoleName.ADMIN)
READERS = (RoleName.RECRUITER, RoleName.PLANNER, RoleName.ADMIN)
GONE = "There is no list at this address, or it is not shared with you."


@blueprint.app_context_processor
def _lists_to_add_to() -> dict:
    """``own_lists()`` for the "Add to list" forms that other pages include."""

    def own_lists() -> list[tuple[str, str]]:
        if not current_user.is_authenticated or not current_user.has_role(*KEEPERS):
            return []
        return [
            (summary.public_id, summary.name)
            for summary in lists.lists_for(session=get_session(), user_id=current_user.id)
            if summary.owned
        ]

    return {"own_lists": own_lists}


def _readable(list_id: str) -> ExpertList:
    found = lists.readable_list(session=get_session(), public_id=list_id, user_id=current_user.id)
    if found is None:
        abort(404, gettext(GONE))
    return found


def _owned(list_id: str) -> ExpertList:
    found = lists.owned_list(session=get_session(), public_id=list_id, user_id=current_user.id)
    if found is None:
        abort(404, gettext(GONE))
    return found


def _keeps_lists() -> bool:
    return current_user.has_role(*KEEPERS)


@blueprint.get("")
@roles_required(*READERS)
def index():
    """The user's own lists, then those shared by others."""
    return _index_page(ListNameForm())


def _index_page(form: ListNameForm, status: int = 200):
    return render_template(
        "lists/index.html",
        form=form,
        summaries=lists.lists_for(session=get_session(), user_id=current_user.id),
        keeps_lists=_keeps_lists(),
    ), status


@blueprint.post("")
@roles_required(*KEEPERS)
def create():
    """Make a new, private list and open it."""
    form = ListNameForm()
    made: list[ExpertList] = []

    def save():
        made.append(
            lists.create_list(session=get_session(), owner_id=current_user.id, name=form.name.data)
        )

    return submit(
        form,
        "lists/index.html",
        save,
        saved=gettext("The list is made. Add experts from their profiles or from a search."),
        next_url=lambda: url_for("lists.show", list_id=made[0].public_id),
        summaries=lists.lists_for(session=get_session(), user_id=current_user.id),
        keeps_lists=_keeps_lists(),
    )


def _list_page(expert_list: ExpertList, status: int = 200, **forms):
    owned = expert_list.owner_id == current_user.id
    rename = forms.get("rename") or ListNameForm(
        formdata=None, data={"name": expert_list.name, "version": expert_list.version}
    )
    share = forms.get("share") or ShareForm(
        formdata=None, data={"shared": expert_list.shared, "version": expert_list.version}
    )
    return render_template(
        "lists/list.html",
        expert_list=expert_list,
        owner=lists.owner_name(session=get_session(), expert_list=expert_list),
        owned=owned,
        members=lists.members(session=get_session(), expert_list=expert_list),
        # Planners see names, regions, expertise and languages; recruiters also the
        # reference, the roster status and the way to the profile.
        full=_keeps_lists(),
        rename=rename,
        share=share,
        remove=RemoveForm(formdata=None),
    ), status


@blueprint.get("/<list_id>")
@roles_required(*READERS)
def show(list_id: str):
    """One list: its experts, and for its owner the ways to change it."""
    return _list_page(_readable(list_id))


@blueprint.post("/<list_id>/rename")
@roles_required(*KEEPERS)
def rename(list_id: str):
    """Give one's own list a new name."""
    expert_list = _owned(list_id)
    form = ListNameForm()
    status = 400
    if form.validate_on_submit():
        try:
            lists.rename_list(
                session=get_session(),
                expert_list=expert_list,
                name=form.name.data,
                version=form.version.data or 0,
            )
        except lists.ListRefused as refused:
            show_refusal(form, refused)
        except Changed as changed:
            form.form_errors.append(translate(changed.message))
            set_version(form, expert_list.version)
            status = 409
        else:
            flash(gettext("The list is renamed."), "success")
            return redirect(url_for("lists.show", list_id=list_id))
    return _list_page(expert_list, status, rename=form)


@blueprint.post("/<list_id>/share")
@roles_required(*KEEPERS)
def share(list_id: str):
    """Share one's own list with planners and recruiters, or make it private."""
    expert_list = _owned(list_id)
    form = ShareForm()
    status = 400
    if form.validate_on_submit():
        try:
            lists.share_list(
                session=get_session(),
                expert_list=expert_list,
                shared=form.shared.data,
                version=form.version.data or 0,
            )
        except Changed as changed:
            form.form_errors.append(translate(changed.message))
            set_version(form, expert_list.version)
            status = 409
        else:
            flash(
                gettext("The list is shared: planners and recruiters can read it.")
                if form.shared.data
                else gettext("The list is private again: only you can read it."),
                "success",
            )
            return redirect(url_for("lists.show", list_id=list_id))
    return _list_page(expert_list, status, share=form)


@blueprint.route("/<list_id>/delete", methods=["GET", "POST"])
@roles_required(*KEEPERS)
def delete(list_id: str):
    """Ask to confirm, then delete one's own list (the experts stay on the roster)."""
    expert_list = _owned(list_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        lists.delete_list(session=get_session(), expert_list=expert_list)
        flash(gettext("The list “%(name)s” is deleted.", name=expert_list.name), "success")
        return redirect(url_for("lists.index"))
    return render_template(
        "lists/delete.html", form=form, expert_list=expert_list
    ), 400 if form.is_submitted() else 200


@blueprint.post("/<list_id>/remove")
@roles_required(*KEEPERS)
def remove(list_id: str):
    """Take one expert off one's own list."""
    expert_list = _owned(list_id)
    form = RemoveForm()
    if not form.validate_on_submit():
        abort(400, gettext("The form expired. Please open the list and try again."))
    name = lists.remove_expert(
        session=get_session(), expert_list=expert_list, public_id=form.expert.data or ""
    )
    if name is None:
        flash(gettext("That expert was not on the list (any more)."), "info")
    else:
        flash(gettext("%(name)s is off the list.", name=name), "success")
    return redirect(url_for("lists.show", list_id=list_id))


def _target(form: AddForm) -> ExpertList:
    """The list chosen in the form: one of one's own, or a new one named in it."""
    if form.list.data == NEW_LIST:
        try:
            return lists.create_list(
                session=get_session(), owner_id=current_user.id, name=form.new_name.data or ""
            )
        except lists.ListRefused as refused:
            # The new list's name is typed in the add form's own field.
            raise lists.ListRefused(
                Problem("new_name" if found.path == "name" else found.path, found.message)
                for found in refused.problems
            ) from None
    found = lists.owned_list(
        session=get_session(), public_id=form.list.data or "", user_id=current_user.id
    )
    if found is None:
        raise lists.ListRefused.at("list", N_("Please choose one of your lists, or a new list."))
    return found


@blueprint.post("/add")
@roles_required(*KEEPERS)
def add():
    """Put the experts chosen (on a profile, or ticked in search results) on a list."""
    form = AddForm()
    form.list.choices = []
    if form.validate_on_submit():
        try:
            expert_list = _target(form)
            done = lists.add_experts(
                session=get_session(),
                expert_list=expert_list,
                public_ids=form.expert.data or [],
                actor_id=current_user.id,
            )
        except lists.ListRefused as refused:
            show_refusal(form, refused)
        else:
            flash(
                ngettext(
                    "%(num)d expert added to “%(list)s”.",
                    "%(num)d experts added to “%(list)s”.",
                    len(done.added),
                    list=expert_list.name,
                ),
                "success",
            )
            if done.already:
                flash(
                    gettext(
                        "Already on it, so left as they were: %(names)s.",
                        names=", ".join(done.already),
                    ),
                    "info",
                )
            return redirect(url_for("lists.show", list_id=expert_list.public_id))
    return render_template("lists/add.html", form=form), 400
