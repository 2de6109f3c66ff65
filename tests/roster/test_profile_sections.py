"""Languages, expertise, accessibility, availability and deployments of a profile."""

import re
from datetime import date, timedelta

from sqlalchemy import event, select

from roster.db import engines
from roster.models import Deployment, Expert, ExpertSkill, utcnow
from tests.roster.conftest import post_form
from tests.roster.test_profile import stored


def languages(*rows):
    data = {}
    for index, (code, level) in enumerate(rows):
        data[f"languages-{index}-code"], data[f"languages-{index}-level"] = code, level
    return data


def test_the_overview_marks_the_filled_sections_reading_all_lists_in_one_query(
    app, profiled_client
):
    post_form(profiled_client, "/me/languages", languages(("fr", "C1")))
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
        languages(("Francais", "native"), ("english", "C1"), ("", "")),
    )
    assert response.status_code == 302
    page = profiled_client.get("/me/languages").get_data(as_text=True)
    assert "Language &#39;Francais&#39; read as &#39;fr&#39; (French)." in page
    assert "Understood as French (fr)" in page
    assert 'list="language-suggestions"' in page and '<option value="fr">French</option>' in page
    assert [(lang.code, lang.level) for lang in stored(db_session).languages] == [
        ("fr", "native"),
        ("en", "C1"),
    ]


def test_unknown_languages_and_missing_levels_are_errors_on_their_row(profiled_client, db_session):
    response = post_form(
        profiled_client, "/me/languages", languages(("Klingonese", "C1"), ("fr", ""))
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "We did not recognise &#39;Klingonese&#39; as a language." in page
    assert 'href="#languages-1-level"' in page
    assert stored(db_session).languages == []


def test_a_language_given_twice_keeps_the_higher_level(profiled_client, db_session):
    post_form(profiled_client, "/me/languages", languages(("fr", "B1"), ("French", "C2")))
    assert [(lang.code, lang.level) for lang in stored(db_session).languages] == [("fr", "C2")]


def test_emptying_a_row_removes_the_language(profiled_client, db_session):
    post_form(profiled_client, "/me/languages", languages(("fr", "native"), ("en", "C1")))
    post_form(profiled_client, "/me/languages", languages(("", ""), ("en", "C1")))
    assert [lang.code for lang in stored(db_session).languages] == ["en"]


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
    skills = {s.code: s for s in stored(db_session).skills}
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
    assert "Number must be between 0 and 70." in response.get_data(as_text=True)


def test_accessibility_expertise_is_chosen_from_the_taxonomy(profiled_client, db_session):
    data = {"codes": ["sign-language", "accessible-polling-stations"]}
    assert post_form(profiled_client, "/me/accessibility", data).status_code == 302
    assert [a.code for a in stored(db_session).accessibility] == [
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
    [window] = stored(db_session).availability
    assert (window.start, window.end) == (start, start + timedelta(days=60))
    response = post_form(
        profiled_client,
        "/me/availability/remove",
        {"item": str(window.id)},
        form_url="/me/availability",
    )
    assert response.status_code == 302
    assert stored(db_session).availability == []


def test_an_expert_cannot_remove_another_experts_window(profiled_client, db_session, make_user):
    with db_session() as session:
        other = Expert(external_id="OTHER-1", full_name="Other Person", email="other@example.org")
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
    [deployment] = stored(db_session).deployments
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
    assert removed.status_code == 302 and stored(db_session).deployments == []
