"""Hypothesis drives the profile's validators and forms with random input: never a 500."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlmodel import Session

from matching.vocabulary import GENDERS, LANGUAGE_LEVELS, SENIORITY
from roster.db import engines
from roster.models import Expert, User
from roster.profile import codes, cv, periods, services
from tests.roster.conftest import page_form

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


@pytest.fixture
def attempt(app, profiled_client):
    """Run a service on the profile in a session that always rolls back."""

    def run(action):
        with Session(engines(app).write, expire_on_commit=False) as session:
            expert = session.scalar(select(Expert))
            user = session.scalar(select(User))
            try:
                action(session, user, expert)
                session.flush()  # the database's own checks too
            except REFUSED:
                pass
            finally:
                session.rollback()

    return run


@SETTINGS
@given(
    name=texts,
    nationalities=st.lists(texts, max_size=5),
    residence=texts,
    years=numbers,
    seniority=st.sampled_from(("", *SENIORITY, "Z9")),
)
def test_identity_never_fails_other_than_plainly(
    attempt, name, nationalities, residence, years, seniority
):
    attempt(
        lambda s, u, e: services.save_identity(
            session=s,
            user=u,
            expert=e,
            version=e.version,
            full_name=name,
            nationalities=nationalities,
            residence=residence,
            years_experience=years,
            seniority=seniority,
        )
    )


@SETTINGS
@given(
    gender=st.sampled_from(("", *GENDERS, "other")),
    consents=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    disability=st.sampled_from((None, True, False, "yes")),
    birth_year=numbers,
)
def test_sensitive_never_fails_other_than_plainly(
    attempt, gender, consents, disability, birth_year
):
    attempt(
        lambda s, u, e: services.save_sensitive(
            session=s,
            expert=e,
            version=e.version,
            gender=gender,
            gender_consent=consents[0],
            disability=disability,
            disability_consent=consents[1],
            birth_year=birth_year,
            birth_year_consent=consents[2],
        )
    )


@SETTINGS
@given(rows=st.lists(st.tuples(texts, st.sampled_from(("", *LANGUAGE_LEVELS, "Z1"))), max_size=25))
def test_languages_never_fail_other_than_plainly(attempt, rows):
    attempt(lambda s, u, e: codes.save_languages(session=s, expert=e, version=e.version, rows=rows))


@SETTINGS
@given(rows=st.lists(st.tuples(texts, numbers), max_size=25))
def test_skills_never_fail_other_than_plainly(attempt, rows):
    attempt(lambda s, u, e: codes.save_skills(session=s, expert=e, version=e.version, rows=rows))


@SETTINGS
@given(start=dates, end=dates, mission=texts, country=texts, role=texts)
def test_periods_never_fail_other_than_plainly(attempt, start, end, mission, country, role):
    attempt(
        lambda s, u, e: periods.add_availability(
            session=s, expert=e, version=e.version, start=start, end=end
        )
    )
    attempt(
        lambda s, u, e: periods.add_deployment(
            session=s,
            expert=e,
            version=e.version,
            mission=mission,
            country=country,
            role=role,
            start=start,
            end=end,
        )
    )


@SETTINGS
@given(summary=st.text(max_size=300) | st.just("x" * 20_001), version=numbers)
def test_summary_and_versions_never_fail_other_than_plainly(attempt, summary, version):
    attempt(
        lambda s, u, e: services.save_summary(
            session=s, expert=e, version=version or 0, summary=summary
        )
    )


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000), name=st.text(max_size=400))
def test_cv_checks_take_any_bytes_and_any_name(data, name):
    problem = cv.pdf_problem(data)
    assert problem is None or isinstance(problem, str)
    shown = cv.display_name(name)
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
def test_random_form_posts_never_give_a_500(profiled_client, section, values, keep_version):
    form_url = section.removesuffix("/remove")
    data = page_form(profiled_client, form_url) | dict(zip(SECTIONS[section], values, strict=False))
    if not keep_version:
        data["version"] = values[-1]
    response = profiled_client.post(section, data=data)
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
