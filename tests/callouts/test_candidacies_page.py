"""The expert's own page of the roles they were considered for: /me/candidacies."""

import pytest
from flask import g

from roster.i18n import PSEUDO
from roster.mail import compose
from roster.models import CandidateOutcome
from tests.callouts.conftest import (
    AWA_EMAIL,
    MISSION_TITLE,
    ROLE_TITLE,
    answer_links,
    confirm,
    mail_to,
    send_call_outs,
)
from tests.conftest import csrf_token, sign_in
from tests.roster.test_pseudo_locale import untransformed
from tests.roster.test_pseudo_locale_mail import assert_all_marked as assert_mail_all_marked

CO = CandidateOutcome
OTHERS = ("Bruno", "Silva", "Chen", "Wei", "bruno@", "chen@")


@pytest.fixture
def awa(app, mission):
    """Awa Ndiaye, signed in."""
    client = app.test_client()
    assert sign_in(client, AWA_EMAIL).status_code == 302
    return client


def page_of(client) -> str:
    response = client.get("/me/candidacies")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_profile_leads_to_the_candidacies(awa):
    assert 'href="/me/candidacies"' in awa.get("/me").get_data(as_text=True)


def test_the_expert_sees_the_role_and_where_it_stands_but_no_one_else(awa, mission):
    page = page_of(awa)
    for shown in (ROLE_TITLE, MISSION_TITLE, "Mali", "1 March 2027 to 30 June 2027", "Shortlisted"):
        assert shown in page
    for other in OTHERS:
        assert other not in page
    assert "rank" not in page.lower()
    assert "I am available" not in page  # no call-out yet


def test_when_not_selected_the_expert_sees_what_they_lacked(awa, mission):
    for step in (CO.CONTACTED, CO.AVAILABLE, CO.PROPOSED):
        mission.decide("awa", step)
    mission.decide("awa", CO.NOT_SELECTED, reason="Mediation experience was needed.")
    page = page_of(awa)
    assert "Not selected" in page
    assert "What you lacked for this role:" in page
    assert "lacks desired skill: Mediation" in page or "lacks desired skill: mediation" in page
    assert "Mediation experience was needed." in page
    assert "French C1 required" not in page  # only what was lacking
    for other in OTHERS:
        assert other not in page


def test_lacking_requirements_show_only_when_not_selected(awa, mission):
    mission.decide("awa", CO.CONTACTED)
    assert "What you lacked" not in page_of(awa)


def test_the_expert_answers_a_call_out_signed_in(awa, app, planner, mission):
    send_call_outs(planner, mission, "awa")
    page = page_of(awa)
    assert "Are you available for this role? Please answer by" in page
    public_id = mission.call_out("awa").public_id

    response = awa.post(
        f"/me/candidacies/{public_id}",
        data={"answer": "unavailable", "csrf_token": csrf_token(awa, "/me/candidacies")},
    )

    assert response.status_code == 302
    assert mission.outcome("awa") is CO.UNAVAILABLE
    (event,) = mission.audit("callout.answered")
    assert event.detail["via"] == "account"
    page = page_of(awa)
    assert "Thank you: we recorded that you are not available." in page
    assert "You said you are not available" in page
    assert "I am available" not in page
    # The mailed links are used up too.
    link = answer_links(mail_to(app, AWA_EMAIL)[0])["available"]
    assert awa.get(link).status_code == 409


def test_a_second_answer_signed_in_is_refused(awa, planner, mission, app):
    send_call_outs(planner, mission, "awa")
    assert confirm(app.test_client(), answer_links(mail_to(app, AWA_EMAIL)[0])["available"])
    public_id = mission.call_out("awa").public_id
    response = awa.post(
        f"/me/candidacies/{public_id}",
        data={"answer": "unavailable", "csrf_token": csrf_token(awa, "/me/candidacies")},
    )
    assert response.status_code == 409
    assert "You already answered on" in response.get_data(as_text=True)
    assert mission.outcome("awa") is CO.AVAILABLE


def test_nobody_answers_anothers_call_out(app, planner, mission, make_user):
    send_call_outs(planner, mission, "bruno")
    make_user("sam@example.org", "expert", name="Sam Keller")
    sam = app.test_client()
    sign_in(sam, "sam@example.org")
    response = sam.post(
        f"/me/candidacies/{mission.call_out('bruno').public_id}",
        data={"answer": "available", "csrf_token": csrf_token(sam, "/me/candidacies")},
    )
    assert response.status_code == 404
    assert mission.outcome("bruno") is CO.CONTACTED


