"""A planner reads the proposed team and swaps a member for the next best, by keyboard alone."""

import os

import pytest

from tests.browser.conftest import assert_accessible, keyboard_sign_in
from tests.roster.test_team_page import MISSION, load_roster, reference, save, team_roster

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


# The focused control's text, and the text of what it says it describes.
FOCUSED = """() => {
  const e = document.activeElement;
  const d = e.getAttribute('aria-describedby');
  return [e.textContent.trim(), d ? document.getElementById(d).textContent.trim() : ''];
}"""


def tab_to(page, name: str, described_by: str, most: int = 80) -> None:
    """Press Tab until the focused control is the button ``name`` describing ``described_by``."""
    for _ in range(most):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused == [name, described_by]:
            return
    raise AssertionError(f"no {name!r} for {described_by!r} reached by Tab")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_planner_swaps_a_member_by_keyboard(
    runner, tmp_path, live_server, page, make_user, db_session, width
):
    load_roster(runner, tmp_path, team_roster())
    public_id = save(db_session, MISSION)
    make_user("paul@example.org", "planner", name="Paul Mensah")
    page.set_viewport_size({"width": width, "height": 900})
    keyboard_sign_in(page, live_server, "paul@example.org")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{live_server}/needs/{public_id}/team")
    assert page.get_by_role("heading", name="Proposed team").is_visible()
    assert_accessible(page)
    shot(page, f"team-{width}")

    officer = next(m for m in reference()["members"] if m["role_id"] == "R2")
    name = {r["external_id"]: r["full_name"] for r in team_roster()}[officer["external_id"]]
    tab_to(page, "Swap for the next best", name)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/needs/{public_id}/team?swap=*")
    effect = page.locator("#effect")
    assert "What the last swap changed" in effect.inner_text()
    assert name in effect.inner_text()
    assert page.evaluate("document.activeElement.id") == "effect"
    assert_accessible(page)
    shot(page, f"team-swapped-{width}")

    # Back to the first team, by keyboard too.
    page.get_by_role("link", name="Back to the team first proposed").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/needs/{public_id}/team")
    assert page.locator("#effect").count() == 0


def test_a_team_nobody_can_form_reads_well(
    runner, tmp_path, live_server, page, make_user, db_session
):
    from tests.factories import needs_record, role_record

    load_roster(runner, tmp_path, team_roster()[:1])
    public_id = save(
        db_session,
        needs_record(role_record("R1", title="Electoral Adviser", positions=3)),
        blind=True,
    )
    make_user("paul@example.org", "planner", name="Paul Mensah")
    keyboard_sign_in(page, live_server, "paul@example.org")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{live_server}/needs/{public_id}/team")
    assert page.get_by_role("heading", name="No team can be proposed").is_visible()
    assert_accessible(page)
    shot(page, "team-infeasible")
