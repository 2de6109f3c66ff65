"""The roster in the six official languages of the UN: catalogues, choice, formats, mail.

The catalogues are checked as a translator's work is: every message translated, none
fuzzy, every placeholder and tag kept (Babel's own checkers, then the names and tags
compared). The pages follow the footer's choice, the account's saved choice, then the
browser's ``Accept-Language``; anything else falls back to English without an error.
"""

import re
import subprocess
import sys
from datetime import date, timedelta
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import g
from flask_babel import gettext, ngettext
from sqlalchemy import select, update

from roster import jobs
from roster.i18n import SHIPPED, in_language, long_date
from roster.mail import compose
from roster.models import Expert, OutboxMessage, User, utcnow
from roster.web.display import country_label, language_label, language_suggestions
from tests.conftest import choose_language, csrf_token, register, sign_in, sign_out

PROJECT = Path(__file__).resolve().parents[2]
TRANSLATED = ("ar", "zh", "fr", "ru", "es")  # English is the source language
# Named and positional printf placeholders, format fields, and tags.
PRINTF = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr]")
FIELD = re.compile(r"\{(\w*)[^{}]*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group()


def catalogue(language: str) -> Catalog:
    path = PROJECT / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as source:
        return read_po(source, locale=language)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set:
    """The ids of every message marked in the code today (what `make messages` extracts)."""
    pot = tmp_path_factory.mktemp("extracted") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    command = [str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_"]
    command += ["-k", "Nn_:1,2", "--no-location", "-o", str(pot), "."]
    subprocess.run(command, cwd=PROJECT, check=True, capture_output=True)
    with pot.open("rb") as source:
        return {message.id for message in read_po(source) if message.id}


# --- the catalogues -------------------------------------------------------------------------


def untranslated(catalog: Catalog) -> list:
    """The messages without a translation (a plural form missing counts), or marked fuzzy."""
    found = []
    for message in catalog:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(forms) or len(forms) not in (1, catalog.num_plurals):
            found.append(message.id)
    return found


def broken(catalog: Catalog) -> list[str]:
    """Each message whose translation loses or invents a placeholder or a tag, in words."""
    problems = [
        f"{message.id!r}: {'; '.join(map(str, errors))}" for message, errors in catalog.check()
    ]
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = _kept(ids[-1])
        for number, form in enumerate(forms):
            if not form:
                continue  # untranslated: the other test names it
            kept = _kept(form)
            # Forms but the last may say the number in words ("one", "two"); the last
            # keeps every placeholder, and no form invents one or drops a tag.
            last = number == len(forms) - 1
            if (
                kept["names"] != wanted["names"] if last else not kept["names"] <= wanted["names"]
            ) or (kept["tags"] != wanted["tags"]):
                problems.append(f"{ids[0]!r} → {form!r}: placeholders or tags differ")
    return problems


def _kept(text: str) -> dict:
    names = {m.group(1) or m.group() for m in PRINTF.finditer(text)}
    names |= {"{" + m.group(1) + "}" for m in FIELD.finditer(text)}
    tags = sorted(re.sub(r"\s+", " ", tag) for tag in TAG.findall(text))
    return {"names": names, "tags": tags}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(language, extracted):
    catalog = catalogue(language)
    assert untranslated(catalog) == []
    missing = sorted(str(i) for i in extracted - {m.id for m in catalog if m.id})
    assert missing == [], f"not in the {language} catalogue (run `make catalogues`): {missing}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_translation_keeps_its_placeholders_and_tags(language):
    assert broken(catalogue(language)) == []


def test_the_checks_catch_a_broken_translation():
    catalog = Catalog(locale="fr")
    catalog.add("Hello %(name)s", "Bonjour %(nom)s", flags=["python-format"])
    catalog.add('See <a href="{url}">it</a>', "Voir ça")
    catalog.add("%(count)d expert", "", flags=["python-format"])
    catalog.add("Fresh", "Frais", flags=["fuzzy"])
    assert len(broken(catalog)) == 3  # Babel's checker and ours both see the unknown name
    assert untranslated(catalog) == ["%(count)d expert", "Fresh"]


# --- which language a page is in -------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "tag", "direction"),
    [
        ("fr-FR,fr;q=0.9", "fr", "ltr"),
        ("fr-CA", "fr", "ltr"),
        ("ar-EG,ar;q=0.8", "ar", "rtl"),
        ("zh-CN,zh;q=0.9", "zh", "ltr"),
        ("zh-TW", "zh", "ltr"),  # Simplified, nearer than English for a Traditional reader
        ("es-419", "es", "ltr"),
        ("de-DE,ru;q=0.5", "ru", "ltr"),
        ("garbage;;q=x,,", "en", "ltr"),
        ("", "en", "ltr"),
    ],
)
def test_a_first_visit_follows_the_browser(client, header, tag, direction):
    page = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert html_tag(page) == f'<html lang="{tag}" dir="{direction}">'


def test_a_page_says_it_differs_by_the_browser_language(client):
    response = client.get("/login", headers={"Accept-Language": "fr"})
    assert "Accept-Language" in response.headers["Vary"]


def test_an_arabic_page_reads_right_to_left_in_arabic(client):
    page = client.get("/login", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert "تسجيل الدخول" in page  # "Sign in"
    assert ">Sign in<" not in page


def test_the_chooser_offers_the_six_each_named_in_itself(client):
    page = client.get("/").get_data(as_text=True)
    chooser = re.search(r'<select id="language".*?</select>', page, re.S).group()
    for locale in SHIPPED:
        assert f'<option value="{locale.tag}" lang="{locale.tag}"' in chooser
        assert f">{locale.name}</option>" in chooser
    assert '<label for="language">' in page


@pytest.mark.parametrize("value", ["xx-YY", "", "fr\nLocation: x", "a" * 500])
def test_an_unknown_choice_changes_nothing(client, value):
    response = choose_language(client, value)
    assert response.status_code == 302
    page = client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="es" dir="ltr">'


def test_the_choice_wins_over_the_browser(client):
    choose_language(client, "ru")
    page = client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="ru" dir="ltr">'


def test_dates_and_numbers_follow_the_page_language(app):
    day = date(2027, 3, 1)
    shown = {}
    for tag in ("en", "fr", "ru", "es", "zh", "ar"):
        with app.test_request_context("/"):
            g.ui_locale = next(loc for loc in SHIPPED if loc.tag == tag)
            shown[tag] = (long_date(day), app.jinja_env.filters["shown_count"](12345))
    assert shown["en"] == ("1 March 2027", "12,345")
    assert shown["fr"] == ("1 mars 2027", "12\u202f345")
    assert shown["ru"][0] == "1 марта 2027\u202fг."
    assert shown["es"] == ("1 de marzo de 2027", "12.345")
    assert shown["zh"] == ("2027年3月1日", "12,345")
    # Arabic in Western digits, as UN Arabic documents write them.
    assert shown["ar"] == ("1 مارس 2027", "12,345")


def test_country_and_language_names_come_in_the_page_language(app):
    with app.test_request_context("/"):
        g.ui_locale = next(loc for loc in SHIPPED if loc.tag == "fr")
        assert country_label("CI") == "Côte d’Ivoire (CI)"
        assert language_label("de") == "allemand (de)"
        assert language_suggestions()[:2] == (("ar", "arabe"), ("zh", "chinois"))
    with app.test_request_context("/"):
        g.ui_locale = next(loc for loc in SHIPPED if loc.tag == "en")
        assert country_label("ML") == "Mali (ML)"
        assert language_label("fr") == "French (fr)"
    with app.test_request_context("/"):
        g.ui_locale = next(loc for loc in SHIPPED if loc.tag == "zh")
        assert country_label("ML") == "马里 (ML)"
        assert country_label("XX") == "XX"


# --- the choice kept on the account -----------------------------------------------------------


def saved_language(db_session, email: str) -> str | None:
    with db_session(write=False) as session:
        return session.scalar(select(User.language).where(User.email == email))


def test_the_choice_is_kept_on_the_account_and_applied_at_sign_in(app, make_user, db_session):
    make_user("awa@example.org", "expert", name="Awa Ndiaye")
    first = app.test_client()
    sign_in(first, "awa@example.org")
    choose_language(first, "fr")
    assert saved_language(db_session, "awa@example.org") == "fr"
    sign_out(first)

    elsewhere = app.test_client()  # another browser, which asks for Spanish
    assert sign_in(elsewhere, "awa@example.org").status_code == 302
    page = elsewhere.get("/me", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="fr" dir="ltr">'


def test_a_choice_made_before_signing_in_is_kept_on_an_account_without_one(
    app, make_user, db_session
):
    make_user("awa@example.org", "expert", name="Awa Ndiaye")
    client = app.test_client()
    choose_language(client, "es")
    assert sign_in(client, "awa@example.org").status_code == 302
    assert saved_language(db_session, "awa@example.org") == "es"


def test_a_saved_choice_applies_to_a_session_that_has_none(app, make_user, db_session):
    make_user("awa@example.org", "expert", name="Awa Ndiaye")
    client = app.test_client()
    sign_in(client, "awa@example.org")
    with db_session() as session:
        session.execute(update(User).values(language="zh"))
    page = client.get("/me", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="zh" dir="ltr">'


@pytest.mark.parametrize("saved", ["xx", "fr_FR<script>", "EN-XA-Z", ""])
def test_a_saved_choice_that_names_no_language_reads_as_english(app, make_user, db_session, saved):
    make_user("awa@example.org", "expert", name="Awa Ndiaye")
    with db_session() as session:
        session.execute(update(User).values(language=saved))
    client = app.test_client()
    assert sign_in(client, "awa@example.org").status_code == 302
    response = client.get("/me")
    assert response.status_code == 200
    assert html_tag(response.get_data(as_text=True)) == '<html lang="en" dir="ltr">'


def test_a_new_account_keeps_the_language_it_was_opened_in(client, db_session):
    client.get("/register", headers={"Accept-Language": "ru"})
    token = csrf_token(client, "/register", headers={"Accept-Language": "ru"})
    assert token
    choose_language(client, "ru")
    assert register(client, email="ivan@example.org", name="Ivan Petrov").status_code == 302
    assert saved_language(db_session, "ivan@example.org") == "ru"
    (mail,) = [m for m in outbox_rows(db_session) if m.recipient == "ivan@example.org"]
    assert "Ivan Petrov" in mail.body and "Здравствуйте" in mail.body


# --- mail in the recipient's language ---------------------------------------------------------


def outbox_rows(db_session) -> list[OutboxMessage]:
    with db_session(write=False) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_mail_is_in_its_recipient_language_whatever_the_page(app):
    with app.test_request_context("/"):
        g.ui_locale = next(loc for loc in SHIPPED if loc.tag == "ar")
        mail = compose(
            "stale_reminder", to="a@example.org", language="es", name="Awa", link="http://x/p"
        )
        assert "Awa" in mail.body and "Hello" not in mail.body
        # The page goes on in its own language afterwards.
        assert gettext("Sign in") == "تسجيل الدخول"
    with app.app_context():
        unknown = compose("stale_reminder", to="a@example.org", language="xx", name="Awa", link="")
    assert unknown.body.startswith("Hello Awa,")


def test_the_stale_reminders_command_writes_in_each_expert_language(
    app, runner, make_user, db_session, smtp_sink
):
    sink, port = smtp_sink
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    long_ago = utcnow() - timedelta(days=800)
    for email, name, language in (
        ("awa@example.org", "Awa Ndiaye", "fr"),
        ("li@example.org", "Li Na", "zh"),
        ("ann@example.org", "Ann Lee", None),
    ):
        user = make_user(email, "expert", name=name)
        with db_session() as session:
            session.execute(update(User).where(User.id == user.id).values(language=language))
            session.add(
                Expert(
                    external_id=f"EXP-{name[:3]}",
                    full_name=name,
                    email=email,
                    user_id=user.id,
                    profile_confirmed_at=long_ago,
                )
            )
    result = runner.invoke(args=["roster", "remind-stale"])
    assert result.exit_code == 0, result.output
    jobs.sweep(app)
    mail = {to[0]: message for to, message in sink.messages}
    subject = {
        to: " ".join(str(make_header(decode_header(m["Subject"]))).split())
        for to, m in mail.items()
    }
    assert set(mail) == {"awa@example.org", "li@example.org", "ann@example.org"}
    english = "Please check your profile on the Electoral Expert Roster"
    assert subject["ann@example.org"] == english
    with app.app_context(), in_language("fr"):
        assert subject["awa@example.org"] == gettext(english) != english
    with app.app_context(), in_language("zh"):
        assert subject["li@example.org"] == gettext(english) != english
    body = mail["li@example.org"].get_payload(decode=True).decode()
    assert "Li Na" in body


def test_plurals_follow_each_language_rules(app):
    def pairs(tag: str, count: int) -> str:
        with app.app_context(), in_language(tag):
            text = ("%(count)s pair to review", "%(count)s pairs to review")
            return ngettext(*text, count, count=count)

    assert pairs("en", 1) == "1 pair to review"
    assert [pairs("ru", n) for n in (1, 2, 5)] == [
        "1 пара для проверки",
        "2 пары для проверки",
        "5 пар для проверки",
    ]
    assert pairs("ar", 2) == "زوجان للاستعراض"  # the dual
    assert pairs("ar", 11) == "11 زوجًا للاستعراض"


def test_country_names_are_read_in_the_page_language(profiled_client, db_session):
    from tests.conftest import stored_expert
    from tests.roster.conftest import IDENTITY, post_form

    choose_language(profiled_client, "zh")
    page = profiled_client.get("/me/identity").get_data(as_text=True)
    assert '<option value="马里"></option>' in page  # the suggestions, in Chinese
    fields = IDENTITY | {"nationality_1": "马里", "residence_country": "France"}
    assert post_form(profiled_client, "/me/identity", fields).status_code == 302
    expert = stored_expert(db_session)
    assert [n.country for n in expert.nationalities] == ["ML"]
    assert expert.residence_country == "FR"  # English names and codes are read as ever
