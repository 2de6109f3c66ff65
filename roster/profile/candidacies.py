"""The roles the expert was considered for, under /me, and their answers to call-outs."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from roster.auth.access import roles_required
from roster.db import get_session
from roster.i18n import translate
from roster.missions import callouts
from roster.missions.candidacies import candidacies_of, own_call_out
from roster.models import RoleName
from roster.profile.forms import AnswerForm
from roster.profile.pages import blueprint, current_expert
from roster.profiles.candidacies import OUTCOME_WORDS
from roster.web.pages import render_form

TITLE = _l("Roles I was considered for")


def outcome_words(code: str | None) -> str:
    """Where a candidacy stands, in the page's language."""
    return gettext(OUTCOME_WORDS.get(code, code or ""))


def _page(form: AnswerForm, status: int = 200):
    expert = current_expert()
    found = [] if expert is None else candidacies_of(session=get_session(), expert_id=expert.id)
    return render_form(
        "profile/candidacies.html",
        form,
        status,
        candidacies=found,
        outcome_words=outcome_words,
        title=TITLE,
    )


@blueprint.get("/candidacies")
@roles_required(RoleName.EXPERT)
def candidacies():
    """The roles the expert was considered for, where each stands, open call-outs."""
    return _page(AnswerForm(formdata=None))


@blueprint.post("/candidacies/<callout_public_id>")
@roles_required(RoleName.EXPERT)
def answer(callout_public_id: str):
    """Answer one's own call-out, signed in: the same answer as the mailed links give."""
    expert = current_expert()
    session = get_session()
    found = (
        None
        if expert is None
        else own_call_out(session=session, expert_id=expert.id, public_id=callout_public_id)
    )
    if found is None:
        abort(404, gettext("There is no call-out of yours at this address."))
    form = AnswerForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        callouts.answer_call_out(
            session=session, call_out=found, answer=form.answer.data, by=current_user
        )
    except callouts.ReplyRefused as refused:
        form.form_errors.append(translate(refused.message))
        return _page(form, 409 if refused.why in ("reused", "not_allowed") else 410)
    if form.answer.data == callouts.Answer.AVAILABLE:
        flash(gettext("Thank you: we recorded that you are available."), "success")
    else:
        flash(gettext("Thank you: we recorded that you are not available."), "success")
    return redirect(url_for("profile.candidacies"))
