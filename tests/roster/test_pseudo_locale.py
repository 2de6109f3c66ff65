"""Pages shown in the pseudo-locale: any text that did not pass through translation shows.

In ``en-XA`` every marked string comes back with its letters accented (``Sign in`` reads
``⟦Šîĝñ îñ⟧``), so a plain ASCII letter left on a page is text nobody marked, unless it
is data (an address, a name) that the test names.

Marking is under way, page by page: the pages below are the ones marked so far, and each
newly marked page joins the list.
"""

import re
from html.parser import HTMLParser

import pytest

from roster.i18n import SHIPPED
from tests.conftest import csrf_token, sign_in

# Attributes a person reads or hears.
READ_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}
LATIN = re.compile(r"[A-Za-z]")


class _Text(HTMLParser):
    """The text a person reads or hears on a page, piece by piece."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skipped = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skipped += 1
        attributes = dict(attrs)
        for name in READ_ATTRIBUTES & attributes.keys():
            self.pieces.append(attributes[name] or "")
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.pieces.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skipped -= 1

    def handle_data(self, data):
        if not self._skipped and data.strip():
            self.pieces.append(data.strip())


def untransformed(page: str, data: tuple[str, ...] = ()) -> list[str]:
    """The pieces of ``page`` holding a Latin letter once ``data`` is taken out of them."""
    # Each language's own name in the language menu is never translated.
    data = (*data, *(locale.name for locale in SHIPPED))
    parser = _Text()
    parser.feed(page)
    found = []
    for piece in parser.pieces:
        rest = piece
        for value in sorted(data, key=len, reverse=True):
            rest = rest.replace(value, "")
        if LATIN.search(rest):
            found.append(piece)
    return found


@pytest.fixture
def pseudo_client(client):
    token = csrf_token(client, "/login")
    client.post("/language", data={"language": "en-XA", "next": "/", "csrf_token": token})
    return client


def assert_all_marked(response, *data: str) -> None:
    page = response.get_data(as_text=True)
    assert 'lang="en-XA"' in page
    assert untransformed(page, data) == [], response.request.path


@pytest.mark.parametrize("path", ["/login", "/register", "/reset", "/no-such-page"])
def test_the_visitor_pages_are_all_marked(pseudo_client, path):
    assert_all_marked(pseudo_client.get(path))


def test_an_invalid_link_page_is_all_marked(pseudo_client):
    response = pseudo_client.get("/reset/not-a-token")
    assert response.status_code == 400
    assert_all_marked(response)


@pytest.mark.parametrize(
    "path, form",
    [
        ("/login", {"email": "", "password": ""}),
        ("/register", {"full_name": "", "email": "no", "password": "a", "confirm": "b"}),
        ("/reset", {"email": "not an address"}),
    ],
)
def test_form_errors_are_all_marked(pseudo_client, path, form):
    token = csrf_token(pseudo_client, path)
    response = pseudo_client.post(path, data=form | {"csrf_token": token})
    assert response.status_code == 400
    assert_all_marked(response)


def test_an_expired_form_is_all_marked(pseudo_client):
    response = pseudo_client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert_all_marked(response)


def test_the_password_page_of_a_signed_in_user_is_all_marked(pseudo_client, make_user):
    make_user("awa@example.org", "expert")
    sign_in(pseudo_client, "awa@example.org")
    assert_all_marked(pseudo_client.get("/account/password"), "awa@example.org")


def test_a_refused_page_is_all_marked(pseudo_client, make_user):
    make_user("awa@example.org", "expert")
    sign_in(pseudo_client, "awa@example.org")
    response = pseudo_client.get("/admin/users")
    assert response.status_code == 403
    assert_all_marked(response, "awa@example.org")


def test_the_checker_finds_unmarked_text():
    page = '<p>⟦Šîĝñ îñ⟧</p><p>Sign in</p><img alt="A logo"><p>awa@example.org</p>'
    assert untransformed(page, ("awa@example.org",)) == ["Sign in", "A logo"]
