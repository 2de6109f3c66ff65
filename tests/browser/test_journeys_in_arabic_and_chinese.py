"""The main journey of each role, in Arabic and in Chinese, found by the translated names.

Each test's browser speaks the language (a first visit follows it); every control is found
by its label or role name as the catalogue translates it (``tr``), never by the English
text. The expert's mail is in the language saved on the account, and its one-click reply
page in the language of the mail. The Arabic and Chinese text is drawn with Noto fonts, not
as missing-glyph boxes. With ``SCREENSHOTS_DIR`` set, the main pages are saved in both
languages at 1280 and 375 pixels.
"""

import os
import re

import pytest
from flask_babel import gettext
from sqlalchemy import select

from roster.i18n import in_language
from roster.models import User
from tests.browser.conftest import PHONE_WIDTH, assert_accessible, keyboard_sign_in
from tests.browser.test_call_out_replies import called_out
from tests.callouts.conftest import AWA_EMAIL, body_of, mail_to, mission  # noqa: F401
from tests.factories import expert_record, needs_record
from tests.shortlists.conftest import import_roster, roster_records, save

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")
BROWSER_LANGUAGES = {"ar": "ar", "zh": "zh-CN"}
# What the page's text is written in: Arabic letters, or CJK ideographs.
SCRIPT = {"ar": re.compile(r"[\u0600-\u06ff]"), "zh": re.compile(r"[\u4e00-\u9fff]")}
in_both = pytest.mark.parametrize(
    ("tag", "language"), list(BROWSER_LANGUAGES.items()), ids=list(BROWSER_LANGUAGES)
)


def tr(app, tag: str, text: str, **params) -> str:
    """``text`` as the catalogue of ``tag`` translates it (parameters filled in)."""
    with app.test_request_context(), in_language(tag):
        return gettext(text, **params)


def press(page, locator) -> None:
    """Focus ``locator`` and press Enter, as a keyboard user does; wait for the next page."""
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def shown_in(page, tag: str) -> None:
    """The page is in ``tag``, in its direction, and axe finds nothing at either width."""
    html = page.locator("html")
    assert html.get_attribute("lang") == tag
    assert html.get_attribute("dir") == ("rtl" if tag == "ar" else "ltr")
    assert SCRIPT[tag].search(page.locator("h1").first.inner_text()), page.url
    assert_accessible(page)


def shot(page, name: str) -> None:
    """Save the page at desktop and phone widths when SCREENSHOTS_DIR is set."""
    if not SCREENSHOTS:
        return
    for width in (1280, PHONE_WIDTH):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def fonts_of(page, selector: str) -> dict[str, int]:
    """The fonts Chromium drew ``selector``'s text with: family name -> glyphs drawn."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        cdp.send("CSS.enable")
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    return {font["familyName"]: font["glyphCount"] for font in fonts}


def drawn_with_noto(page, tag: str) -> None:
    """The heading's Arabic or Chinese letters are drawn with a Noto font (no tofu)."""
    fonts = fonts_of(page, "h1")
    script = {"ar": "Arabic", "zh": "CJK"}[tag]
    assert any(script in name and "Noto" in name for name in fonts), fonts


@in_both
def test_an_expert_edits_a_section_and_answers_the_mailed_call_out(
    app,
    live_server,
    page,
    mission,  # noqa: F811
    db_session,
    tag,
):
    with db_session() as session:
        session.scalar(select(User).where(User.email == AWA_EMAIL)).language = tag
    keyboard_sign_in(page, live_server, AWA_EMAIL)
    press(page, page.get_by_role("link", name=tr(app, tag, "My profile"), exact=True))
    shown_in(page, tag)
    drawn_with_noto(page, tag)
    shot(page, f"profile-{tag}")
    press(page, page.get_by_role("link", name=tr(app, tag, "Summary"), exact=True))
    page.get_by_label(tr(app, tag, "Summary"), exact=True).fill("خبيرة في تسجيل الناخبين")
    press(page, page.get_by_role("button", name=tr(app, tag, "Save summary")))
    assert tr(app, tag, "Summary saved.") in page.get_by_role("status").inner_text()
    shown_in(page, tag)

    # The call-out's mail is in her language; its link opens a page in that language.
    links = called_out(app, mission, "awa")["awa"]
    (message,) = mail_to(app, AWA_EMAIL)
    assert SCRIPT[tag].search(body_of(message))
    page.context.clear_cookies()  # the link works without signing in
    page.goto(links["available"].replace("http://localhost", live_server))
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == tr(app, tag, "Confirm that you are available")
    shown_in(page, tag)
    press(page, page.get_by_role("button", name=tr(app, tag, "Yes, I am available")))
    assert heading.inner_text() == tr(app, tag, "Thank you for your answer")
    shown_in(page, tag)
    assert mission.outcome("awa").value == "available"


