"""Over-long searches and right-to-left names in a real browser, checked with axe-core."""

from urllib.parse import quote

import pytest

from roster.models import Expert
from roster.serving import http_response
from tests.browser.conftest import assert_accessible
from tests.browser.test_account_pages import keyboard_sign_in

pytestmark = pytest.mark.browser

ARABIC_NAME = "عائشة بنت محمد\u200f (A.)"


@pytest.fixture
def recruiter(make_user, db_session, live_server, page):
    """A recruiter signed in, and a roster holding an expert whose name is in Arabic."""
    with db_session() as session:
        session.add(Expert(external_id="EXP-AR-1", full_name=ARABIC_NAME, email="a@example.org"))
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    keyboard_sign_in(page, live_server, "rita@example.org")
    page.wait_for_url(live_server + "/experts")
    return page


def test_the_search_box_takes_200_characters_and_a_longer_address_says_so(live_server, recruiter):
    page = recruiter
    box = page.get_by_label("Name or reference")
    box.press_sequentially("a" * 230)
    assert len(box.input_value()) == 200  # the box stops at its limit
    response = page.goto(f"{live_server}/experts?q={quote('ن' * 1_300)}")
    assert response.status == 400
    summary = page.get_by_role("alert")
    assert "The search is 1,300 characters long" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    box = page.get_by_label("Name or reference")
    assert box.get_attribute("aria-invalid") == "true"
    assert box.input_value() == "ن" * 200
    assert_accessible(page)
    # From the summary to the box, shortened, and the search runs.
    summary.get_by_role("link").click()
    box.fill("محمد")
    with page.expect_navigation() as search:
        page.keyboard.press("Enter")
    assert search.value.status == 200
    assert page.get_by_role("link", name=ARABIC_NAME).is_visible()
    assert_accessible(page)


def test_a_right_to_left_name_reads_right_to_left_inside_a_left_to_right_page(
    live_server, recruiter
):
    page = recruiter
    name = page.locator("#experts bdi").first
    assert name.inner_text() == ARABIC_NAME
    assert name.evaluate("e => getComputedStyle(e).direction") == "rtl"
    page.get_by_role("link", name=ARABIC_NAME).click()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == f"Open the profile of {ARABIC_NAME}"
    assert heading.locator("bdi").evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert page.evaluate("document.documentElement.dir") in ("", "ltr")
    assert_accessible(page)


def test_the_page_for_an_address_too_long_to_read_is_accessible(app, live_server, page):
    # What the gunicorn worker sends (tests/serving drives it for real), through a browser.
    head, body = http_response(app).split(b"\r\n\r\n", 1)
    too_long = f"{live_server}/experts?q={'a' * 9_000}"
    page.route(
        too_long,
        lambda route: route.fulfill(status=414, body=body, content_type="text/html; charset=utf-8"),
    )
    response = page.goto(too_long)
    assert response.status == 414 and b"HTTP/1.1 414 URI Too Long" in head
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("This address is too long for the roster to read.")
    assert_accessible(page)
