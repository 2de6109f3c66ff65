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
