"""Hypothesis drives the profile's validators and forms: never a 500, and what is saved is kept.

Random input is refused in plain words or saved; what a service saves is what the
database gives back. Valid input posted through a section's form comes back as given,
on the page that shows the expert everything the roster holds (``/me/data``) and in
the database.
"""

import html
import re
from datetime import date, timedelta

import pycountry
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlmodel import Session

from matching.vocabulary import (
    ACCESSIBILITY_EXPERTISE,
    EXPERTISE_AREAS,
    GENDERS,
    LANGUAGE_LEVELS,
    SENIORITY,
    VocabularyError,
    country_name,
    language_name,
    normalise_country,
    normalise_language,
)
from roster import cvs
from roster.db import engines
from roster.messages import Message, english
from roster.models import Expert, User, utcnow
from roster.profiles import (
    availability,
    cv,
    deployments,
    expertise,
    identity,
    sensitive,
    services,
)
from roster.profiles.languages import read_languages, save_languages
from roster.profiles.summary import save_summary
from roster.validation import UnstorableText, storable_text
from roster.web.display import (
    accessibility_label,
    country_label,
    language_label,
    language_suggestions,
    skill_label,
)
from tests.conftest import stored_expert
from tests.roster.conftest import language_rows, page_form, post_form

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
texts = st.text(max_size=60) | st.sampled_from(
    ["Francais", "mali", "voter registraton", "<script>", "\x00", "fr", "ML", "", "   ", "a" * 300]
)
numbers = (
    st.none() | st.integers(min_value=-(10**12), max_value=10**12) | st.sampled_from([0, 70, 1978])
)
dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
REFUSED = (services.ProfileInvalid, services.ProfileChanged)


def _reads_back(typed: str, code: str) -> bool:
    try:
        return normalise_language(typed).code == code
    except VocabularyError:
        return False


# Valid input, as an expert types it: codes of the contract's vocabularies (the language
# chooser's working languages, pycountry's countries, the taxonomy's areas), or their names.
LANGUAGES = sorted(code for code, _ in language_suggestions() if _reads_back(code, code))
COUNTRIES = sorted(country.alpha_2 for country in pycountry.countries)
languages = st.sampled_from(LANGUAGES)
countries = st.sampled_from(COUNTRIES)
typed_languages = languages.flatmap(
    lambda code: st.sampled_from(
        [code, language_name(code)] if _reads_back(language_name(code), code) else [code]
    ).map(lambda typed: (typed, code))
)
typed_countries = countries.flatmap(
    lambda code: st.sampled_from([code, code.lower(), country_name(code)]).map(
        lambda typed: (typed, code)
    )
)
typed_skills = st.sampled_from(sorted(EXPERTISE_AREAS.items())).flatmap(
    lambda item: st.sampled_from(item).map(lambda typed: (typed, item[0]))
)
# A name or a mission as typed: any script, marks, spaces, dashes and punctuation.
one_line = (
    st.text(st.characters(categories=("L", "M", "N", "Zs", "Pd", "Po")), min_size=1, max_size=60)
    .map(str.strip)
    .filter(bool)
)


@pytest.fixture
def attempt(app, profiled_client):
    """Run a service on the profile in a session that always rolls back.

    ``attempt(action, check)``: when ``action`` is not refused, ``check(stored)`` gets
    the profile as the database gives it back (read again inside the same transaction).
    """

    def run(action, check=None):
        with Session(engines(app).write, expire_on_commit=False) as session:
            expert = session.scalar(select(Expert))
            user = session.scalar(select(User))
            try:
                action(session, user, expert)
                session.flush()  # the database's own checks too
            except REFUSED:
                return
            else:
                if check is not None:
                    session.expire_all()
                    check(session.get(Expert, expert.id))
            finally:
                session.rollback()

    return run


def country_or_none(text: str) -> str | None:
    """The code a typed country reads as, None for a blank or an unknown one."""
    try:
        return normalise_country(storable_text(text)).code if text.strip() else None
    except (UnstorableText, VocabularyError):
        return None


