"""A profile not confirmed for twelve months shows as stale and gets one reminder."""

from datetime import timedelta

from sqlalchemy import select

from roster import jobs
from roster.models import Expert, User, utcnow
from tests.conftest import outbox, stored_expert
from tests.factories import expert_row
from tests.roster.conftest import post_form

NOTICE = "Your profile is more than a year old: please check it and confirm it is still right"


def age(db_session, days: int) -> None:
    with db_session() as session:
        expert = session.scalar(select(Expert).order_by(Expert.id))
        expert.profile_confirmed_at = utcnow() - timedelta(days=days)


def test_a_fresh_profile_is_not_stale(profiled_client, db_session):
    age(db_session, 364)
    assert NOTICE not in profiled_client.get("/me").get_data(as_text=True)


def test_a_year_old_profile_shows_a_notice_until_confirmed(profiled_client, db_session):
    age(db_session, 366)
    page = profiled_client.get("/me").get_data(as_text=True)
    assert NOTICE in page and "Confirm my profile is up to date" in page
    assert post_form(profiled_client, "/me/confirm", form_url="/me").status_code == 302
    assert NOTICE not in profiled_client.get("/me").get_data(as_text=True)
    assert utcnow() - stored_expert(db_session).profile_confirmed_at.replace(
        tzinfo=utcnow().tzinfo
    ) < timedelta(minutes=1)


def test_remind_stale_emails_each_stale_expert_once(app, runner, profiled_client, db_session):
    with db_session() as session:
        session.add(
            expert_row(
                external_id="IMPORTED-1",
                full_name="No Account",
                email="none@example.org",
                profile_confirmed_at=utcnow() - timedelta(days=800),
            )
        )
    age(db_session, 400)
    result = runner.invoke(args=["roster", "remind-stale"])
    assert result.exit_code == 0 and "Queued 1 reminder(s)" in result.output
    [message] = outbox(app)
    assert message["To"] == "awa.ndiaye@example.org"
    body = message.get_payload(decode=True).decode()
    assert "more than a year" in body and "http://localhost/me\n" in body
    assert stored_expert(db_session).stale_reminder_sent_at is not None
    again = runner.invoke(args=["roster", "remind-stale"])
    assert "Queued 0 reminder(s)" in again.output and len(outbox(app)) == 1
    post_form(profiled_client, "/me/confirm", form_url="/me")
    assert stored_expert(db_session).stale_reminder_sent_at is None
    age(db_session, 400)
    assert "Queued 1 reminder(s)" in runner.invoke(args=["roster", "remind-stale"]).output
    assert len(outbox(app)) == 2


def test_disabled_accounts_get_no_reminder(app, runner, profiled_client, db_session):
    age(db_session, 400)
    with db_session() as session:
        session.scalar(select(User).where(User.email == "awa.ndiaye@example.org")).disabled = True
    assert "Queued 0 reminder(s)" in runner.invoke(args=["roster", "remind-stale"]).output
    assert outbox(app) == []


def test_a_mail_failure_halfway_loses_no_reminder_and_repeats_none(
    app, runner, make_user, db_session, smtp_sink
):
    sink, port = smtp_sink
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    for number in (1, 2):
        make_user(f"e{number}@example.org")
    with db_session() as session:
        for number, user in enumerate(session.scalars(select(User).order_by(User.id)), start=1):
            session.add(
                expert_row(
                    external_id=f"STALE-{number}",
                    full_name=f"Stale {number}",
                    email=user.email,
                    user_id=user.id,
                    profile_confirmed_at=utcnow() - timedelta(days=400),
                )
            )
    sink.refused.add("e2@example.org")  # The server refuses the second reminder.
    assert "Queued 2 reminder(s)" in runner.invoke(args=["roster", "remind-stale"]).output
    assert [to for to, _ in sink.messages] == [["e1@example.org"]]
    waiting = runner.invoke(args=["roster", "outbox"]).output
    assert "e2@example.org" in waiting and "No such mailbox here" in waiting
    # Running the command again reminds nobody twice; the failed reminder waits its turn.
    assert "Queued 0 reminder(s)" in runner.invoke(args=["roster", "remind-stale"]).output
    sink.refused.clear()
    assert jobs.sweep(app, now=utcnow() + timedelta(minutes=2)) == 1
    assert sorted(to[0] for to, _ in sink.messages) == ["e1@example.org", "e2@example.org"]
    with db_session() as session:
        reminded = session.scalars(
            select(Expert.email).where(Expert.stale_reminder_sent_at.is_not(None))
        ).all()
    assert sorted(reminded) == ["e1@example.org", "e2@example.org"]


def test_reminders_wait_in_the_outbox_while_the_mail_server_is_unreachable(
    app, runner, profiled_client, db_session, unused_tcp_port
):
    age(db_session, 400)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=unused_tcp_port)
    result = runner.invoke(args=["roster", "remind-stale"])
    assert result.exit_code == 0 and "Queued 1 reminder(s)" in result.output
    assert "Traceback" not in result.output
    waiting = runner.invoke(args=["roster", "outbox"])
    assert waiting.exit_code == 0
    assert "awa.ndiaye@example.org" in waiting.output and "Connection refused" in waiting.output
    assert "1 message(s) not sent yet." in waiting.output
    assert stored_expert(db_session).stale_reminder_sent_at is not None
