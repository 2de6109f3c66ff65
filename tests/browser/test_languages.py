"""The six languages in a real browser: first visits follow the browser, the footer chooses.

Every other page test can run in a language by naming it: ``language`` is the browser's
language (``@pytest.mark.parametrize("language", ["ar", "zh-CN"])``), and
``choose_language(page, "fr")`` uses the footer's chooser by keyboard.
"""

import os

import pytest

from tests.browser.conftest import assert_accessible, choose_language
from tests.factories import expert_record, write_jsonl

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("ROSTER_SCREENSHOTS", "")


@pytest.fixture
def small_roster(runner, tmp_path):
    records = [expert_record(n, nationalities=["ML"]) for n in range(1, 7)]
    result = runner.invoke(
        args=["roster", "import", str(write_jsonl(tmp_path / "r.jsonl", records))]
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("language", "tag", "direction"), [("ar", "ar", "rtl"), ("zh-CN", "zh", "ltr")]
)
def test_a_first_visit_follows_the_browser_language(
    small_roster, live_server, page, tag, direction
):
    page.goto(live_server + "/")
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == (tag, direction)
    assert "Roster at a glance" not in page.title()
    assert_accessible(page)
    if SHOTS:
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SHOTS}/home-{tag}-{width}.png", full_page=True)


def test_the_footer_chooses_among_the_six_by_keyboard(live_server, page):
    page.goto(live_server + "/login")
    names = page.locator("#language option").all_inner_texts()
    assert names[:6] == [
        "العربية",
        "中文",
        "English",
        "Français",
        "Русский",
        "Español",
    ]  # then the pseudo-locales, in tests
    choose_language(page, "ar")
    assert page.url == live_server + "/login"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/login-ar-1280.png", full_page=True)
    choose_language(page, "ru")
    assert page.locator("html").get_attribute("lang") == "ru"
