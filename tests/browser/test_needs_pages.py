"""A planner's needs pages in the browser: an assessment typed in by keyboard, axe-checked at
desktop and phone widths, with screenshots (``SCREENSHOTS_DIR``)."""

import json
import os

import pytest
from sqlalchemy import select

from roster.models import NeedsAssessment
from tests.browser.conftest import PHONE_WIDTH, assert_accessible, keyboard_sign_in
from tests.factories import needs_record, role_record

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")


def checked(page, name: str) -> None:
    """axe at 1280 and 375 pixels wide (0 violations), and screenshots at both if asked."""
    for width in (1280, PHONE_WIDTH):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        if SCREENSHOTS:
            page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def type_into(page, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).focus()
    page.keyboard.type(text)


def press_button(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_planner_types_in_an_assessment_by_keyboard(
    live_server, page, make_user, db_session, tmp_path
):
    make_user("paul@example.org", "planner", name="Paul Mensah")
    keyboard_sign_in(page, live_server, "paul@example.org")
    page.wait_for_url(live_server + "/needs")
    checked(page, "needs-empty")
    page.get_by_role("link", name="New needs assessment").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(live_server + "/needs/new")
    checked(page, "needs-new")

    type_into(page, "Title", "Support to the 2027 elections")
    type_into(page, "Host country", "Mali")
    # Day and month alike: the same date whichever order the date box takes them in.
    type_into(page, "First day of the mission", "03032027")
    type_into(page, "Last day of the mission", "06062027")
    type_into(page, "Title of role 1", "Chief Electoral Adviser")
    type_into(page, "Required expertise 1, role 1", "electoral-management")
    type_into(page, "Required language 1, role 1", "Francais")
    page.keyboard.press("Tab")
    page.keyboard.press("End")  # the last level: native
    page.get_by_label("Easy-to-read and plain language voter information").first.focus()
    page.keyboard.press("Space")
    press_button(page, "Add another role")
    # The new row's title has the focus, its id suggested.
    assert page.evaluate("document.activeElement.id") == "roles-1-title"
    assert page.get_by_label("Id of role 2", exact=True).input_value() == "R2"
    assert page.get_by_label("Title of role 1", exact=True).input_value() == (
        "Chief Electoral Adviser"
    )
    page.keyboard.type("Logistics Officer")
    type_into(page, "Positions in role 2", "")
    page.keyboard.press("Control+A")
    page.keyboard.type("0")
    press_button(page, "Save the needs assessment")
    alert = page.get_by_role("alert")
    assert "A role has from 1 to 999 positions." in alert.inner_text()
    checked(page, "needs-errors")
    page.get_by_label("Positions in role 2", exact=True).focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    press_button(page, "Save the needs assessment")

    assert not page.url.endswith("/new"), page.inner_text("main")[:1500]
    with db_session(write=False) as session:
        needs = session.scalar(select(NeedsAssessment))
        assert [role.title for role in needs.roles] == [
            "Chief Electoral Adviser",
            "Logistics Officer",
        ]
        assert needs.roles[0].required_languages == [{"code": "fr", "level": "native"}]
        assert needs.roles[0].accessibility_expertise == ["easy-read"]
        public_id = needs.public_id
    page.wait_for_url(f"{live_server}/needs/{public_id}")
    assert "Needs assessment saved." in page.get_by_role("status").inner_text()
    assert "language 'Francais' read as 'fr' (French)" in page.get_by_role("status").inner_text()
    checked(page, "needs-assessment")
    page.goto(f"{live_server}/needs/{public_id}/edit")
    checked(page, "needs-edit")
    page.goto(f"{live_server}/needs")
    checked(page, "needs-list")
    page.goto(f"{live_server}/unmet-demand")
    checked(page, "needs-unmet")

    # A needs file, reviewed before it is saved.
    record = needs_record(
        role_record("R1", desired_languages=[{"code": "Bambara", "level": "B2"}]), id="NA-FILE"
    )
    path = tmp_path / "needs.json"
    path.write_text(json.dumps(record))
    page.goto(f"{live_server}/needs/upload")
    checked(page, "needs-upload")
    page.get_by_label("Needs file (JSON, at most 10 MB)").set_input_files(str(path))
    press_button(page, "Review the file")
    assert "Nothing is saved yet." in page.inner_text("main")
    checked(page, "needs-review")
    press_button(page, "Save the needs assessment")
    assert "Needs assessment saved." in page.get_by_role("status").inner_text()
