"""Every page of the route table, in each of the six languages, passes axe-core.

One small roster holds every kind of object a page shows (the demo roster of 60 experts
with its past missions, the demo accounts, a mission with a called-out shortlist, a
likely duplicate pair, a list, a saved search, an API token, a confirmation and a reset
link). Each role signs in once; the language is switched in the footer's form (one POST
per language), and every GET page is opened in each language: ``<html lang dir>`` follows
the language, the page's title (and its heading, unless it is text people typed) is not
the English one, and axe-core finds no violation at desktop width (nor is the page wider
than a phone).

Not opened, as they are not pages: ``/api/v1/openapi.json`` and ``/me/data.json`` (JSON),
``/me/cv/download`` (a file). The staff's view of an expert's profile is the answer to the
reason form of ``/experts/<id>``, so it is opened by submitting that form. The API
reference, one long page of every operation, is axe-checked in English and Arabic only
(axe takes some ten seconds on it); its language, direction and title in all six. A test
fails when a GET page of the app is in none of the lists, so a new page joins the sweep.

``SWEEP_ROLES=recruiter,admin`` limits a run to the pages of those roles (while fixing them).
"""

import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
import pytest
from sqlalchemy import select

from roster.accounts.tokens import create_token
from roster.db import session_scope
from roster.demo_accounts import ensure_demo_accounts
from roster.i18n import SHIPPED
from roster.interchange.services import import_records
from roster.models import (
    DuplicatePair,
    Expert,
    NeedsAssessment,
    RosterStatus,
    Shortlist,
    User,
)
from roster.recruiting.criteria import parse_criteria
from roster.recruiting.lists import add_experts, create_list
from roster.recruiting.saved import save_search
from tests.browser.conftest import assert_fits_a_phone
from tests.browser.test_call_out_replies import called_out
from tests.callouts.conftest import mission  # noqa: F401
from tests.conftest import csrf_token, link_in, outbox, register
from tests.factories import expert_record
from tests.roster.test_learning import stored_run

pytestmark = pytest.mark.browser

TAGS = [language.tag for language in SHIPPED]  # ar, zh, en, fr, ru, es
AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def assert_no_violation(page) -> None:
    """axe-core (put in every page by the context's init script) finds no violation."""
    violations = page.evaluate(
        "axe.run({resultTypes: ['violations']}).then(r => r.violations.map("
        "v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 5).map(n => n.target)}`))"
    )
    assert not violations, f"axe-core violations on {page.url}:\n" + "\n".join(violations)


# The API reference describes every operation on one long page (axe takes ~10 s on it):
# axe checks it in English and in Arabic; its language, direction and title in all six.
HEAVY = {"/api-reference": ("en", "ar")}
NOT_PAGES = ["/api/v1/openapi.json", "/me/data.json", "/me/cv/download"]


@dataclass
class Roster:
    """Who signs in as each role, and the pages each one opens."""

    sign_ins: dict[str, tuple[str, str]] = field(default_factory=dict)  # role -> email, password
    pages: dict[str, list[str]] = field(default_factory=dict)  # role ("anonymous") -> paths
    profile: str = ""  # /experts/<id>, whose reason form leads to the staff's profile view


