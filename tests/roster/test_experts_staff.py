"""Staff open experts' profiles only with a reason; each opening is one audit row."""

import pytest
from sqlalchemy import func, select

from roster.models import AuditEvent, Expert
from tests.conftest import sign_in, stored_expert
from tests.roster.conftest import CONSENTED, post_form


@pytest.fixture
def sensitive_expert(profiled_client, db_session):
    post_form(profiled_client, "/me/sensitive", CONSENTED)
    return stored_expert(db_session)


def test_recruiters_search_experts_by_name_or_reference(staff, sensitive_expert):
    recruiter = staff("recruiter")
    page = recruiter.get("/experts?q=ndiaye").get_data(as_text=True)
    assert "Awa Ndiaye" in page and f"/experts/{sensitive_expert.public_id}" in page
    assert "Awa Ndiaye" in recruiter.get(
        f"/experts?q={sensitive_expert.external_id.lower()}"
    ).get_data(as_text=True)
    assert "No expert found." in recruiter.get("/experts?q=nobody%25_").get_data(as_text=True)


def test_search_is_paginated(app, staff, db_session):
    with db_session() as session:
        for n in range(30):
            session.add(
                Expert(
                    external_id=f"EXP-{n:03d}",
                    full_name=f"Expert {n:03d}",
                    email=f"e{n}@example.org",
                )
            )
    recruiter = staff("recruiter")
    first = recruiter.get("/experts").get_data(as_text=True)
    assert (
        "30 expert(s) found, page 1 of 2" in first
        and "Expert 024" in first
        and "Expert 025" not in first
    )
    second = recruiter.get("/experts?page=2").get_data(as_text=True)
    assert "Expert 029" in second and "Previous page" in second
    past = recruiter.get("/experts?page=999")
    assert past.status_code == 400
    assert "There is no page 999: the result has 2 page(s)." in past.get_data(as_text=True)
    negative = recruiter.get("/experts?page=-5")
    assert negative.status_code == 400
    assert "The page number must be a whole number from 1." in negative.get_data(as_text=True)


def test_opening_a_profile_asks_why_and_writes_one_audit_row(staff, sensitive_expert, db_session):
    recruiter = staff("recruiter")
    url = f"/experts/{sensitive_expert.public_id}"
    page = recruiter.get(url).get_data(as_text=True)
    assert "Why are you opening this profile?" in page and "Led voter" not in page
    with db_session() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "profile.view")
            )
            == 0
        )
    refused = post_form(recruiter, url, {"purpose": ""})
    assert refused.status_code == 400 and "Please choose why" in refused.get_data(as_text=True)
    other = post_form(recruiter, url, {"purpose": "other", "note": ""})
    assert other.status_code == 400 and "Please say why" in other.get_data(as_text=True)
    response = post_form(recruiter, url, {"purpose": "shortlist-review", "note": "mission X"})
    assert response.status_code == 200 and "Senegal (SN)" in response.get_data(as_text=True)
    with db_session() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "profile.view"))
    assert (event.subject_expert_id, event.reason, event.detail) == (
        sensitive_expert.id,
        "mission X",
        {"purpose": "shortlist-review"},
    )
    assert event.actor_id is not None


@pytest.mark.parametrize("role", ["planner", "expert"])
def test_other_roles_cannot_use_staff_pages(staff, sensitive_expert, role):
    client = staff(role)
    for url in ("/experts", f"/experts/{sensitive_expert.public_id}"):
        assert client.get(url).status_code == 403, url
    for url in (
        f"/experts/{sensitive_expert.public_id}",
        f"/experts/{sensitive_expert.public_id}/cv",
    ):
        assert client.post(url, data={"purpose": "vetting"}).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(client, sensitive_expert):
    response = client.get(f"/experts/{sensitive_expert.public_id}")
    assert response.status_code == 302 and "/login" in response.location


def test_guessed_and_enumerated_ids_are_not_found(staff, sensitive_expert):
    recruiter = staff("recruiter")
    for guess in (
        str(sensitive_expert.id),
        "1",
        "0",
        "-1",
        sensitive_expert.external_id,
        "x" * 200,
        sensitive_expert.public_id[:-1],
    ):
        assert recruiter.get(f"/experts/{guess}").status_code == 404, guess


def test_an_expert_cannot_open_another_experts_profile(app, staff, sensitive_expert, make_user):
    make_user("other@example.org", "expert")
    other = app.test_client()
    sign_in(other, "other@example.org")
    assert other.get(f"/experts/{sensitive_expert.public_id}").status_code == 403
    # /me is always the signed-in person's own: nothing of Awa's shows there.
    for url in ("/me", "/me/data", "/me/views", "/me/data.json"):
        assert "Ndiaye" not in other.get(url).get_data(as_text=True), url
