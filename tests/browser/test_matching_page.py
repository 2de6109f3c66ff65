"""An admin reads the learned weights beside the defaults, adopts them, then goes back.

Every page checked with axe-core and at phone width, with screenshots at 1280 and 375
pixels when ``SCREENSHOTS_DIR`` is set.
"""

import os

import pytest

from roster.db import session_scope
from roster.missions.learning import in_use
from tests.browser.conftest import assert_accessible, keyboard_sign_in
from tests.roster.test_learning import LEARNED, stored_run

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")


def shot(page, name: str) -> None:
    """Save the page at desktop and phone widths when SCREENSHOTS_DIR is set."""
    if not SCREENSHOTS:
        return
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_admin_adopts_the_learned_weights_and_goes_back_to_the_defaults(
    app, live_server, browser, make_user
):
    make_user("ada@example.org", "admin", name="Ada Lovelace")
    stored_run(app)
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        keyboard_sign_in(page, live_server, "ada@example.org")
        page.get_by_role("link", name="Matching weights").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Matching weights"
        validation = page.locator("#validation").inner_text()
        assert "nDCG@10 0.860, against 0.810 for the defaults" in validation
        weights = page.get_by_role("table", name="The weight of each criterion")
        assert "Languages" in weights.inner_text()
        assert_accessible(page)
        shot(page, "matching-weights")

        page.get_by_role("link", name="Adopt these weights").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Adopt the learned weights"
        assert_accessible(page)
        shot(page, "matching-adopt")
        page.get_by_role("button", name="Adopt these weights").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server}/admin/matching")
        assert "The learned weights are adopted" in page.get_by_role("main").inner_text()
        assert "which Ada Lovelace adopted on" in page.locator("#in-use-source").inner_text()
        assert_accessible(page)
        shot(page, "matching-adopted")
        with session_scope(app, write=False) as session:
            assert in_use(session).weights == LEARNED

        page.get_by_role("link", name="Go back to the default weights").click()
        assert_accessible(page)
        page.get_by_role("button", name="Go back to the default weights").click()
        page.wait_for_url(f"{live_server}/admin/matching")
        assert "The default weights are back" in page.get_by_role("main").inner_text()
        assert_accessible(page)
        with session_scope(app, write=False) as session:
            assert in_use(session).run is None
    finally:
        context.close()


def test_with_too_little_history_the_page_says_so(app, live_server, browser, make_user):
    make_user("ada@example.org", "admin", name="Ada Lovelace")
    stored_run(
        app,
        source="defaults",
        reason_code="learning.too_little",
        reason_params={"roles": 3, "minimum": 8},
        roles=3,
        decisions_total=41,
        validation=None,
    )
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        keyboard_sign_in(page, live_server, "ada@example.org")
        page.goto(f"{live_server}/admin/matching")
        notice = page.locator("#defaults-kept").inner_text()
        assert "Nothing learned: the default weights stay" in notice
        assert "at least 8 are needed" in notice
        assert page.get_by_role("link", name="Adopt these weights").count() == 0
        assert_accessible(page)
        shot(page, "matching-too-little")
    finally:
        context.close()


def test_a_failed_run_says_why_and_offers_nothing_to_adopt(app, live_server, browser, make_user):
    from roster.missions.learning import failed_run, keep_run

    make_user("ada@example.org", "admin", name="Ada Lovelace")
    history = [{"needs": {"id": "NA-2027-014"}, "decisions": []}]
    error = ValueError("history[0].decisions[2]: the assessment has no role 'observer'")
    with session_scope(app) as session:
        keep_run(session=session, run=failed_run(error, history=history, by_id=None))
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        keyboard_sign_in(page, live_server, "ada@example.org")
        page.goto(f"{live_server}/admin/matching")
        notice = page.locator("#learning-failed").inner_text()
        assert "The last learning run failed: the weights in use stay" in notice
        assert "Needs assessment NA-2027-014, or a decision about its candidates" in notice
        assert "decision 3: the assessment has no role 'observer'" in notice
        assert page.get_by_role("link", name="Adopt these weights").count() == 0
        assert_accessible(page)
        shot(page, "matching-failed")
    finally:
        context.close()
