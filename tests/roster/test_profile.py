"""An expert fills in the profile, section by section, and only their own fields change."""

from sqlalchemy import select

from roster.models import Expert, RosterStatusChange, User
from tests.roster.conftest import EXPERT_EMAIL, IDENTITY, page_form, post_form


def stored(db_session) -> Expert:
    with db_session() as session:
        expert = session.scalar(select(Expert))
        for name in ("nationalities", "languages", "skills", "accessibility", "availability", "deployments"):
            getattr(expert, name)
        return expert


def test_an_expert_without_a_profile_is_asked_to_start_it(expert_client):
    page = expert_client.get("/me").get_data(as_text=True)
    assert "You have no profile yet" in page
    response = expert_client.get("/me/languages")
    assert response.status_code == 302 and response.location.endswith("/me/identity")


def test_first_save_of_identity_creates_an_applicant_linked_to_the_account(expert_client, db_session):
    response = post_form(expert_client, "/me/identity", IDENTITY)
    assert response.status_code == 302
    with db_session() as session:
        expert = session.scalar(select(Expert))
        user = session.scalar(select(User))
        change = session.scalar(select(RosterStatusChange))
        countries = [n.country for n in expert.nationalities]
    assert expert.external_id.startswith("REG-") and len(expert.external_id) > 8
    assert (expert.roster_status, expert.user_id, expert.email) == ("applicant", user.id, EXPERT_EMAIL)
    assert (expert.full_name, expert.residence_country, expert.years_experience, expert.seniority) == (
        "Awa Ndiaye", "SN", 12, "P4")
    assert countries == ["SN"]
    assert (change.from_status, change.to_status, change.reason) == (None, "applicant", "registered online")
    assert "Awa Ndiaye" in expert_client.get("/me").get_data(as_text=True)