@pytest.fixture
def roster(app, runner, client, mission) -> Roster:  # noqa: F811
    """The demo roster and every kind of object a page shows; the paths that show them."""
    result = runner.invoke(args=["roster", "demo", "--experts", "60", "--seed", "8"])
    assert result.exit_code == 0, result.output
    links = called_out(app, mission, "bruno")
    with session_scope(app) as session:
        import_records(
            session=session,
            records=enumerate(
                [
                    expert_record(
                        "D1", full_name="Mohamed El-Sayed", email="m.elsayed@example.org"
                    ),
                    expert_record(
                        "D2",
                        full_name="Muhammad Al Sayyid",
                        email="sayyid@example.org",
                        roster_status="under_review",
                    ),
                ],
                1,
            ),
            source="test",
        )
    with session_scope(app) as session:
        sign_ins = {s.role: (s.email, s.password) for s in ensure_demo_accounts(session=session)}
    with session_scope(app) as session:
        recruiter = session.scalar(select(User).where(User.email == sign_ins["recruiter"][0]))
        expert_user = session.scalar(select(User).where(User.email == sign_ins["expert"][0]))
        rostered = session.scalars(
            select(Expert)
            .where(Expert.roster_status == RosterStatus.ROSTERED)
            .order_by(Expert.external_id)
            .limit(3)
        ).all()
        kept = create_list(session=session, owner_id=recruiter.id, name="Mali 2027")
        add_experts(
            session=session,
            expert_list=kept,
            public_ids=[e.public_id for e in rostered],
            actor_id=recruiter.id,
        )
        save_search(
            session=session,
            owner_id=recruiter.id,
            name="French speakers",
            criteria=parse_criteria({"language": ["fr"]}),
        )
        create_token(
            session=session,
            user=recruiter,
            name="Spreadsheet",
            scopes=["roster:read"],
            days=30,
            via="web",
        )
        pair = session.scalar(select(DuplicatePair).order_by(DuplicatePair.id))
        under_review = session.scalar(
            select(Expert)
            .where(Expert.roster_status == RosterStatus.UNDER_REVIEW)
            .order_by(Expert.external_id)
        )
        needs = session.scalar(
            select(NeedsAssessment).where(NeedsAssessment.public_id == mission.needs_public_id)
        )
        shortlist = session.scalar(
            select(Shortlist).where(Shortlist.role_id == mission.role_id).order_by(Shortlist.id)
        )
        ids = {
            "list": kept.public_id,
            "pair": pair.public_id,
            "vetting": under_review.public_id,
            "profile": rostered[0].public_id,
            "user": expert_user.public_id,
            "needs": needs.public_id,
            "shortlist": shortlist.public_id,
        }
    # A confirmation link (a new registration) and a reset link, from the mail they send.
    assert register(client, email="new.expert@example.org").status_code == 302
    confirm = link_in(outbox(app)[-1], "confirm")
    client.post(
        "/reset",
        data={"email": "new.expert@example.org", "csrf_token": csrf_token(client, "/reset")},
    )
    reset = link_in(outbox(app)[-1], "reset")
    run = stored_run(app)  # a learning run, as the admin's matching page shows it
    role = f"/needs/{ids['needs']}/roles/{mission.role_key}"
    return Roster(
        sign_ins=sign_ins,
        profile=f"/experts/{ids['profile']}",
        pages={
            "anonymous": [
                "/",
                "/login",
                "/register",
                "/reset",
                reset,
                confirm,
                "/api-reference",
                links["bruno"]["available"].removeprefix("http://localhost"),
            ],
            "expert": [
                "/me",
                "/me/identity",
                "/me/summary",
                "/me/expertise",
                "/me/languages",
                "/me/accessibility",
                "/me/availability",
                "/me/deployments",
                "/me/sensitive",
                "/me/cv",
                "/me/candidacies",
                "/me/views",
                "/me/data",
                "/me/delete",
                "/account/password",  # every role's; /account/tokens is the recruiter's
            ],
            "recruiter": [
                "/experts",
                f"/experts/{ids['profile']}",
                "/dashboard",
                "/dashboard/exposure",
                "/duplicates",
                f"/duplicates/{ids['pair']}",
                "/lists",
                f"/lists/{ids['list']}",
                f"/lists/{ids['list']}/delete",
                "/searches",
                "/unmet-demand",
                "/vetting",
                f"/vetting/{ids['vetting']}",
                "/account/tokens",
            ],
            "planner": [
                "/needs",
                f"/needs/{ids['needs']}",
                f"/needs/{ids['needs']}/edit",
                role,
                f"{role}/shortlists/{ids['shortlist']}",
                f"{role}/widen",
                f"/needs/{ids['needs']}/team",
                "/needs/new",
                "/needs/upload",
            ],
            "admin": [
                "/admin/users",
                f"/admin/users/{ids['user']}",
                f"/admin/users/{ids['user']}/remove",
                "/admin/users/new",
                "/admin/audit",
                "/admin/outbox",
                "/admin/matching",
                "/admin/matching/defaults",
                f"/admin/matching/runs/{run}/adopt",
            ],
        },
    )


def endpoint(app, path: str) -> str:
    """The endpoint that answers a GET of ``path``."""
    return app.url_map.bind("localhost").match(urlsplit(path).path, method="GET")[0]


