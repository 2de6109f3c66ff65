"""An expert fills in the profile, section by section, and only their own fields change."""

from sqlalchemy import select

from roster.models import Expert, RosterStatusChange, User
from tests.conftest import stored_expert
from tests.roster.conftest import EXPERT_EMAIL, IDENTITY, form_fields, page_form, post_form


def test_an_expert_without_a_profile_is_asked_to_start_it(expert_client):
    page = expert_client.get("/me").get_data(as_text=True)
    assert "You have no profile yet" in page
    response = expert_client.get("/me/languages")
    assert response.status_code == 302 and response.location.endswith("/me/identity")


def test_first_save_of_identity_creates_an_applicant_linked_to_the_account(
    expert_client, db_session
):
    response = post_form(expert_client, "/me/identity", IDENTITY)
    assert response.status_code == 302
    with db_session() as session:
        expert = session.scalar(select(Expert).order_by(Expert.id))
        user = session.scalar(select(User))
        change = session.scalar(select(RosterStatusChange))
        countries = [n.country for n in expert.nationalities]
    assert expert.external_id.startswith("REG-") and len(expert.external_id) > 8
    assert (expert.roster_status, expert.user_id, expert.email) == (
        "applicant",
        user.id,
        EXPERT_EMAIL,
    )
    assert (
        expert.full_name,
        expert.residence_country,
        expert.years_experience,
        expert.seniority,
    ) == ("Awa Ndiaye", "SN", 12, "P4")
    assert countries == ["SN"]
    assert (change.from_status, change.to_status, change.reason) == (
        None,
        "applicant",
        "registered online",
    )
    assert "Awa Ndiaye" in expert_client.get("/me").get_data(as_text=True)


def test_identity_accepts_typed_country_names_and_codes(profiled_client, db_session):
    response = post_form(
        profiled_client,
        "/me/identity",
        IDENTITY
        | {
            "nationality_1": "mali",
            "nationality_2": "FRA",
            "nationality_3": "Mali",
            "residence_country": "France",
        },
    )
    assert response.status_code == 302
    notes = profiled_client.get("/me").get_data(as_text=True)
    assert "listed twice" in notes
    expert = stored_expert(db_session)
    assert [n.country for n in expert.nationalities] == ["ML", "FR"]
    assert expert.residence_country == "FR"


