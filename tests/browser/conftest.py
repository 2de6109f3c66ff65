"""A live server of the test app and headless Chromium (Debian's) driven by Playwright.

Every page test calls ``assert_accessible(page)``: axe-core must report no violation.
"""

import shutil
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the app on 127.0.0.1 on a free port for the test's duration; yield its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["ROSTER_BASE_URL"] = url  # mailed links lead back to this server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    from playwright.sync_api import sync_playwright

    if not shutil.which("chromium"):
        pytest.fail(
            "Chromium is not installed: run `make system` "
            "(Debian packages chromium, chromium-driver)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def language() -> str:
    """The browser's language (its ``Accept-Language``), which a first visit's pages follow.

    A test runs in another language by naming it:
    ``@pytest.mark.parametrize("language", ["ar", "zh"])`` (or ``LANGUAGES`` for all six).
    """
    return "en-GB"


# The six official languages of the UN, as a browser of each sends them.
LANGUAGES = ["ar", "zh-CN", "en-GB", "fr", "ru", "es"]


@pytest.fixture
def page(browser, language):
    """A fresh browser context and page for one test, in the browser language ``language``."""
    context = browser.new_context(locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


PHONE_WIDTH = 375


def assert_fits_a_phone(page) -> None:
    """Fail if the page, laid out 375 pixels wide, is wider than the screen."""
    viewport = page.viewport_size
    page.set_viewport_size({"width": PHONE_WIDTH, "height": viewport["height"]})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_WIDTH, f"{page.url} is {width} px wide at {PHONE_WIDTH} px"
    finally:
        page.set_viewport_size(viewport)


def assert_accessible(page) -> None:
    """Fail if axe-core finds any accessibility violation, or the page is too wide for a phone."""
    assert_fits_a_phone(page)
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = results.response["violations"]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
    )
    assert not violations, f"axe-core violations on {page.url}:\n{details}"


def choose_language(page, language: str) -> None:
    """Choose ``language`` (a tag: ar, zh, en, fr, ru, es) in the footer, by keyboard."""
    page.locator("#language").focus()
    page.locator("#language").select_option(language)
    page.keyboard.press("Tab")  # to the chooser's button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def keyboard_sign_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in on the live server ``base`` by keyboard alone, the sign-in page axe-checked."""
    page.goto(base + "/login")
    assert_accessible(page)
    page.locator("#email").focus()  # by its id: the label is in the page's language
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    # Wait for the page the sign-in leads to: the session cookie is set by then.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
