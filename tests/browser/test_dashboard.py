"""The dashboard in a real browser: by keyboard alone, axe-clean at desktop and phone width."""

import random

import pytest

from tests.browser.conftest import PHONE_WIDTH, assert_accessible, keyboard_sign_in
from tests.roster.test_dashboard import backdate_history, import_records, mixed_record

pytestmark = pytest.mark.browser


@pytest.fixture
def roster(app, runner, tmp_path):
    rng = random.Random(5)
    import_records(runner, tmp_path, [mixed_record(n, rng) for n in range(1, 81)])
    backdate_history(app, rng)


def focused(page) -> str:
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return e.tagName + ' ' + (e.getAttribute('aria-label') || e.textContent).trim(); })()"
    )


def tab_to(page, wanted: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if wanted in focused(page):
            return
    raise AssertionError(f"{wanted!r} not reached by Tab; last: {focused(page)}")


def test_a_recruiter_reads_the_dashboard_by_keyboard(
    roster, live_server, page, make_user, tmp_path
):
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    page.set_viewport_size({"width": 1280, "height": 900})
    keyboard_sign_in(page, live_server, "rita@example.org")
    # The header's link leads there.
    tab_to(page, "Dashboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title() == "Where the roster is thin · Electoral Expert Roster"
    # Every chart is an image named by its title and summary, beside a table.
    charts = page.locator("svg[role=img]")
    assert charts.count() == 8
    for i in range(charts.count()):
        ids = charts.nth(i).get_attribute("aria-labelledby").split()
        for label in ids:
            assert page.locator(f"#{label}").count() == 1
    assert page.locator("#sensitive").count() == 0  # for admins only
    # A table opens from its summary by keyboard, and its region takes the focus to scroll.
    tab_to(page, "Table: Gender by roster status")
    page.keyboard.press("Enter")
    assert page.locator("details").first.evaluate("e => e.open")
    page.keyboard.press("Tab")
    assert focused(page).startswith("DIV All experts: Gender by roster status")
    # The skip to supply and demand works from the contents.
    page.locator("a[href='#gap']").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#gap"
    page.screenshot(path=str(tmp_path / "dashboard-1280.png"))
    assert_accessible(page)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.screenshot(path=str(tmp_path / "dashboard-375.png"))
    assert_accessible(page)


def test_an_admin_sees_disability_and_age(roster, live_server, page, make_user):
    make_user("ada@example.org", "admin", name="Ada Lovelace")
    keyboard_sign_in(page, live_server, "ada@example.org")
    page.goto(live_server + "/dashboard#sensitive")
    assert page.locator("#disability-by-status").is_visible()
    assert page.locator("#age-by-status").is_visible()
    assert_accessible(page)
