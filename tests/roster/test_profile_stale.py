"""A profile not confirmed for twelve months shows as stale and gets one reminder."""

from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import select

from roster.models import Expert, User, utcnow
from roster.profile.reminders import remind_stale
from tests.roster.conftest import post_form
from tests.roster.test_profile import stored

NOTICE = "Your profile is more than a year old: please check it and confirm it is still right"


def age(db_session, days: int) -> None:
    with db_session() as session:
        expert = session.scalar(select(Expert).order_by(Expert.id))
        expert.profile_confirmed_at = utcnow() - timedelta(days=days)


def outbox(app) -> list:
    folder = Path(app.instance_path) / "outbox"
    return (
        [message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]
        if folder.exists()
        else []
    )


def test_a_fresh_profile_is_not_stale(profiled_client, db_session):
    age(db_session, 364)
    assert NOTICE not in profiled_client.get("/me").get_data(as_text=True)


def test_a_year_old_profile_shows_a_notice_until_confirmed(profiled_client, db_session):
    age(db_session, 366)
    page = profiled_client.get("/me").get_data(as_text=True)
    assert NOTICE in page and "Confirm my profile is up to date" in page
    assert post_form(profiled_client, "/me/confirm", form_url="/me").status_code == 302
    assert NOTICE not in profiled_client.get("/me").get_data(as_text=True)
    assert utcnow() - stored(db_session).profile_confirmed_at.replace(
        tzinfo=utcnow().tzinfo
    ) < timedelta(minutes=1)


def test_remind_stale_emails_each_stale_expert_once(app, runner, profiled_client, db_session):
    with db_session() as session:
        session.add(
            Expert(
                external_id="IMPORTED-1",
                full_name="No Account",
                email="none@example.org",
                profile_confirmed_at=utcnow() - timedelta(days=800),
            )
        )
    age(db_session, 400)
    result = runner.invoke(args=["roster", "remind-stale"])
    assert result.exit_code == 0 and "Sent 1 reminder(s)" in result.output
    [message] = outbox(app)
    assert message["To"] == "awa.ndiaye@example.org"
    assert "more than a year" in message.get_payload(decode=True).decode()
    assert stored(db_session).stale_reminder_sent_at is not None
    again = runner.invoke(args=["roster", "remind-stale"])
    assert "Sent 0 reminder(s)" in again.output and len(outbox(app)) == 1
    post_form(profiled_client, "/me/confirm", form_url="/me")
    assert stored(db_session).stale_reminder_sent_at is None
    age(db_session, 400)
    assert "Sent 1 reminder(s)" in runner.invoke(args=["roster", "remind-stale"]).output


def test_disabled_accounts_get_no_reminder(app, runner, profiled_client, db_session):
    age(db_session, 400)
    with db_session() as session:
        session.scalar(select(User).where(User.email == "awa.ndiaye@example.org")).disabled = True
    assert "Sent 0 reminder(s)" in runner.invoke(args=["roster", "remind-stale"]).output
    assert outbox(app) == []


def test_a_mail_failure_halfway_keeps_the_reminders_already_sent(app, make_user, db_session):
    for number in (1, 2):
        make_user(f"e{number}@example.org")
    with db_session() as session:
        for number, user in enumerate(session.scalars(select(User).order_by(User.id)), start=1):
            session.add(
                Expert(
                    external_id=f"STALE-{number}",
                    full_name=f"Stale {number}",
                    email=user.email,
                    user_id=user.id,
                    profile_confirmed_at=utcnow() - timedelta(days=400),
                )
            )
    sent: list[str] = []

    def send(email: str, name: str) -> None:
        if sent:
            raise ConnectionRefusedError("the mail server is down")
        sent.append(email)

    with pytest.raises(ConnectionRefusedError):
        with db_session() as session:
            remind_stale(session=session, send=send)
    with db_session() as session:
        reminded = session.scalars(
            select(Expert.email).where(Expert.stale_reminder_sent_at.is_not(None))
        ).all()
    assert reminded == sent == ["e1@example.org"]


def test_the_command_says_plainly_when_the_mail_server_is_unreachable(
    app, runner, profiled_client, db_session, unused_tcp_port
):
    age(db_session, 400)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=unused_tcp_port)
    result = runner.invoke(args=["roster", "remind-stale"])
    assert result.exit_code == 1
    assert "Sent 0 reminder(s), then mail could not be sent" in result.output
    assert "Traceback" not in result.output
    assert stored(db_session).stale_reminder_sent_at is None
