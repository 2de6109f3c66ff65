"""An expert answers a call-out from the mailed link, by keyboard; and from their own page."""

import os
import re

import pytest

from roster.db import session_scope
from roster.missions.callouts import call_out, reply_links
from roster.models import Expert, MissionRole, User
from tests.browser.conftest import assert_accessible, keyboard_sign_in
from tests.callouts.conftest import AWA_EMAIL, CANDIDATES, body_of, mail_to, mission  # noqa: F401

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")


def checked_at_both_widths(page, name: str) -> None:
    """axe-core finds nothing at desktop and at phone width; screenshots when asked."""
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        if SCREENSHOTS:
            page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def called_out(app, mission, *who: str) -> dict[str, dict[str, str]]:  # noqa: F811
    """The planner calls out ``who``; the links of each one's mail, on the live server."""
    with app.app_context(), session_scope(app) as session:
        call_out(
            session=session,
            role=session.get(MissionRole, mission.role_id),
            experts=[session.get(Expert, mission.experts[key][0]) for key in who],
            by=session.get(User, mission.planner_id),
            links=reply_links(app.config),
        )
    found = {}
    for key in who:
        (message,) = mail_to(app, CANDIDATES[key][1])
        links = re.findall(r"^(http\S+/reply/\S+)$", body_of(message), re.M)
        found[key] = dict(zip(("available", "unavailable"), links, strict=True))
    return found


def test_the_expert_opens_the_link_and_confirms_by_keyboard(
    app,
    live_server,
    page,
    mission,  # noqa: F811
):
    links = called_out(app, mission, "bruno")
    assert links["bruno"]["available"].startswith(live_server + "/reply/")

    page.goto(links["bruno"]["available"])
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm that you are available"
    assert "Electoral Adviser" in page.inner_text("main")
    checked_at_both_widths(page, "reply-confirm")

    # By keyboard: from the skip link to the button, then Enter.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").strip() == "Yes, I am available":
            break
    else:
        pytest.fail("the confirmation button is not reached by Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for your answer"
    assert mission.outcome("bruno").value == "available"
    checked_at_both_widths(page, "reply-thanks")

    page.goto(links["bruno"]["unavailable"])
    assert "You already answered on" in page.inner_text("main")
    checked_at_both_widths(page, "reply-refused")


def test_the_expert_answers_from_their_candidacies_page(
    app,
    live_server,
    page,
    mission,  # noqa: F811
):
    called_out(app, mission, "awa")
    keyboard_sign_in(page, live_server, AWA_EMAIL)
    page.wait_for_url(live_server + "/me")  # an expert lands on the profile
    page.get_by_role("link", name="Roles I was considered for").click()
    page.wait_for_url(live_server + "/me/candidacies")
    checked_at_both_widths(page, "candidacies-open")

    page.get_by_role("button", name="I am not available").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "we recorded that you are not available" in page.get_by_role("status").inner_text()
    assert "You said you are not available" in page.inner_text("main")
    assert mission.outcome("awa").value == "unavailable"
    checked_at_both_widths(page, "candidacies-answered")


def test_an_expert_not_selected_reads_what_they_lacked(
    app,
    live_server,
    page,
    mission,  # noqa: F811
):
    from roster.models import CandidateOutcome as CO

    for step in (CO.CONTACTED, CO.AVAILABLE, CO.PROPOSED):
        mission.decide("awa", step)
    mission.decide("awa", CO.NOT_SELECTED, reason="The role needed mediation experience.")
    keyboard_sign_in(page, live_server, AWA_EMAIL)
    page.wait_for_url(live_server + "/me")
    page.goto(live_server + "/me/candidacies")
    main = page.inner_text("main")
    assert "What you lacked for this role:" in main
    assert "The role needed mediation experience." in main
    assert "Bruno" not in main and "Chen" not in main
    checked_at_both_widths(page, "candidacies-not-selected")
