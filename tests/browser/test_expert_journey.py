"""An expert's whole journey in a real browser, checked with axe-core on every page.

Register, confirm by the emailed link, sign in, complete the profile, upload a CV,
download my data, delete my account.
"""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, link_in, outbox
from tests.factories import pdf

pytestmark = pytest.mark.browser
NAME, EMAIL = "Aïssatou Diallo", "aissatou.diallo@example.org"
PDF = pdf(title=NAME)


def open_section(page, title: str) -> None:
    page.get_by_role("link", name="My profile", exact=True).click()
    page.get_by_role("link", name=title).click()
    assert_accessible(page)


def saved(page, message: str) -> None:
    assert message in page.get_by_role("status").inner_text()
    assert_accessible(page)


def register_and_sign_in(app, page, base: str) -> None:
    page.goto(base + "/register")
    assert_accessible(page)
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.keyboard.press("Enter")
    assert "Check your email" in page.get_by_role("status").inner_text()
    page.goto(base + link_in(outbox(app)[-1], "confirm", base=base))
    assert "your email address is confirmed" in page.get_by_role("status").inner_text()
    assert_accessible(page)
    page.get_by_label("Email address").focus()
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def fill_identity(page) -> None:
    page.get_by_role("link", name="My profile", exact=True).click()
    assert "You have no profile yet" in page.content()
    assert_accessible(page)
    page.get_by_role("link", name="Start my profile").click()
    assert_accessible(page)
    assert page.get_by_label("Full name").input_value() == NAME
    page.get_by_label("Nationality", exact=True).fill("Guinea")
    page.get_by_label("Country of residence").fill("sn")
    page.get_by_label("Seniority (UN grade equivalent)").select_option("P4")
    page.get_by_label("Years of electoral experience").fill("14")
    page.get_by_label("Years of electoral experience").press("Enter")
    saved(page, "Identity and nationality saved.")


def fill_sections(page) -> None:
    open_section(page, "Gender, disability and year of birth (optional)")
    page.get_by_label("I agree that the roster stores my gender").focus()
    page.keyboard.press("Space")
    page.get_by_label("Gender", exact=True).select_option("woman")
    page.get_by_role("button", name="Save").click()
    saved(page, "Your choices about gender")

    open_section(page, "Languages")
    page.get_by_label("Language 1", exact=True).fill("Francais")
    page.get_by_label("Level of language 1").select_option("native")
    page.get_by_label("Language 2", exact=True).fill("english")
    page.get_by_label("Level of language 2").select_option("C1")
    page.get_by_role("button", name="Save languages").click()
    saved(page, "read as 'fr' (French)")
    assert "Understood as French (fr)" in page.content()

    open_section(page, "Expertise areas")
    page.get_by_label("Expertise area 1", exact=True).fill("voter registraton")
    page.get_by_label("Years in area 1").fill("8")
    page.get_by_role("button", name="Save expertise areas").click()
    saved(page, "Expertise areas saved.")

    open_section(page, "Accessibility expertise")
    page.get_by_label("Sign language voter information and interpretation").check()
    page.get_by_role("button", name="Save").click()
    saved(page, "Accessibility expertise saved.")


def fill_periods_and_summary(page) -> None:
    start = date.today() + timedelta(days=60)
    open_section(page, "Availability")
    page.get_by_label("First day").fill(start.isoformat())
    page.get_by_label("Last day").fill((start + timedelta(days=120)).isoformat())
    page.get_by_role("button", name="Add this period").click()
    saved(page, "Availability added.")
    page.get_by_label("First day").fill((start + timedelta(days=100)).isoformat())
    page.get_by_label("Last day").fill((start + timedelta(days=200)).isoformat())
    page.get_by_role("button", name="Add this period").click()
    assert "This period overlaps" in page.get_by_role("alert").inner_text()
    assert_accessible(page)

    open_section(page, "Past deployments")
    page.get_by_label("Mission (if any)").fill("Support to the 2021 elections")
    page.get_by_label("Country", exact=True).fill("Niger")
    page.get_by_label("Your role").fill("Voter registration adviser")
    page.get_by_label("First day").fill("2020-06-01")
    page.get_by_label("Last day").fill("2021-04-30")
    page.get_by_role("button", name="Add this deployment").click()
    saved(page, "Deployment added.")

    open_section(page, "Summary")
    page.get_by_label("Summary").fill("Led voter list audits in three countries.")
    page.get_by_role("button", name="Save summary").click()
    saved(page, "Summary saved.")


def upload_cv_and_download_data(page) -> None:
    open_section(page, "CV")
    page.get_by_label("Your CV (PDF, at most 5 MB)").set_input_files(
        {"name": "cv-diallo.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Upload").click()
    saved(page, "Your CV is uploaded.")
    assert "cv-diallo.pdf" in page.content()
    with page.expect_download() as cv_download:
        page.get_by_role("link", name="Download my CV").click()
    assert Path(cv_download.value.path()).read_bytes() == PDF

    page.get_by_role("link", name="My profile", exact=True).click()
    page.get_by_role("link", name="See everything the roster holds about you").click()
    assert page.get_by_role("heading", level=1).inner_text() == "What the roster holds about you"
    assert_accessible(page)
    with page.expect_download() as data_download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    document = json.loads(Path(data_download.value.path()).read_text(encoding="utf-8"))
    record = document["expert"]
    assert (record["full_name"], record["nationalities"], record["residence_country"]) == (
        NAME,
        ["GN"],
        "SN",
    )
    assert record["languages"] == [{"code": "fr", "level": "native"}, {"code": "en", "level": "C1"}]
    assert record["skills"] == [{"code": "voter-registration", "years": 8}]
    assert record["gender"] == "woman" and record["consent"] == {"gender": True}
    assert len(record["availability"]) == 1 and record["deployments"][0]["country"] == "NE"

    page.get_by_role("link", name="My profile", exact=True).click()
    page.get_by_role("link", name="See which staff viewed my profile").click()
    assert "No member of staff has viewed your profile." in page.content()
    assert_accessible(page)


def delete_account(page, base: str) -> None:
    page.get_by_role("link", name="My profile", exact=True).click()
    page.get_by_role("link", name="Delete my account").click()
    assert_accessible(page)
    page.get_by_role("button", name="Delete my account").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)
    page.get_by_label("I understand this cannot be undone").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    assert "Your account, profile and CV are deleted." in page.get_by_role("status").inner_text()
    assert_accessible(page)
    page.goto(base + "/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert "not right" in page.get_by_role("alert").inner_text()


def test_an_expert_registers_completes_the_profile_downloads_and_deletes(app, live_server, page):
    register_and_sign_in(app, page, live_server)
    fill_identity(page)
    fill_sections(page)
    fill_periods_and_summary(page)
    upload_cv_and_download_data(page)
    delete_account(page, live_server)
    assert not list((Path(app.instance_path) / "cvs").glob("*.pdf"))
