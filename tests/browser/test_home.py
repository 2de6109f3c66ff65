"""The home page in a real browser: the roster at a glance, accessible to everyone."""

import pytest

from tests.browser.conftest import assert_accessible
from tests.factories import expert_record, write_jsonl

pytestmark = pytest.mark.browser


@pytest.fixture
def small_roster(runner, tmp_path):
    signing = {"accessibility_expertise": ["sign-language"]}
    women = [expert_record(n, **signing) for n in range(1, 7)]
    men = [
        expert_record(
            n,
            gender="man",
            nationalities=["FR"],
            languages=[{"code": "fr", "level": "native"}],
            **signing,
        )
        for n in range(7, 13)
    ]
    quiet = [expert_record(13, consent={}, nationalities=["BR"], roster_status="under_review")]
    result = runner.invoke(
        args=["roster", "import", str(write_jsonl(tmp_path / "r.jsonl", women + men + quiet))]
    )
    assert result.exit_code == 0, result.output


def test_home_page_shows_the_roster_at_a_glance(small_roster, live_server, page):
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.title() == "Roster at a glance · Electoral Expert Roster"
    status = page.locator("#by-status")
    assert status.get_by_role("row", name="Rostered 12").is_visible()
    # One expert under review: too few to show.
    assert status.get_by_role("row", name="Under review fewer than 5").is_visible()
    region = page.locator("#by-region")
    assert region.get_by_role("row", name="African 6").is_visible()
    assert region.get_by_role("row", name="Western European and Others 6").is_visible()
    assert page.locator("#women-share").inner_text() == "50%"
    languages = page.locator("#by-language tbody tr")
    assert languages.nth(0).inner_text().startswith("Arabic (UN official)")
    assert "French (UN official)\tfr\t12\t12" in page.locator("#by-language").inner_text()
    assert (
        page.locator("#by-accessibility")
        .get_by_role("row", name="Sign language voter information and interpretation 12")
        .is_visible()
    )
    assert_accessible(page)


def test_home_page_is_keyboard_reachable_with_a_skip_link(small_roster, live_server, page):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for landmark in ("banner", "navigation", "main", "contentinfo"):
        assert page.get_by_role(landmark).count() == 1
    page.keyboard.press("Tab")
    # The next stop is the first table's labelled region, which scrolls at phone width.
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.role]")
    assert focused == ["DIV", "region"]
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "All experts by roster status"
    )


def test_empty_roster_and_error_pages_are_accessible(live_server, page):
    page.goto(live_server + "/")
    assert "0 rostered experts" in page.locator("main").inner_text()
    assert_accessible(page)
    response = page.goto(live_server + "/no-such-page")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "There is no page at this address."
    assert_accessible(page)