@SETTINGS
@given(
    name=texts | one_line,
    nationalities=st.lists(texts, max_size=5)
    | st.lists(typed_countries.map(lambda pair: pair[0]), min_size=1, max_size=3),
    residence=texts | typed_countries.map(lambda pair: pair[0]),
    years=numbers | st.integers(0, 70),
    seniority=st.sampled_from(("", *SENIORITY, "Z9")),
)
def test_identity_never_fails_other_than_plainly_and_keeps_what_it_saves(
    attempt, name, nationalities, residence, years, seniority
):
    def kept(stored):
        codes = [country_or_none(text) for text in nationalities if text.strip()]
        assert stored.full_name == storable_text(name)
        assert [n.country for n in stored.nationalities] == list(dict.fromkeys(codes))
        assert stored.residence_country == country_or_none(residence)
        assert (stored.years_experience, stored.seniority) == (years, seniority or None)

    attempt(
        lambda s, u, e: identity.save_identity(
            session=s,
            user=u,
            expert=e,
            version=e.version,
            full_name=name,
            nationalities=nationalities,
            residence=residence,
            years_experience=years,
            seniority=seniority,
        ),
        kept,
    )


@SETTINGS
@given(
    gender=st.sampled_from(("", *GENDERS, "other")),
    consents=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    disability=st.sampled_from((None, True, False, "yes")),
    birth_year=numbers | st.integers(1900, 2005),
)
def test_sensitive_never_fails_other_than_plainly_and_keeps_what_it_saves(
    attempt, gender, consents, disability, birth_year
):
    def kept(stored):
        assert stored.gender == ((gender or None) if consents[0] else None)
        assert stored.disability == (disability if consents[1] else None)
        assert stored.birth_year == (birth_year if consents[2] else None)
        assert [
            stored.gender_consent_at is not None,
            stored.disability_consent_at is not None,
            stored.birth_year_consent_at is not None,
        ] == list(consents)

    attempt(
        lambda s, u, e: sensitive.save_sensitive(
            session=s,
            expert=e,
            version=e.version,
            gender=gender,
            gender_consent=consents[0],
            disability=disability,
            disability_consent=consents[1],
            birth_year=birth_year,
            birth_year_consent=consents[2],
        ),
        kept,
    )


@SETTINGS
@given(
    rows=st.lists(
        st.tuples(texts | languages, st.sampled_from(("", *LANGUAGE_LEVELS, "Z1"))), max_size=25
    )
)
def test_languages_never_fail_other_than_plainly_and_are_kept_as_read(attempt, rows):
    def kept(stored):
        read, _ = read_languages(rows)
        assert [(lang.code, lang.level) for lang in stored.languages] == [
            (row["code"], row["level"]) for row in read
        ]

    attempt(
        lambda s, u, e: save_languages(session=s, expert=e, version=e.version, rows=rows),
        kept,
    )


@SETTINGS
@given(
    rows=st.lists(
        st.tuples(texts | typed_skills.map(lambda pair: pair[0]), numbers | st.integers(0, 70)),
        max_size=25,
    )
)
def test_skills_never_fail_other_than_plainly_and_are_kept_as_read(attempt, rows):
    def kept(stored):
        read, _ = expertise.read_skills(rows)
        assert [(skill.code, skill.years) for skill in stored.skills] == [
            (row["code"], row["years"]) for row in read
        ]

    attempt(
        lambda s, u, e: expertise.save_skills(session=s, expert=e, version=e.version, rows=rows),
        kept,
    )


@SETTINGS
@given(
    start=dates | st.dates(date(2000, 1, 1), date(2035, 12, 31)),
    end=dates | st.dates(date(2000, 1, 1), date(2035, 12, 31)),
    mission=texts,
    country=texts | countries,
    role=texts | one_line,
)
def test_periods_never_fail_other_than_plainly_and_are_kept(
    attempt, start, end, mission, country, role
):
    def window_kept(stored):
        assert [(w.start, w.end) for w in stored.availability] == [(start, end)]

    def deployment_kept(stored):
        [kept] = stored.deployments
        assert (kept.mission, kept.country, kept.role, kept.start, kept.end) == (
            storable_text(mission) or None,
            country_or_none(country),
            storable_text(role),
            start,
            end,
        )
        assert kept.rating is None  # never self-entered

    attempt(
        lambda s, u, e: availability.add_availability(
            session=s, expert=e, version=e.version, start=start, end=end
        ),
        window_kept,
    )
    attempt(
        lambda s, u, e: deployments.add_deployment(
            session=s,
            expert=e,
            version=e.version,
            mission=mission,
            country=country,
            role=role,
            start=start,
            end=end,
        ),
        deployment_kept,
    )