@in_both
def test_a_recruiter_searches_opens_a_profile_with_a_reason_and_vets(
    app, live_server, page, make_user, runner, tmp_path, tag
):
    skills = [{"code": "voter-registration", "years": 9}]
    import_roster(
        runner,
        tmp_path,
        [
            expert_record(1, full_name="Amina Diallo", roster_status="under_review", skills=skills),
            expert_record(2, full_name="Lena Fischer"),
        ],
    )
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    keyboard_sign_in(page, live_server, "rita@example.org")
    page.wait_for_url(live_server + "/experts")
    shown_in(page, tag)
    shot(page, f"search-{tag}")

    page.get_by_label(tr(app, tag, "Name or reference")).fill("Fischer")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    press(page, page.get_by_role("link", name="Lena Fischer"))
    shown_in(page, tag)
    page.get_by_label(tr(app, tag, "Why are you opening this profile?")).select_option("vetting")
    press(page, page.get_by_role("button", name=tr(app, tag, "Open the profile")))
    assert page.get_by_role("heading", level=1).inner_text() == "Lena Fischer"
    assert_accessible(page)

    # Vetting: the queue, the reason, the decision.
    press(page, page.get_by_role("link", name=tr(app, tag, "Vetting"), exact=True))
    shown_in(page, tag)
    press(page, page.get_by_role("link", name="Amina Diallo"))
    page.get_by_label(tr(app, tag, "Why are you opening this profile?")).select_option("vetting")
    press(page, page.get_by_role("button", name=tr(app, tag, "Open the profile")))
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == tr(app, tag, "Vet %(name)s", name="Amina Diallo")
    assert_accessible(page)
    decision = page.get_by_role("combobox", name=tr(app, tag, "Decision"), exact=True)
    decision.select_option("rostered")
    press(page, page.get_by_role("button", name=tr(app, tag, "Record the decision")))
    assert SCRIPT[tag].search(page.locator(".flashes").inner_text())
    assert_accessible(page)


@in_both
def test_a_planner_previews_issues_a_shortlist_and_records_an_outcome(
    app, live_server, page, make_user, runner, tmp_path, tag
):
    import_roster(runner, tmp_path, roster_records())
    save(app, needs_record(title="Support to the 2027 elections"))
    make_user("paula@example.org", "planner", name="Paula Planner")
    keyboard_sign_in(page, live_server, "paula@example.org")
    page.wait_for_url(live_server + "/needs")
    shown_in(page, tag)
    press(page, page.get_by_role("link", name="Support to the 2027 elections"))
    assert_accessible(page)
    press(page, page.get_by_role("link", name="Electoral Adviser").first)
    assert_accessible(page)  # the preview: the ranked candidates, not yet issued
    assert page.locator("#candidate-1").is_visible()

    press(page, page.get_by_role("button", name=tr(app, tag, "Issue this shortlist")).first)
    assert tr(app, tag, "The shortlist was issued.") in page.locator(".flashes").inner_text()
    assert_accessible(page)
    drawn_with_noto(page, tag)
    chooser = page.locator("#c1-to")
    outcome = [v for v in chooser.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    chooser.select_option(outcome[0])
    button = page.locator("#candidate-1").get_by_role("button", name=tr(app, tag, "Record"))
    press(page, button)
    assert tr(app, tag, "The outcome was recorded.") in page.locator(".flashes").inner_text()
    assert_accessible(page)
    shot(page, f"shortlist-{tag}")


@in_both
def test_an_admin_opens_the_users_and_the_audit_trail(
    app, live_server, page, make_user, runner, tag
):
    assert runner.invoke(args=["roster", "demo", "--experts", "40", "--seed", "3"]).exit_code == 0
    make_user("ada@example.org", "admin", name="Ada Admin")
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    keyboard_sign_in(page, live_server, "ada@example.org")
    press(page, page.get_by_role("link", name=tr(app, tag, "Roster at a glance")))
    shown_in(page, tag)
    drawn_with_noto(page, tag)
    shot(page, f"home-{tag}")
    press(page, page.get_by_role("link", name=tr(app, tag, "Dashboard"), exact=True))
    shown_in(page, tag)
    shot(page, f"dashboard-{tag}")
    press(page, page.get_by_role("link", name=tr(app, tag, "Users"), exact=True))
    shown_in(page, tag)
    assert "Rita Okafor" in page.locator("#users").inner_text()
    shot(page, f"admin-users-{tag}")
    press(page, page.get_by_role("link", name=tr(app, tag, "Audit trail"), exact=True))
    shown_in(page, tag)
    shot(page, f"audit-{tag}")
