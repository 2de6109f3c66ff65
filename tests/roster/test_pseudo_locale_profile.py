"""The expert's profile pages and the staff's expert pages, shown in the pseudo-locale.

Every piece of text on them passed through translation, except data: what the people
typed, names of countries and languages, codes, and dates (formatted for the page's
locale by Babel; ``en-XA`` formats as English, so its month names are English).

``ELSEWHERE`` holds the text these pages show that is written, unmarked, in modules the
pages' templates and forms do not own (the views, the privacy rule, the transparency
report): it is named here, apart from the data, so that the rest of each page is still
checked, and so the list shrinks as those modules are marked.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from babel.dates import get_month_names
from sqlalchemy import select

from roster.audit_words import AUDIT_ACTIONS
from roster.models import (
    Deployment,
    Expert,
    ExpertSkill,
    RosterStatus,
    RosterStatusChange,
)
from roster.search import too_long_message
from roster.web.display import language_suggestions
from tests.conftest import sign_in
from tests.factories import pdf
from tests.roster.conftest import (
    CONSENTED,
    EXPERT_EMAIL,
    EXPERT_NAME,
    IDENTITY,
    language_rows,
    post_form,
    upload_cv,
)
from tests.roster.test_pseudo_locale import assert_all_marked

PSEUDO_FORM = {"language": "en-XA", "next": "/"}

# Data: what the expert and the staff typed, and how the roster stores and codes it.
SUMMARY = "Led voter list audits in Dakar and Bamako."
MISSION, ROLE, COMMENTS = "UNOWAS Senegal 2019", "Electoral officer", "Thorough work."
NOTE = "Team balance check"
REASON = "Vetting completed by the panel"
CV_NAME = "awa-cv.pdf"
MONTHS = tuple(get_month_names("wide", locale="en").values())
DATA = (
    EXPERT_NAME,
    EXPERT_EMAIL,
    "Rita Okafor",
    "rita@example.org",
    "Senegal (SN)",
    "Mali (ML)",
    "French (fr)",
    "English (en)",
    "P4",
    "B2",
    "C1",
    SUMMARY,
    MISSION,
    ROLE,
    COMMENTS,
    NOTE,
    REASON,
    CV_NAME,
    *MONTHS,
)

# Unmarked text of modules outside these pages' templates and forms (see the docstring).
SECTION_TITLES = (  # roster/profile/views.py, _sections
    "Gender, disability and year of birth (optional)",
    "Identity and nationality",
    "Languages",
    "Expertise areas",
    "Accessibility expertise",
    "Availability",
    "Past deployments",
    "Summary",
    "CV",
)
ELSEWHERE = (
    # roster/profiles/services.py: the reason stored with the first roster status, shown
    # as the status history stores it.
    "registered online",
)
# roster/recruiting/access.py, record_access: the reason form's refusals.
REASON_REFUSALS = (
    "Please choose why you are opening this profile.",
    "Please say why, in a few words.",
)


@pytest.fixture
def pseudo(app):
    """A client of its own, signed in as ``email`` and showing pages in ``en-XA``."""

    def client_for(email: str):
        client = app.test_client()
        assert sign_in(client, email).status_code == 302
        post_form(client, "/language", PSEUDO_FORM, form_url="/account/password")
        return client

    return client_for


def _complete_profile(client, db_session) -> tuple[str, str]:
    """Fill in every section of the signed-in expert's profile; return its two ids."""
    start = date.today() + timedelta(days=30)
    period = {"start": start.isoformat(), "end": (start + timedelta(days=60)).isoformat()}
    sections = [
        ("/me/identity", IDENTITY | {"nationality_2": "ML"}),
        ("/me/sensitive", CONSENTED),
        ("/me/languages", language_rows(("fr", "C1"), ("en", "native"))),
        (
            "/me/expertise",
            {
                "skills-0-code": "voter-registration",
                "skills-0-years": "8",
                "skills-1-code": "legal-framework",
                "skills-1-years": "1",
            },
        ),
        ("/me/accessibility", {"codes": ["easy-read", "sign-language"]}),
        ("/me/availability", period),
        (
            "/me/deployments",
            {
                "mission": MISSION,
                "country": "SN",
                "role": ROLE,
                "start": "2019-02-01",
                "end": "2019-03-31",
            },
        ),
        ("/me/summary", {"summary": SUMMARY}),
    ]
    for url, data in sections:
        response = post_form(client, url, data)
        assert response.status_code == 302, (url, response.get_data(as_text=True))
    assert upload_cv(client, pdf(), CV_NAME).status_code == 302
    with db_session() as session:
        expert = session.scalars(select(Expert).where(Expert.email == EXPERT_EMAIL)).one()
        # What the Division records: a rated deployment, a verified area, a status change.
        session.add(
            Deployment(
                expert_id=expert.id,
                mission="MINUSMA",
                country="ML",
                role=ROLE,
                start=date(2018, 7, 1),
                end=date(2018, 8, 31),
                rating=4,
                comments=COMMENTS,
            )
        )
        skill = session.get(ExpertSkill, (expert.id, "voter-registration"))
        skill.verified_at = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
        session.add(
            RosterStatusChange(
                expert_id=expert.id,
                from_status=RosterStatus.APPLICANT,
                to_status=RosterStatus.UNDER_REVIEW,
                reason=REASON,
            )
        )
        expert.roster_status = RosterStatus.UNDER_REVIEW
        return expert.public_id, expert.external_id