def test_the_sweep_opens_every_page_of_the_app(app, roster):
    swept = {endpoint(app, path) for paths in roster.pages.values() for path in paths}
    left_out = {endpoint(app, path) for path in NOT_PAGES}
    pages = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.rule.startswith(("/static", "/api/v1/"))
    }
    assert pages - swept - left_out == set()


def choose(page, base: str, tag: str) -> None:
    """Choose ``tag`` in the footer's form (posted as the form posts it, without a page load)."""
    if not page.locator("input[name=csrf_token]").count():
        page.goto(base + "/login")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.request.post(
        base + "/language", form={"language": tag, "next": "/", "csrf_token": token}
    )
    assert answer.ok, answer.status


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("#password").press("Enter")
    assert "/login" not in page.url, f"{email} could not sign in"


class Sweep:
    """Opens pages and notes every problem, so that one run reports them all."""

    def __init__(self, page, base: str) -> None:
        self.page, self.base = page, base
        self.problems: list[str] = []
        self.seen: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)  # path -> tag -> ...
        self.opened = 0

    def check(self, path: str, tag: str, label: str | None = None) -> None:
        page, label = self.page, label or path
        lang, direction, title, h1 = page.evaluate(
            "() => { const e = document.documentElement, h = document.querySelector('h1');"
            " return [e.lang, e.dir, document.title, h ? h.innerText.trim() : '']; }"
        )
        expected = (tag, "rtl" if tag == "ar" else "ltr")
        if (lang, direction) != expected:
            self.problems.append(
                f"{label} [{tag}]: <html lang dir> is {(lang, direction)}, not {expected}"
            )
        self.seen[label][tag] = (title, h1)
        if path in HEAVY and tag not in HEAVY[path]:
            return
        for check in (assert_fits_a_phone, assert_no_violation):
            try:
                check(page)
            except AssertionError as failure:
                self.problems.append(f"{label} [{tag}]: {failure}")
        self.opened += 1

    def open(self, path: str, tag: str) -> None:
        answer = self.page.goto(self.base + path)
        if answer is None or answer.status >= 400:
            self.problems.append(f"{path} [{tag}]: answered {answer and answer.status}")
        self.check(path, tag)

    def untranslated(self) -> list[str]:
        """Pages whose title, or heading, is the English one in another language.

        A heading that reads the same in all six languages is text people typed (a name);
        French and Spanish share words with English ("Experts"), so a heading is compared
        in the languages of other scripts only (Arabic, Chinese, Russian).
        """
        found = []
        for label, by_tag in self.seen.items():
            english_title, english_h1 = by_tag["en"]
            typed = len({h1 for _, h1 in by_tag.values()}) == 1
            for tag, (title, h1) in by_tag.items():
                if tag == "en":
                    continue
                if title == english_title:
                    found.append(f"{label} [{tag}]: the title is in English: {title!r}")
                if h1 and h1 == english_h1 and not typed and tag in ("ar", "zh", "ru"):
                    found.append(f"{label} [{tag}]: the heading is in English: {h1!r}")
        return found


def test_every_page_passes_axe_in_each_of_the_six_languages(
    app, roster, live_server, browser, capsys
):
    started = time.monotonic()
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.add_init_script(AXE)
    problems: list[str] = []
    try:
        for role, paths in roster.pages.items():
            if os.environ.get("SWEEP_ROLES") and role not in os.environ["SWEEP_ROLES"]:
                continue
            page = context.new_page()
            page.set_default_timeout(15_000)
            sweep = Sweep(page, live_server)
            if role != "anonymous":
                sign_in(page, live_server, *roster.sign_ins[role])
            for tag in ["en", *[t for t in TAGS if t != "en"]]:
                choose(page, live_server, tag)
                for path in paths:
                    sweep.open(path, tag)
                    if path == roster.profile:
                        page.locator("main select").first.select_option(index=1)
                        with page.expect_navigation():
                            page.locator("main form button[type=submit]").last.click()
                        sweep.check(path, tag, label=path + " (opened with a reason)")
            problems += [f"{role}: {problem}" for problem in sweep.problems + sweep.untranslated()]
            with capsys.disabled():
                print(f"\n{role}: {sweep.opened} pages checked in six languages")
            context.clear_cookies()
            page.close()
    finally:
        context.close()
    with capsys.disabled():
        print(f"\nthe sweep took {time.monotonic() - started:.1f} s")
    assert not problems, "\n".join(problems)
