"""A planner calls out shortlisted candidates; each answers through a mailed link, once."""

import re
from datetime import timedelta

import pytest
from itsdangerous import timed
from sqlalchemy import select

from roster.missions.callouts import Answer, ReplyLinks, call_outs_for_role, remind_due, reply_links
from roster.models import CallOut, CandidateDecision, CandidateOutcome, OutboxMessage, utcnow
from tests.callouts.conftest import (
    AWA_EMAIL,
    MISSION_TITLE,
    ROLE_TITLE,
    answer_links,
    body_of,
    confirm,
    confirm_with_token_from,
    mail_to,
    send_call_outs,
    subject_of,
)
from tests.conftest import count_rows, csrf_token, outbox

CO = CandidateOutcome


def flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _, message in session.get("_flashes", [])]


@pytest.fixture
def called_out(app, planner, mission):
    """Awa and Bruno called out by the planner; their mails' links."""
    response = send_call_outs(planner, mission, "awa", "bruno")
    assert response.status_code == 302, response.get_data(as_text=True)
    return {
        "awa": answer_links(mail_to(app, AWA_EMAIL)[-1]),
        "bruno": answer_links(mail_to(app, "bruno@example.org")[-1]),
    }


def test_a_planner_calls_out_candidates_who_get_a_mail_with_two_links(app, planner, mission):
    response = send_call_outs(planner, mission, "awa", "bruno")

    assert response.status_code == 302
    assert response.location == mission.role_path
    assert flashes(planner) == ["2 candidates called out; replies will show here."]
    assert mission.outcome("awa") is CO.CONTACTED
    assert mission.outcome("bruno") is CO.CONTACTED
    assert mission.outcome("chen") is CO.SHORTLISTED
    for email in (AWA_EMAIL, "bruno@example.org"):
        (message,) = mail_to(app, email)
        body = body_of(message)
        assert subject_of(message) == f"Are you available as {ROLE_TITLE} for {MISSION_TITLE}?"
        for shown in (ROLE_TITLE, MISSION_TITLE, "Mali", "1 March 2027 to 30 June 2027"):
            assert shown in body
        links = answer_links(message)
        assert links["available"] != links["unavailable"]
    assert "Chen" not in "".join(body_of(m) for m in outbox(app))
    # Only Awa has an account, so only her mail says where to answer signed in.
    assert "Roles I was considered for" in body_of(mail_to(app, AWA_EMAIL)[0])
    assert "Roles I was considered for" not in body_of(mail_to(app, "bruno@example.org")[0])
    awa = mission.call_out("awa")
    assert awa.answer is None and awa.sent_by_id == mission.planner_id
    assert timedelta(days=13, hours=23) < awa.expires_at - awa.sent_at <= timedelta(days=14)


def test_the_call_out_closes_at_the_roles_start_when_that_is_sooner(
    app, planner, mission, db_session
):
    app.config["CALL_OUT_DAYS"] = 400
    send_call_outs(planner, mission, "awa")
    assert mission.call_out("awa").expires_at.date().isoformat() == "2027-03-01"
    assert "by 28 February 2027" in body_of(mail_to(app, AWA_EMAIL)[0])


def test_someone_not_shortlisted_is_not_called_out_and_nothing_is_written(
    app, planner, mission, db_session
):
    mission.decide("chen", CO.WITHDRAWN, reason="Asked to be left out.")
    before = mission.state()

    response = send_call_outs(planner, mission, "awa", "chen")

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Chen Wei cannot be called out: only shortlisted candidates can" in page
    assert "this candidacy is withdrawn" in page
    assert mission.state() == before
    assert count_rows(db_session, CallOut) == 0
    assert count_rows(db_session, OutboxMessage) == 0
    assert outbox(app) == []


def test_a_call_out_is_made_once(planner, mission, called_out):
    response = send_call_outs(planner, mission, "awa")
    assert response.status_code == 400
    assert "Awa Ndiaye cannot be called out" in response.get_data(as_text=True)