@pytest.fixture
def profile(app, make_user, db_session, pseudo):
    """An expert with every section filled in, whose profile a recruiter has opened.

    Returns the expert's client (in ``en-XA``), the recruiter's (in ``en-XA``), the
    expert's public id and the data the pages show.
    """
    make_user(EXPERT_EMAIL, "expert", name=EXPERT_NAME)
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    owner = app.test_client()
    assert sign_in(owner, EXPERT_EMAIL).status_code == 302
    public_id, external_id = _complete_profile(owner, db_session)
    recruiter = pseudo("rita@example.org")
    opened = post_form(
        recruiter, f"/experts/{public_id}", {"purpose": "shortlist-review", "note": NOTE}
    )
    assert opened.status_code == 200
    expert = pseudo(EXPERT_EMAIL)
    return expert, recruiter, public_id, (*DATA, external_id, "MINUSMA", "ML")


def _views_data() -> tuple[str, ...]:
    """On the expert's own pages: the data, and what other modules write unmarked."""
    return (*ELSEWHERE, *SECTION_TITLES)


@pytest.mark.parametrize(
    "path",
    [
        "/me",
        "/me/identity",
        "/me/sensitive",
        "/me/languages",
        "/me/expertise",
        "/me/accessibility",
        "/me/availability",
        "/me/deployments",
        "/me/summary",
        "/me/cv",
        "/me/data",
        "/me/views",
        "/me/delete",
    ],
)
def test_each_page_of_a_complete_profile_is_all_marked(profile, path):
    expert, _, _, data = profile
    extra: tuple[str, ...] = ()
    if path == "/me/identity":
        extra = ("P2", "P3", "P5", "D1")  # grades, as the UN writes them
    if path == "/me/languages":
        # Levels, and every language by its name: the suggestions of the language box.
        extra = ("A1", "A2", "B1", "C2", *(name for _, name in language_suggestions()))
    if path == "/me/data":
        # Codes: what the account did, as recorded (its roles are named in words).
        extra = AUDIT_ACTIONS
    response = expert.get(path)
    assert response.status_code == 200
    assert_all_marked(response, *data, *extra, *_views_data())


def test_a_new_experts_overview_is_all_marked(make_user, pseudo):
    make_user(EXPERT_EMAIL, "expert", name=EXPERT_NAME)
    response = pseudo(EXPERT_EMAIL).get("/me")
    assert response.status_code == 200
    assert_all_marked(response, EXPERT_EMAIL, *SECTION_TITLES)