def test_identity_errors_are_explained_and_nothing_changes(profiled_client, db_session):
    before = stored_expert(db_session)
    response = post_form(
        profiled_client,
        "/me/identity",
        IDENTITY | {"full_name": "", "years_experience": "99", "seniority": "Z9"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please enter your full name." in page
    assert "Years of electoral experience must be from 0 to 70." in page
    assert "Not a valid choice" in page
    response = post_form(
        profiled_client,
        "/me/identity",
        IDENTITY | {"nationality_1": "Atlantis", "residence_country": "Narnia"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "We did not recognise &#39;Atlantis&#39; as a country" in page
    assert "We did not recognise &#39;Narnia&#39; as a country" in page
    after = stored_expert(db_session)
    assert (after.full_name, after.version) == (before.full_name, before.version)


def test_a_profile_needs_one_to_three_nationalities(profiled_client):
    response = post_form(profiled_client, "/me/identity", IDENTITY | {"nationality_1": ""})
    assert response.status_code == 400
    assert "Please give at least one nationality." in response.get_data(as_text=True)


def test_every_save_bumps_the_version_and_confirms_the_profile(profiled_client, db_session):
    with db_session() as session:
        expert = session.scalar(select(Expert).order_by(Expert.id))
        expert.profile_confirmed_at = expert.updated_at = expert.created_at.replace(year=2020)
        expert.stale_reminder_sent_at = expert.created_at
    version = stored_expert(db_session).version
    assert (
        post_form(profiled_client, "/me/summary", {"summary": "Led voter list audits."}).status_code
        == 302
    )
    expert = stored_expert(db_session)
    assert expert.version == version + 1
    assert expert.profile_confirmed_at.year > 2020 and expert.updated_at.year > 2020
    assert expert.stale_reminder_sent_at is None
    assert expert.summary == "Led voter list audits."


def test_two_tabs_the_second_save_is_told_and_loses_nothing(profiled_client, db_session):
    first_tab = page_form(profiled_client, "/me/summary")
    second_tab = page_form(profiled_client, "/me/summary")
    assert (
        profiled_client.post(
            "/me/summary", data=first_tab | {"summary": "From the first tab."}
        ).status_code
        == 302
    )
    response = profiled_client.post(
        "/me/summary", data=second_tab | {"summary": "From the second tab."}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This profile changed since you opened it (perhaps in another tab)." in page
    assert "From the second tab." in page  # the input is kept
    assert stored_expert(db_session).summary == "From the first tab."
    # The re-rendered form carries the new version: saving again works.
    again = form_fields(page) | {"summary": "From the second tab."}
    assert profiled_client.post("/me/summary", data=again).status_code == 302
    assert stored_expert(db_session).summary == "From the second tab."


def test_a_second_tab_cannot_create_a_second_profile(expert_client, db_session):
    first, second = (
        page_form(expert_client, "/me/identity"),
        page_form(expert_client, "/me/identity"),
    )
    assert expert_client.post("/me/identity", data=first | IDENTITY).status_code == 302
    response = expert_client.post("/me/identity", data=second | IDENTITY | {"full_name": "Awa N."})
    assert response.status_code == 409
    with db_session() as session:
        assert [e.full_name for e in session.scalars(select(Expert))] == ["Awa Ndiaye"]


def test_forms_accept_only_their_own_fields(profiled_client, db_session):
    before = stored_expert(db_session)
    smuggled = {
        "roles": "admin",
        "roster_status": "rostered",
        "external_id": "HACKED-1",
        "user_id": "999",
        "email": "evil@example.org",
        "public_id": "chosen",
        "rating": "5",
    }
    for url, data in [
        ("/me/identity", IDENTITY),
        ("/me/summary", {"summary": "x"}),
        ("/me/sensitive", {}),
        ("/me/accessibility", {}),
    ]:
        assert post_form(profiled_client, url, data | smuggled).status_code == 302, url
    after = stored_expert(db_session)
    assert (
        after.roster_status,
        after.external_id,
        after.user_id,
        after.email,
        after.public_id,
    ) == ("applicant", before.external_id, before.user_id, before.email, before.public_id)
    with db_session() as session:
        assert [r.role for r in session.scalar(select(User)).roles] == ["expert"]


def test_posting_a_chosen_version_number_saves_nothing(profiled_client, db_session):
    before = stored_expert(db_session)
    response = post_form(profiled_client, "/me/summary", {"summary": "sneaky", "version": "999"})
    assert response.status_code == 409
    after = stored_expert(db_session)
    assert (after.version, after.summary) == (before.version, before.summary)


def test_html_and_script_are_stored_as_typed_and_escaped_on_output(profiled_client, db_session):
    script = '<script>alert("x")</script><b>bold</b>'
    assert (
        post_form(profiled_client, "/me/identity", IDENTITY | {"full_name": script}).status_code
        == 302
    )
    assert post_form(profiled_client, "/me/summary", {"summary": script}).status_code == 302
    for url in ("/me", "/me/data", "/me/identity", "/me/summary"):
        page = profiled_client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<b>bold" not in page, url
        assert "&lt;script&gt;" in page, url
    assert stored_expert(db_session).full_name == script


def test_over_long_and_control_character_input_is_refused(profiled_client, db_session):
    too_long = post_form(profiled_client, "/me/summary", {"summary": "x" * 20_001})
    assert too_long.status_code == 400
    assert "at most 20000 characters" in too_long.get_data(as_text=True).replace(",", "")
    assert post_form(profiled_client, "/me/summary", {"summary": "x" * 20_000}).status_code == 302
    nul = post_form(profiled_client, "/me/identity", IDENTITY | {"full_name": "Awa\x00Ndiaye"})
    assert nul.status_code == 400
    assert "cannot be stored" in nul.get_data(as_text=True)
    assert (
        post_form(profiled_client, "/me/identity", IDENTITY | {"full_name": "A" * 201}).status_code
        == 400
    )


def test_me_paths_take_no_ids(profiled_client):
    for path in ("/me/1", "/me/identity/1", "/me/cv/download/1", "/me/data.json?expert=1"):
        response = profiled_client.get(path)
        assert response.status_code in (404, 200), path
        if response.status_code == 200:
            assert "awa.ndiaye@example.org" in response.get_data(as_text=True)