@SETTINGS
@given(summary=st.text(max_size=300) | st.just("x" * 20_001), version=st.none() | numbers)
def test_summary_and_versions_never_fail_other_than_plainly_and_keep_the_text(
    attempt, summary, version
):
    def save(session, user, expert):
        # None stands for the version the form carries; any other number is a stale one.
        given = expert.version if version is None else version
        save_summary(session=session, expert=expert, version=given, summary=summary)

    def kept(stored):
        assert stored.summary == storable_text(summary, multiline=True)
        assert stored.version == 2  # the profile's first version, saved once more

    attempt(save, kept)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000), name=st.text(max_size=400))
def test_cv_checks_take_any_bytes_and_any_name(data, name):
    problem = cv.pdf_problem(data)
    assert problem is None or isinstance(problem, Message)
    shown = cvs.display_name(name)
    assert (
        0 < len(shown) <= 255
        and "/" not in shown
        and "\\" not in shown
        and not shown.startswith(".")
        and shown.endswith(".pdf")
    )


form_values = st.text(max_size=40) | st.sampled_from(
    ["", "0", "-1", "99999999999999999999", "2027-02-30", "<script>", "Francais", "woman", "y"]
)
SECTIONS = {
    "/me/identity": [
        "full_name",
        "nationality_1",
        "nationality_2",
        "residence_country",
        "years_experience",
        "seniority",
    ],
    "/me/sensitive": [
        "gender",
        "gender_consent",
        "disability",
        "disability_consent",
        "birth_year",
        "birth_year_consent",
    ],
    "/me/languages": [
        "languages-0-code",
        "languages-0-level",
        "languages-7-code",
        "languages-x-level",
    ],
    "/me/expertise": ["skills-0-code", "skills-0-years", "skills-1-code"],
    "/me/accessibility": ["codes"],
    "/me/availability": ["start", "end"],
    "/me/deployments": ["mission", "country", "role", "start", "end"],
    "/me/summary": ["summary"],
    "/me/availability/remove": ["item"],
}


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    section=st.sampled_from(sorted(SECTIONS)),
    values=st.lists(form_values, min_size=9, max_size=9),
    keep_version=st.booleans(),
)
def test_random_form_posts_never_give_a_500_and_save_whole_or_not_at_all(
    profiled_client, db_session, section, values, keep_version
):
    form_url = section.removesuffix("/remove")
    data = page_form(profiled_client, form_url) | dict(zip(SECTIONS[section], values, strict=False))
    if not keep_version:
        data["version"] = values[-1]
    before = profile_content(stored_expert(db_session))
    response = profiled_client.post(section, data=data)
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    after = profile_content(stored_expert(db_session))
    if response.status_code == 302:  # saved: once, under the next version
        assert after["version"] == before["version"] + 1
    else:  # refused: the database holds what it held
        assert after == before


def profile_content(expert: Expert) -> dict:
    """What an expert's own sections hold, and the profile's version."""
    lists = {
        "nationalities": ("country", "position"),
        "languages": ("code", "level", "position"),
        "skills": ("code", "years", "position"),
        "accessibility": ("code", "position"),
        "availability": ("start", "end"),
        "deployments": ("mission", "country", "role", "start", "end"),
    }
    fields = (
        "version",
        "full_name",
        "residence_country",
        "years_experience",
        "seniority",
        "gender",
        "disability",
        "birth_year",
        "summary",
    )
    content = {name: getattr(expert, name) for name in fields}
    for name, columns in lists.items():
        content[name] = [tuple(getattr(row, c) for c in columns) for row in getattr(expert, name)]
    return content


# --- valid input through the forms comes back as given -----------------------------------

FORM_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TODAY = utcnow().date()
multi_line = st.text(
    st.characters(categories=("L", "M", "N", "P", "S", "Zs")) | st.sampled_from("\n\t")
).map(str.strip)


