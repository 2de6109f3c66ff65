"""A planner types a needs assessment in: two roles, errors on their fields, rows without script."""

import re

from sqlalchemy import select

from roster.models import NeedsAssessment
from tests.conftest import choose_language
from tests.needs.conftest import MISSION, role_fields
from tests.roster.conftest import page_form, post_form


def stored(db_session) -> list[NeedsAssessment]:
    with db_session(write=False) as session:
        found = list(session.scalars(select(NeedsAssessment).order_by(NeedsAssessment.id)))
        for needs in found:
            needs.roles  # noqa: B018  (loaded while the session is open)
        return found


def test_a_planner_creates_an_assessment_with_two_roles(planner, db_session):
    data = (
        MISSION
        | role_fields(
            0,
            title="Chief Electoral Adviser",
            required_skills=["electoral-management", "Voter registration and voter lists"],
            desired_skills=["mediatoin"],
            required_languages=[("Francais", "C1")],
            desired_languages=[("bm", "B1")],
            accessibility_expertise=["easy-read", "sign-language"],
            min_years="10",
            seniority="P5",
            description="Advise the commission.\nTwo lines.",
        )
        | role_fields(
            1, title="Logistics Officer", positions="3", required_languages=[("en", "B2")]
        )
    )
    response = post_form(planner, "/needs/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    [needs] = stored(db_session)
    assert response.location == f"/needs/{needs.public_id}"
    assert needs.external_id == "NA-2027-ML-1"
    assert (needs.country, needs.gender_target, needs.exclude_nationals) == ("ML", 0.5, True)
    assert (needs.reminder_days, needs.blind_review) == (5, False)
    first, second = needs.roles
    assert first.required_skills == ["electoral-management", "voter-registration"]
    assert first.desired_skills == ["mediation"]
    assert first.required_languages == [{"code": "fr", "level": "C1"}]
    assert first.accessibility_expertise == ["easy-read", "sign-language"]
    assert (second.role_key, second.positions) == ("R2", 3)
    page = planner.get(response.location).get_data(as_text=True)
    # The notes of what was read differently, then the assessment in words.
    assert "language &#39;Francais&#39; read as &#39;fr&#39; (French)" in page
    assert "French (fr), C1 or above" in page
    assert "Voter registration and voter lists" in page
    assert "Mali (ML)" in page
    assert f'href="/needs/{needs.public_id}/roles/R1"' in page
    assert f'href="/needs/{needs.public_id}/team"' in page


def errors_of(page: str) -> dict[str, str]:
    """The error summary's links: field id -> message."""
    summary = re.search(r'id="error-summary".*?</div>', page, re.S).group(0)
    return {
        field: re.sub(r"\s+", " ", message).strip()
        for field, message in re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary, re.S)
    }


def test_service_problems_land_on_their_fields(planner, db_session):
    data = (
        MISSION
        | {"start": "2027-06-30", "end": "2027-03-01"}
        | role_fields(0, title="Adviser", required_languages=[("fr", "C1"), ("Klingonese", "B2")])
        # An empty row between roles is ignored; problems still name the row typed in.
        | role_fields(1)
        | role_fields(2, title="Adviser again", key="R1")
    )
    response = post_form(planner, "/needs/new", data)
    assert response.status_code == 400
    errors = errors_of(response.get_data(as_text=True))
    assert "start" in errors
    assert "Klingonese" in errors["roles-0-required_languages-1-code"]
    assert "used more than once" in errors["roles-2-key"]
    assert stored(db_session) == []


def test_form_problems_land_on_their_fields(planner, db_session):
    data = (
        MISSION
        | {"gender_target": "150", "title": "T" * 301}
        | role_fields(0, title="Adviser", positions="0", required_languages=[("fr", "")])
    )
    response = post_form(planner, "/needs/new", data)
    assert response.status_code == 400
    errors = errors_of(response.get_data(as_text=True))
    assert errors["gender_target"] == "The share of women is a percentage from 0 to 100."
    assert errors["title"] == "Field cannot be longer than 300 characters."
    assert errors["roles-0-positions"] == "A role has from 1 to 999 positions."
    assert (
        errors["roles-0-required_languages-0-level"] == "Choose the level wanted in this language."
    )
    assert stored(db_session) == []


def test_another_role_is_added_without_script_and_nothing_is_saved(planner, db_session):
    data = MISSION | role_fields(0, title="Adviser") | {"add": "role"}
    response = post_form(planner, "/needs/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="roles-1-title"' in page and 'value="R2"' in page
    assert 'value="Adviser"' in page  # what was typed is kept
    assert "error-summary" not in page
    assert stored(db_session) == []
    # More boxes for a role: one more of each list.
    response = post_form(planner, "/needs/new", data | {"add": "rows-0"})
    page = response.get_data(as_text=True)
    assert 'name="roles-0-required_skills-2"' in page
    assert 'name="roles-0-required_languages-1-code"' in page


def test_editing_after_someone_else_saved_is_told_and_keeps_the_text(planner, db_session):
    data = MISSION | role_fields(0, title="Adviser")
    created = post_form(planner, "/needs/new", data)
    edit_url = created.location + "/edit"
    opened = page_form(planner, edit_url)
    assert (
        post_form(planner, edit_url, {**_form_of(planner, edit_url), "title": "First"}).status_code
        == 302
    )
    mine = _form_of(planner, edit_url) | opened | {"title": "Second, typed meanwhile"}
    response = planner.post(edit_url, data=mine)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this needs assessment first." in page
    assert 'value="Second, typed meanwhile"' in page
    [needs] = stored(db_session)
    assert needs.title == "First"
    # Sent again, with the version the page now carries, it is saved.
    again = planner.post(edit_url, data=mine | {"version": str(needs.version)})
    assert again.status_code == 302
    assert stored(db_session)[0].title == "Second, typed meanwhile"


def _form_of(client, url: str) -> dict[str, str]:
    """Every named input and selected option of the page's main form, as a browser would send."""
    page = client.get(url).get_data(as_text=True)
    form = re.search(r'<form method="post" novalidate class="needs-form">(.*?)</form>', page, re.S)
    body = form.group(1)
    data: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) == "checkbox":
            if "checked" in tag:
                data[name.group(1)] = re.search(r'value="([^"]*)"', tag).group(1)
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        chosen = re.search(
            r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', options
        )
        data[name] = next((g for g in chosen.groups() if g is not None), "") if chosen else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S):
        data[name] = text.lstrip("\n")
    return data


def test_the_host_country_is_read_as_the_page_language_names_it(planner, db_session):
    choose_language(planner, "fr")
    data = MISSION | {"country": "Côte d’Ivoire"} | role_fields(0, title="Adviser")
    response = post_form(planner, "/needs/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    [needs] = stored(db_session)
    assert (needs.country, needs.external_id) == ("CI", "NA-2027-CI-1")
