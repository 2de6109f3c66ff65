"""Admins read the audit trail: newest first, a page at a time, filtered; nobody else does."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from roster.audit_words import AUDIT_ACTIONS
from roster.models import AuditEvent, Expert, User
from roster.profiles.transparency import STAFF_VIEW_ACTIONS
from tests.conftest import sign_in
from tests.roster.conftest import ADMIN_EMAIL

T0 = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def add_events(db_session):
    """Write audit rows: ``add_events(n, action=..., actor=email, expert=external_id, at=...)``."""

    def add(count: int = 1, *, action: str = "auth.login", actor: str | None = None, **values):
        with db_session() as session:
            actor_id = session.scalar(select(User.id).where(User.email == actor)) if actor else None
            expert = values.pop("expert", None)
            if expert:
                values["subject_expert_id"] = session.scalar(
                    select(Expert.id).where(Expert.external_id == expert)
                )
            start = values.pop("at", T0)
            for n in range(count):
                session.add(
                    AuditEvent(
                        action=action, actor_id=actor_id, at=start + timedelta(minutes=n), **values
                    )
                )

    return add


@pytest.fixture
def expert(db_session):
    """An expert on the roster, EXP-0042; returns its public id."""
    with db_session() as session:
        expert = Expert(external_id="EXP-0042", full_name="Awa Ndiaye", email="awa@example.org")
        session.add(expert)
        session.flush()
        return expert.public_id


def rows(page: str) -> list[str]:
    """The table rows of the trail, as text without tags."""
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert body, "no table on the page"
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def link(page: str, text: str) -> str:
    found = re.search(rf'<a href="([^"]+)">{text}</a>', page)
    assert found, f"no link {text!r}"
    return found.group(1).replace("&amp;", "&")


def test_the_admin_navigation_leads_to_the_trail_newest_first(admin, make_user, add_events):
    make_user("rui@example.org", "recruiter", name="Rui Costa")
    add_events(action="account.access_changed", actor=ADMIN_EMAIL, at=T0)
    add_events(action="profile.view", actor="rui@example.org", at=T0 + timedelta(hours=1))
    home = admin.get("/admin/users").get_data(as_text=True)
    assert '<a href="/admin/audit"' in home and "Audit trail" in home
    page = admin.get("/admin/audit")
    assert page.status_code == 200
    shown = rows(page.get_data(as_text=True))
    # Newest first: Rui's account opened, Ada's sign-in, Ada's account opened; then March.
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert [row[:10] for row in shown] == [today] * 3 + ["2026-03-10"] * 2
    assert "system (registration or command line) opened an account" in shown[0]
    assert "account Rui Costa roles: recruiter" in shown[0]
    assert "Ada Lovelace ada@example.org signed in auth.login" in shown[1]
    assert "opened an account account.create account Ada Lovelace roles: admin" in shown[2]
    assert shown[3].startswith("2026-03-10 10:30:00")
    assert "Rui Costa rui@example.org opened an expert&#39;s profile profile.view" in shown[3]
    assert shown[4].startswith("2026-03-10 09:30:00 Ada Lovelace")
    assert "changed an account&#39;s roles or state" in shown[4]


@pytest.mark.parametrize("role", ["recruiter", "planner", "expert"])
def test_only_admins_read_the_trail(app, make_user, role):
    make_user(f"{role}@example.org", role)
    client = app.test_client()
    sign_in(client, f"{role}@example.org")
    assert client.get("/admin/audit").status_code == 403
    assert "Audit trail" not in client.get("/account/password").get_data(as_text=True)


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get("/admin/audit?action=auth.login")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_each_row_says_who_did_what_about_whom_and_why(
    admin, make_user, add_events, expert, db_session
):
    make_user("rui@example.org", "recruiter", name="Rui Costa")
    add_events(
        action="profile.view",
        actor="rui@example.org",
        expert="EXP-0042",
        reason="Checking languages before the Mali mission",
        detail={"purpose": "vetting"},
    )
    page = admin.get("/admin/audit?action=profile.view").get_data(as_text=True)
    [row] = rows(page)
    assert row == (
        "2026-03-10 09:30:00 Rui Costa rui@example.org opened an expert&#39;s profile profile.view "
        f"expert {expert} Checking languages before the Mali mission purpose: vetting"
    )
    # The expert's id leads to their profile, which an admin opens by giving a reason.
    assert f'<a href="/experts/{expert}">{expert}</a>' in page
    with db_session() as session:
        rui = session.scalar(select(User).where(User.email == "rui@example.org"))
    assert f'<a href="/admin/users/{rui.public_id}">Rui Costa</a>' in page


def test_the_account_an_event_concerns_is_named_and_linked(
    admin, make_user, add_events, db_session
):
    target = make_user("mei@example.org", "planner", name="Mei Lin")
    add_events(
        action="account.access_changed",
        actor=ADMIN_EMAIL,
        detail={"user": target.public_id, "changes": ["granted recruiter", "disabled"]},
    )
    page = admin.get("/admin/audit?action=account.access_changed").get_data(as_text=True)
    [row] = rows(page)
    assert "account Mei Lin changes" in row
    assert "changes: granted recruiter, disabled" in row and "user:" not in row
    assert f'<a href="/admin/users/{target.public_id}">Mei Lin</a>' in page


def test_detail_is_shown_as_text_never_as_markup(admin, add_events):
    add_events(
        action="roster.import",
        detail={"source": "<script>alert(1)</script>.csv", "nested": {"b": [1, 2], "a": True}},
    )
    page = admin.get("/admin/audit?action=roster.import").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.csv" in page
    assert "nested: a=yes, b=1, 2" in page


def test_rows_without_an_account_say_who_acted(admin, add_events):
    add_events(action="roster.export", at=T0)
    add_events(action="auth.login", at=T0 + timedelta(minutes=1))
    add_events(action="profile.erased", at=T0 + timedelta(minutes=2))
    page = admin.get("/admin/audit?until=2026-03-10").get_data(as_text=True)
    erased, login, export = rows(page)
    assert "system (command line) exported the roster" in export
    assert "an erased account signed in" in login
    assert "the expert (account erased) erased their account and profile" in erased


def test_filters_by_action_account_expert_and_days(
    admin, make_user, add_events, expert, db_session
):
    make_user("rui@example.org", "recruiter", name="Rui Costa")
    add_events(3, action="profile.view", actor="rui@example.org", expert="EXP-0042", at=T0)
    add_events(2, action="cv.download", actor="rui@example.org", at=T0 + timedelta(days=1))
    add_events(4, action="auth.login_failed", actor="rui@example.org", at=T0 + timedelta(days=2))

    def count(query: str) -> int:
        response = admin.get(f"/admin/audit?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return len(rows(response.get_data(as_text=True)))

    assert count("action=cv.download") == 2
    assert count("actor=RUI@example.org") == 9
    with db_session() as session:
        rui = session.scalar(select(User.public_id).where(User.email == "rui@example.org"))
    assert count(f"actor={rui}&action=auth.login_failed") == 4
    assert count(f"expert={expert}") == 3
    assert count("expert=EXP-0042") == 3
    assert count("since=2026-03-11&until=2026-03-11") == 2
    assert count("since=2026-03-11&actor=rui@example.org") == 6
    assert count("until=2026-03-11") == 5
    assert count("since=2026-03-12&until=9999-12-31&actor=rui@example.org") == 4
    empty = admin.get("/admin/audit?action=account.removed").get_data(as_text=True)
    assert "No event matches the filters" in empty


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=2026-02-30", "The first day must be a date, like 2027-03-01."),
        ("until=10/03/2026", "The last day must be a date, like 2027-03-31."),
        ("since=2026-03-12&until=2026-03-10", "The last day comes before the first day."),
        ("action=superuser.grant", "Please choose an action from the list."),
        ("actor=nobody@example.org", "No account has this email address."),
        ("actor=not-an-id", "No account has this id or name."),
        ("expert=EXP-9999", "No expert has this name, id or reference"),
        ("before=abc", "This page link is broken."),
        ("after=-3", "This page link is broken."),
        ("before=99999999999", "This page link is broken."),
        ("before=2147483000", "This page link is out of date."),
    ],
)
def test_bad_filters_are_refused_on_the_form_in_plain_words(admin, query, message):
    response = admin.get(f"/admin/audit?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert"' in page and message in page
    assert '<table id="audit">' not in page
    # The form keeps what was typed, to be corrected.
    assert '<form method="get"' in page


def test_pages_follow_each_other_without_gaps_or_repeats(admin, add_events):
    add_events(120, action="roster.export", at=T0)
    first = admin.get("/admin/audit?action=roster.export").get_data(as_text=True)
    assert "Newer events" not in first
    seen = [rows(first)]
    older = link(first, "Older events")
    assert "action=roster.export" in older
    second = admin.get(older).get_data(as_text=True)
    seen.append(rows(second))
    third = admin.get(link(second, "Older events")).get_data(as_text=True)
    seen.append(rows(third))
    assert [len(page) for page in seen] == [50, 50, 20]
    assert "Older events" not in third
    times = [row[:19] for page in seen for row in page]
    assert times == sorted(set(times), reverse=True) and len(times) == 120
    assert times[0] == "2026-03-10 11:29:00" and times[-1] == "2026-03-10 09:30:00"
    # Back from the last page: the middle page again, with both links.
    back = admin.get(link(third, "Newer events")).get_data(as_text=True)
    assert rows(back) == seen[1]
    assert "Older events" in back and "Newer events" in back
    top = admin.get(link(back, "Newer events")).get_data(as_text=True)
    assert rows(top) == seen[0] and "Newer events" not in top


def test_events_with_the_same_time_are_paged_by_id(admin, add_events, db_session):
    with db_session() as session:
        session.add_all(
            AuditEvent(action="roster.export", at=T0, detail={"n": n}) for n in range(60)
        )
    first = admin.get("/admin/audit?action=roster.export").get_data(as_text=True)
    second = admin.get(link(first, "Older events")).get_data(as_text=True)
    numbers = [int(re.search(r"n: (\d+)", row).group(1)) for row in rows(first) + rows(second)]
    assert numbers == list(range(59, -1, -1))


def test_reading_the_trail_writes_nothing(admin, add_events, db_session):
    add_events(5)
    with db_session() as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
    admin.get("/admin/audit")
    admin.get("/admin/audit?action=auth.login&since=2026-01-01")
    with db_session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_every_action_the_roster_writes_has_plain_words():
    root = Path(__file__).resolve().parents[2] / "roster"
    written = set(STAFF_VIEW_ACTIONS)  # profile.view and cv.download, passed as a variable
    for path in root.rglob("*.py"):
        code = path.read_text()
        written |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', code))
        written |= set(re.findall(r'_audit\(session, "([a-z_]+\.[a-z_]+)"', code))
    assert {"auth.login", "account.removed", "account.invitation_resent"} <= written
    assert written - set(AUDIT_ACTIONS) == set()
