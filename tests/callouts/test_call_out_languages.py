"""A call-out in its expert's language: the mail, its reminder, and the pages its links open."""

import re
from datetime import timedelta
from email.header import decode_header, make_header

from flask_babel import gettext
from sqlalchemy import update

from roster import jobs
from roster.i18n import in_language
from roster.missions.callouts import reply_links
from roster.models import User
from tests.callouts.conftest import (
    AWA_EMAIL,
    MISSION_TITLE,
    ROLE_TITLE,
    body_of,
    mail_to,
    send_call_outs,
    subject_of,
)
from tests.conftest import choose_language, csrf_token

LINK = re.compile(r"http://localhost(/reply/\S+)")


def decoded_subject(message) -> str:
    """A mail's subject, decoded (words outside ASCII are encoded in the header) and unfolded."""
    return " ".join(str(make_header(decode_header(subject_of(message)))).split())


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group()


def in_arabic(app, text: str, **values) -> str:
    with app.app_context(), in_language("ar"):
        return gettext(text, **values)


def call_out_awa_in_arabic(app, planner, mission, db_session) -> list[str]:
    """Awa chose Arabic on her account; the planner, on an English page, calls her and Bruno out."""
    with db_session() as session:
        session.execute(update(User).where(User.email == AWA_EMAIL).values(language="ar"))
    assert send_call_outs(planner, mission, "awa", "bruno").status_code == 302
    (message,) = mail_to(app, AWA_EMAIL)
    return message


def test_the_mail_is_in_the_expert_language_and_its_links_open_pages_in_it(
    app, planner, mission, db_session
):
    message = call_out_awa_in_arabic(app, planner, mission, db_session)
    subject = "Are you available as %(role)s for %(mission)s?"
    assert decoded_subject(message) == in_arabic(
        app, subject, role=ROLE_TITLE, mission=MISSION_TITLE
    )
    body = body_of(message)
    assert "مالي" in body and "1 مارس 2027" in body  # Mali, 1 March 2027
    assert "Hello" not in body
    available, unavailable = LINK.findall(body)

    expert = app.test_client()  # a browser that asks for English pages
    page = expert.get(available, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert in_arabic(app, "Yes, I am available") in page
    token = csrf_token(expert, available)
    thanks = expert.post(available, data={"csrf_token": token})
    assert thanks.status_code == 200
    assert html_tag(thanks.get_data(as_text=True)) == '<html lang="ar" dir="rtl">'
    # Used once, the other link is refused: in Arabic too.
    refused = expert.post(unavailable, data={"csrf_token": token})
    assert refused.status_code == 409
    assert html_tag(refused.get_data(as_text=True)) == '<html lang="ar" dir="rtl">'


def test_without_a_saved_language_the_mail_is_in_the_planner_language(app, planner, mission):
    assert send_call_outs(planner, mission, "bruno").status_code == 302
    (message,) = mail_to(app, "bruno@example.org")
    assert subject_of(message) == f"Are you available as {ROLE_TITLE} for {MISSION_TITLE}?"
    (available, _) = LINK.findall(body_of(message))
    page = app.test_client().get(available, headers={"Accept-Language": "fr"})
    assert html_tag(page.get_data(as_text=True)) == '<html lang="en" dir="ltr">'


def test_a_language_chosen_in_the_browser_wins_on_the_reply_page(app, planner, mission, db_session):
    message = call_out_awa_in_arabic(app, planner, mission, db_session)
    (available, _) = LINK.findall(body_of(message))
    expert = app.test_client()
    choose_language(expert, "es", available)
    page = expert.get(available).get_data(as_text=True)
    assert html_tag(page) == '<html lang="es" dir="ltr">'


def test_the_language_is_signed_with_the_link(app, planner, mission, db_session):
    message = call_out_awa_in_arabic(app, planner, mission, db_session)
    (available, _) = LINK.findall(body_of(message))
    token = available.removeprefix("/reply/")
    links = reply_links(app.config)
    assert links.language_of(token) == "ar"
    assert links.language_of(token[:-3] + "AAA") is None
    assert links.language_of("not-a-token") is None
    tampered = app.test_client().get(available[:-3] + "AAA", headers={"Accept-Language": "ru"})
    assert tampered.status_code == 400
    assert html_tag(tampered.get_data(as_text=True)) == '<html lang="ru" dir="ltr">'


def test_the_reminder_job_writes_in_the_expert_language(app, planner, mission, db_session):
    call_out_awa_in_arabic(app, planner, mission, db_session)
    sent = mission.call_out("awa").sent_at
    assert jobs.remind(app, now=sent + timedelta(days=5, minutes=1)) == 2
    reminder = mail_to(app, AWA_EMAIL)[-1]
    subject = "Reminder: are you available as %(role)s for %(mission)s?"
    assert decoded_subject(reminder) == in_arabic(
        app, subject, role=ROLE_TITLE, mission=MISSION_TITLE
    )
    (available, _) = LINK.findall(body_of(reminder))
    assert reply_links(app.config).language_of(available.removeprefix("/reply/")) == "ar"
    bruno = mail_to(app, "bruno@example.org")[-1]
    assert subject_of(bruno).startswith("Reminder: are you available")  # English, by the job
