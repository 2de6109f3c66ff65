"""Outgoing mail: composed from templates, sent through SMTP or into .eml files.

Nothing here is called by a request: requests write mail to the outbox
(``roster.outbox``), and the job queue sends it through ``send_mail`` after the
commit. With no ``MAIL_SERVER`` configured (the embedded default), every message is
written to ``instance/outbox/`` so that ``make run`` shows what would have been sent.
"""

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app
from werkzeug.utils import secure_filename

from roster.models import utcnow


@dataclass(frozen=True)
class Mail:
    """A message ready to be queued: recipient, subject and plain text."""

    to: str
    subject: str
    body: str


def compose(template: str, *, to: str, language: str | None = None, **values: object) -> Mail:
    """Render ``templates/mail/<template>.txt`` for ``to``; the template sets its ``subject``.

    Rendered with only ``values``: links in it come from ``roster.links.public_url``,
    never from a request's host. The message is in ``language``, the recipient's own
    (``roster.i18n.saved_language``); for a recipient who has chosen none, in the
    language of the request that causes it (the page of whoever acted), and in English
    when a command or a job composes it.
    """
    from roster.i18n import in_language, mail_language

    source = current_app.jinja_env.get_template(f"mail/{template}.txt")
    with in_language(mail_language(language).tag):
        module = source.make_module(values)
        subject, body = str(module.subject), str(module)
    return Mail(to=to, subject=subject, body=body.strip() + "\n")


def build_message(
    *, to: str, subject: str, body: str, message_id: str | None = None
) -> EmailMessage:
    """Compose a plain-text message from the roster's sender address."""
    message = EmailMessage()
    message["From"] = current_app.config.get(
        "MAIL_SENDER", "Electoral Expert Roster <roster@localhost>"
    )
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="roster.local")
    message.set_content(body)
    return message


def send_mail(*, to: str, subject: str, body: str, message_id: str | None = None) -> None:
    """Send one message, through SMTP or into the outbox folder."""
    message = build_message(to=to, subject=subject, body=body, message_id=message_id)
    config = current_app.config
    if server := config.get("MAIL_SERVER"):
        with smtplib.SMTP(server, int(config.get("MAIL_PORT", 25)), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            smtp.send_message(message)
        return
    outbox = Path(current_app.instance_path) / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    # An address may hold "/" and other characters that a file name must not.
    name = secure_filename(f"{utcnow():%Y%m%dT%H%M%S%f}-{to.replace('@', '_at_')}.eml")
    (outbox / name).write_bytes(bytes(message))
