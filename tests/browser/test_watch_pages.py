"""Lists, saved searches and the admin's outbox and audit export in a real browser: by
keyboard, axe-checked at desktop and phone widths, with screenshots (``SCREENSHOTS_DIR``)."""

import os
from pathlib import Path

import pytest
from sqlalchemy import update

from roster.models import Expert, ExpertLanguage, ExpertNationality, ExpertSkill, OutboxMessage
from tests.browser.conftest import PHONE_WIDTH, assert_accessible, keyboard_sign_in

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


def press(page, locator) -> None:
    """Focus a button or link and press Enter, waiting for the page it leads to."""
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).focus()
    page.keyboard.type(text)


@pytest.fixture
def experts(db_session) -> dict[str, str]:
    people = [
        ("EXP-B-0001", "Awa Ndiaye", "SN", "electoral-management", "fr"),
        ("EXP-B-0002", "Bruno Díaz Hernández de la Fuente", "CL", "voter-registration", "es"),
    ]
    found = {}
    with db_session() as session:
        for reference, name, country, skill, language in people:
            expert = Expert(external_id=reference, full_name=name, email=f"{reference}@x.org")
            session.add(expert)
            session.flush()
            session.add(ExpertNationality(expert_id=expert.id, country=country))
            session.add(ExpertSkill(expert_id=expert.id, code=skill, years=9))
            session.add(ExpertLanguage(expert_id=expert.id, code=language, level="C1"))
            found[name] = expert.public_id
    return found


def test_a_recruiter_keeps_a_list_and_a_planner_reads_it(live_server, page, make_user, experts):
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    make_user("paul@example.org", "planner", name="Paul Mensah")
    keyboard_sign_in(page, live_server, "rita@example.org")
    page.goto(f"{live_server}/experts/{experts['Awa Ndiaye']}")
    page.get_by_label("Why are you opening this profile?").select_option("vetting")
    press(page, page.get_by_role("button", name="Open the profile"))
    checked(page, "profile-add-to-list")
    # No list yet: "A new list" is chosen; its name is typed and the expert added.
    type_into(page, "Name of the new list", "Francophone registrars")
    press(page, page.get_by_role("button", name="Add to the list"))
    assert page.get_by_role("heading", level=1).inner_text() == "Francophone registrars"
    assert "1 expert added" in page.get_by_role("status").inner_text()
    page.goto(f"{live_server}/experts/{experts['Bruno Díaz Hernández de la Fuente']}")
    page.get_by_label("Why are you opening this profile?").select_option("vetting")
    press(page, page.get_by_role("button", name="Open the profile"))
    assert page.get_by_label("Add to the list").input_value() != "new"
    press(page, page.get_by_role("button", name="Add to the list"))
    page.get_by_label("Shared: planners and recruiters can read this list").focus()
    page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="Save who can read it"))
    assert "The list is shared" in page.get_by_role("status").inner_text()
    checked(page, "list-owner")
    press(page, page.get_by_role("link", name="Back to the lists"))
    checked(page, "lists-owner")
    page.get_by_role("button", name="Sign out").click()
    keyboard_sign_in(page, live_server, "paul@example.org")
    press(page, page.get_by_role("link", name="Lists"))
    press(page, page.get_by_role("link", name="Francophone registrars"))
    table = page.locator("#members").inner_text()
    assert "Awa Ndiaye" in table and "EXP-B-0001" not in table
    checked(page, "list-planner")
    press(page, page.get_by_role("link", name="Back to the lists"))
    checked(page, "lists-planner")


def test_an_admin_retries_a_failed_message_and_exports_the_trail(
    live_server, page, make_user, db_session
):
    make_user("ada@example.org", "admin", name="Ada Lovelace")
    with db_session() as session:
        failed = OutboxMessage(
            recipient="someone.with.a.long.address@example.org",
            subject="Please confirm your email address for the Electoral Expert Roster",
            body="secret link",
            attempts=10,
            last_error="SMTPRecipientsRefused: {'someone@example.org': (550, b'No such mailbox')}",
        )
        session.add(failed)
        session.add(OutboxMessage(recipient="queued@example.org", subject="Queued", body="b"))
        session.flush()
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id == failed.id).values(next_attempt_at=None)
        )
    keyboard_sign_in(page, live_server, "ada@example.org")
    press(page, page.get_by_role("link", name="Mail outbox"))
    checked(page, "outbox")
    page.get_by_label("Show").select_option("failed")
    press(page, page.get_by_role("button", name="Show messages"))
    assert "failed: no more tries" in page.locator("#outbox").inner_text()
    checked(page, "outbox-failed")
    press(page, page.get_by_role("button", name="Retry now the message to someone"))
    assert "tried again now" in page.get_by_role("status").inner_text()
    press(page, page.get_by_role("link", name="Audit trail"))
    page.get_by_label("Action").select_option("outbox.retried")
    press(page, page.get_by_role("button", name="Show events"))
    assert "asked for a failed message to be sent again" in page.locator("#audit").inner_text()
    checked(page, "audit-export")
    button = page.get_by_role("button", name="Export these events to CSV")
    button.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("at_utc,actor,actor_email,action,what")
    assert "outbox.retried" in text


def test_a_recruiter_saves_and_watches_a_search_and_lists_its_results(
    app, live_server, page, make_user, experts
):
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    keyboard_sign_in(page, live_server, "rita@example.org")
    page.goto(f"{live_server}/experts?lang=fr")
    assert "Awa Ndiaye" in page.locator("#experts").inner_text()
    # The results' checkboxes serve the list form too: tick Awa, name a new list, add.
    page.get_by_label("Select Awa Ndiaye").check()
    type_into(page, "Name of the new list", "From the search")
    press(page, page.get_by_role("button", name="Add the experts ticked to the list"))
    assert page.get_by_role("heading", level=1).inner_text() == "From the search"
    page.goto(f"{live_server}/experts?lang=fr")
    type_into(page, "Name of the search", "French speakers")
    checked(page, "search-with-save-and-list")
    press(page, page.get_by_role("button", name="Save this search"))
    assert "The search is saved as “French speakers”." in page.get_by_role("status").inner_text()
    press(page, page.get_by_role("button", name="Watch French speakers"))
    assert "You are watching “French speakers”" in page.get_by_role("status").inner_text()
    checked(page, "saved-searches")
    press(page, page.get_by_role("link", name="French speakers"))
    assert page.url.endswith("/experts?lang=fr")
