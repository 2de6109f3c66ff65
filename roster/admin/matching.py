"""The matcher's weights: in use and whence, learned from the roster's decisions, adopted.

An admin reads the latest learning run beside the defaults (with how each did on
missions the fit did not see), asks for a new run (a job: a fit of the whole roster),
adopts a run's weights or goes back to the defaults; both are confirmed and audited.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from matching import messages as matcher_messages
from roster.admin.forms import ConfirmForm
from roster.admin.views import blueprint
from roster.auth.access import roles_required
from roster.db import get_session
from roster.i18n import reason_text, translate
from roster.missions import learning
from roster.models import LearningRun, RoleName


def _run_or_404(public_id: str) -> LearningRun:
    run = learning.run_by_public_id(get_session(), public_id)
    if run is None:
        abort(404, gettext("There is no learning run at this address."))
    return run


def reason_of(found: dict) -> str:
    """The run's reason in the page's language; its English sentence where its code is unknown."""
    code = found.get("reason_code")
    if code in matcher_messages.TEMPLATES:
        return reason_text({"code": code, "params": found.get("reason_params") or {}})
    return str(found.get("reason") or "")


def _page(form: ConfirmForm | None = None, status: int = 200):
    return render_template(
        "admin/matching.html",
        view=learning.overview(get_session()),
        form=form or ConfirmForm(),
        names=learning.CRITERION_NAMES,
        hints=learning.CRITERION_HINTS,
        reason_of=reason_of,
        shape_word=lambda name: gettext(learning.shape_words(name)) if name else "",
    ), status


@blueprint.get("/matching")
@roles_required(RoleName.ADMIN)
def matching():
    """The weights in use and where they came from; the latest learning run beside them."""
    return _page()


@blueprint.post("/matching/learn")
@roles_required(RoleName.ADMIN)
def matching_learn():
    """Queue a learning run on the roster's decisions (nothing is adopted)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400, gettext("The form expired. Please open the page and try again."))
    learning.request_learning(session=get_session(), by_id=current_user.id)
    flash(
        gettext(
            "The matcher is learning from the roster's decisions. This takes up to a few "
            "minutes on a large roster: reload this page to see the result."
        ),
        "success",
    )
    return redirect(url_for("admin.matching"))


def _confirm_page(form: ConfirmForm, *, run: LearningRun | None, status: int = 200):
    return render_template(
        "admin/matching_confirm.html",
        form=form,
        run=run,
        view=learning.overview(get_session()),
        names=learning.CRITERION_NAMES,
    ), status


@blueprint.route("/matching/runs/<public_id>/adopt", methods=["GET", "POST"])
@roles_required(RoleName.ADMIN)
def matching_adopt(public_id: str):
    """Ask to confirm, then rank with a learning run's weights from now on (audited)."""
    run = _run_or_404(public_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            learning.adopt(session=get_session(), run=run, by_id=current_user.id)
        except learning.LearningRefused as refused:
            flash(translate(refused.problems[0].message), "error")
            return redirect(url_for("admin.matching"))
        flash(
            gettext(
                "The learned weights are adopted: shortlists and teams rank with them "
                "once the matcher has been fitted again, in a few seconds."
            ),
            "success",
        )
        return redirect(url_for("admin.matching"))
    return _confirm_page(form, run=run, status=400 if form.errors else 200)


@blueprint.route("/matching/defaults", methods=["GET", "POST"])
@roles_required(RoleName.ADMIN)
def matching_defaults():
    """Ask to confirm, then rank with the default weights again (audited)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            learning.restore_defaults(session=get_session(), by_id=current_user.id)
        except learning.LearningRefused as refused:
            flash(translate(refused.problems[0].message), "error")
            return redirect(url_for("admin.matching"))
        flash(
            gettext(
                "The default weights are back: shortlists and teams rank with them once "
                "the matcher has been fitted again, in a few seconds."
            ),
            "success",
        )
        return redirect(url_for("admin.matching"))
    return _confirm_page(form, run=None, status=400 if form.errors else 200)
