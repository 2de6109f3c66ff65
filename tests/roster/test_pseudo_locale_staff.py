"""The home page and the admin pages in the pseudo-locales: every word passed through translation.

In ``en-XA`` a piece of text still holding a plain Latin letter was not marked, unless it is
data the test names: addresses, names, ids, codes (of languages, of audit actions, the keys
of an event's detail), and the names of languages, which come from CLDR in the page's
locale (a pseudo-locale formats as English). In ``ar-XB`` the page is right to left, and
the style sheet uses only logical directions, so that the layout mirrors.
"""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from matching.vocabulary import language_name
from roster.models import AuditEvent, Expert, User
from tests.conftest import csrf_token
from tests.factories import expert_record, write_jsonl
from tests.roster.conftest import ADMIN_EMAIL
from tests.roster.test_pseudo_locale import assert_all_marked

ADMIN = ("Ada Lovelace", ADMIN_EMAIL)
STAFF_EMAIL = "rui.costa@example.org"
STAFF_NAME = "Rui Costa"
CSS = Path(__file__).parents[2] / "static" / "css" / "roster.css"

# Beside the six UN official languages and English: one sign language, and more spoken
# languages than the page lists, so that it says how many it leaves out.
OTHER_LANGUAGES = (
    "ase de it pt ja ko hi sw tr nl pl sv fi da cs el he th vi id ms uk ro hu bg".split()
)


def choose(client, tag: str):
    token = csrf_token(client, "/")
    client.post("/language", data={"language": tag, "next": "/", "csrf_token": token})
    return client


@pytest.fixture
def demo_roster(runner, tmp_path):
    """Thirty-odd experts: every regional group, statuses, genders, languages, accessibility."""
    countries = ["SN", "FR", "BR", "JP", "PL", "KE", "DE", "MX"]
    records = [
        expert_record(
            n,
            gender="woman" if n % 3 else "man",
            nationalities=[countries[n % len(countries)]],
            residence_country=countries[n % len(countries)],
            languages=[
                {"code": "fr", "level": "native"},
                {"code": "en", "level": "C1"},
                {"code": OTHER_LANGUAGES[n % len(OTHER_LANGUAGES)], "level": "B2"},
            ],
            accessibility_expertise=["sign-language"] if n % 2 else [],
            roster_status="rostered" if n <= 26 else "under_review",
        )
        for n in range(1, 31)
    ]
    records.append(expert_record(31, nationalities=["VA"], residence_country="VA"))
    result = runner.invoke(
        args=["roster", "import", str(write_jsonl(tmp_path / "demo.jsonl", records))]
    )
    assert result.exit_code == 0, result.output


@pytest.fixture
def pseudo_admin(admin):
    return choose(admin, "en-XA")


@pytest.fixture
def staff_account(make_user):
    """A recruiter invited by the admin, who has not chosen a password yet."""
    return make_user(
        STAFF_EMAIL, "recruiter", "planner", name=STAFF_NAME, password=None, confirmed=False
    )


def language_data() -> tuple[str, ...]:
    codes = ("ar", "zh", "en", "fr", "ru", "es", *OTHER_LANGUAGES)
    return tuple(language_name(code) for code in codes) + codes


def test_the_home_page_is_all_marked(client, demo_roster):
    response = choose(client, "en-XA").get("/")
    page = response.get_data(as_text=True)
    # The tables have rows, withheld counts among them, and a sentence on languages left out.
    for table in ("by-status", "by-region", "by-language", "by-accessibility"):
        assert re.search(rf'id="{table}">.*?<tbody>\s*<tr>', page, re.S), table
    assert 'id="languages-unlisted"' in page
    assert_all_marked(response, *language_data())


def test_the_users_page_is_all_marked(pseudo_admin, staff_account):
    listed = pseudo_admin.get("/admin/users")
    assert STAFF_EMAIL in listed.get_data(as_text=True)
    assert_all_marked(listed, *ADMIN, STAFF_NAME, STAFF_EMAIL)
    assert_all_marked(pseudo_admin.get("/admin/users?q=rui"), *ADMIN, STAFF_NAME, STAFF_EMAIL)


