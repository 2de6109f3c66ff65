"""Saved searches: a recruiter keeps a search by name, runs it again, and watches it.

Another's saved search answers 404, as one that does not exist.
"""

from urllib.parse import parse_qsl

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from roster.auth.access import roles_required
from roster.db import get_session
from roster.i18n import translate
from roster.messages import N_
from roster.models import RoleName, SavedSearch
from roster.recruiting import saved as service
from roster.recruiting.search import SearchRefused, parse_criteria
from roster.searches.forms import ConfirmForm, SaveSearchForm, WatchForm
from roster.web.forms import show_refusal

blueprint = Blueprint("searches", __name__, url_prefix="/searches")
KEEPERS = (RoleName.RECRUITER, RoleName.ADMIN)


def _owned(search_id: str) -> SavedSearch:
    found = service.owned_search(
        session=get_session(), public_id=search_id, owner_id=current_user.id
    )
    if found is None:
        abort(404, gettext("There is no saved search of yours at this address."))
    return found


def _index(form: SaveSearchForm | None = None, status: int = 200):
    searches = service.saved_searches(session=get_session(), owner_id=current_user.id)
    return render_template(
        "searches/index.html",
        form=form or SaveSearchForm(formdata=None),
        searches=searches,
        watch={
            s.public_id: WatchForm(formdata=None, data={"watched": s.watched}) for s in searches
        },
        confirm=ConfirmForm(formdata=None),
    ), status


@blueprint.get("")
@roles_required(*KEEPERS)
def index():
    """The user's saved searches, each with its link, watch switch and delete button."""
    return _index()


@blueprint.post("")
@roles_required(*KEEPERS)
def save():
    """Keep the search the page showed under a name."""
    form = SaveSearchForm()
    if form.validate_on_submit():
        query = form.query.data or ""
        try:
            if len(query) > service.MAX_QUERY:
                raise SearchRefused.at("", N_("This search is too long to keep."))
            criteria = parse_criteria(MultiDict(parse_qsl(query, keep_blank_values=True)))
            kept = service.save_search(
                session=get_session(),
                owner_id=current_user.id,
                name=form.name.data or "",
                criteria=criteria,
            )
        except service.SavedRefused as refused:
            show_refusal(form, refused)
        except SearchRefused as refused:
            form.form_errors.append(
                gettext(
                    "The search cannot be kept: %(why)s", why=translate(refused.problems[0].message)
                )
            )
        else:
            flash(gettext("The search is saved as “%(name)s”.", name=kept.name), "success")
            return redirect(url_for("searches.index"))
    return _index(form, 400)


@blueprint.post("/<search_id>/watch")
@roles_required(*KEEPERS)
def watch(search_id: str):
    """Start or stop watching one's own saved search."""
    kept = _owned(search_id)
    form = WatchForm()
    if not form.validate_on_submit():
        abort(400, gettext("The form expired. Please open your saved searches and try again."))
    try:
        service.set_watched(session=get_session(), saved=kept, watched=form.watched.data)
    except SearchRefused:
        abort(
            400,
            gettext(
                "This search names something the roster no longer knows, so it cannot be "
                "watched. Run it, correct it, and save it again."
            ),
        )
    flash(
        gettext(
            "You are watching “%(name)s”: experts who newly match it are mailed to you daily.",
            name=kept.name,
        )
        if form.watched.data
        else gettext("You no longer watch “%(name)s”.", name=kept.name),
        "success",
    )
    return redirect(url_for("searches.index"))


@blueprint.post("/<search_id>/delete")
@roles_required(*KEEPERS)
def delete(search_id: str):
    """Forget one's own saved search."""
    kept = _owned(search_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, gettext("The form expired. Please open your saved searches and try again."))
    service.delete_search(session=get_session(), saved=kept)
    flash(gettext("The saved search “%(name)s” is deleted.", name=kept.name), "success")
    return redirect(url_for("searches.index"))
