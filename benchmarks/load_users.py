"""The simulated people of ``bench_load.py``: experts and recruiters, and what they measure.

Each user is one ``httpx.AsyncClient`` with its own cookies, connecting from its own
loopback address (127.0.1.N), as a browser would: it opens a page, reads the form's
CSRF token and profile version from the HTML, waits a think time, and posts the form.
Every request has a name (``GET /me``, ``POST /experts/<id>`` ...), an expected status
and a timeout; anything else counts as an error.
"""

import asyncio
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from typing import NamedTuple

import httpx

PASSWORD = "load benchmark password 2024"
SIGN_IN = ("GET /login", "POST /login")
# Relative weights of the section an expert edits: the summary most often.
SECTIONS = {"summary": 4, "identity": 2, "languages": 2, "accessibility": 2}
PURPOSES = ("vetting", "shortlist-review", "deployment-follow-up", "data-correction")
SENTENCES = (
    "I advised the electoral commission on voter registration and the voters' list.",
    "I trained polling staff in three regions, with materials in easy-read formats.",
    "I coordinated the results management system and its public dashboard.",
    "I drafted the operational plan for out-of-country voting.",
    "I worked with organisations of persons with disabilities on accessible polling stations.",
    "I led the logistics of sensitive materials, from printing to the polling stations.",
    "I supported the electoral dispute resolution body in drafting its procedures.",
)
KEEPALIVE_SECONDS = 1.0
PROFILE_LINK = re.compile(r'href="/experts/([A-Za-z0-9_-]{8,32})"')
NEXT_PAGE = re.compile(r'href="(/experts\?[^"]*page=\d+)">Next page')


class Sample(NamedTuple):
    """One request: its type, when it started (s from the run's start), how long, whether ok."""

    name: str
    at: float
    seconds: float
    ok: bool


@dataclass
class Recorder:
    """Every request's name, start and duration, its errors, and a few examples of them."""

    origin: float = field(default_factory=time.perf_counter)
    samples: list[Sample] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    elapsed: float = 0.0  # seconds from the first arrival to the end of the last request

    def add(self, name: str, started: float, problem: str = "") -> None:
        """Record a request of type ``name`` begun at ``started`` (perf_counter), and its error."""
        now = time.perf_counter()
        self.samples.append(Sample(name, started - self.origin, now - started, not problem))
        if problem:
            self.error(name, problem)

    def error(self, name: str, what: str) -> None:
        """Count an error of ``name``, keeping the first few descriptions."""
        self.errors[name] += 1
        if len(self.examples) < 20:
            self.examples.append(f"{name}: {what}")


@dataclass
class User:
    """One simulated person: account, role, own client and own random stream."""

    email: str
    role: str  # "expert" or "recruiter"
    client: httpx.AsyncClient
    rng: random.Random
    recorder: Recorder
    think: tuple[float, float]
    deadline: float  # time.monotonic() after which no request starts

    async def request(
        self, name: str, method: str, url: str, *, expect: int, **kwargs
    ) -> httpx.Response | None:
        """Send one request, timed; an unexpected status or an exception is an error."""
        started = time.perf_counter()
        try:
            response = await self.client.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            self.recorder.add(name, started, f"{type(error).__name__}: {error}")
            return None
        if response.status_code != expect:
            self.recorder.add(name, started, f"status {response.status_code} for {method} {url}")
            return None
        self.recorder.add(name, started)
        return response

    async def pause(self) -> bool:
        """Think for a while (never past the deadline); False once the run is over."""
        remaining = self.deadline - time.monotonic()
        if remaining > 0:
            await asyncio.sleep(min(remaining, self.rng.uniform(*self.think)))
        return time.monotonic() < self.deadline

    async def sign_in(self) -> bool:
        """Open the sign-in page and post the email and password, as the form does."""
        page = await self.request("GET /login", "GET", "/login", expect=200)
        if page is None:
            return False
        data = form_fields(page.text) | {"email": self.email, "password": PASSWORD}
        return (
            await self.request("POST /login", "POST", "/login", data=data, expect=302) is not None
        )


def form_fields(page: str) -> dict[str, str | list[str]]:
    """The values a browser would send from the page's own form (the one without action)."""
    reader = _FormReader()
    reader.feed(page)
    return reader.values