def test_calling_out_nobody_or_an_unknown_expert_is_refused(planner, mission):
    assert send_call_outs(planner, mission).status_code == 400
    response = planner.post(
        f"{mission.role_path}/call-outs",
        data={"candidates": ["nobody"], "csrf_token": csrf_token(planner, "/")},
    )
    assert response.status_code == 400
    assert "not on the roster any more" in response.get_data(as_text=True)


def test_an_unknown_role_is_404(planner, mission):
    mission_path = f"/needs/{mission.needs_public_id}/roles/R9/call-outs"
    response = planner.post(mission_path, data={"candidates": [mission.public_id("awa")]})
    assert response.status_code in (400, 404)  # the form's guard or the address
    response = planner.post(
        mission_path,
        data={"candidates": [mission.public_id("awa")], "csrf_token": csrf_token(planner, "/")},
    )
    assert response.status_code == 404
    assert "There is no such role" in response.get_data(as_text=True)


@pytest.mark.parametrize("answer", ["available", "unavailable"])
def test_the_expert_answers_through_a_link_after_confirming(client, mission, called_out, answer):
    link = called_out["bruno"][answer]
    before = mission.state()

    shown = client.get(link)

    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    for text in (ROLE_TITLE, MISSION_TITLE, "Mali", "1 March 2027 to 30 June 2027"):
        assert text in page
    assert mission.state() == before, "opening the link changes nothing"
    assert mission.audit("callout.answered") == mission.audit("callout.refused") == []

    done = confirm(client, link)

    assert done.status_code == 200
    assert "Thank you for your answer" in done.get_data(as_text=True)
    assert mission.outcome("bruno") is CO(answer)
    stored = mission.call_out("bruno")
    assert stored.answer == answer and stored.answered_at is not None
    (event,) = mission.audit("callout.answered")
    assert event.actor_id is None
    assert event.detail == {
        "call_out": stored.public_id,
        "needs": "NA-ML-2027",
        "role": "R1",
        "answer": answer,
        "via": "mailed_link",
    }
    (recorded,) = [
        e for e in mission.audit("candidate.outcome_recorded") if e.detail["to"] == answer
    ]
    assert recorded.detail["via"] == "mailed_link" and recorded.actor_id is None
    # The planner's page reads the replies from here.
    with mission.db_session(write=False) as session:
        replies = call_outs_for_role(session=session, role_id=mission.role_id)
    assert replies[mission.experts["bruno"][0]].answer == answer
    assert replies[mission.experts["awa"][0]].answer is None


def test_a_used_link_is_refused_in_plain_words(client, mission, called_out):
    assert confirm(client, called_out["bruno"]["available"]).status_code == 200
    before = mission.state()

    for link in called_out["bruno"].values():
        again = client.get(link)
        assert again.status_code == 409
        assert re.search(
            r"You already answered on \d+ \w+ \d{4}: you are available\.",
            again.get_data(as_text=True),
        )
        assert confirm_with_token_from(client, link, "/login").status_code == 409

    assert mission.state() == before
    refused = mission.audit("callout.refused")
    assert [e.detail["why"] for e in refused] == ["reused", "reused"]
    assert {e.detail["call_out"] for e in refused} == {mission.call_out("bruno").public_id}


def test_a_tampered_link_is_refused(client, mission, called_out):
    link = called_out["bruno"]["available"]
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    before = mission.state()

    assert client.get(tampered).status_code == 400
    response = confirm_with_token_from(client, tampered, "/login")

    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(as_text=True)
    assert mission.state() == before
    (event,) = mission.audit("callout.refused")
    assert event.detail == {"why": "tampered", "via": "mailed_link"}
    assert event.subject_expert_id is None


def test_a_link_signed_for_another_purpose_is_refused(app, client, mission, called_out):
    from roster.accounts.links import Signer

    with app.app_context():
        token = (
            Signer(app.config["SECRET_KEY"])
            ._serializer("confirm")
            .dumps({"call_out": mission.call_out("bruno").public_id, "answer": "available"})
        )
    assert confirm_with_token_from(client, f"/reply/{token}", "/login").status_code == 400
    assert mission.outcome("bruno") is CO.CONTACTED


