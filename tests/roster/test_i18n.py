"""The language of a page: chosen by the user, else the browser, English by default."""

import re

import pytest

from roster import create_app
from roster.db import engines
from roster.i18n import pseudo
from tests.conftest import csrf_token


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group()


def choose(client, language: str, next_page: str = "/"):
    token = csrf_token(client, "/login")
    return client.post(
        "/language", data={"language": language, "next": next_page, "csrf_token": token}
    )


def test_a_page_is_english_left_to_right_by_default(client):
    page = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="en" dir="ltr">'


def test_a_right_to_left_choice_mirrors_the_page_and_transforms_marked_text(client):
    response = choose(client, "ar-XB", "/login")
    assert response.status_code == 302 and response.location == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert html_tag(page) == '<html lang="ar-XB" dir="rtl">'
    assert f">{pseudo('Skip to main content')}<" in page
    assert pseudo("Roster at a glance") in page
    assert "Skip to main content" not in page


def test_the_choice_is_kept_for_the_session_and_can_be_undone(client):
    choose(client, "en-XA")
    assert 'lang="en-XA"' in client.get("/").get_data(as_text=True)
    choose(client, "en")
    assert html_tag(client.get("/").get_data(as_text=True)) == '<html lang="en" dir="ltr">'


@pytest.mark.parametrize("next_page", ["//evil.example/", "https://evil.example/", "evil"])
def test_the_chooser_goes_back_only_to_a_page_of_this_site(client, next_page):
    response = choose(client, "en", next_page)
    assert response.status_code == 302 and response.location == "/"


def test_an_unknown_language_changes_nothing(client):
    choose(client, "xx-YY")
    assert html_tag(client.get("/").get_data(as_text=True)) == '<html lang="en" dir="ltr">'


def test_production_offers_no_pseudo_locale(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("ROSTER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k" * 32})
    client = app.test_client()
    try:
        page = client.get("/").get_data(as_text=True)
        assert 'value="ar"' in page and 'value="ar-XB"' not in page  # the six, no pseudo
        choose(client, "ar-XB")
        assert html_tag(client.get("/").get_data(as_text=True)) == '<html lang="en" dir="ltr">'
    finally:
        for engine in {engines(app).read, engines(app).write}:
            engine.dispose()


def test_pseudo_text_keeps_placeholders_tags_and_entities():
    assert pseudo("Hello %(name)s, {count} <b>new</b> &amp; %d") == (
        "⟦Ĥéļļö %(name)s, {count} <b>ñéŵ</b> &amp; %d⟧"
    )


def test_the_extraction_finds_marked_strings_of_every_kind(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    project = Path(__file__).resolve().parents[2]
    catalog = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    command = [str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_"]
    subprocess.run(
        [*command, "-o", str(catalog), "."], cwd=project, check=True, capture_output=True
    )
    text = catalog.read_text(encoding="utf-8")
    for message in (
        'msgid "Skip to main content"',  # a template
        'msgid "Please enter your password."',  # a form (lazy_gettext)
        'msgid "You are signed out."',  # a view (gettext)
        'msgid "This link is not valid any more."',  # a service (N_)
        'msgid "Electoral management and administration"',  # a taxonomy label
    ):
        assert message in text, message
