"""A recruiter vets a profile by keyboard alone: queue, reason, verify, roster (axe-checked)."""

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from roster.db import session_scope
from roster.models import Expert, OutboxMessage
from tests.browser.conftest import assert_accessible, keyboard_sign_in
from tests.factories import expert_record
from tests.shortlists.conftest import import_roster

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("ROSTER_SCREENSHOTS")
RECRUITER = "rita@example.org"


def _shoot(page, name: str) -> None:
    if SHOTS:
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def _press(page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def test_a_recruiter_vets_a_profile_from_the_queue_by_keyboard(
    app, live_server, page, make_user, runner, tmp_path
):
    skills = [
        {"code": "voter-registration", "years": 9},
        {"code": "legal-framework", "years": 4},
    ]
    waiting = [
        expert_record(n, full_name=name, roster_status="under_review", skills=skills)
        for n, name in ((1, "Amina Diallo"), (2, "Jorge Quispe Mamani"), (3, "Lena Fischer"))
    ]
    import_roster(runner, tmp_path, waiting)
    make_user(RECRUITER, "recruiter", name="Rita Okafor")
    keyboard_sign_in(page, live_server, RECRUITER)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server}/vetting")
    assert page.get_by_role("heading", level=1).inner_text() == "Vetting queue"
    assert "3 profiles under review" in page.locator("caption").inner_text()
    assert "waiting 0 days" in page.locator("#vetting-queue").inner_text()
    assert_accessible(page)
    _shoot(page, "vetting-queue")

    # Open the first profile: its link, then the reason, by keyboard.
    page.get_by_role("link", name="Amina Diallo").focus()
    _press(page)
    assert_accessible(page)
    page.get_by_label("Why are you opening this profile?").focus()
    page.keyboard.type("Vetting")  # a select jumps to the option typed
    page.keyboard.press("Tab")  # the details
    page.keyboard.press("Tab")  # the button
    _press(page)
    assert "Vet Amina Diallo" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    _shoot(page, "vetting-profile")

    # Verify the first area: tick, note the evidence, save.
    box = page.locator("#area-voter-registration-verified")
    box.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Certificate of the commission seen")
    page.keyboard.press("Tab")
    _press(page)
    assert "marked verified" in page.locator(".flashes").inner_text()
    assert "by Rita Okafor" in page.locator("#area-voter-registration").inner_text()
    assert_accessible(page)

    # A decline without its reason is refused in plain words.
    chooser = page.get_by_label("Decision")
    chooser.focus()
    page.keyboard.type("Decline")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    _press(page)
    assert "Please give the reason" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
    _shoot(page, "vetting-refused")

    # Put on the roster.
    page.get_by_label("Decision").focus()
    page.keyboard.type("Put")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    _press(page)
    assert "the roster status is now rostered" in page.locator(".flashes").inner_text()
    assert_accessible(page)
    _shoot(page, "vetting-decided")

    with session_scope(app) as session:
        expert = session.scalar(select(Expert).where(Expert.full_name == "Amina Diallo"))
        assert expert.roster_status == "rostered"
        assert session.scalar(select(OutboxMessage.recipient)) == expert.email

    page.goto(f"{live_server}/vetting")
    assert "2 profiles under review" in page.locator("caption").inner_text()