def test_a_link_signed_too_long_ago_is_refused(app, client, mission, called_out, monkeypatch):
    links = reply_links(app.config)
    long_ago = utcnow().timestamp() - (links.days + 1) * 86400
    with monkeypatch.context() as frozen:
        frozen.setattr(timed.time, "time", lambda: long_ago)
        token = links.token(mission.call_out("bruno"), Answer.AVAILABLE)
    before = mission.state()

    assert client.get(f"/reply/{token}").status_code == 410
    response = confirm_with_token_from(client, f"/reply/{token}", "/login")

    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)
    assert mission.state() == before
    (event,) = mission.audit("callout.refused")
    assert event.detail == {"why": "expired", "via": "mailed_link"}


def test_a_link_of_a_closed_call_out_is_refused(client, mission, called_out):
    with mission.db_session() as session:
        stored = session.get(CallOut, mission.call_out("bruno").id)
        stored.expires_at = utcnow() - timedelta(minutes=1)
    before = mission.state()

    link = called_out["bruno"]["unavailable"]
    assert client.get(link).status_code == 410
    response = confirm_with_token_from(client, link, "/login")

    assert response.status_code == 410
    assert "answers are no longer taken" in response.get_data(as_text=True)
    assert mission.state() == before
    (event,) = mission.audit("callout.refused")
    assert event.detail["why"] == "expired"
    assert event.subject_expert_id == mission.experts["bruno"][0]


def test_a_withdrawn_call_out_refuses_its_links(client, planner, mission, called_out):
    stored = mission.call_out("bruno")
    response = planner.post(
        f"/call-outs/{stored.public_id}/withdraw", data={"csrf_token": csrf_token(planner, "/")}
    )
    assert response.status_code == 302
    assert response.location == mission.role_path
    (withdrawn,) = mission.audit("callout.withdrawn")
    assert withdrawn.actor_id == mission.planner_id
    assert withdrawn.detail == {"call_out": stored.public_id, "needs": "NA-ML-2027", "role": "R1"}
    before = mission.state()

    link = called_out["bruno"]["available"]
    assert client.get(link).status_code == 410
    response = confirm_with_token_from(client, link, "/login")

    assert response.status_code == 410
    assert "This call-out was withdrawn on" in response.get_data(as_text=True)
    assert mission.state() == before
    assert mission.outcome("bruno") is CO.CONTACTED
    (event,) = mission.audit("callout.refused")
    assert event.detail["why"] == "withdrawn"
    # Withdrawn once; an unknown call-out is not found.
    again = planner.post(
        f"/call-outs/{stored.public_id}/withdraw", data={"csrf_token": csrf_token(planner, "/")}
    )
    assert again.status_code == 400
    assert "already withdrawn" in again.get_data(as_text=True)
    unknown = planner.post(
        "/call-outs/nope/withdraw", data={"csrf_token": csrf_token(planner, "/")}
    )
    assert unknown.status_code == 404


def test_a_reminder_goes_once_after_the_assessments_days(app, mission, called_out, db_session):
    sent = mission.call_out("awa").sent_at
    links = reply_links(app.config)

    def remind(at):
        with app.app_context(), db_session() as session:
            return remind_due(session=session, links=links, now=at)

    assert remind(sent + timedelta(days=5) - timedelta(minutes=1)) == 0
    client = app.test_client()
    assert confirm(client, called_out["bruno"]["unavailable"]).status_code == 200
    assert remind(sent + timedelta(days=5, minutes=1)) == 1  # Awa; Bruno answered
    assert remind(sent + timedelta(days=6)) == 0
    assert remind(sent + timedelta(days=7)) == 0

    first, reminder = mail_to(app, AWA_EMAIL)
    assert subject_of(reminder).startswith("Reminder: are you available as Electoral Adviser")
    assert "We have not had your answer yet" in body_of(reminder)
    fresh = answer_links(reminder)  # signed anew (the same within one second)
    assert mission.call_out("awa").reminded_at is not None
    # The fresh link works, and then the first one is used up.
    assert confirm(client, fresh["available"]).status_code == 200
    assert mission.outcome("awa") is CO.AVAILABLE
    assert client.get(answer_links(first)["unavailable"]).status_code == 409


