"""Fixtures of the profile tests: a signed-in expert, and forms posted as a browser would."""

import html
import re
from datetime import date
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient

from tests.conftest import sign_in

EXPERT_EMAIL = "awa.ndiaye@example.org"
EXPERT_NAME = "Awa Ndiaye"


def page_form(client: FlaskClient, url: str) -> dict[str, str]:
    """The CSRF token and profile version carried by the first form of a page."""
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, f"no CSRF token on {url}"
    values = {"csrf_token": token.group(1)}
    if version := re.search(r'name="version"[^>]*value="(\d*)"', page):
        values["version"] = version.group(1)
    return values


def post_form(
    client: FlaskClient,
    url: str,
    data: dict | None = None,
    *,
    form_url: str | None = None,
    **kwargs,
):
    """Open ``form_url`` (or ``url``), then post ``data`` with its token and version."""
    values = page_form(client, form_url or url) | (data or {})
    return client.post(url, data=values, **kwargs)


def download_cv(staff: FlaskClient, public_id: str, purpose: str = "vetting", note: str = ""):
    """Open an expert's profile with a reason, then press its "Download the CV" button."""
    page = post_form(staff, f"/experts/{public_id}", {"purpose": purpose, "note": note})
    found = re.search(
        r'<form method="post" action="([^"]+/cv)"[^>]*>(.*?)</form>',
        page.get_data(as_text=True),
        re.S,
    )
    assert found, "no CV button on the profile"
    fields = re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', found.group(2))
    return staff.post(found.group(1), data={name: html.unescape(value) for name, value in fields})


IDENTITY = {
    "full_name": EXPERT_NAME,
    "nationality_1": "Senegal",
    "nationality_2": "",
    "nationality_3": "",
    "residence_country": "sn",
    "years_experience": "12",
    "seniority": "P4",
}


@pytest.fixture
def expert_client(app, make_user) -> FlaskClient:
    """A client signed in as an expert who has no profile yet."""
    make_user(EXPERT_EMAIL, "expert", name=EXPERT_NAME)
    client = app.test_client()
    assert sign_in(client, EXPERT_EMAIL).status_code == 302
    return client


@pytest.fixture
def profiled_client(expert_client) -> FlaskClient:
    """A client signed in as an expert whose identity section is saved."""
    response = post_form(expert_client, "/me/identity", IDENTITY)
    assert response.status_code == 302, response.get_data(as_text=True)
    return expert_client


class Sink:
    """An SMTP handler that keeps what it receives and refuses the recipients in ``refused``."""

    def __init__(self) -> None:
        self.messages: list = []
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refused:
            return "550 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def start_smtp_sink():
    """Start a real SMTP server on 127.0.0.1 at a given port: ``sink = start_smtp_sink(port)``."""
    controllers = []

    def start(port: int) -> Sink:
        sink = Sink()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return sink

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def smtp_sink(start_smtp_sink, unused_tcp_port):
    """A real SMTP server on 127.0.0.1, and its port."""
    return start_smtp_sink(unused_tcp_port), unused_tcp_port


# The demo's day in the tests: every history ends before it.
DEMO_DAY = date(2026, 12, 1)


@pytest.fixture(scope="session")
def demo_roster():
    """A demo roster of 2,000 experts and its past missions, made once per run."""
    from roster.demo import generate_demo

    return generate_demo(2000, seed=2026, today=DEMO_DAY)
