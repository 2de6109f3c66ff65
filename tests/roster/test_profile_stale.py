"""A profile not confirmed for twelve months shows as stale and gets one reminder."""

from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

from sqlalchemy import select

from roster.models import Expert, utcnow
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
