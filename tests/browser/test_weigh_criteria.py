"""A planner weighs the criteria for one request by keyboard: previews, issues (axe-checked)."""

import os
from pathlib import Path

import pytest

from matching.scoring import CRITERIA
from tests.browser.conftest import assert_accessible, keyboard_sign_in
from tests.factories import needs_record
from tests.shortlists.conftest import PLANNER_EMAIL, import_roster, roster_records, save
from tests.shortlists.test_weights import seasoned_experts

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("ROSTER_SCREENSHOTS")


PARTS = {
    "top": "main > .notice, .error-summary",
    "weights": "table.weights",
    "form": "details.weigh",
}


def _checked(page, name: str) -> None:
    """axe at 1280 and 375 pixels wide, and screenshots of both when asked for (the whole
    page, and the parts this feature adds, to be read at their size)."""
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
            for part, selector in PARTS.items():
                found = page.locator(selector).first
                if found.count() and found.is_visible():
                    found.screenshot(path=str(Path(SHOTS) / f"{name}-{width}-{part}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})


def _type_weights(page, weights: dict[str, str]) -> None:
    """Type each weight in its field, moving from field to field with Tab."""
    page.locator(f"#weights-{CRITERIA[0]}").focus()
    for number, name in enumerate(CRITERIA):
        if number:
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == f"weights-{name}"
        page.keyboard.press("Control+A")
        page.keyboard.type(weights[name])
    page.keyboard.press("Tab")  # the button that shows the shortlist


def test_planner_weighs_the_criteria_previews_and_issues_by_keyboard(
    app, live_server, page, make_user, runner, tmp_path
):
    import_roster(runner, tmp_path, roster_records() + seasoned_experts())
    needs_id = save(app, needs_record())
    make_user(PLANNER_EMAIL, "planner", name="Paula Planner")
    keyboard_sign_in(page, live_server, PLANNER_EMAIL)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/needs/{needs_id}/roles/R1")

    # The disclosure opens by keyboard; its fields hold the roster's weights in use.
    summary = page.get_by_text("Weigh the criteria for this request")
    summary.focus()
    page.keyboard.press("Enter")
    languages = page.get_by_label("Languages", exact=True)
    assert languages.is_visible() and languages.input_value() == "0.15"
    _checked(page, "weigh-open")

    # A negative weight is refused at its field, in plain words.
    _type_weights(page, {name: "-1" if name == "languages" else "0.1" for name in CRITERIA})
    with page.expect_navigation():
        page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    assert "The weight of Languages must be a number from 0 to 10." in alert.inner_text()
    assert page.locator("#weights-languages").get_attribute("aria-invalid") == "true"
    _checked(page, "weigh-refused")

    # Everything on languages: the preview says the weights differ, the order changes.
    _type_weights(page, {name: "1" if name == "languages" else "0" for name in CRITERIA})
    with page.expect_navigation():
        page.keyboard.press("Enter")
    notice = page.get_by_role("status").first.inner_text()
    assert "A shortlist under your weights, not issued" in notice
    assert "Languages: 1 instead of 0.15" in notice
    assert "C1-" not in page.locator("ol.candidates").inner_text()
    _checked(page, "weigh-preview")

    page.get_by_role("button", name="Issue this shortlist").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "The shortlist was issued." in page.locator(".flashes").inner_text()
    weights = page.get_by_role("table", name="The weights this shortlist was issued with")
    assert "Languages" in weights.inner_text()
    _checked(page, "weigh-issued")

    # Reset leads back to the roster's weights.
    page.get_by_text("Weigh the criteria for this request").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Reset to the roster’s weights").click()
    assert page.get_by_label("Languages", exact=True).input_value() == "0.15"
