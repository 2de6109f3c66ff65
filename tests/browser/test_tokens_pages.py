"""A person makes an API token, copies its secret, uses it, revokes it; and reads the reference.

By keyboard where a person would type; every page checked with axe-core and at phone width,
with screenshots at 1280 and 375 pixels when ``SCREENSHOTS_DIR`` is set.
"""

import os

import httpx
import pytest

from tests.browser.conftest import assert_accessible, keyboard_sign_in

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")


def whom(base: str, secret: str) -> httpx.Response:
    """Ask the live server's API whom ``secret`` acts for, as a script would."""
    return httpx.get(f"{base}/api/v1/token", headers={"Authorization": f"Bearer {secret}"})


def shot(page, name: str) -> None:
    """Save the page at desktop and phone widths when SCREENSHOTS_DIR is set."""
    if not SCREENSHOTS:
        return
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_planner_makes_copies_uses_and_revokes_a_token(app, live_server, browser, make_user):
    make_user("pia@example.org", "planner", name="Pia Planner")
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        keyboard_sign_in(page, live_server, "pia@example.org")
        page.get_by_role("link", name="API tokens").click()
        assert page.get_by_role("heading", level=1).inner_text() == "API access tokens"
        assert page.get_by_text("You have no tokens yet.").is_visible()
        assert_accessible(page)

        # Sent empty: each problem on its field, the summary focused.
        page.get_by_role("button", name="Make the token").click()
        page.wait_for_load_state()
        page.wait_for_function("document.activeElement.id === 'error-summary'")
        assert page.get_by_label("Name").get_attribute("aria-invalid") == "true"
        assert "Choose at least one scope." in page.locator("#scopes").inner_text()
        assert_accessible(page)

        page.get_by_label("Name").fill("mission planning sync")
        page.get_by_label("needs:read").check()
        page.get_by_label("needs:write").check()
        page.get_by_label("Expires after").select_option("30")
        page.get_by_role("button", name="Make the token").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Your new token"
        assert "This is the only time it is shown." in page.get_by_role("status").inner_text()
        assert_accessible(page)
        shot(page, "token-made")

        # Copied as a person does: into the field, select all, copy.
        field = page.get_by_label("Secret of the token “mission planning sync”")
        assert field.get_attribute("readonly") is not None
        field.focus()
        page.keyboard.press("Control+A")
        page.keyboard.press("Control+C")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == field.input_value() and copied.startswith("eer_")
        assert whom(live_server, copied).json()["scopes"] == [
            "needs:read",
            "needs:write",
        ]

        page.get_by_role("link", name="Back to your tokens").click()
        row = page.get_by_role("listitem").filter(
            has=page.get_by_role("heading", name="mission planning sync")
        )
        assert copied not in page.content()
        assert copied[:12] in row.inner_text()
        assert_accessible(page)
        shot(page, "tokens")

        row.get_by_role("button", name="Revoke the token “mission planning sync”").click()
        assert "is revoked" in page.get_by_role("status").inner_text()
        assert page.get_by_text("You have no tokens yet.").is_visible()
        assert whom(live_server, copied).status_code == 401
        assert_accessible(page)
    finally:
        context.close()


def test_the_reference_is_reached_from_the_footer_and_reads_well(live_server, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server + "/")
    page.get_by_role("contentinfo").get_by_role("link", name="API reference").click()
    assert page.get_by_role("heading", level=1).inner_text() == "API reference"
    assert page.locator("#op-get-api-v1-token").is_visible()
    page.get_by_role("navigation", name="Contents").get_by_role(
        "link", name="Problem types"
    ).click()
    assert page.url.endswith("#problems")
    assert page.get_by_role("link", name="OpenAPI 3.1 document").get_attribute("href") == (
        "/api/v1/openapi.json"
    )
    assert_accessible(page)
    shot(page, "api-reference")