@pytest.mark.parametrize(
    "path, form",
    [
        ("/me/identity", {"full_name": "", "years_experience": "many"}),
        ("/me/sensitive", {"birth_year": "nineteen", "birth_year_consent": "y"}),
        ("/me/languages", {"version": ""}),
        ("/me/expertise", {"skills-0-code": "legal-framework", "skills-0-years": "99"}),
        ("/me/accessibility", {"version": ""}),
        ("/me/availability", {"start": "soon", "end": ""}),
        ("/me/deployments", {"country": "", "role": "", "start": "2019-02-01", "end": "x"}),
        ("/me/summary", {"summary": "x" * 20_001}),
        ("/me/cv", {}),
        ("/me/delete", {"password": ""}),
    ],
)
def test_each_section_with_form_errors_is_all_marked(profile, path, form):
    expert, _, _, data = profile
    response = post_form(expert, path, form)
    assert response.status_code == 400
    assert "error-summary" in response.get_data(as_text=True)
    extra = ("P2", "P3", "P5", "D1") if path == "/me/identity" else ()
    if path == "/me/summary":
        extra = (form["summary"],)  # the text typed, given back in its box
    if path == "/me/languages":
        extra = ("A1", "A2", "B1", "C2", *(name for _, name in language_suggestions()))
    assert_all_marked(response, *data, *extra, *_views_data())


def _search_filters_data() -> tuple[str, ...]:
    """The search's choices that are data: names of languages and countries, codes."""
    import pycountry

    from roster.web.display import country_label

    languages = (f"{name} ({code})" for code, name in language_suggestions())
    countries = (country_label(country.alpha_2) for country in pycountry.countries)
    return (
        *languages,
        *countries,
        "A1",
        "A2",
        "B1",
        "B2",
        "C1",
        "C2",
        "P2",
        "P3",
        "P4",
        "P5",
        "D1",
    )


def test_the_expert_search_is_all_marked_empty_and_with_results(profile):
    _, recruiter, _, data = profile
    filters = _search_filters_data()
    empty = recruiter.get("/experts?q=Nobody+Here")
    assert empty.status_code == 200
    assert_all_marked(empty, "rita@example.org", "Nobody Here", *filters)
    first = recruiter.get("/experts")
    assert EXPERT_NAME in first.get_data(as_text=True)
    languages = ("fr C1", "en ")  # the table's language codes and levels
    assert_all_marked(first, *data, "SN", *filters, *languages)
    found = recruiter.get("/experts?q=Awa")
    assert EXPERT_NAME in found.get_data(as_text=True)
    assert_all_marked(found, *data, "SN", "Awa", *filters, *languages)


def test_an_empty_roster_search_is_all_marked(make_user, pseudo):
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    response = pseudo("rita@example.org").get("/experts")
    assert response.status_code == 200
    assert_all_marked(response, "rita@example.org", *_search_filters_data())


def test_a_search_too_long_is_refused_all_marked_but_for_its_message(make_user, pseudo):
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    response = pseudo("rita@example.org").get("/experts?q=" + "a" * 201)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    # The message is roster/search.py's, unmarked; the box holds the search cut short.
    assert "a search can be at most 200" in page
    assert_all_marked(
        response, "rita@example.org", "a" * 200, too_long_message(201), *_search_filters_data()
    )


def test_the_reason_form_and_the_opened_profile_are_all_marked(profile):
    _, recruiter, public_id, data = profile
    asked = recruiter.get(f"/experts/{public_id}")
    assert asked.status_code == 200
    assert_all_marked(asked, *data, *ELSEWHERE)
    opened = post_form(recruiter, f"/experts/{public_id}", {"purpose": "shortlist-review"})
    assert opened.status_code == 200
    assert 'id="sensitive-withheld"' in opened.get_data(as_text=True)
    assert_all_marked(opened, *data, *ELSEWHERE)


def test_the_reason_form_with_an_error_is_all_marked(profile):
    _, recruiter, public_id, data = profile
    response = post_form(recruiter, f"/experts/{public_id}", {"purpose": "", "note": ""})
    assert response.status_code == 400
    assert_all_marked(response, *data, *ELSEWHERE, *REASON_REFUSALS)


def test_the_notice_of_a_stale_profile_is_all_marked(profile, db_session):
    expert, _, _, data = profile
    with db_session() as session:
        stored = session.scalars(select(Expert).where(Expert.email == EXPERT_EMAIL)).one()
        stored.profile_confirmed_at = datetime.now(UTC) - timedelta(days=800)
    response = expert.get("/me")
    assert 'id="stale-heading"' in response.get_data(as_text=True)
    assert_all_marked(response, *data, *_views_data())
