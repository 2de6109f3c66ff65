"""Mail in the pseudo-locale: subject and body pass through translation, but for the data.

A message composed during a request is in that request's language: in ``en-XA`` every
line of it is accented and bracketed, except the links, names and addresses it carries.
A message composed by a command (the stale reminders) is in English.
"""

import re

import pytest
from flask import g
from sqlalchemy import select

from roster.i18n import PSEUDO
from roster.mail import compose
from roster.models import OutboxMessage
from tests.conftest import csrf_token, register
from tests.roster.test_pseudo_locale import LATIN

EN_XA = next(locale for locale in PSEUDO if locale.tag == "en-XA")
LINK = re.compile(r"https?://\S+")
ADMIN_NAME = "Ada Lovelace"


def untransformed_lines(text: str, data: tuple[str, ...] = ()) -> list[str]:
    """The lines of ``text`` holding a Latin letter once links and ``data`` are taken out."""
    found = []
    for line in text.splitlines():
        rest = LINK.sub("", line)
        for value in sorted(data, key=len, reverse=True):
            rest = rest.replace(value, "")
        if LATIN.search(rest):
            found.append(line)
    return found


def assert_all_marked(mail, *data: str) -> None:
    assert mail.subject.startswith("⟦"), mail.subject
    assert untransformed_lines(mail.subject, data) == []
    assert untransformed_lines(mail.body, data) == [], mail.body


def queued(db_session, recipient: str) -> list[OutboxMessage]:
    with db_session(write=False) as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == recipient)
                .order_by(OutboxMessage.id)
            )
        )


@pytest.fixture
def pseudo(client):
    token = csrf_token(client, "/login")
    client.post("/language", data={"language": "en-XA", "next": "/", "csrf_token": token})
    return client


def test_the_confirmation_mail_is_all_marked(pseudo, db_session):
    assert register(pseudo, email="nadia@example.org", name="Nadia Rahman").status_code == 302
    (mail,) = queued(db_session, "nadia@example.org")
    assert_all_marked(mail, "Nadia Rahman")


def test_the_already_registered_mail_is_all_marked(pseudo, db_session, make_user):
    make_user("awa@example.org", "expert", name="Awa Ndiaye")
    register(pseudo, email="awa@example.org", name="Someone Else")
    (mail,) = queued(db_session, "awa@example.org")
    assert "register" not in mail.subject
    assert_all_marked(mail)


def test_the_reset_mail_is_all_marked(pseudo, db_session, make_user):
    make_user("awa@example.org", "expert", name="Awa Ndiaye")
    token = csrf_token(pseudo, "/reset")
    pseudo.post("/reset", data={"email": "awa@example.org", "csrf_token": token})
    (mail,) = queued(db_session, "awa@example.org")
    assert_all_marked(mail)


def test_the_staff_invitation_is_all_marked(admin, db_session):
    token = csrf_token(admin, "/login")
    admin.post("/language", data={"language": "en-XA", "next": "/", "csrf_token": token})
    token = csrf_token(admin, "/admin/users/new")
    created = admin.post(
        "/admin/users/new",
        data={
            "display_name": "Mei Lin",
            "email": "mei@example.org",
            "roles": ["recruiter"],
            "csrf_token": token,
        },
    )
    assert created.status_code == 302
    (mail,) = queued(db_session, "mei@example.org")
    assert_all_marked(mail, "Mei Lin")


def test_the_stale_reminder_composed_in_a_request_is_all_marked(app):
    with app.test_request_context("/"):
        g.ui_locale = EN_XA
        mail = compose(
            "stale_reminder", to="awa@example.org", name="Awa Ndiaye", link="http://x/profile"
        )
    assert_all_marked(mail, "Awa Ndiaye")


def test_a_mail_composed_by_a_command_is_in_english(app):
    with app.app_context():
        mail = compose(
            "stale_reminder", to="awa@example.org", name="Awa Ndiaye", link="http://x/profile"
        )
    assert mail.subject == "Please check your profile on the Electoral Expert Roster"
    assert mail.body.startswith("Hello Awa Ndiaye,\n\nYour profile on the Electoral Expert Roster")
    assert "⟦" not in mail.body


def test_data_in_a_mail_is_never_taken_for_a_placeholder(pseudo, db_session):
    register(pseudo, email="odd@example.org", name="Ana %(link)s 100%")
    (mail,) = queued(db_session, "odd@example.org")
    assert "Ana %(link)s 100%" in mail.body


def test_the_checker_finds_unmarked_lines():
    body = "⟦Ĥéļļö⟧ Nadia,\nPlease confirm\nhttps://example.org/confirm/abc\n"
    assert untransformed_lines(body, ("Nadia",)) == ["Please confirm"]
