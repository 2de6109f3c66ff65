"""A planner opens a role, issues its shortlist and records outcomes by keyboard (axe-checked)."""

import os
from pathlib import Path

import pytest

from tests.browser.conftest import assert_accessible, keyboard_sign_in
from tests.factories import needs_record
from tests.shortlists.conftest import (
    PLANNER_EMAIL,
    import_roster,
    roster_records,
    save,
)

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("ROSTER_SCREENSHOTS")


def _shoot(page, name: str) -> None:
    if SHOTS:
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def test_planner_issues_a_shortlist_and_records_outcomes_by_keyboard(
    app, live_server, page, make_user, runner, tmp_path
):
    import_roster(runner, tmp_path, roster_records())
    needs_id = save(app, needs_record())
    blind_id = save(app, needs_record(id="NA-BLIND"), blind_review=True)
    make_user(PLANNER_EMAIL, "planner", name="Paula Planner")
    keyboard_sign_in(page, live_server, PLANNER_EMAIL)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/needs/{needs_id}/roles/R1")
    assert page.get_by_role("heading", level=1).inner_text() == "Electoral Adviser"
    assert_accessible(page)
    _shoot(page, "role-live")

    # Issue by keyboard: focus the button, press Enter.
    page.get_by_role("button", name="Issue this shortlist").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "The shortlist was issued." in page.locator(".flashes").inner_text()
    assert_accessible(page)
    _shoot(page, "role-issued")

    # Record "contacted" for the first candidate by keyboard alone.
    outcome = page.locator("#c1-to")
    outcome.focus()
    assert outcome.input_value() == "contacted"  # the first of the next outcomes
    page.keyboard.press("Tab")  # the reason
    page.keyboard.press("Tab")  # the button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "The outcome was recorded." in page.locator(".flashes").inner_text()
    assert "contacted" in page.locator("#candidate-1 .status").inner_text()
    assert_accessible(page)

    # A skipped stage is refused in plain words, the summary focused.
    page.locator("#c2-to").select_option("withdrawn")
    page.locator("#c2-to").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Please give the reason" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
    _shoot(page, "role-refused")

    # Widen: a preview, then back.
    page.goto(f"{live_server}/needs/{needs_id}/roles/R1/widen?partial=y")
    assert_accessible(page)
    _shoot(page, "role-widened")

    # Blind review.
    page.goto(f"{live_server}/needs/{blind_id}/roles/R1")
    with page.expect_navigation():
        page.get_by_role("button", name="Issue this shortlist").click()
    assert "Candidate 1" in page.locator("#candidate-1 h3").inner_text()
    assert_accessible(page)
    _shoot(page, "role-blind")
