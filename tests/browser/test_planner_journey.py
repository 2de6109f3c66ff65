"""A planner's whole journey in the browser, by keyboard, axe-checked at every step.

From the needs list to a role's issued shortlist, a call-out the expert answers from the
mailed link, the candidate's outcomes to a completed deployment with its appraisal, and the
mission's proposed team; on SQLite and on PostgreSQL like the rest of the suite.
"""

import re

import pytest
from sqlalchemy import select

from roster.models import Deployment, Expert
from tests.browser.conftest import PHONE_WIDTH, assert_accessible, keyboard_sign_in
from tests.callouts.conftest import body_of, mail_to
from tests.factories import needs_record
from tests.shortlists.conftest import PLANNER_EMAIL, import_roster, roster_records, save

pytestmark = pytest.mark.browser


def checked(page) -> None:
    """axe-core finds nothing at desktop or phone width."""
    for width in (1280, PHONE_WIDTH):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def press(page, locator) -> None:
    """Focus ``locator`` and press Enter, waiting for the page it leads to."""
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def record_outcome(page, rank: int, outcome: str, *, rating: str | None = None) -> None:
    """Choose the candidate's next outcome by keyboard and record it."""
    chooser = page.locator(f"#c{rank}-to")
    chooser.focus()
    labels = [o.strip() for o in chooser.locator("option").all_inner_texts()]
    values = chooser.locator("option").evaluate_all("options => options.map(o => o.value)")
    for _ in range(values.index(outcome)):
        page.keyboard.press("ArrowDown")
    assert chooser.input_value() == outcome, labels
    if rating:
        page.locator(f"#c{rank}-rating").focus()
        page.keyboard.press("End")
        assert page.locator(f"#c{rank}-rating").input_value() == rating
    press(page, page.locator(f"#candidate-{rank}").get_by_role("button", name="Record"))
    assert "The outcome was recorded." in page.locator(".flashes").inner_text()


def test_a_planner_goes_from_needs_to_a_deployment_and_a_team_by_keyboard(
    app, live_server, browser, page, make_user, runner, tmp_path, db_session
):
    import_roster(runner, tmp_path, roster_records())
    needs_id = save(app, needs_record(title="Support to the 2027 elections"))
    make_user(PLANNER_EMAIL, "planner", name="Paula Planner")

    keyboard_sign_in(page, live_server, PLANNER_EMAIL)
    page.wait_for_url(live_server + "/needs")
    checked(page)
    press(page, page.get_by_role("link", name="Support to the 2027 elections"))
    checked(page)
    press(page, page.get_by_role("link", name="Electoral Adviser").first)
    assert page.get_by_role("heading", level=1).inner_text() == "Electoral Adviser"
    checked(page)

    # Issue the shortlist, then call out the first two candidates.
    press(page, page.get_by_role("button", name="Issue this shortlist").first)
    assert "The shortlist was issued." in page.locator(".flashes").inner_text()
    checked(page)
    first = page.locator("#candidate-1 h3").inner_text()
    for rank in (1, 2):
        page.locator(f"#call-out-{rank}").focus()
        page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="Call out the selected candidates"))
    assert "2 candidates called out" in page.locator(".flashes").inner_text()
    checked(page)

    # The first candidate answers from the mailed link, without signing in.
    name = re.sub(r"^\d+\.\s*", "", first)
    with db_session(write=False) as session:
        expert = session.scalar(select(Expert).where(Expert.full_name == name))
        email, expert_id = expert.email, expert.id
    (message,) = mail_to(app, email)
    available = re.findall(r"^(http\S+/reply/\S+)$", body_of(message), re.M)[0]
    expert_page = browser.new_page()
    expert_page.goto(available)
    checked(expert_page)
    press(expert_page, expert_page.get_by_role("button", name="Yes, I am available"))
    assert expert_page.get_by_role("heading", level=1).inner_text() == "Thank you for your answer"
    checked(expert_page)
    expert_page.close()

    # The reply shows on the planner's page; the candidate goes on to a deployment.
    page.reload()
    assert "answered: available" in page.locator("#candidate-1 .status").inner_text()
    for outcome in ("proposed", "selected"):
        record_outcome(page, 1, outcome)
    checked(page)
    press(
        page, page.locator("#candidate-1").get_by_role("button", name="Show contact details and CV")
    )
    assert email in page.locator("#candidate-1").inner_text()
    checked(page)
    record_outcome(page, 1, "deployed")
    record_outcome(page, 1, "completed", rating="5")
    checked(page)
    with db_session(write=False) as session:
        (deployment,) = session.scalars(
            select(Deployment).where(
                Deployment.expert_id == expert_id, Deployment.mission_role_id.is_not(None)
            )
        )
        assert deployment.rating == 5
        assert deployment.role == "Electoral Adviser"

    # The mission's proposed team.
    page.goto(f"{live_server}/needs/{needs_id}")
    press(page, page.get_by_role("link", name=re.compile("team", re.I)).first)
    assert page.url == f"{live_server}/needs/{needs_id}/team"
    checked(page)
