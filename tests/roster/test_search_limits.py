"""A search too long, or holding what no name holds, gets the search page and its error."""

import html
import re
from urllib.parse import quote

import pytest

from roster.models import Expert
from tests.conftest import sign_in

SEARCHES = {"/experts": "recruiter", "/admin/users": "admin"}


@pytest.fixture
def searcher(app, make_user, db_session):
    """A client signed in with the role that may use ``url``'s search; one expert stored."""
    with db_session() as session:
        session.add(Expert(external_id="EXP-1", full_name="Awa Ndiaye", email="awa@example.org"))

    def signed_in(url: str):
        role = SEARCHES[url]
        make_user(f"{role}@example.org", role, name="Awa Ndiaye")
        client = app.test_client()
        assert sign_in(client, f"{role}@example.org").status_code == 302
        return client

    return signed_in


def search_box(page: str) -> str:
    found = re.search(r'<input[^>]*id="q"[^>]*>', page)
    assert found, "no search box"
    return found.group()


@pytest.mark.parametrize("url", SEARCHES)
def test_the_search_box_holds_at_most_200_characters(searcher, url):
    page = searcher(url).get(url).get_data(as_text=True)
    assert 'maxlength="200"' in search_box(page)
    assert 'dir="auto"' in search_box(page)


@pytest.mark.parametrize("url", SEARCHES)
@pytest.mark.parametrize("query, length", [("a" * 5_000, 5_000), ("ن" * 1_300, 1_300)])
def test_an_over_long_search_gets_the_search_form_with_its_error(searcher, url, query, length):
    # 1,300 Arabic letters are 7,800 bytes in the address: within what gunicorn reads.
    response = searcher(url).get(f"{url}?q={quote(query)}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="site-header"' in page and 'class="error-summary"' in page
    assert (
        f"The search is {length:,} characters long; a search can be at most 200 characters. "
        "Its first 200 are in the box: shorten them and search again."
    ) in html.unescape(page)
    box = search_box(page)
    assert f'value="{query[:200]}"' in box
    assert 'aria-invalid="true"' in box and re.search(r'aria-describedby="[^"]*\bq-error"', box)
    assert "Awa Ndiaye</bdi></a>" not in page and "<caption>" not in page  # nothing searched


@pytest.mark.parametrize("url", SEARCHES)
def test_a_search_of_200_characters_is_run(searcher, url):
    response = searcher(url).get(f"{url}?q={'a' * 200}")
    assert response.status_code == 200
    assert "<caption>" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", SEARCHES)
def test_a_search_holding_a_direction_control_says_which(searcher, url):
    override = quote("Awa\u202eNdiaye")
    response = searcher(url).get(f"{url}?q={override}")
    assert response.status_code == 400
    assert (
        "The search contains an invisible right-to-left override (U+202E), which no name "
        "or reference holds. Please retype it."
    ) in response.get_data(as_text=True)


def test_a_search_is_shown_isolated_from_the_sentence_around_it(searcher):
    page = searcher("/experts").get(f"/experts?q={quote('نادية')}").get_data(as_text=True)
    assert "matching “<bdi>نادية</bdi>”" in page


def test_a_signed_out_visitor_with_a_long_search_comes_back_to_the_search_page(client):
    short = client.get("/experts?q=Ndiaye")
    assert short.headers["Location"] == "/login?next=/experts?q%3DNdiaye"
    long = client.get(f"/experts?q={quote('ن' * 1_300)}")
    assert long.status_code == 302
    assert long.headers["Location"] == "/login?next=/experts"
