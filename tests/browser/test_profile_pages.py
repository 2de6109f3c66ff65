"""Profile pages in their other states, and the staff's pages, by keyboard, axe-checked."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from roster.models import Expert, utcnow
from tests.browser.conftest import assert_accessible, keyboard_sign_in
from tests.factories import pdf

pytestmark = pytest.mark.browser
PDF = pdf(title="Awa Ndiaye")


@pytest.fixture
def expert_with_profile(app, make_user, live_server, page, db_session):
    make_user("awa@example.org", "expert", name="Awa Ndiaye")
    keyboard_sign_in(page, live_server, "awa@example.org")
    page.wait_for_url(live_server + "/me")  # an expert lands on the profile
    page.goto(live_server + "/me/identity")
    page.get_by_label("Nationality", exact=True).fill("SN")
    page.get_by_role("button", name="Save").click()
    with db_session() as session:
        return session.scalar(select(Expert)).public_id


def test_errors_are_summarised_and_linked_to_their_fields(live_server, page, expert_with_profile):
    page.goto(live_server + "/me/languages")
    page.get_by_label("Language 1", exact=True).fill("Klingonese")
    page.get_by_role("button", name="Save languages").click()
    alert = page.get_by_role("alert")
    assert "We did not recognise 'Klingonese' as a language." in alert.inner_text()
    assert page.get_by_label("Language 1", exact=True).get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert_accessible(page)
    alert.get_by_role("link", name="Choose your level in this language").click()
    assert (
        page.evaluate("document.activeElement.id") == "languages-0-level"
        or "#languages-0-level" in page.url
    )


def test_two_tabs_the_second_is_told_and_keeps_its_text(live_server, page, expert_with_profile):
    other = page.context.new_page()
    page.goto(live_server + "/me/summary")
    other.goto(live_server + "/me/summary")
    page.get_by_label("Summary").fill("Written in the first tab.")
    page.get_by_role("button", name="Save summary").click()
    other.get_by_label("Summary").fill("Written in the second tab.")
    other.get_by_role("button", name="Save summary").click()
    assert "This profile changed since you opened it" in other.get_by_role("alert").inner_text()
    assert other.get_by_label("Summary").input_value() == "Written in the second tab."
    assert_accessible(other)
    other.get_by_role("button", name="Save summary").click()
    assert "Summary saved." in other.get_by_role("status").inner_text()


def test_a_stale_profile_is_confirmed_by_keyboard(
    live_server, page, expert_with_profile, db_session
):
    with db_session() as session:
        session.scalar(select(Expert)).profile_confirmed_at = utcnow() - timedelta(days=400)
    page.goto(live_server + "/me")
    notice = page.get_by_role("region", name="Your profile is more than a year old")
    assert notice.is_visible()
    assert_accessible(page)
    notice.get_by_role("button", name="Confirm my profile is up to date").focus()
    page.keyboard.press("Enter")
    assert "confirmed as up to date" in page.get_by_role("status").inner_text()
    assert not page.get_by_role("region", name="Your profile is more than a year old").count()


def test_sensitive_and_cv_pages_are_accessible(live_server, page, expert_with_profile):
    for path, heading in [
        ("/me/sensitive", "Gender, disability and year of birth"),
        ("/me/cv", "Your CV"),
        ("/me/availability", "Availability"),
        ("/me/deployments", "Past deployments"),
        ("/me/accessibility", "Accessibility expertise"),
        ("/me/expertise", "Expertise areas"),
    ]:
        page.goto(live_server + path)
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert_accessible(page)
    page.goto(live_server + "/me/cv")
    page.get_by_label("Your CV (PDF, at most 5 MB)").set_input_files(
        {"name": "setup.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a pdf"}
    )
    page.get_by_role("button", name="Upload").click()
    assert "This file is not a PDF document" in page.get_by_role("alert").inner_text()
    assert_accessible(page)


def test_a_recruiter_finds_an_expert_and_opens_the_profile_with_a_reason(
    live_server, page, expert_with_profile, make_user
):
    page.goto(live_server + "/me/cv")
    page.get_by_label("Your CV (PDF, at most 5 MB)").set_input_files(
        {"name": "cv-awa.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Upload").click()
    page.get_by_role("button", name="Sign out").click()
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    keyboard_sign_in(page, live_server, "rita@example.org")
    page.wait_for_url(live_server + "/experts")  # a recruiter lands on the search
    assert_accessible(page)
    page.get_by_label("Name or reference").fill("ndiaye")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Awa Ndiaye").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Open the profile of Awa Ndiaye"
    assert_accessible(page)
    page.get_by_role("button", name="Open the profile").click()
    assert "Please choose why" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
    page.get_by_label("Why are you opening this profile?").select_option("vetting")
    page.get_by_role("button", name="Open the profile").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Awa Ndiaye"
    assert "Senegal (SN)" in page.content()
    # Vetting shows no sensitive field, and the page says so.
    withheld = page.locator("#sensitive-withheld")
    assert withheld.inner_text().startswith("Not shown: gender, year of birth, disability.")
    assert_accessible(page)
    # The CV comes from the profile, for the reason given, and the expert reads why.
    page.get_by_role("button", name="Download the CV").focus()
    with page.expect_download() as cv_download:
        page.keyboard.press("Enter")
    assert Path(cv_download.value.path()).read_bytes() == PDF


def test_a_cv_over_the_request_limit_comes_back_to_the_cv_form(
    live_server, page, expert_with_profile
):
    page.goto(live_server + "/me/cv")
    too_big = b"%PDF-1.4\n" + b"0" * (int(7.2 * 1024 * 1024) - 9)
    page.get_by_label("Your CV (PDF, at most 5 MB)").set_input_files(
        {"name": "cv-awa.pdf", "mimeType": "application/pdf", "buffer": too_big}
    )
    with page.expect_response(live_server + "/me/cv") as answer:
        page.get_by_role("button", name="Upload").click()
    assert answer.value.status == 413
    assert page.get_by_role("heading", level=1).inner_text() == "Your CV"
    summary = page.get_by_role("alert")
    assert "The file is 7.2 MB; the largest CV accepted is 5 MB." in summary.inner_text()
    assert_accessible(page)
    # The summary leads to the file field, and the form takes a good file from there.
    summary.get_by_role("link").click()
    page.get_by_label("Your CV (PDF, at most 5 MB)").set_input_files(
        {"name": "cv-awa.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Upload").click()
    assert "Your CV is uploaded." in page.get_by_role("status").inner_text()