def saved(client, url: str, data: dict) -> None:
    """Post a section's form as a browser would; it must be saved (a redirect)."""
    response = post_form(client, url, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def shown(client, section: str) -> str:
    """One section of the page that shows the expert everything the roster holds."""
    page = client.get("/me/data").get_data(as_text=True)
    start = page.index(f'<h2 id="{section}">')
    return page[start : page.index("<h2", start + 1)]


def text_of(markup: str) -> str:
    """What a reader sees of some markup: its text, without the tags (``<bdi>`` ...)."""
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def items(fragment: str) -> list[str]:
    """The list items of a fragment of a page, as the reader sees them."""
    return [text_of(item) for item in re.findall(r"<li>(.*?)</li>", fragment, re.S)]


def cells(fragment: str) -> list[str]:
    """The table cells of a fragment of a page, as the reader sees them."""
    return [text_of(cell) for cell in re.findall(r"<td>(.*?)</td>", fragment, re.S)]


def fact(fragment: str, term: str) -> str:
    """What a fragment of a page says for ``term`` in its list of facts."""
    found = re.search(rf"<dt>{re.escape(term)}</dt><dd>(.*?)</dd>", fragment, re.S)
    assert found, f"no {term} on the page"
    return text_of(found.group(1))


@FORM_SETTINGS
@given(
    name=one_line,
    nationalities=st.lists(typed_countries, min_size=1, max_size=3, unique_by=lambda p: p[1]),
    residence=st.none() | typed_countries,
    years=st.none() | st.integers(0, 70),
    seniority=st.sampled_from(("", *SENIORITY)),
)
def test_a_valid_identity_saved_through_the_form_is_shown_and_stored_as_given(
    profiled_client, db_session, name, nationalities, residence, years, seniority
):
    typed = [text for text, _ in nationalities] + [""] * (3 - len(nationalities))
    saved(
        profiled_client,
        "/me/identity",
        {
            "full_name": name,
            **{f"nationality_{i}": text for i, text in enumerate(typed, start=1)},
            "residence_country": residence[0] if residence else "",
            "years_experience": "" if years is None else str(years),
            "seniority": seniority,
        },
    )
    codes_given = [code for _, code in nationalities]
    home = residence[1] if residence else None
    page = shown(profiled_client, "identity")
    assert fact(page, "Full name") == name
    assert fact(page, "Nationalities") == ", ".join(country_label(c) for c in codes_given)
    assert fact(page, "Country of residence") == (country_label(home) if home else "not given")
    assert fact(page, "Years of experience") == ("not given" if years is None else str(years))
    assert fact(page, "Seniority") == (seniority or "not given")
    stored = stored_expert(db_session)
    assert (stored.full_name, stored.residence_country, stored.years_experience) == (
        name,
        home,
        years,
    )
    assert [n.country for n in stored.nationalities] == codes_given
    assert stored.seniority == (seniority or None)


@FORM_SETTINGS
@given(
    gender=st.sampled_from(("", *GENDERS)),
    disability=st.sampled_from((None, True, False)),
    birth_year=st.none() | st.integers(1900, TODAY.year - 16),
)
def test_valid_sensitive_data_saved_with_consent_is_shown_and_stored_as_given(
    profiled_client, db_session, gender, disability, birth_year
):
    data = {
        "gender": gender,
        "disability": {None: "", True: "yes", False: "no"}[disability],
        "birth_year": "" if birth_year is None else str(birth_year),
    }
    # Consent is given for each value given, and only for those.
    data |= {f"{name}_consent": "y" for name, value in data.items() if value}
    saved(profiled_client, "/me/sensitive", data)
    page = shown(profiled_client, "identity")
    assert fact(page, "Gender").split(" (consent")[0] == (gender or "not given")
    assert fact(page, "Disability").split(" (consent")[0] == (data["disability"] or "not given")
    assert fact(page, "Year of birth").split(" (consent")[0] == (data["birth_year"] or "not given")
    stored = stored_expert(db_session)
    assert (stored.gender, stored.disability, stored.birth_year) == (
        gender or None,
        disability,
        birth_year,
    )


@FORM_SETTINGS
@given(
    rows=st.lists(
        st.tuples(typed_languages, st.sampled_from(LANGUAGE_LEVELS)),
        min_size=1,
        max_size=8,
        unique_by=lambda row: row[0][1],
    )
)
def test_a_valid_language_list_saved_through_the_form_is_shown_and_stored_as_given(
    profiled_client, db_session, rows
):
    saved(profiled_client, "/me/languages", language_rows(*[(t, lv) for (t, _), lv in rows]))
    expected = [(code, level) for (_, code), level in rows]
    assert items(shown(profiled_client, "languages")) == [
        f"{language_label(code)}: {level}" for code, level in expected
    ]
    stored = stored_expert(db_session)
    assert [(lang.code, lang.level) for lang in stored.languages] == expected


@FORM_SETTINGS
@given(
    rows=st.lists(
        st.tuples(typed_skills, st.none() | st.integers(0, 70)),
        min_size=1,
        max_size=8,
        unique_by=lambda row: row[0][1],
    )
)
def test_valid_expertise_saved_through_the_form_is_shown_and_stored_as_given(
    profiled_client, db_session, rows
):
    data = {}
    for index, ((typed, _), years) in enumerate(rows):
        data[f"skills-{index}-code"] = typed
        data[f"skills-{index}-years"] = "" if years is None else str(years)
    saved(profiled_client, "/me/expertise", data)
    expected = [(code, years) for (_, code), years in rows]
    assert items(shown(profiled_client, "expertise")) == [
        skill_label(code) + ("" if years is None else f": {years} years")
        for code, years in expected
    ]
    stored = stored_expert(db_session)
    assert [(skill.code, skill.years) for skill in stored.skills] == expected


@FORM_SETTINGS
@given(chosen=st.lists(st.sampled_from(sorted(ACCESSIBILITY_EXPERTISE)), unique=True))
def test_valid_accessibility_expertise_saved_through_the_form_is_shown_and_stored(
    profiled_client, db_session, chosen
):
    saved(profiled_client, "/me/accessibility", {"codes": chosen})
    assert items(shown(profiled_client, "accessibility")) == (
        [accessibility_label(code) for code in chosen] or ["none given"]
    )
    assert [a.code for a in stored_expert(db_session).accessibility] == chosen


@FORM_SETTINGS
@given(summary=multi_line)
def test_a_valid_summary_saved_through_the_form_is_shown_and_stored_as_given(
    profiled_client, db_session, summary
):
    saved(profiled_client, "/me/summary", {"summary": summary})
    page = shown(profiled_client, "summary")
    [text] = re.findall(r'<div class="summary-text"[^>]*>(.*?)</div>', page, re.S)
    assert html.unescape(text) == (summary or "Not written yet.")
    assert stored_expert(db_session).summary == summary


@FORM_SETTINGS
@given(
    start=st.integers(0, 5 * 365 - 1).map(lambda days: TODAY + timedelta(days=days)),
    length=st.integers(0, 3 * 365 - 1),
    deployed=st.dates(date(1950, 1, 1), TODAY).flatmap(
        lambda first: st.tuples(st.just(first), st.dates(first, TODAY))
    ),
    mission=st.just("") | one_line,
    country=typed_countries,
    role=one_line,
)
def test_valid_periods_added_through_the_forms_are_shown_and_stored_then_removed(
    profiled_client, db_session, start, length, deployed, mission, country, role
):
    end = start + timedelta(days=length)
    saved(profiled_client, "/me/availability", {"start": start.isoformat(), "end": end.isoformat()})
    assert items(shown(profiled_client, "availability")) == [f"{english(start)} to {english(end)}"]
    [window] = stored_expert(db_session).availability
    assert (window.start, window.end) == (start, end)

    first, last = deployed
    form = {"mission": mission, "country": country[0], "role": role}
    saved(
        profiled_client,
        "/me/deployments",
        form | {"start": first.isoformat(), "end": last.isoformat()},
    )
    assert cells(shown(profiled_client, "deployments")) == [
        mission or "–",
        country_label(country[1]),
        role,
        english(first),
        english(last),
        "–",
        "–",
    ]
    [deployment] = stored_expert(db_session).deployments
    assert (deployment.mission, deployment.country, deployment.role) == (
        mission or None,
        country[1],
        role,
    )
    assert (deployment.start, deployment.end, deployment.rating) == (first, last, None)

    # Removed through the forms, the profile is as before: the next example starts afresh.
    for section, item in (("availability", window), ("deployments", deployment)):
        response = post_form(
            profiled_client,
            f"/me/{section}/remove",
            {"item": str(item.id)},
            form_url=f"/me/{section}",
        )
        assert response.status_code == 302
    stored = stored_expert(db_session)
    assert (stored.availability, stored.deployments) == ([], [])
