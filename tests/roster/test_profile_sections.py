"""Languages, expertise, accessibility, availability and deployments of a profile."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from roster.db import engines
from roster.models import Deployment, ExpertSkill, utcnow
from tests.conftest import stored_expert
from tests.factories import expert_row
from tests.roster.conftest import IDENTITY, language_rows, post_form


def test_the_overview_marks_the_filled_sections_reading_all_lists_in_one_query(
    app, profiled_client
):
    post_form(profiled_client, "/me/languages", language_rows(("fr", "C1")))
    post_form(profiled_client, "/me/accessibility", {"codes": ["easy-read"]})
    statements: list[str] = []

    def record(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engines(app).read, "before_cursor_execute", record)
    try:
        page = profiled_client.get("/me").get_data(as_text=True)
    finally:
        event.remove(engines(app).read, "before_cursor_execute", record)
    marks = dict(
        re.findall(r'<a href="/me/(\w+)">[^<]+</a>\s*<span class="tag[^"]*">([^<]+)<', page)
    )
    assert marks["languages"] == marks["accessibility"] == "filled in"
    assert (
        marks["expertise"] == marks["availability"] == marks["deployments"] == ("not filled in yet")
    )
    # The account with its roles, the profile, and one query for its five lists.
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 4


def test_typed_language_names_are_read_as_codes_with_a_visible_note(profiled_client, db_session):
    response = post_form(
        profiled_client,
        "/me/languages",
        language_rows(("Francais", "native"), ("english", "C1"), ("", "")),
    )
    assert response.status_code == 302
    page = profiled_client.get("/me/languages").get_data(as_text=True)
    assert "Language &#39;Francais&#39; read as &#39;fr&#39; (French)." in page
    assert "Understood as French (fr)" in page
    assert 'list="language-suggestions"' in page and '<option value="fr">French</option>' in page
    assert [(lang.code, lang.level) for lang in stored_expert(db_session).languages] == [
        ("fr", "native"),
        ("en", "C1"),
    ]


def test_unknown_languages_and_missing_levels_are_errors_on_their_row(profiled_client, db_session):
    response = post_form(
        profiled_client, "/me/languages", language_rows(("Klingonese", "C1"), ("fr", ""))
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "We did not recognise &#39;Klingonese&#39; as a language." in page
    # One summary at the top, each problem linked to its row's field.
    assert page.count('id="error-summary"') == 1
    assert 'href="#languages-0-code"' in page
    assert 'href="#languages-1-level"' in page
    assert stored_expert(db_session).languages == []


def test_a_language_given_twice_keeps_the_higher_level(profiled_client, db_session):
    post_form(profiled_client, "/me/languages", language_rows(("fr", "B1"), ("French", "C2")))
    assert [(lang.code, lang.level) for lang in stored_expert(db_session).languages] == [
        ("fr", "C2")
    ]


def test_emptying_a_row_removes_the_language(profiled_client, db_session):
    post_form(profiled_client, "/me/languages", language_rows(("fr", "native"), ("en", "C1")))
    post_form(profiled_client, "/me/languages", language_rows(("", ""), ("en", "C1")))
    assert [lang.code for lang in stored_expert(db_session).languages] == ["en"]


def test_expertise_accepts_near_spellings_and_keeps_a_recruiters_verification(
    profiled_client, db_session
):
    rows = {
        "skills-0-code": "voter registraton",
        "skills-0-years": "8",
        "skills-1-code": "legal-framework",
        "skills-1-years": "",
    }
    assert post_form(profiled_client, "/me/expertise", rows).status_code == 302
    with db_session() as session:
        skill = session.scalar(select(ExpertSkill).where(ExpertSkill.code == "voter-registration"))
        skill.verified_at = utcnow()
    page = profiled_client.get("/me/expertise").get_data(as_text=True)
    assert "verified" in page
    rows["skills-0-years"] = "9"
    assert post_form(profiled_client, "/me/expertise", rows).status_code == 302
    skills = {s.code: s for s in stored_expert(db_session).skills}
    assert (
        skills["voter-registration"].years == 9
        and skills["voter-registration"].verified_at is not None
    )
    assert skills["legal-framework"].years is None


def test_unknown_expertise_and_bad_years_are_refused(profiled_client):
    response = post_form(
        profiled_client, "/me/expertise", {"skills-0-code": "fishing", "skills-0-years": "3"}
    )
    assert response.status_code == 400
    assert "We did not recognise &#39;fishing&#39; as an expertise area" in response.get_data(
        as_text=True
    )
    response = post_form(
        profiled_client,
        "/me/expertise",
        {"skills-0-code": "legal-framework", "skills-0-years": "-3"},
    )
    assert response.status_code == 400
    assert "The years in an expertise area must be from 0 to 70." in response.get_data(as_text=True)


def test_accessibility_expertise_is_chosen_from_the_taxonomy(profiled_client, db_session):
    data = {"codes": ["sign-language", "accessible-polling-stations"]}
    assert post_form(profiled_client, "/me/accessibility", data).status_code == 302
    assert [a.code for a in stored_expert(db_session).accessibility] == [
        "sign-language",
        "accessible-polling-stations",
    ]
    assert (
        post_form(profiled_client, "/me/accessibility", {"codes": ["made-up"]}).status_code == 400
    )


def test_availability_windows_are_added_checked_for_overlap_and_removed(
    profiled_client, db_session
):
    start = date.today() + timedelta(days=30)
    first = {"start": start.isoformat(), "end": (start + timedelta(days=60)).isoformat()}
    assert post_form(profiled_client, "/me/availability", first).status_code == 302
    overlapping = {
        "start": (start + timedelta(days=60)).isoformat(),
        "end": (start + timedelta(days=90)).isoformat(),
    }
    response = post_form(profiled_client, "/me/availability", overlapping)
    assert response.status_code == 400
    assert "This period overlaps the one you already gave" in response.get_data(as_text=True)
    reversed_ = {
        "start": (start + timedelta(days=200)).isoformat(),
        "end": (start + timedelta(days=100)).isoformat(),
    }
    response = post_form(profiled_client, "/me/availability", reversed_)
    assert "The last day must be on or after the first day." in response.get_data(as_text=True)
    past = {"start": "2001-01-01", "end": "2001-02-01"}
    assert "already ended" in post_form(profiled_client, "/me/availability", past).get_data(
        as_text=True
    )
    [window] = stored_expert(db_session).availability
    assert (window.start, window.end) == (start, start + timedelta(days=60))
    response = post_form(
        profiled_client,
        "/me/availability/remove",
        {"item": str(window.id)},
        form_url="/me/availability",
    )
    assert response.status_code == 302
    assert stored_expert(db_session).availability == []


def test_an_expert_cannot_remove_another_experts_window(profiled_client, db_session, make_user):
    with db_session() as session:
        other = expert_row(
            external_id="OTHER-1", full_name="Other Person", email="other@example.org"
        )
        other.availability = []
        session.add(other)
        session.flush()
        from roster.models import AvailabilityWindow

        window = AvailabilityWindow(
            expert_id=other.id, start=date(2030, 1, 1), end=date(2030, 2, 1)
        )
        session.add(window)
        session.flush()
        window_id = window.id
    response = post_form(
        profiled_client,
        "/me/availability/remove",
        {"item": str(window_id)},
        form_url="/me/availability",
    )
    assert response.status_code == 400
    assert "no longer on your profile" in response.get_data(as_text=True)
    with db_session() as session:
        assert session.get(AvailabilityWindow, window_id) is not None


def test_past_deployments_are_added_and_only_self_declared_ones_removed(
    profiled_client, db_session
):
    data = {
        "mission": "UNDP support to the 2021 elections",
        "country": "Niger",
        "role": "Voter registration adviser",
        "start": "2020-06-01",
        "end": "2021-04-30",
        "rating": "5",
    }
    assert post_form(profiled_client, "/me/deployments", data).status_code == 302
    [deployment] = stored_expert(db_session).deployments
    assert (deployment.country, deployment.rating) == ("NE", None)
    future = post_form(
        profiled_client, "/me/deployments", data | {"start": "2090-01-01", "end": "2090-02-01"}
    )
    assert "cannot start in the future" in future.get_data(as_text=True)
    with db_session() as session:
        session.get(Deployment, deployment.id).rating = 4
    refused = post_form(
        profiled_client,
        "/me/deployments/remove",
        {"item": str(deployment.id)},
        form_url="/me/deployments",
    )
    assert refused.status_code == 400 and "ask a recruiter" in refused.get_data(as_text=True)
    with db_session() as session:
        session.get(Deployment, deployment.id).rating = None
    removed = post_form(
        profiled_client,
        "/me/deployments/remove",
        {"item": str(deployment.id)},
        form_url="/me/deployments",
    )
    assert removed.status_code == 302 and stored_expert(db_session).deployments == []


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        (
            "/me/identity",
            IDENTITY | {"years_experience": "twelve"},
            "Years of electoral experience must be a whole number, like 12.",
        ),
        (
            "/me/expertise",
            {"skills-0-code": "legal-framework", "skills-0-years": "3.5"},
            "The years in an expertise area must be a whole number, like 5.",
        ),
        (
            "/me/sensitive",
            {"birth_year_consent": "y", "birth_year": "seventy-eight"},
            "The year of birth must be a year in figures, like 1978.",
        ),
        (
            "/me/availability",
            {"start": "1 March", "end": "2027-06-30"},
            "The first day must be a date, like 2027-03-01.",
        ),
        (
            "/me/deployments",
            {"country": "Mali", "role": "Adviser", "start": "2020-01-01", "end": "June"},
            "The last day must be a date, like 2027-06-30.",
        ),
    ],
)
def test_a_mistyped_number_or_date_is_refused_in_a_sentence_naming_the_field(
    profiled_client, url, data, message
):
    response = post_form(profiled_client, url, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "Not a valid" not in page


def test_availability_is_for_the_next_few_years_not_a_lifetime(profiled_client):
    today = utcnow().date()
    lifetime = {"start": today.isoformat(), "end": date(today.year + 60, 1, 1).isoformat()}
    response = post_form(profiled_client, "/me/availability", lifetime)
    assert response.status_code == 400
    assert "A period of availability lasts at most 3 years." in response.get_data(as_text=True)
    far = {"start": date(today.year + 6, 1, 1).isoformat(), "end": date(today.year + 6, 6, 30)}
    response = post_form(profiled_client, "/me/availability", far)
    assert "must start within the next 5 years" in response.get_data(as_text=True)
    fine = {"start": today.isoformat(), "end": (today + timedelta(days=3 * 365)).isoformat()}
    assert post_form(profiled_client, "/me/availability", fine).status_code == 302


def test_a_past_deployment_has_ended_by_today(profiled_client):
    data = {"country": "Mali", "role": "Adviser", "start": "2024-01-01", "end": "2031-06-30"}
    response = post_form(profiled_client, "/me/deployments", data)
    assert response.status_code == 400
    assert "A past deployment must have ended by today." in response.get_data(as_text=True)
