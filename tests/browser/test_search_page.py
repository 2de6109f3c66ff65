"""A recruiter searches the roster by what matters and moves stale profiles, by keyboard alone."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from roster.interchange.services import import_records
from roster.models import Expert, utcnow
from tests.browser.conftest import PHONE_WIDTH, assert_accessible, keyboard_sign_in
from tests.factories import expert_record

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("ROSTER_SCREENSHOTS")
RECRUITER = "rita@example.org"


def _shoot(page, name: str) -> None:
    if SHOTS:
        for width in (1280, PHONE_WIDTH):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def _accessible_at_both_widths(page) -> None:
    for width in (1280, PHONE_WIDTH):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def roster(app, db_session):
    records = [
        expert_record(1, full_name="Mohammed El-Sayed", nationalities=["EG"]),
        expert_record(2, full_name="Awa Ndiaye"),
        expert_record(3, full_name="Li Wei", nationalities=["CN"]),
        expert_record(4, full_name="José Núñez", nationalities=["MX"], roster_status="applicant"),
    ]
    with db_session() as session:
        import_records(session=session, records=enumerate(records, 1), source="test")
    with db_session() as session:
        session.execute(
            update(Expert)
            .where(Expert.external_id.in_(["EXP-T-0001", "EXP-T-0002"]))
            .values(profile_confirmed_at=utcnow() - timedelta(days=500))
        )


def test_recruiter_searches_and_moves_stale_profiles_by_keyboard(
    roster, live_server, page, make_user
):
    make_user(RECRUITER, "recruiter", name="Rita Okafor")
    keyboard_sign_in(page, live_server, RECRUITER)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/experts")
    _accessible_at_both_widths(page)
    _shoot(page, "search-all")

    # A name typed in another spelling, then the African group ticked, by keyboard.
    page.get_by_label("Name or reference").focus()
    page.keyboard.type("muhammad al sayyid")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "1 expert(s) found" in page.locator("caption").inner_text()
    assert "Mohammed El-Sayed" in page.locator("#experts").inner_text()

    page.get_by_label("Name or reference").fill("")
    page.locator("summary", has_text="On the roster").focus()
    page.keyboard.press("Enter")  # the group opens
    page.get_by_label("Profile not confirmed for a year").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Search", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server}/experts?stale=1"  # the canonical address
    assert "2 expert(s) found" in page.locator("caption").inner_text()
    assert "rostered" in page.locator(".facets").inner_text()
    _accessible_at_both_widths(page)
    _shoot(page, "search-stale")

    # Sorted by years, by keyboard.
    page.get_by_role("link", name="Years").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "sort=years" in page.url

    # Bulk: move all results to inactive, reviewed, then confirmed with one reason.
    page.get_by_label("Move to roster status").select_option("inactive")
    page.get_by_role("button", name="Review the change").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert (
        "2 experts will move to inactive" in page.get_by_role("heading", level=2).first.inner_text()
    )
    _accessible_at_both_widths(page)
    _shoot(page, "search-bulk-confirm")

    page.get_by_role("button", name="Move 2 experts to inactive").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Please give the reason" in page.get_by_role("alert").inner_text()
    _accessible_at_both_widths(page)
    page.get_by_label("Reason").focus()
    page.keyboard.type("No answer to two reminders.")
    page.get_by_role("button", name="Move 2 experts to inactive").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "2 experts moved to inactive." in page.locator(".flashes").inner_text()
    _accessible_at_both_widths(page)

    # Bad input: a level without its language, said beside the filter.
    page.goto(f"{live_server}/experts?level=C1")
    assert "Choose the language that the level is for." in page.get_by_role("alert").inner_text()
    _accessible_at_both_widths(page)
    _shoot(page, "search-refused")
