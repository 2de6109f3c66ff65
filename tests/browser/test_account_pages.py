"""Sign-in and administration pages in a real browser, by keyboard, checked with axe-core."""

import pytest

from tests.browser.conftest import assert_accessible, keyboard_sign_in
from tests.conftest import link_in, outbox

pytestmark = pytest.mark.browser


def test_failed_sign_in_shows_an_accessible_error_summary(live_server, page, make_user):
    make_user("a@example.org")
    keyboard_sign_in(page, live_server, "a@example.org", "not the right password")
    alert = page.get_by_role("alert")
    assert "The email address or the password is not right." in alert.inner_text()
    # Focus moves to the summary, so a screen reader reads it and Tab leads on from it.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert_accessible(page)


def test_sign_in_pages_are_accessible(live_server, page):
    for path, heading in [
        ("/register", "Register as an electoral expert"),
        ("/reset", "Forgot your password?"),
    ]:
        page.goto(live_server + path)
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert_accessible(page)
    page.goto(live_server + "/register")
    page.get_by_role("button", name="Register").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Full name").get_attribute("aria-invalid") == "true"
    assert_accessible(page)


def test_admin_opens_a_staff_account_by_keyboard(app, live_server, page, make_user):
    make_user("admin@example.org", "admin")
    keyboard_sign_in(page, live_server, "admin@example.org")
    page.get_by_role("link", name="Users").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Users"
    assert_accessible(page)
    page.get_by_role("link", name="New staff account").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Mei Lin")
    page.get_by_label("Email address").fill("mei@example.org")
    page.get_by_label("Mission planner: needs assessments and shortlists").check()
    page.get_by_role("button", name="Create the account").click()
    assert "Account created for mei@example.org" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="mei@example.org").click()
    assert page.get_by_label("Mission planner: needs assessments and shortlists").is_checked()
    assert_accessible(page)
    [mail] = [message for message in outbox(app) if message["To"] == "mei@example.org"]
    link = link_in(mail, "reset", base=live_server)
    page.get_by_role("button", name="Sign out").click()
    page.goto(live_server + link)
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("planning the next mission")
    page.get_by_label("New password again").fill("planning the next mission")
    page.get_by_role("button", name="Save the new password").click()
    keyboard_sign_in(page, live_server, "mei@example.org", "planning the next mission")
    page.get_by_role("link", name="Password").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Change your password"
    assert_accessible(page)


def tab_to(page, locator, presses: int = 60) -> None:
    """Press Tab until ``locator`` has the focus; fail if the keyboard never reaches it."""
    handle = locator.element_handle()
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("element => document.activeElement === element", handle):
            return
    raise AssertionError(f"Tab never reached {locator}")


def press_and_wait(page, key: str = "Enter") -> None:
    """Press a key that follows a link or sends a form, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_admin_reads_the_audit_trail_by_keyboard(live_server, page, make_user, db_session):
    from datetime import UTC, datetime, timedelta

    from roster.models import AuditEvent, Expert

    make_user("admin@example.org", "admin", name="Ada Lovelace")
    with db_session() as session:
        expert = Expert(external_id="EXP-0042", full_name="Awa Ndiaye", email="awa@example.org")
        session.add(expert)
        session.flush()
        start = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
        session.add_all(
            AuditEvent(
                action="roster.export",
                at=start + timedelta(minutes=n),
                subject_expert_id=expert.id if n % 7 == 0 else None,
                detail={"format": "csv", "records": n},
            )
            for n in range(60)
        )
    keyboard_sign_in(page, live_server, "admin@example.org")
    tab_to(page, page.get_by_role("link", name="Audit trail"))
    press_and_wait(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Audit trail"
    assert_accessible(page)
    tab_to(page, page.get_by_label("Action"))
    page.keyboard.type("exported the roster")  # a closed list picks the option its words start with
    assert page.get_by_label("Action").input_value() == "roster.export"
    tab_to(page, page.get_by_label("From (UTC)"))
    # The date picker's typing order follows the browser's own locale: set the value.
    page.get_by_label("From (UTC)").fill("2026-03-10")
    press_and_wait(page)
    assert "action=roster.export" in page.url and "since=2026-03-10" in page.url
    assert "50 event(s) matching the filters" in page.get_by_role("table").inner_text()
    assert_accessible(page)
    tab_to(page, page.get_by_role("link", name="Older events"))
    press_and_wait(page)
    assert "10 event(s)" in page.get_by_role("table").inner_text()
    assert page.get_by_role("link", name="Newer events").is_visible()
    assert_accessible(page)
    # A filter naming nobody: the form says so, and the summary takes the focus.
    tab_to(page, page.get_by_label("Done by"))
    page.keyboard.type("nobody@example.org")
    press_and_wait(page)
    assert "No account has this email address." in page.get_by_role("alert").inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert_accessible(page)


def test_admin_sends_a_new_invitation_and_removes_a_staff_account_by_keyboard(
    app, live_server, page, make_user
):
    make_user("admin@example.org", "admin", name="Ada Lovelace")
    keyboard_sign_in(page, live_server, "admin@example.org")
    page.get_by_role("button", name="Sign out").wait_for()
    page.goto(live_server + "/admin/users/new")
    page.get_by_label("Name").fill("Mei Lin")
    page.get_by_label("Email address").fill("mei@example.org")
    page.get_by_label("Mission planner: needs assessments and shortlists").check()
    page.get_by_role("button", name="Create the account").click()
    assert "invited, no password yet" in page.get_by_role("table").inner_text()
    tab_to(page, page.get_by_role("link", name="mei@example.org"))
    press_and_wait(page)
    assert_accessible(page)
    tab_to(page, page.get_by_role("button", name="Send a new invitation"))
    press_and_wait(page)
    assert "A new invitation was emailed to mei@example.org." in (
        page.get_by_role("status").inner_text()
    )
    assert [m["To"] for m in outbox(app)].count("mei@example.org") == 2
    assert_accessible(page)
    tab_to(page, page.get_by_role("link", name="Remove this account…"))
    press_and_wait(page)
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Remove the account of mei@example.org"
    )
    assert_accessible(page)
    tab_to(page, page.get_by_role("button", name="Remove the account"))
    press_and_wait(page)
    assert "The account of mei@example.org is removed" in page.get_by_role("status").inner_text()
    assert "mei@example.org" not in page.get_by_role("table").inner_text()
    assert_accessible(page)
    # One's own account: the page explains the refusal and offers no button.
    page.get_by_role("link", name="admin@example.org").click()
    page.get_by_role("link", name="Remove this account…").click()
    assert "You cannot remove your own account." in page.get_by_role("main").inner_text()
    assert page.get_by_role("button", name="Remove the account").count() == 0
    assert_accessible(page)
