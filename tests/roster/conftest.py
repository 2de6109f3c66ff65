"""Fixtures of the roster's tests: a signed-in expert, forms posted as a browser would, mail.

Also the form data of the profile's sections as an expert fills them in (``IDENTITY``,
``CONSENTED``, ``language_rows``) and the CV upload.
"""

import html
import io
import re
from dataclasses import dataclass
from datetime import date
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from roster.models import Expert, RosterStatus, User
from tests.conftest import form_token, sign_in

EXPERT_EMAIL = "awa.ndiaye@example.org"
EXPERT_NAME = "Awa Ndiaye"
ADMIN_EMAIL = "ada@example.org"


def form_fields(page: str) -> dict[str, str]:
    """The CSRF token and profile version carried by the first form of a page's HTML."""
    token = form_token(page)
    assert token, "no CSRF token on the page"
    values = {"csrf_token": token}
    if version := re.search(r'name="version"[^>]*value="(\d*)"', page):
        values["version"] = version.group(1)
    return values


def page_form(client: FlaskClient, url: str) -> dict[str, str]:
    """The CSRF token and profile version carried by the first form of a page."""
    page = client.get(url).get_data(as_text=True)
    assert form_token(page), f"no CSRF token on {url}"
    return form_fields(page)


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
CONSENTED = {
    "gender": "woman",
    "gender_consent": "y",
    "disability": "yes",
    "disability_consent": "y",
    "birth_year": "1978",
    "birth_year_consent": "y",
}


def language_rows(*rows: tuple[str, str]) -> dict[str, str]:
    """The languages form's fields for (typed language, level) rows, in order."""
    data = {}
    for index, (code, level) in enumerate(rows):
        data[f"languages-{index}-code"], data[f"languages-{index}-level"] = code, level
    return data


def multipart(values: dict, data: bytes, name: str) -> dict:
    """A multipart body built in memory (the test client spools large ones to a file it leaks)."""
    boundary, body = encode_multipart(
        MultiDict(values | {"cv": FileStorage(io.BytesIO(data), name)})
    )
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def upload_cv(client: FlaskClient, data: bytes, name: str = "cv.pdf"):
    """Choose a file on the CV page and send it."""
    return client.post("/me/cv", **multipart(page_form(client, "/me/cv"), data, name))


@pytest.fixture
def expert_client(app, make_user) -> FlaskClient:
    """A client signed in as an expert who has no profile yet."""
    make_user(EXPERT_EMAIL, "expert", name=EXPERT_NAME)
    client = app.test_client()
    assert sign_in(client, EXPERT_EMAIL).status_code == 302
    return client


@pytest.fixture
def admin(app, make_user) -> FlaskClient:
    """A client signed in as an admin named Ada Lovelace."""
    make_user(ADMIN_EMAIL, "admin", name="Ada Lovelace")
    client = app.test_client()
    assert sign_in(client, ADMIN_EMAIL).status_code == 302
    return client


@pytest.fixture
def staff(signed_in):
    """A client signed in as a new member of staff with one role: ``staff("recruiter")``."""

    def sign(role: str, name: str = "Rita Okafor") -> FlaskClient:
        return signed_in(f"{role}@example.org", role, name=name)

    return sign


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


@dataclass(frozen=True)
class Cast:
    """Who acts on one expert's record: its owner, one user per staff role, and a stranger."""

    db_session: object
    expert_id: int
    user_ids: dict[str, int]
    # Staff's changes of status queue mail, composed in the app's context.
    app: object = None

    def user(self, session, who: str) -> User:
        """The account of ``who`` ("owner", "recruiter", "planner", "admin", "stranger")."""
        return session.get(User, self.user_ids[who])

    def expert(self, session) -> Expert:
        """The expert, loaded in ``session``."""
        return session.get(Expert, self.expert_id)

    def put(self, status: RosterStatus) -> None:
        """Arrange the expert's status directly, as a test's starting point."""
        with self.db_session() as session:
            self.expert(session).roster_status = status


@pytest.fixture
def cast(app, make_user, db_session) -> Cast:
    """An applicant with an account (Awa Ndiaye), staff in every role, and another expert."""
    users = {
        "owner": make_user(EXPERT_EMAIL, "expert", name=EXPERT_NAME),
        "recruiter": make_user("rita@example.org", "recruiter", name="Rita Okafor"),
        "planner": make_user("paul@example.org", "planner", name="Paul Mensah"),
        "admin": make_user("ada@example.org", "admin", name="Ada Lindqvist"),
        "stranger": make_user("sam@example.org", "expert", name="Sam Keller"),
    }
    with db_session() as session:
        expert = Expert(
            external_id="EXP-T-0001",
            full_name=EXPERT_NAME,
            email=EXPERT_EMAIL,
            user_id=users["owner"].id,
        )
        session.add(expert)
        session.flush()
        expert_id = expert.id
    return Cast(db_session, expert_id, {who: user.id for who, user in users.items()}, app)


# The demo's day in the tests: every history ends before it.
DEMO_DAY = date(2026, 12, 1)


@pytest.fixture(scope="session")
def demo_roster():
    """A demo roster of 2,000 experts and its past missions, made once per run."""
    from roster.demo import generate_demo

    return generate_demo(2000, seed=2026, today=DEMO_DAY)


# The contract's candidate outcomes in the order a candidate moves through them.
STAGES = [
    {"shortlisted"},
    {"contacted"},
    {"available", "unavailable", "no_response"},
    {"proposed"},
    {"selected", "not_selected"},
    {"deployed"},
    {"completed"},
]
LEADS_ON = {"shortlisted", "contacted", "available", "proposed", "selected", "deployed"}
