"""The expert's answer to a call-out, from the signed link mailed to them: no sign-in.

A GET shows what the link answers and a button to confirm it; it writes nothing, since
mail scanners open links. The POST records the answer. A link tampered with, expired,
used already or for a withdrawn call-out gets a page in plain words and a 4xx status;
the POST's refusal is audited, and nothing else is written.
"""

from flask import Blueprint, current_app, render_template, request

from roster.auth.access import public
from roster.db import commit_despite_error, get_session
from roster.extensions import limiter
from roster.i18n import show_in, translate
from roster.missions import callouts
from roster.models import utcnow
from roster.replies.forms import ConfirmReplyForm
from roster.web import display

blueprint = Blueprint("replies", __name__)
blueprint.context_processor(display.context)
# As many answers from one address as sign-ins: a refused one is audited, so guessing
# links from one network cannot fill the trail.
REPLY_LIMIT = "10 per minute;60 per hour"
STATUS = {"tampered": 400, "gone": 404, "reused": 409, "not_allowed": 409}


def _refused(refused: callouts.ReplyRefused):
    status = STATUS.get(refused.why, 410)  # expired or withdrawn: gone for good
    page = render_template(
        "replies/refused.html", message=translate(refused.message), why=refused.why
    )
    return page, status


@blueprint.route("/reply/<token>", methods=["GET", "POST"])
@public
@limiter.limit(REPLY_LIMIT, methods=["POST"])
def reply(token: str):
    """Show what the link answers and ask to confirm it; on confirmation, record it.

    The page is in the language of the mail that carried the link (the token says it).
    """
    session, links = get_session(), callouts.reply_links(current_app.config)
    show_in(links.language_of(token))
    form = ConfirmReplyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            answered = callouts.answer_by_link(session=session, links=links, token=token)
        except callouts.ReplyRefused as refused:
            commit_despite_error()  # the refusal's audit event stays
            return _refused(refused)
        shown = callouts.reply_of(session=session, call_out=answered)
        return render_template("replies/thanks.html", reply=shown)
    try:
        shown = callouts.read_reply(session=session, links=links, token=token, now=utcnow())
    except callouts.ReplyRefused as refused:
        return _refused(refused)
    status = 400 if form.is_submitted() else 200
    return render_template("replies/confirm.html", reply=shown, form=form), status