def test_the_new_account_page_is_all_marked(pseudo_admin):
    assert_all_marked(pseudo_admin.get("/admin/users/new"), *ADMIN)
    token = csrf_token(pseudo_admin, "/admin/users/new")
    invalid = pseudo_admin.post(
        "/admin/users/new",
        data={"display_name": "", "email": "not an address", "csrf_token": token},
    )
    assert invalid.status_code == 400
    assert_all_marked(invalid, *ADMIN)
    # Valid fields, no role: the view's own message.
    token = csrf_token(pseudo_admin, "/admin/users/new")
    no_role = pseudo_admin.post(
        "/admin/users/new",
        data={"display_name": "Mei Lin", "email": "mei@example.org", "csrf_token": token},
    )
    assert no_role.status_code == 400
    assert_all_marked(no_role, *ADMIN, "Mei Lin", "mei@example.org")


def test_the_account_created_message_is_all_marked(pseudo_admin):
    token = csrf_token(pseudo_admin, "/admin/users/new")
    created = pseudo_admin.post(
        "/admin/users/new",
        data={
            "display_name": "Mei Lin",
            "email": "mei@example.org",
            "roles": ["recruiter"],
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert created.status_code == 200
    assert 'class="flash flash-success"' in created.get_data(as_text=True)
    assert_all_marked(created, *ADMIN, "Mei Lin", "mei@example.org")


def test_the_access_page_and_its_messages_are_all_marked(pseudo_admin, staff_account):
    path = f"/admin/users/{staff_account.public_id}"
    assert_all_marked(pseudo_admin.get(path), *ADMIN, STAFF_NAME, STAFF_EMAIL)
    token = csrf_token(pseudo_admin, path)
    resent = pseudo_admin.post(
        f"{path}/invitation", data={"csrf_token": token}, follow_redirects=True
    )
    assert resent.status_code == 200
    assert_all_marked(resent, *ADMIN, STAFF_NAME, STAFF_EMAIL)
    token = csrf_token(pseudo_admin, path)
    unchanged = pseudo_admin.post(
        path,
        data={"roles": ["recruiter", "planner"], "csrf_token": token},
        follow_redirects=True,
    )
    assert "flash-success" in unchanged.get_data(as_text=True)
    assert_all_marked(unchanged, *ADMIN, STAFF_NAME, STAFF_EMAIL)


def test_the_remove_page_and_its_message_are_all_marked(pseudo_admin, staff_account):
    path = f"/admin/users/{staff_account.public_id}/remove"
    page = pseudo_admin.get(path)
    assert page.status_code == 200
    assert_all_marked(page, *ADMIN, STAFF_NAME, STAFF_EMAIL)
    token = csrf_token(pseudo_admin, path)
    removed = pseudo_admin.post(path, data={"csrf_token": token}, follow_redirects=True)
    assert "flash-success" in removed.get_data(as_text=True)
    assert_all_marked(removed, *ADMIN, STAFF_NAME, STAFF_EMAIL)


def test_a_missing_account_is_all_marked(pseudo_admin):
    missing = pseudo_admin.get("/admin/users/no-such-account")
    assert missing.status_code == 404
    assert_all_marked(missing, *ADMIN)


@pytest.fixture
def trail(app, db_session, staff_account, demo_roster):
    """Events of every known action, and one the trail does not know, some without actor."""
    from roster.audit_words import AUDIT_ACTIONS

    start = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    with db_session() as session:
        admin_id = session.scalar(select(User.id).where(User.email == ADMIN_EMAIL))
        expert_id = session.scalar(select(Expert.id).where(Expert.external_id == "EXP-T-0001"))
        for n, action in enumerate([*AUDIT_ACTIONS, "roster.unknown_action"]):
            session.add(
                AuditEvent(
                    action=action,
                    actor_id=admin_id if n % 2 else None,
                    at=start + timedelta(minutes=n),
                    subject_expert_id=expert_id if action.startswith("profile") else None,
                    detail={"user": staff_account.public_id, "notify": True},
                )
            )
    with db_session() as session:
        expert = session.scalar(select(Expert).where(Expert.external_id == "EXP-T-0001"))
        return expert.public_id


def test_the_audit_trail_is_all_marked(pseudo_admin, trail):
    from roster.audit_words import AUDIT_ACTIONS

    response = pseudo_admin.get("/admin/audit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("<tr>") > len(AUDIT_ACTIONS)
    # An event's detail is shown as it was recorded: its keys, the role codes and file
    # names in it are data, like the action codes shown under the words.
    detail = ("user", "notify", "invited", "roles", "planner", "recruiter", "admin")
    imported = ("created", "read", "source", "unchanged", "updated", "duplicates", "demo.jsonl")
    data = (*ADMIN, STAFF_NAME, STAFF_EMAIL, trail, "roster.unknown_action", *detail, *imported)
    assert_all_marked(response, *data, *AUDIT_ACTIONS)
    filtered = pseudo_admin.get("/admin/audit?action=auth.login&since=2026-03-01")
    assert_all_marked(filtered, *data, *AUDIT_ACTIONS)


@pytest.mark.parametrize(
    "query",
    [
        "since=not-a-date&until=2026-13-40",
        "actor=nobody@example.org",
        "actor=no-such-id&expert=EXP-NONE",
        "since=2026-03-10&until=2026-03-01",
        "action=no.such.action",
        "before=abc",
        "before=999999",
    ],
)
def test_the_audit_trail_refusing_a_filter_is_all_marked(pseudo_admin, query):
    response = pseudo_admin.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    assert 'id="error-summary"' in response.get_data(as_text=True)
    # What was typed into a filter is shown back in its box: data.
    typed = tuple(part.split("=", 1)[1] for part in query.split("&"))
    assert_all_marked(response, *ADMIN, *typed)


def test_the_home_page_in_ar_xb_is_right_to_left(client, demo_roster):
    page = choose(client, "ar-XB").get("/").get_data(as_text=True)
    assert re.search(r'<html lang="ar-XB" dir="rtl">', page)


# A physical direction: a property naming left or right, a float or a clear to a side,
# text aligned to a side. Logical ones (inline-start/end) mirror on a right-to-left page.
PHYSICAL = re.compile(
    r"(?<![\w-])(?:"
    r"(?:margin|padding|border|inset|scroll-margin|scroll-padding)-(?:left|right)[\w-]*"
    r"|border-(?:top|bottom)-(?:left|right)-radius"
    r"|left|right"
    r")\s*:"
    r"|(?<![\w-])(?:float|clear)\s*:\s*(?:left|right)"
    r"|text-align\s*:\s*(?:left|right)"
)
# Shorthands whose four values set the two sides apart (top right bottom left).
SHORTHAND = re.compile(
    r"(?<![\w-])(margin|padding|inset|border-width|border-radius)\s*:\s*([^;}]+)"
)


def physical_directions(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = [m.group(0) for m in PHYSICAL.finditer(css)]
    for match in SHORTHAND.finditer(css):
        values = match.group(2).replace("!important", "").split()
        if match.group(1) == "border-radius":
            if len(values) > 1:
                found.append(match.group(0))
        elif len(values) == 4 and values[1] != values[3]:
            found.append(match.group(0))
    return found


def test_the_style_sheet_has_no_physical_left_or_right():
    assert physical_directions(CSS.read_text()) == []


def test_the_style_sheet_check_finds_physical_directions():
    css = (
        ".a { margin-left: 1px; padding-right: 0 } .b { float: left; text-align: right }"
        " .c { left: 0; border-top-left-radius: 2px } .d { margin: 0 1px 0 2px }"
        " .e { border-radius: 2px 0 } .f { inset-inline-start: 0; margin: 0 1rem 2rem }"
        " /* right: 0 */ .g { border-right: 1px solid }"
    )
    assert sorted(physical_directions(css)) == sorted(
        [
            "margin-left:",
            "padding-right:",
            "left:",
            "border-top-left-radius:",
            "border-right:",
            "float: left",
            "text-align: right",
            "margin: 0 1px 0 2px ",
            "border-radius: 2px 0 ",
        ]
    )
