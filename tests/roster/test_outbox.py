"""Mail is written to the outbox with the change that causes it, and sent once after the commit."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from roster import jobs
from roster.models import OutboxMessage, User, utcnow
from tests.conftest import (
    POSTGRES_URL,
    count_rows,
    csrf_token,
    link_in,
    outbox,
    register,
    sign_in,
)

REFUSAL = "the audit trail takes no new rows"


@pytest.fixture
def refuse_audit_rows(app, db_session):
    """Install a database trigger that fails every insert into the audit trail, at its flush."""
    if POSTGRES_URL:
        create = [
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
        ]
        drop = [
            "DROP TRIGGER IF EXISTS refuse_audit ON audit_event",
            "DROP FUNCTION IF EXISTS refuse_audit()",
        ]
    else:
        create = [
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        ]
        drop = ["DROP TRIGGER IF EXISTS refuse_audit"]

    def install() -> None:
        with db_session() as session:
            for statement in create:
                session.execute(text(statement))

    # The failure must reach the visitor as the error page, not the test as an exception.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    yield install
    with db_session() as session:
        for statement in drop:
            session.execute(text(statement))


def test_a_registration_whose_commit_fails_mails_nothing(
    app, client, db_session, refuse_audit_rows
):
    refuse_audit_rows()
    # The new account's audit row is flushed at the commit, after its mail was composed.
    response = register(client, email="lost@example.org")
    assert response.status_code == 500
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert outbox(app) == []
    assert count_rows(db_session, User) == 0
    assert count_rows(db_session, OutboxMessage) == 0


def test_a_registration_of_a_taken_address_whose_commit_fails_mails_nothing(
    app, client, make_user, db_session, refuse_audit_rows
):
    make_user("taken@example.org")
    refuse_audit_rows()
    assert register(client, email="taken@example.org").status_code == 500
    assert outbox(app) == []
    assert count_rows(db_session, OutboxMessage) == 0


def test_a_staff_invitation_whose_commit_fails_mails_nothing(
    app, client, make_user, db_session, refuse_audit_rows
):
    make_user("admin@example.org", "admin")
    sign_in(client, "admin@example.org")
    token = csrf_token(client, "/admin/users/new")
    refuse_audit_rows()
    form = {"display_name": "Mei Lin", "email": "mei@example.org", "roles": ["planner"]}
    response = client.post("/admin/users/new", data=form | {"csrf_token": token})
    # A signed-in admin gets the error page too, its header drawn without the database.
    assert response.status_code == 500
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert outbox(app) == []
    assert count_rows(db_session, User) == 1
    assert count_rows(db_session, OutboxMessage) == 0


def test_mail_committed_before_a_crash_is_sent_once_by_the_sweep(app, db_session):
    # Committed, then the process died before any job was queued: nothing went out yet.
    with db_session() as session:
        session.add(OutboxMessage(recipient="kept@example.org", subject="Kept", body="Still here."))
    assert outbox(app) == []
    jobs.jobs_of(app).sweep_outbox()
    [message] = outbox(app)
    assert message["To"] == "kept@example.org" and message["Subject"] == "Kept"
    jobs.jobs_of(app).sweep_outbox()
    assert len(outbox(app)) == 1
    with db_session() as session:
        row = session.scalar(select(OutboxMessage))
        assert row.sent_at is not None and row.attempts == 1 and row.next_attempt_at is None


def test_jobs_and_sweeps_racing_send_each_message_once(app, db_session):
    with db_session() as session:
        session.add_all(
            OutboxMessage(recipient=f"r{n}@example.org", subject="Race", body="Once.")
            for n in range(20)
        )
    with db_session() as session:
        ids = list(session.scalars(select(OutboxMessage.id)))
    queue = jobs.jobs_of(app)
    errors: list[BaseException] = []

    def job_then_sweep(order: list[int]) -> None:
        try:
            for message_id in order:
                queue.send_message(message_id)
            queue.sweep_outbox()
        except BaseException as error:  # noqa: BLE001  (reported below, in the test's thread)
            errors.append(error)

    threads = [
        threading.Thread(target=job_then_sweep, args=(ids[n:] + ids[:n],)) for n in range(0, 20, 4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Counter(message["To"] for message in outbox(app)) == {
        f"r{n}@example.org": 1 for n in range(20)
    }


def test_a_failed_send_waits_in_the_outbox_and_a_later_retry_delivers_it(
    app, client, runner, db_session, start_smtp_sink, unused_tcp_port
):
    # The mail server is down when the expert registers.
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=unused_tcp_port)
    assert register(client, email="patient@example.org").status_code == 302
    listed = runner.invoke(args=["roster", "outbox"])
    assert listed.exit_code == 0
    assert "patient@example.org" in listed.output and "tries: 1, next try" in listed.output
    assert (
        "ConnectionRefusedError" in listed.output and "1 message(s) not sent yet." in listed.output
    )
    with db_session() as session:
        row = session.scalar(select(OutboxMessage))
        assert row.sent_at is None and row.attempts == 1 and "ConnectionRefused" in row.last_error
    sink = start_smtp_sink(unused_tcp_port)
    # Before its next try is due the sweep leaves it; a minute later it goes.
    assert jobs.sweep(app) == 0 and sink.messages == []
    assert jobs.sweep(app, now=utcnow() + timedelta(minutes=2)) == 1
    [(recipients, message)] = sink.messages
    assert recipients == ["patient@example.org"]
    assert link_in(message, "confirm")
    assert jobs.sweep(app, now=utcnow() + timedelta(hours=1)) == 0 and len(sink.messages) == 1
    assert "0 message(s) not sent yet." in runner.invoke(args=["roster", "outbox"]).output
    with db_session() as session:
        row = session.scalar(select(OutboxMessage))
        assert row.sent_at is not None and row.attempts == 2


def test_retries_wait_twice_as_long_each_time_then_stop_until_asked_again(
    app, runner, db_session, unused_tcp_port
):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=unused_tcp_port)
    with db_session() as session:
        session.add(OutboxMessage(recipient="never@example.org", subject="No", body="Down."))
    now, waits = utcnow(), []
    for _ in range(12):
        jobs.sweep(app, now=now)
        with db_session() as session:
            row = session.scalar(select(OutboxMessage))
        if row.next_attempt_at is None:
            break
        waits.append(
            round((row.next_attempt_at.replace(tzinfo=now.tzinfo) - now).total_seconds() / 60)
        )
        now = row.next_attempt_at.replace(tzinfo=now.tzinfo)
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 240]
    assert row.attempts == 10 and row.sent_at is None and row.last_error
    listed = runner.invoke(args=["roster", "outbox"]).output
    assert "never@example.org" in listed and "tries: 10, no more tries" in listed
    app.config.update(MAIL_SERVER="")  # The mail settings are put right.
    assert jobs.sweep(app) == 0
    retried = runner.invoke(args=["roster", "outbox", "--retry"])
    assert retried.exit_code == 0 and "1 message(s) will be tried again." in retried.output
    assert jobs.sweep(app) == 1
    assert [message["To"] for message in outbox(app)] == ["never@example.org"]


def test_sent_mail_is_deleted_after_thirty_days(app, db_session):
    with db_session() as session:
        session.add(OutboxMessage(recipient="old@example.org", subject="Old", body="Long ago."))
    assert jobs.sweep(app) == 1
    assert jobs.sweep(app, now=utcnow() + timedelta(days=29)) == 0
    assert count_rows(db_session, OutboxMessage) == 1
    jobs.sweep(app, now=utcnow() + timedelta(days=31))
    assert count_rows(db_session, OutboxMessage) == 0


def test_mail_queued_in_savepoints_goes_once_the_whole_transaction_commits(app, db_session):
    # A bulk change writes each expert's change in a savepoint: releasing one is no commit.
    from roster.mail import Mail
    from roster.outbox import queue_mail

    with db_session() as session:
        with session.begin_nested():
            queue_mail(session=session, mail=Mail(to="kept@example.org", subject="A", body="."))
        assert outbox(app) == []  # nothing leaves while the transaction is open
        try:
            with session.begin_nested():
                queue_mail(session=session, mail=Mail(to="gone@example.org", subject="B", body="."))
                raise RuntimeError("this expert is skipped")
        except RuntimeError:
            pass
        with session.begin_nested():
            queue_mail(session=session, mail=Mail(to="also@example.org", subject="C", body="."))
    assert sorted(message["To"] for message in outbox(app)) == [
        "also@example.org",
        "kept@example.org",
    ]