class _FormReader(HTMLParser):
    """Collects inputs, checked boxes, selected options and text areas of the first own form."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str | list[str]] = {}
        self.options: dict[str, list[str]] = defaultdict(list)
        self._state = "before"  # before, inside, after
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form" and self._state == "before" and "action" not in found:
            self._state = "inside"
        if self._state != "inside":
            return
        name = found.get("name", "")
        if tag == "input" and name:
            if found.get("type") == "checkbox":
                self.options[name].append(found.get("value", "on"))
                if "checked" in found:
                    self._add(name, found.get("value", "on"))
            elif found.get("type") not in ("submit", "button", "file"):
                self.values[name] = found.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select:
            self.options[self._select].append(found.get("value", ""))
            if "selected" in found:
                self.values[self._select] = found.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._state == "inside":
            self._state = "after"
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            # A browser drops the one line break that follows <textarea>.
            text = str(self.values[self._textarea]) + data
            self.values[self._textarea] = text.removeprefix("\n")

    def _add(self, name: str, value: str) -> None:
        current = self.values.setdefault(name, [])
        if isinstance(current, list):
            current.append(unescape(value))


async def expert(user: User) -> None:
    """Open the profile, open a section, change something in it and save it; again."""
    while await user.pause():
        if await user.request("GET /me", "GET", "/me", expect=200) is None:
            continue
        if not await user.pause():
            return
        section = user.rng.choices(list(SECTIONS), weights=list(SECTIONS.values()))[0]
        url = f"/me/{section}"
        page = await user.request(f"GET {url}", "GET", url, expect=200)
        if page is None or not await user.pause():
            continue
        data = _edited(section, form_fields(page.text), user.rng)
        saved = await user.request(f"POST {url}", "POST", url, data=data, expect=302)
        if saved is not None:
            # The browser follows the redirect at once: /me, or the section again.
            target = httpx.URL(saved.headers["location"]).path
            await user.request(f"GET {target}", "GET", target, expect=200)


def _edited(section: str, values: dict, rng: random.Random) -> dict:
    """The section's form as opened, with one realistic change."""
    if section == "summary":
        values["summary"] = " ".join(rng.sample(SENTENCES, rng.randint(2, len(SENTENCES))))
    elif section == "identity":
        values["years_experience"] = str(rng.randint(3, 35))
    elif section == "languages":
        values["languages-0-level"] = rng.choice(("B2", "C1", "C2"))
    elif section == "accessibility":
        codes = ("accessible-polling-stations", "easy-read", "sign-language", "tactile-ballots")
        values["codes"] = rng.sample(codes, rng.randint(0, 3))
    return values


async def recruiter(user: User, queries: list[str]) -> None:
    """Search, sometimes page on, open one of the profiles found with a reason; again."""
    while await user.pause():
        query = user.rng.choice(queries)
        # As a browser does: a search not written canonically (an empty box) is redirected.
        found = await user.request(
            "GET /experts?q=",
            "GET",
            "/experts",
            params={"q": query},
            expect=200,
            follow_redirects=True,
        )
        if found is None:
            continue
        next_page = NEXT_PAGE.search(found.text)
        if next_page and user.rng.random() < 0.5:
            if not await user.pause():
                return
            url = unescape(next_page.group(1))
            found = (
                await user.request(
                    "GET /experts?q=&page=", "GET", url, expect=200, follow_redirects=True
                )
                or found
            )
        links = PROFILE_LINK.findall(found.text)
        if not links or not await user.pause():
            continue
        url = f"/experts/{user.rng.choice(links)}"
        reason = await user.request("GET /experts/<id>", "GET", url, expect=200)
        if reason is None or not await user.pause():
            continue
        data = form_fields(reason.text) | {"purpose": user.rng.choice(PURPOSES), "note": ""}
        await user.request("POST /experts/<id>", "POST", url, data=data, expect=200)


async def run_users(
    *,
    base_url: str,
    accounts: list[tuple[str, str]],
    queries: list[str],
    duration: float,
    ramp: float,
    think: tuple[float, float],
    timeout: float,
    seed: int,
) -> Recorder:
    """Run every account's loop until ``duration`` seconds have passed; return the record.

    Users arrive at seeded moments over the first ``ramp`` seconds and sign in once.
    A request under way at the end finishes (within ``timeout``); none starts after.
    """
    recorder = Recorder()
    started = time.monotonic()
    deadline = started + duration

    async def one(index: int, email: str, role: str) -> None:
        rng = random.Random(seed * 1000 + index)
        # Its own loopback source address: the per-address sign-in limit sees one person.
        address = f"127.0.{1 + index // 250}.{1 + index % 250}"
        # A browser resends a request that meets a kept-alive connection the server has
        # just closed; httpx does not. Idle connections are dropped after 1 s, before
        # gunicorn's keep-alive (2 s by default) ends them, so that race never happens.
        transport = httpx.AsyncHTTPTransport(
            local_address=address, limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS)
        )
        async with httpx.AsyncClient(
            base_url=base_url, transport=transport, timeout=timeout, follow_redirects=False
        ) as client:
            user = User(email, role, client, rng, recorder, think, deadline)
            await asyncio.sleep(rng.uniform(0, ramp))
            if not await user.sign_in():
                return
            await (expert(user) if role == "expert" else recruiter(user, queries))

    tasks = [one(i, email, role) for i, (email, role) in enumerate(accounts)]
    # Bounded: past the deadline, one more timeout for requests under way, then stop.
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), duration + timeout + 5)
    except TimeoutError:
        recorder.error("run", "users still busy after the deadline; stopped")
    recorder.elapsed = time.monotonic() - started
    return recorder
