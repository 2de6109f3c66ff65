"""The demo roster through a recruiter's eyes: dates over the years, histories, past missions."""

import os

import pytest
from sqlalchemy import func, select

from roster.models import Deployment, Expert, RosterStatusChange
from tests.browser.conftest import assert_accessible
from tests.browser.test_account_pages import keyboard_sign_in

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


def test_a_recruiter_reads_a_demo_experts_history_and_past_mission(
    runner, live_server, page, make_user, db_session
):
    assert runner.invoke(args=["roster", "demo", "--experts", "400", "--seed", "8"]).exit_code == 0
    with db_session() as session:
        changes = (
            select(RosterStatusChange.expert_id)
            .group_by(RosterStatusChange.expert_id)
            .order_by(func.count().desc(), RosterStatusChange.expert_id)
        )
        deployed = select(Deployment.expert_id).where(Deployment.mission_role_id.is_not(None))
        expert = session.scalar(
            select(Expert)
            .where(Expert.id.in_(deployed), Expert.id.in_(changes))
            .order_by(Expert.id)
        )
        mission = session.scalar(
            select(Deployment.mission).where(
                Deployment.expert_id == expert.id, Deployment.mission_role_id.is_not(None)
            )
        )
        rows = session.scalar(select(func.count()).where(RosterStatusChange.expert_id == expert.id))
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    keyboard_sign_in(page, live_server, "rita@example.org")
    page.wait_for_url(live_server + "/experts")
    dates = page.locator("#experts tbody tr td:last-child").all_inner_texts()
    assert len(dates) == 25 and len({d.split()[-1] for d in dates}) >= 2
    assert_accessible(page)
    shot(page, "demo-search")
    page.get_by_label("Name or reference").fill(expert.external_id)
    page.keyboard.press("Enter")
    page.get_by_role("link", name=expert.full_name).click()
    page.get_by_label("Why are you opening this profile?").select_option("vetting")
    page.get_by_role("button", name="Open the profile").click()
    history = page.locator("#status-history tbody tr")
    assert history.count() == rows >= 3
    assert "registered online" in history.first.inner_text()
    assert mission in page.content()
    assert_accessible(page)
    shot(page, "demo-profile")