def test_an_answer_must_be_one_of_the_two(awa, planner, mission):
    send_call_outs(planner, mission, "awa")
    response = awa.post(
        f"/me/candidacies/{mission.call_out('awa').public_id}",
        data={"answer": "maybe", "csrf_token": csrf_token(awa, "/me/candidacies")},
    )
    assert response.status_code == 400
    assert mission.outcome("awa") is CO.CONTACTED


# --- the pseudo-locale: every word of these pages and of the mail is marked ------------------

DATA = (ROLE_TITLE, MISSION_TITLE, "Mali (ML)", "Awa Ndiaye", AWA_EMAIL, "Mediation", "mediation")


def to_pseudo(client):
    client.post(
        "/language",
        data={"language": "en-XA", "next": "/", "csrf_token": csrf_token(client, "/login")},
    )
    return client


def assert_page_marked(response, *data: str) -> None:
    page = response.get_data(as_text=True)
    assert 'lang="en-XA"' in page
    assert untransformed(page, (*DATA, *data, *_dates(page))) == [], response.request.path


def _dates(page: str) -> list[str]:
    # Dates are formatted by Babel; en-XA formats as English, with English month names.
    import re

    return re.findall(r"\d{1,2} [A-Z][a-z]+ \d{4}", page)


def test_the_candidacies_page_is_all_marked(awa, planner, mission):
    send_call_outs(planner, mission, "awa")
    to_pseudo(awa)
    assert_page_marked(awa.get("/me/candidacies"))
    mission.decide("awa", CO.AVAILABLE)
    mission.decide("awa", CO.PROPOSED)
    mission.decide("awa", CO.NOT_SELECTED, reason="Needed mediation.")
    assert_page_marked(awa.get("/me/candidacies"), "Needed mediation.")


def test_the_reply_pages_are_all_marked(app, client, planner, mission):
    send_call_outs(planner, mission, "bruno")
    links = answer_links(mail_to(app, "bruno@example.org")[0])
    to_pseudo(client)
    assert_page_marked(client.get(links["available"]))
    assert_page_marked(confirm(client, links["available"]))
    assert_page_marked(client.get(links["unavailable"]))  # refused: already answered
    assert_page_marked(client.get("/reply/not-a-token"))


def test_the_call_out_mail_is_all_marked(app):
    from datetime import date

    from roster.i18n import long_date

    en_xa = next(locale for locale in PSEUDO if locale.tag == "en-XA")
    for reminder in (False, True):
        for has_account in (False, True):
            with app.test_request_context("/"):
                g.ui_locale = en_xa
                mail = compose(
                    "call_out",
                    to=AWA_EMAIL,
                    reminder=reminder,
                    name="Awa Ndiaye",
                    role_title=ROLE_TITLE,
                    mission_title=MISSION_TITLE,
                    country="Mali",
                    start=date(2027, 3, 1),
                    end=date(2027, 6, 30),
                    last_day=date(2026, 12, 20),
                    long_date=long_date,
                    has_account=has_account,
                    available_link="http://localhost/reply/a",
                    unavailable_link="http://localhost/reply/b",
                )
            assert_mail_all_marked(
                mail,
                "Awa Ndiaye",
                ROLE_TITLE,
                MISSION_TITLE,
                "Mali",
                "1 March 2027",
                "30 June 2027",
                "20 December 2026",
            )


def test_a_planner_in_the_pseudo_locale_sends_marked_mail(app, planner, mission):
    to_pseudo(planner)
    assert send_call_outs(planner, mission, "awa").status_code == 302
    (message,) = mail_to(app, AWA_EMAIL)
    assert "⟦" in message.get_payload(decode=True).decode()


def test_the_experts_data_holds_their_candidacies_and_call_outs(app, awa, planner, mission):
    send_call_outs(planner, mission, "awa", "bruno")
    confirm(awa, answer_links(mail_to(app, AWA_EMAIL)[-1])["available"])

    page = awa.get("/me/data").get_data(as_text=True)
    assert "Roles you were considered for" in page
    assert f"{ROLE_TITLE}</bdi>, <bdi>{MISSION_TITLE}</bdi>: You said you are available" in page
    document = awa.get("/me/data.json").get_json()
    (candidacy,) = document["candidacies"]
    assert candidacy["needs_id"] == "NA-ML-2027" and candidacy["role_id"] == "R1"
    assert candidacy["outcome"] == "available"
    (call_out,) = document["call_outs"]
    assert call_out["answer"] == "available" and call_out["answered_at"]
    for other in OTHERS:
        assert other not in page and other not in str(document)
