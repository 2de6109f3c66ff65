"""A recruiter reviews a likely duplicate and merges it, choosing the name, by keyboard alone."""

import os

import pytest

from roster.interchange.services import import_records
from tests.browser.conftest import assert_accessible, keyboard_sign_in
from tests.factories import expert_record

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


def focus_by_tab(page, test: str, most: int = 80) -> None:
    """Press Tab until ``test`` (a JS expression on document.activeElement ``e``) holds."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const e = document.activeElement; return {test}; }}"):
            return
    raise AssertionError(f"nothing matching {test} reached by Tab")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_recruiter_merges_a_duplicate_choosing_the_name_by_keyboard(
    live_server, page, make_user, db_session, width
):
    with db_session() as session:
        import_records(
            session=session,
            records=enumerate(
                [
                    expert_record(1, full_name="Mohamed El-Sayed", email="m.elsayed@example.org"),
                    expert_record(2, full_name="Muhammad Al Sayyid", email="sayyid@example.org"),
                ],
                1,
            ),
            source="test",
        )
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    page.set_viewport_size({"width": width, "height": 900})
    keyboard_sign_in(page, live_server, "rita@example.org")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{live_server}/duplicates")
    assert page.get_by_role("heading", name="Likely duplicates").is_visible()
    assert_accessible(page)
    shot(page, f"duplicates-list-{width}")

    focus_by_tab(page, "e.textContent.startsWith('Review EXP-T-0001')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    focus_by_tab(page, "e.textContent.trim() === 'Open the pair'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Review a likely duplicate").is_visible()
    assert_accessible(page)
    shot(page, f"duplicates-pair-{width}")

    # The first record stays; its name is replaced by the second's.
    focus_by_tab(page, "e.id === 'keep-full_name-1'")
    page.keyboard.press("ArrowRight")
    assert page.locator("#keep-full_name-2").is_checked()
    focus_by_tab(page, "e.textContent.trim() === 'Merge the two records'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Merged: EXP-T-0002 is now part of EXP-T-0001.").is_visible()
    assert page.get_by_text("0 pairs to review").is_visible()
    assert_accessible(page)
