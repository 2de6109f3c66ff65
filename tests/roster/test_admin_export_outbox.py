"""Admins export the audit trail to CSV (filtered, streamed, neutralised, itself audited) and
read the mail outbox: its states, a page at a time, never a message's body, and retry now."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from roster import jobs
from roster.models import AuditEvent, Expert, OutboxMessage, User, utcnow
from tests.conftest import csrf_token, outbox
from tests.roster.conftest import ADMIN_EMAIL

T0 = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def export(admin, query: str = ""):
    """Open the trail with ``query`` and press its "Export" button, as a browser would."""
    page = admin.get(f"/admin/audit{query}").get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+/audit/export[^"]*)"', page)
    assert action, "no export button on the trail"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return admin.post(action.group(1).replace("&amp;", "&"), data={"csrf_token": token})


def read_csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def trail(admin, db_session):
    """A trail with an expert, events about them and others, one with a hostile reason."""
    with db_session() as session:
        expert = Expert(external_id="EXP-0042", full_name="Awa Ndiaye", email="awa@example.org")
        session.add(expert)
        session.flush()
        admin_id = session.scalar(select(User.id).where(User.email == ADMIN_EMAIL))
        session.add(
            AuditEvent(
                action="profile.view",
                actor_id=admin_id,
                subject_expert_id=expert.id,
                at=T0,
                reason='=HYPERLINK("http://evil.example","x")',
                detail={"purpose": "vetting"},
            )
        )
        for n, reason in enumerate(["+1", "-2", "@SUM(A1)", "\tcell", "\rcell", "plain"]):
            session.add(
                AuditEvent(
                    action="cv.download",
                    actor_id=admin_id,
                    subject_expert_id=expert.id,
                    at=T0 + timedelta(days=1, minutes=n),
                    reason=reason,
                )
            )
        session.add(AuditEvent(action="roster.import", at=T0 + timedelta(days=5)))
        return expert.public_id


def test_the_export_holds_the_filtered_events_with_formulas_neutralised(admin, trail, db_session):
    response = export(admin, "?expert=EXP-0042&since=2026-03-11")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    # The six CV downloads of the 11th, newest first; not the view of the 10th nor the import.
    assert [row["action"] for row in rows] == ["cv.download"] * 6
    assert [row["reason"] for row in rows] == [
        "plain",
        "'\rcell",
        "'\tcell",
        "'@SUM(A1)",
        "'-2",
        "'+1",
    ]
    assert {row["expert"] for row in rows} == {trail}
    assert rows[0]["actor"] == "Ada Lovelace" and rows[0]["actor_email"] == ADMIN_EMAIL
    assert rows[0]["what"] == "downloaded an expert's CV"


def test_a_whole_export_neutralises_every_cell_and_is_itself_audited(admin, trail, db_session):
    rows = read_csv(export(admin))
    view = next(row for row in rows if row["action"] == "profile.view")
    assert view["reason"].startswith("'=HYPERLINK")
    assert view["details"] == "purpose: vetting"
    with db_session(write=False) as session:
        audited = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "audit.exported")
        ).all()
    assert len(audited) == 1 and audited[0].detail == {}
    # The export shows in the trail as one more event, with its words.
    page = admin.get("/admin/audit?action=audit.exported").get_data(as_text=True)
    assert "exported the audit trail to CSV" in page


def test_an_export_records_its_filters_by_id_never_by_address(admin, trail, db_session):
    export(admin, f"?actor={ADMIN_EMAIL}&action=cv.download")
    with db_session(write=False) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported"))
        admin_user = session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    assert event.detail == {"action": "cv.download", "actor": admin_user.public_id}
    assert ADMIN_EMAIL not in str(event.detail)


def test_an_export_of_bad_filters_is_refused_and_not_audited(admin, trail, db_session):
    token = csrf_token(admin, "/admin/audit")
    response = admin.post(
        "/admin/audit/export?since=2026-03-12&until=2026-03-01", data={"csrf_token": token}
    )
    assert response.status_code == 400
    assert "The last day comes before the first day" in response.get_data(as_text=True)
    response = admin.post("/admin/audit/export?expert=EXP-NOBODY", data={"csrf_token": token})
    assert response.status_code == 400
    assert "No expert has this name, id or reference" in response.get_data(as_text=True)
    with db_session(write=False) as session:
        assert (
            session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported")) is None
        )


def test_an_export_without_the_form_token_is_refused(admin, trail, db_session):
    assert admin.post("/admin/audit/export").status_code == 400
    with db_session(write=False) as session:
        assert (
            session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported")) is None
        )


@pytest.mark.parametrize("role", ["recruiter", "planner", "expert"])
def test_only_admins_export_the_trail_and_read_the_outbox(staff, role):
    client = staff(role)
    token = csrf_token(client, "/account/password")
    assert client.post("/admin/audit/export", data={"csrf_token": token}).status_code == 403
    assert client.get("/admin/outbox").status_code == 403
    assert client.post("/admin/outbox/1/retry", data={"csrf_token": token}).status_code == 403


# --- The outbox ----------------------------------------------------------------------------


@pytest.fixture
def mail(db_session):
    """One message in each state; returns their ids by state."""
    now = utcnow()
    with db_session() as session:
        messages = {
            "queued": OutboxMessage(
                recipient="queued@example.org", subject="Waiting", body="SECRET-LINK-1"
            ),
            "retrying": OutboxMessage(
                recipient="retrying@example.org",
                subject="Failing",
                body="SECRET-LINK-2",
                attempts=2,
                last_error="ConnectionRefusedError: [Errno 111]",
                next_attempt_at=now + timedelta(hours=1),
            ),
            "failed": OutboxMessage(
                recipient="failed@example.org",
                subject="Given up",
                body="SECRET-LINK-3",
                attempts=10,
                last_error="SMTPRecipientsRefused: 550",
                next_attempt_at=None,
            ),
            "sent": OutboxMessage(
                recipient="sent@example.org",
                subject="Gone out",
                body="SECRET-LINK-4",
                attempts=1,
                sent_at=now,
                next_attempt_at=None,
            ),
        }
        session.add_all(messages.values())
        session.flush()
        # Set after the insert, which fills in the column's default for a None.
        ids = [messages["failed"].id, messages["sent"].id]
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(next_attempt_at=None)
        )
        return {state: message.public_id for state, message in messages.items()}


def table_rows(page: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert body, "no table on the page"
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def test_the_outbox_shows_each_message_s_state_and_recipient_never_its_body(admin, mail):
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert 'href="/admin/outbox"' in page  # In the admin's navigation.
    shown = table_rows(page)
    assert len(shown) == 4
    assert "sent@example.org Gone out sent" in shown[0]
    assert "failed@example.org Given up failed: no more tries 10 SMTPRecipientsRefused" in shown[1]
    assert "retrying@example.org Failing failing: next try" in shown[2]
    assert "queued@example.org Waiting queued 0" in shown[3]
    assert "SECRET-LINK" not in page
    # Retry now is offered for the failing and the failed, not for the others.
    assert page.count("Retry now</button>") == 2


@pytest.mark.parametrize(
    ("state", "recipients"),
    [
        ("queued", ["queued@example.org"]),
        ("retrying", ["retrying@example.org"]),
        ("failed", ["failed@example.org"]),
        ("sent", ["sent@example.org"]),
        ("retried", ["failed@example.org", "retrying@example.org"]),
    ],
)
def test_the_outbox_filters_by_state(admin, mail, state, recipients):
    page = admin.get(f"/admin/outbox?state={state}").get_data(as_text=True)
    assert [row.split()[2] for row in table_rows(page)] == recipients


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("?state=lost", "Please choose a state from the list."),
        ("?before=abc", "This page link is broken."),
        ("?before=-3", "This page link is broken."),
        ("?before=99999999999", "This page link is broken."),
    ],
)
def test_bad_outbox_filters_are_refused_in_plain_words(admin, mail, query, words):
    response = admin.get(f"/admin/outbox{query}")
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)


def test_the_outbox_is_paged_newest_first_without_gaps(admin, db_session):
    with db_session() as session:
        session.add_all(
            OutboxMessage(recipient=f"r{n}@example.org", subject=f"S{n}", body="b")
            for n in range(120)
        )
    seen, url = [], "/admin/outbox"
    while url:
        page = admin.get(url).get_data(as_text=True)
        seen += [row.split()[2] for row in table_rows(page)]
        found = re.search(r'href="(/admin/outbox\?before=\d+)">Older messages', page)
        url = found.group(1) if found else None
    assert seen == [f"r{n}@example.org" for n in reversed(range(120))]


def test_retry_now_sends_a_failed_message_at_once_and_is_audited(admin, mail, db_session):
    token = csrf_token(admin, "/admin/outbox?state=failed")
    response = admin.post(
        f"/admin/outbox/{mail['failed']}/retry?state=failed", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert "The message will be tried again now." in admin.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    # The job queue sent it once the retry committed (mail goes to the outbox folder here).
    assert [message["To"] for message in outbox(admin.application)] == ["failed@example.org"]
    with db_session(write=False) as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.public_id == mail["failed"]))
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "outbox.retried"))
    assert row.sent_at is not None and row.attempts == 1
    assert event.detail == {"message": mail["failed"]}


def test_retry_now_of_a_message_sent_meanwhile_changes_nothing(admin, mail, db_session):
    token = csrf_token(admin, "/admin/outbox")
    jobs.sweep(admin.application, now=utcnow() + timedelta(hours=2))  # Sends the failing one.
    response = admin.post(f"/admin/outbox/{mail['retrying']}/retry", data={"csrf_token": token})
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "This message was sent meanwhile" in page
    for state in ("sent", "queued"):
        admin.post(f"/admin/outbox/{mail[state]}/retry", data={"csrf_token": token})
    assert admin.post("/admin/outbox/999999/retry", data={"csrf_token": token}).status_code == 404
    with db_session(write=False) as session:
        assert (
            session.scalar(select(AuditEvent).where(AuditEvent.action == "outbox.retried")) is None
        )


def test_retry_now_without_the_form_token_is_refused(admin, mail, db_session):
    assert admin.post(f"/admin/outbox/{mail['failed']}/retry").status_code == 400
    with db_session(write=False) as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.public_id == mail["failed"]))
        assert row.next_attempt_at is None


def test_the_trail_is_searched_by_a_person_s_name_too(admin, trail, db_session):
    # The expert by name, across accents and case; the actor by their name.
    for query in ("?expert=awa+ndiaye", "?expert=%C3%80wa+Ndiay%C3%A9"):
        page = admin.get(f"/admin/audit{query}")
        assert page.status_code == 200, query
        assert "7 event(s) matching the filters" in page.get_data(as_text=True), query
    by_name = admin.get("/admin/audit?actor=ada+lovelace&action=cv.download")
    assert "6 event(s) matching the filters" in by_name.get_data(as_text=True)
    with db_session() as session:
        session.add(Expert(external_id="EXP-0043", full_name="Awa  NDIAYE", email="b@x.org"))
    page = admin.get("/admin/audit?expert=Awa+Ndiaye")
    assert page.status_code == 400
    assert "2 experts have this name. Enter the reference" in page.get_data(as_text=True)
    assert admin.get("/admin/audit?expert=EXP-0042").status_code == 200
