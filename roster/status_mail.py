"""The mail telling an expert of a staff decision on their roster status.

``change_roster_status`` (``roster.policy.roster_status``) hands every change made by
staff to the notices registered with it; ``init_app`` registers ``queue_status_mail``.
The message (``templates/mail/status_changed.txt``) gives the new status in words, the
reason or the message to the expert, and a link on the configured public address to
their status history; it is written to the outbox in the change's transaction and sent
after the commit.
"""

from flask import Flask
from sqlmodel import Session

from roster.i18n import saved_language
from roster.links import public_url
from roster.mail import compose
from roster.models import Expert, RosterStatusChange
from roster.outbox import queue_mail
from roster.policy.roster_status import on_staff_decision

# Where the expert reads their status history: the page of what the roster holds.
HISTORY_ENDPOINT = "profile.data"
HISTORY_ANCHOR = "status-history-heading"


def queue_status_mail(session: Session, expert: Expert, change: RosterStatusChange) -> None:
    """Queue the mail telling ``expert`` of ``change``: the status in words, why, where to read it.

    An expert without an account is told how to read the history instead of a link.
    """
    has_account = expert.user_id is not None
    link = f"{public_url(HISTORY_ENDPOINT)}#{HISTORY_ANCHOR}" if has_account else ""
    mail = compose(
        "status_changed",
        to=expert.email,
        language=saved_language(expert.user) if has_account else None,
        name=expert.full_name,
        status=change.to_status.value,
        reason=change.reason,
        link=link,
    )
    queue_mail(session=session, mail=mail)


def init_app(app: Flask) -> None:
    """Tell experts of staff decisions by mail (the app's own notice of the status machine)."""
    on_staff_decision(queue_status_mail)