def test_no_reminder_for_a_withdrawn_or_closed_call_out(
    app, planner, mission, called_out, db_session
):
    with db_session() as session:
        for stored in session.scalars(select(CallOut)):
            stored.withdrawn_at = utcnow()
    with app.app_context(), db_session() as session:
        assert (
            remind_due(
                session=session, links=reply_links(app.config), now=utcnow() + timedelta(days=6)
            )
            == 0
        )
        assert (
            remind_due(
                session=session, links=reply_links(app.config), now=utcnow() + timedelta(days=20)
            )
            == 0
        )


def test_the_reminder_command_prints_how_many(app, runner, mission, called_out, db_session):
    with db_session() as session:
        for stored in session.scalars(select(CallOut)):
            stored.sent_at = utcnow() - timedelta(days=6)
    result = runner.invoke(args=["roster", "remind-call-outs"])
    assert result.exit_code == 0, result.output
    assert "Queued 2 reminder(s)" in result.output
    again = runner.invoke(args=["roster", "remind-call-outs"])
    assert "Queued 0 reminder(s)" in again.output
    assert len(mail_to(app, AWA_EMAIL)) == 2


def test_the_reminder_is_a_periodic_job_beside_the_sweep(app, mission, called_out, db_session):
    from roster.jobs import jobs_of

    jobs = jobs_of(app)
    at_seven = utcnow().replace(minute=7)
    at_eight = at_seven.replace(minute=8)
    due = {task.name for task in jobs.queue.read_periodic(at_seven)}
    assert due == {"sweep_outbox", "remind_call_outs"}  # once an hour, beside the sweep
    assert {task.name for task in jobs.queue.read_periodic(at_eight)} == {"sweep_outbox"}
    with db_session() as session:
        for stored in session.scalars(select(CallOut)):
            stored.sent_at = utcnow() - timedelta(days=6)
    jobs.remind_call_outs()  # runs at once in the tests
    assert len(mail_to(app, AWA_EMAIL)) == 2


def test_a_second_answer_from_the_service_is_refused(app, mission, called_out, db_session):
    from roster.missions.callouts import ReplyRefused, answer_by_link

    token = called_out["awa"]["available"].removeprefix("/reply/")
    links = reply_links(app.config)
    with app.app_context(), db_session() as session:
        answer_by_link(session=session, links=links, token=token)
    with app.app_context(), pytest.raises(ReplyRefused) as refused, db_session() as session:
        answer_by_link(session=session, links=links, token=token)
    assert refused.value.why == "reused"
    assert count_rows(db_session, CandidateDecision) == 3 + 2 + 1


def test_reply_links_are_signed_for_their_own_purpose():
    links = ReplyLinks("k")
    other = ReplyLinks("another key")
    stored = CallOut(role_id=1, expires_at=utcnow())
    assert links.read(links.token(stored, Answer.UNAVAILABLE)) == (
        stored.public_id,
        Answer.UNAVAILABLE,
    )
    from roster.missions.callouts import ReplyRefused

    with pytest.raises(ReplyRefused):
        other.read(links.token(stored, Answer.AVAILABLE))


def test_every_outcome_has_words_for_the_planner_and_the_expert():
    from roster.profiles.candidacies import OUTCOME_WORDS

    codes = {outcome.value for outcome in CO}
    assert set(CO.words()) == codes
    assert set(OUTCOME_WORDS) - {None} == codes


def test_the_role_page_shows_each_reply_and_withdraws_an_open_call_out(
    client, planner, mission, called_out
):
    confirm(client, called_out["awa"]["unavailable"])

    page = planner.get(mission.role_path).get_data(as_text=True)

    assert "Call-out: <strong>answered: not available</strong>" in " ".join(page.split())
    assert "Withdraw the call-out to Awa Ndiaye" not in page
    assert "Withdraw the call-out to Bruno" in page
    stored = mission.call_out("bruno")
    action = f'action="/call-outs/{stored.public_id}/withdraw"'
    assert action in page
    response = planner.post(
        f"/call-outs/{stored.public_id}/withdraw", data={"csrf_token": csrf_token(planner, "/")}
    )
    assert response.status_code == 302
    page = planner.get(mission.role_path).get_data(as_text=True)
    assert "Call-out: <strong>call-out withdrawn</strong>" in " ".join(page.split())
    assert action not in page
