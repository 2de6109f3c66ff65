"""The exposure report in a real browser: reached from the dashboard, axe-clean at both widths."""

import pytest

from tests.browser.conftest import PHONE_WIDTH, assert_accessible, keyboard_sign_in
from tests.roster.test_exposure import NAMES, seed_shortlists

pytestmark = pytest.mark.browser


def test_a_recruiter_reads_the_exposure_report(app, live_server, page, make_user, tmp_path):
    seed_shortlists(app)
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    page.set_viewport_size({"width": 1280, "height": 900})
    keyboard_sign_in(page, live_server, "rita@example.org")
    page.goto(live_server + "/dashboard")
    with page.expect_navigation():
        page.get_by_role("link", name="how widely the shortlists reach").click()
    assert page.title() == "How widely the shortlists reach · Electoral Expert Roster"
    figures = page.locator("#exposure-figures")
    assert figures.locator("caption").is_visible()
    first_row = figures.locator("tbody tr").first
    assert first_row.locator("td").all_inner_texts() == ["4", "12", "12", "12"]
    experts = page.locator("#exposure-experts tbody th").all_inner_texts()
    assert experts == [*NAMES.values(), "Erased experts, together"]
    page.screenshot(path=str(tmp_path / "exposure-1280.png"), full_page=True)
    assert_accessible(page)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.screenshot(path=str(tmp_path / "exposure-375.png"), full_page=True)
    for part in ("concentration", "reading", "most-exposed"):  # a phone's screenful each
        page.locator(f"#{part}").scroll_into_view_if_needed()
        page.evaluate(f"document.getElementById('{part}').scrollIntoView()")
        page.screenshot(path=str(tmp_path / f"exposure-375-{part}.png"))
    assert_accessible(page)


def test_a_bad_period_is_said_and_fixed_by_keyboard(app, live_server, page, make_user, tmp_path):
    seed_shortlists(app)
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    keyboard_sign_in(page, live_server, "rita@example.org")
    page.goto(live_server + "/dashboard/exposure?from=2027-03-02&to=2027-03-01")
    summary = page.locator("#error-summary")
    assert "The last day comes before the first day" in summary.inner_text()
    assert page.locator("#exposure-figures").count() == 0
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.screenshot(path=str(tmp_path / "exposure-refused-375.png"), full_page=True)
    assert_accessible(page)
    # The summary's link leads to the field; clearing both days shows the last 90 days.
    page.locator("#error-summary a").first.click()
    page.locator("#to").fill("")
    page.locator("#from").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Show this period").click()
    assert page.locator("#exposure-figures").is_visible()
    assert "4 shortlists issued" in page.locator("#period-summary").inner_text()
