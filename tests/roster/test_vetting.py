"""Vetting: the queue, opening a profile with a reason, verified expertise, and decisions.

Pages are driven as a recruiter would, through the forms with their CSRF token; the
expert is told each decision by mail (the outbox folder) and reads it in their history.
"""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from roster.models import (
    AuditEvent,
    Expert,
    ExpertSkill,
    OutboxMessage,
    RosterStatus,
    RosterStatusChange,
    User,
    utcnow,
)
from roster.policy.roster_status import ROSTER_STATUS_RULES, change_roster_status
from roster.policy.standing import Standing
from roster.recruiting.vetting import (
    DECISION_WORDS,
    VettingChanged,
    VettingRefused,
    decide,
    decisions_for,
    verify_expertise,
    vetting_queue,
)
from tests.conftest import outbox, sign_in
from tests.factories import expert_record, write_jsonl
from tests.roster.conftest import form_fields

RS = RosterStatus
NOW = utcnow()


def _expert(session, number: int, status: RS, *, days_ago: int, user_id=None, **fields) -> int:
    expert = Expert(
        external_id=f"VET-{number}",
        full_name=fields.pop("name", f"Vetted Expert {number}"),
        email=f"vetted{number}@example.org",
        roster_status=status,
        user_id=user_id,
        created_at=NOW - timedelta(days=days_ago),
        **fields,
    )
    session.add(expert)
    session.flush()
    return expert.id


def _entered(session, expert_id: int, to: RS, days_ago: int, start: RS | None = None) -> None:
    session.add(
        RosterStatusChange(
            expert_id=expert_id,
            from_status=start,
            to_status=to,
            changed_at=NOW - timedelta(days=days_ago, hours=1),
        )
    )


@pytest.fixture
def queue(app, make_user, db_session) -> dict:
    """Four profiles under review (and one rostered); Awa has an account and two areas."""
    awa = make_user("awa.ndiaye@example.org", "expert", name="Awa Ndiaye")
    with db_session() as session:
        ids = {
            "awa": _expert(
                session, 1, RS.UNDER_REVIEW, days_ago=60, user_id=awa.id, name="Awa Ndiaye"
            ),
            "bo": _expert(session, 2, RS.UNDER_REVIEW, days_ago=10),
            "cy": _expert(session, 3, RS.UNDER_REVIEW, days_ago=30),  # no history row
            "di": _expert(session, 4, RS.UNDER_REVIEW, days_ago=90),
            "ed": _expert(session, 5, RS.ROSTERED, days_ago=90),
        }
        _entered(session, ids["awa"], RS.UNDER_REVIEW, 12, RS.APPLICANT)
        _entered(session, ids["bo"], RS.UNDER_REVIEW, 3, RS.APPLICANT)
        # Sent back once: Di waits since entering review again, not since the first time.
        _entered(session, ids["di"], RS.UNDER_REVIEW, 80, RS.APPLICANT)
        _entered(session, ids["di"], RS.APPLICANT, 40, RS.UNDER_REVIEW)
        _entered(session, ids["di"], RS.UNDER_REVIEW, 5, RS.APPLICANT)
        session.add_all(
            [
                ExpertSkill(expert_id=ids["awa"], code="voter-registration", years=8, position=0),
                ExpertSkill(expert_id=ids["awa"], code="legal-framework", years=3, position=1),
            ]
        )
        ids["public"] = session.get(Expert, ids["awa"]).public_id
    ids["awa_user"] = awa.id
    return ids


@pytest.fixture
def recruiter(app, make_user):
    """A signed-in recruiter's client, and their account."""
    user = make_user("rita@example.org", "recruiter", name="Rita Okafor")
    client = app.test_client()
    assert sign_in(client, "rita@example.org").status_code == 302
    client.user_id = user.id
    return client


def opened(client, public_id: str, purpose: str = "vetting", note: str = ""):
    """Open a profile from the queue, giving the reason; return the vetting page."""
    page = client.get(f"/vetting/{public_id}").get_data(as_text=True)
    values = form_fields(page) | {"purpose": purpose, "note": note}
    response = client.post(f"/vetting/{public_id}", data=values)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"])


def page_values(page: str, action: str) -> dict[str, str]:
    """The fields of the form posting to ``action`` (CSRF token, version, current values)."""
    found = re.search(
        rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S
    )
    assert found, f"no form posting to {action}"
    body = found.group(1)
    values = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', body)
        if 'type="checkbox"' not in name
    }
    for name in re.findall(r'<input[^>]*type="checkbox"[^>]*name="([^"]+)"[^>]*checked', body):
        values[name] = "y"
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S):
        values[name] = html.unescape(text.strip())
    return values


def send(client, page: str, action: str, **changes):
    """Post the form of ``page`` that posts to ``action``, with ``changes`` typed in."""
    values = page_values(page, action)
    for name in [n for n in values if n.endswith("-verified")]:
        values.pop(name)
    values |= {k.replace("__", "-"): v for k, v in changes.items() if v is not None}
    return client.post(action, data=values)


def text_of(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


# --- the queue -------------------------------------------------------------------------------


def test_the_queue_lists_profiles_under_review_the_longest_waiting_first(app, db_session, queue):
    with db_session(write=False) as session:
        found = vetting_queue(session=session, now=NOW)
        order = [(w.expert.external_id, w.days) for w in found.entries]
    assert order == [("VET-3", 30), ("VET-1", 12), ("VET-4", 5), ("VET-2", 3)]
    assert (found.total, found.pages) == (4, 1)


def test_the_queue_pages_and_refuses_a_page_that_is_not_there(db_session, queue):
    with db_session(write=False) as session:
        second = vetting_queue(session=session, page=2, per_page=3, now=NOW)
        assert [w.expert.external_id for w in second.entries] == ["VET-2"]
        for page in (0, -1, 3):
            with pytest.raises(VettingRefused):
                vetting_queue(session=session, page=page, per_page=3)


def test_the_queue_page_says_how_long_each_has_waited(recruiter, queue):
    response = recruiter.get("/vetting")
    assert response.status_code == 200
    shown = text_of(response)
    assert "4 profiles under review" in shown
    assert "waiting 12 days" in shown and "waiting 30 days" in shown
    assert shown.index("Vetted Expert 3") < shown.index("Awa Ndiaye") < shown.index("Expert 2")
    assert "Vetted Expert 5" not in shown  # rostered: not waiting
    refused = recruiter.get("/vetting?page=7")
    assert refused.status_code == 404
    assert "There is no page 7 of the queue: it has pages 1 to 1." in text_of(refused)


def test_only_recruiters_and_admins_see_the_queue(app, signed_in, queue):
    assert signed_in("paul@example.org", "planner").get("/vetting").status_code == 403
    assert signed_in("ada@example.org", "admin").get("/vetting").status_code == 200


# --- opening a profile -------------------------------------------------------------------------


def test_a_profile_opens_only_with_a_reason_which_is_audited(recruiter, db_session, queue):
    url = f"/vetting/{queue['public']}"
    asked = recruiter.get(url)
    assert "Why are you opening this profile?" in text_of(asked)
    values = form_fields(asked.get_data(as_text=True)) | {"purpose": "", "note": ""}
    refused = recruiter.post(url, data=values)
    assert refused.status_code == 400
    assert "Please choose why you are opening this profile." in text_of(refused)
    page = opened(recruiter, queue["public"])
    assert page.status_code == 200
    shown = text_of(page)
    assert "Verify expertise" in shown and "Record the decision" in shown
    assert "Electoral legal framework and reform" in shown
    with db_session(write=False) as session:
        views = session.scalars(select(AuditEvent).where(AuditEvent.action == "profile.view"))
        assert [(v.subject_expert_id, v.detail) for v in views] == [
            (queue["awa"], {"purpose": "vetting"})
        ]
    # Seeing the page again in the same session asks nothing and writes nothing.
    assert "Record the decision" in text_of(recruiter.get(url))


def test_the_staff_profile_page_leads_to_the_vetting_page(recruiter, queue):
    page = recruiter.get(f"/experts/{queue['public']}").get_data(as_text=True)
    values = form_fields(page) | {"purpose": "vetting", "note": ""}
    profile = recruiter.post(f"/experts/{queue['public']}", data=values).get_data(as_text=True)
    action = f"/vetting/{queue['public']}"
    assert "Vet this profile" in profile
    response = send(recruiter, profile, action)
    assert response.status_code == 302
    assert "Record the decision" in text_of(recruiter.get(response.headers["Location"]))


def test_actions_without_an_opening_are_refused_in_plain_words(recruiter, queue):
    token = form_fields(recruiter.get("/account/password").get_data(as_text=True))
    response = recruiter.post(
        f"/vetting/{queue['public']}/decision",
        data=token | {"decision-to": "rostered", "decision-version": "1"},
    )
    assert response.status_code == 400
    assert "Open the profile with a reason first" in text_of(response)


# --- expertise ---------------------------------------------------------------------------------


def test_an_area_is_verified_with_its_evidence_and_unverified_with_it_kept_in_the_audit(
    recruiter, db_session, queue
):
    page = opened(recruiter, queue["public"]).get_data(as_text=True)
    action = f"/vetting/{queue['public']}/expertise/legal-framework"
    missing = send(recruiter, page, action, **{"area-legal-framework-verified": "y"})
    assert missing.status_code == 400
    assert "Please note the evidence you saw" in text_of(missing)
    done = send(
        recruiter,
        page,
        action,
        **{
            "area-legal-framework-verified": "y",
            "area-legal-framework-note": "Bar certificate seen",
        },
    )
    assert done.status_code == 302
    page = recruiter.get(done.headers["Location"]).get_data(as_text=True)
    assert "Electoral legal framework and reform is marked verified." in html.unescape(page)
    assert "by Rita Okafor" in page
    with db_session(write=False) as session:
        skill = session.get(ExpertSkill, (queue["awa"], "legal-framework"))
        assert (skill.verification_note, skill.verified_by_id) == (
            "Bar certificate seen",
            recruiter.user_id,
        )
        assert skill.verified_at is not None
    undone = send(recruiter, page, action)  # the box unticked
    assert undone.status_code == 302
    with db_session(write=False) as session:
        skill = session.get(ExpertSkill, (queue["awa"], "legal-framework"))
        assert (skill.verified_at, skill.verified_by_id, skill.verification_note) == (None,) * 3
        trail = [
            (e.action, e.reason, e.detail, e.actor_id)
            for e in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.like("expertise.%"))
                .order_by(AuditEvent.id)
            )
        ]
    skill_detail = {"skill": "legal-framework"}
    assert trail == [
        ("expertise.verified", "Bar certificate seen", skill_detail, recruiter.user_id),
        ("expertise.unverified", "Bar certificate seen", skill_detail, recruiter.user_id),
    ]


def test_a_verification_on_a_profile_changed_meanwhile_is_409_with_the_note_kept(
    recruiter, db_session, queue
):
    page = opened(recruiter, queue["public"]).get_data(as_text=True)
    with db_session() as session:  # the expert saves a section meanwhile
        session.get(Expert, queue["awa"]).version += 1
    action = f"/vetting/{queue['public']}/expertise/voter-registration"
    stale = send(
        recruiter,
        page,
        action,
        **{
            "area-voter-registration-verified": "y",
            "area-voter-registration-note": "Reference from the commission",
        },
    )
    assert stale.status_code == 409
    shown = stale.get_data(as_text=True)
    assert "This profile changed since you opened it" in html.unescape(shown)
    assert "Reference from the commission" in shown
    with db_session(write=False) as session:
        assert session.get(ExpertSkill, (queue["awa"], "voter-registration")).verified_at is None
    again = send(recruiter, shown, action, **{"area-voter-registration-verified": "y"})
    assert again.status_code == 302


def test_nobody_verifies_their_own_expertise(app, db_session, queue):
    with db_session() as session:
        owner = session.get(User, queue["awa_user"])
        expert = session.get(Expert, queue["awa"])
        with pytest.raises(VettingRefused):
            verify_expertise(
                session=session,
                expert=expert,
                code="legal-framework",
                by=owner,
                verified=True,
                note="I say so",
                version=expert.version,
            )


# --- decisions ---------------------------------------------------------------------------------


def test_every_change_of_the_machine_reads_as_a_decision_and_the_owner_has_none(db_session, queue):
    staff = {Standing.RECRUITER, Standing.ADMIN}
    by_staff = {key for key, allowed in ROSTER_STATUS_RULES.items() if staff & allowed.keys()}
    assert by_staff == set(DECISION_WORDS)
    with db_session(write=False) as session:
        expert = session.get(Expert, queue["awa"])
        assert decisions_for(expert=expert, user=session.get(User, queue["awa_user"])) == []


def test_a_recruiter_rosters_a_profile_and_the_expert_is_told_with_a_link_to_their_history(
    app, recruiter, db_session, queue
):
    page = opened(recruiter, queue["public"]).get_data(as_text=True)
    chooser = re.search(r'<select[^>]*name="decision-to"[^>]*>(.*?)</select>', page, re.S)
    offered = re.findall(r'<option[^>]*value="([a-z_]*)"', chooser.group(1))
    assert offered == ["", "applicant", "rostered", "declined"]  # no withdrawal: admins only
    response = send(
        recruiter, page, f"/vetting/{queue['public']}/decision", decision__to="rostered"
    )
    assert response.status_code == 302
    after = text_of(recruiter.get(response.headers["Location"]))
    assert "Decision recorded: the roster status is now rostered." in after
    assert "No decision is open to you" not in after
    with db_session(write=False) as session:
        assert session.get(Expert, queue["awa"]).roster_status == RS.ROSTERED
    (mail,) = outbox(app)
    body = mail.get_payload(decode=True).decode()
    assert mail["To"] == "vetted1@example.org"
    assert mail["Subject"] == "Your roster status on the Electoral Expert Roster is now: rostered"
    assert "You are now on the roster" in body
    assert "http://localhost/me/data#status-history-heading" in body


def test_asking_for_more_information_sends_the_message_and_the_expert_reads_it(
    app, recruiter, db_session, queue
):
    page = opened(recruiter, queue["public"]).get_data(as_text=True)
    action = f"/vetting/{queue['public']}/decision"
    response = send(
        recruiter,
        page,
        action,
        decision__to="applicant",
        decision__reason="Please add your deployments of 2019 and 2021.",
    )
    assert response.status_code == 302
    (mail,) = outbox(app)
    body = mail.get_payload(decode=True).decode()
    assert "sent your profile back to you" in body
    assert "The recruiter's message:\n\nPlease add your deployments of 2019 and 2021." in body
    expert = app.test_client()
    assert sign_in(expert, "awa.ndiaye@example.org").status_code == 302
    history = text_of(expert.get("/me/data"))
    assert "Please add your deployments of 2019 and 2021." in history


def test_a_decline_needs_its_reason_and_a_change_the_machine_forbids_is_refused(
    app, recruiter, db_session, queue
):
    page = opened(recruiter, queue["public"]).get_data(as_text=True)
    action = f"/vetting/{queue['public']}/decision"
    bare = send(recruiter, page, action, decision__to="declined")
    assert bare.status_code == 400
    assert "Please give the reason for changing the roster status" in text_of(bare)
    forbidden = send(recruiter, page, action, decision__to="suspended", decision__reason="x")
    assert forbidden.status_code == 400
    assert "cannot change from under review to suspended" in text_of(forbidden)
    nonsense = send(recruiter, page, action, decision__to="promoted")
    assert nonsense.status_code == 400
    unchosen = send(recruiter, page, action, decision__to="")
    assert unchosen.status_code == 400
    assert "Choose a decision." in text_of(unchosen)
    assert 'id="decision-reason-error"' in bare.get_data(as_text=True)  # beside its field
    with db_session(write=False) as session:
        assert session.get(Expert, queue["awa"]).roster_status == RS.UNDER_REVIEW
        assert session.scalar(select(OutboxMessage.id)) is None
    assert outbox(app) == []


def test_a_second_decision_from_a_stale_page_is_409_and_nothing_is_lost(
    app, recruiter, make_user, db_session, queue
):
    page = opened(recruiter, queue["public"]).get_data(as_text=True)
    other = app.test_client()
    make_user("ada@example.org", "admin", name="Ada Lindqvist")
    assert sign_in(other, "ada@example.org").status_code == 302
    first = opened(other, queue["public"]).get_data(as_text=True)
    action = f"/vetting/{queue['public']}/decision"
    assert send(other, first, action, decision__to="rostered").status_code == 302
    late = send(
        recruiter, page, action, decision__to="declined", decision__reason="Too junior for now."
    )
    assert late.status_code == 409
    shown = late.get_data(as_text=True)
    assert "This profile changed since you opened it" in html.unescape(shown)
    assert "Too junior for now." in shown
    with db_session(write=False) as session:
        assert session.get(Expert, queue["awa"]).roster_status == RS.ROSTERED
    assert len(outbox(app)) == 1


def test_a_decision_on_a_status_changed_meanwhile_is_changed_not_refused(app, db_session, queue):
    with db_session(write=False) as session:
        seen = session.get(Expert, queue["awa"])
    admin_id = _admin(app)
    with app.app_context(), db_session() as session:
        change_roster_status(
            session=session,
            expert=session.get(Expert, queue["awa"]),
            to=RS.ROSTERED,
            by=session.get(User, admin_id),
        )
    with app.app_context(), db_session() as session, pytest.raises(VettingChanged):
        decide(
            session=session,
            expert=session.merge(seen, load=False),
            to=RS.DECLINED,
            by=session.get(User, admin_id),
            reason="No.",
            version=seen.version,
        )


def _admin(app) -> int:
    from tests.conftest import add_account

    return add_account(app, "ada@example.org", "admin").id


def test_the_experts_own_changes_are_not_mailed_to_them(app, db_session, queue):
    with app.app_context(), db_session() as session:
        change_roster_status(
            session=session,
            expert=session.get(Expert, queue["awa"]),
            to=RS.APPLICANT,
            by=session.get(User, queue["awa_user"]),
        )
    with db_session(write=False) as session:
        assert session.scalar(select(OutboxMessage.id)) is None


def test_an_import_writes_its_history_and_mails_nobody(app, runner, db_session, tmp_path):
    first = write_jsonl(tmp_path / "a.jsonl", [expert_record(1, roster_status="under_review")])
    assert runner.invoke(args=["roster", "import", str(first)]).exit_code == 0
    again = write_jsonl(tmp_path / "b.jsonl", [expert_record(1, roster_status="rostered")])
    result = runner.invoke(args=["roster", "import", str(again)])
    assert result.exit_code == 0, result.output
    with db_session(write=False) as session:
        history = session.scalars(select(RosterStatusChange.to_status)).all()
        assert RS.ROSTERED in history
        assert session.scalar(select(OutboxMessage.id)) is None


def test_bad_input_is_refused_in_plain_words_and_writes_nothing(recruiter, db_session, queue):
    page = opened(recruiter, queue["public"]).get_data(as_text=True)
    action = f"/vetting/{queue['public']}/expertise/voter-registration"
    values = page_values(page, action)
    unknown = recruiter.post(
        f"/vetting/{queue['public']}/expertise/knitting",
        data={k.replace("voter-registration", "knitting"): v for k, v in values.items()}
        | {"area-knitting-verified": "y", "area-knitting-note": "seen"},
    )
    assert unknown.status_code == 400
    assert "This expertise area is not on the profile any more." in text_of(unknown)
    long = send(
        recruiter,
        page,
        f"/vetting/{queue['public']}/decision",
        decision__to="declined",
        decision__reason="x" * 5000,
    )
    assert long.status_code == 400
    assert "cannot be longer than 1000 characters" in text_of(long)
    assert recruiter.get("/vetting/" + "x" * 40).status_code == 404
    with db_session(write=False) as session:
        assert session.get(Expert, queue["awa"]).roster_status == RS.UNDER_REVIEW
        assert (
            session.scalar(
                select(ExpertSkill.verified_at).where(ExpertSkill.verified_at.is_not(None))
            )
            is None
        )


def test_an_expert_without_an_account_is_told_how_to_read_the_history(app, db_session, queue):
    admin_id = _admin(app)
    with app.app_context(), db_session() as session:
        change_roster_status(
            session=session,
            expert=session.get(Expert, queue["bo"]),
            to=RS.DECLINED,
            by=session.get(User, admin_id),
            reason="Your languages do not meet the roster's minimum yet.",
        )
    (mail,) = outbox(app)
    body = mail.get_payload(decode=True).decode()
    assert "Your application to the roster was declined." in body
    assert "The reason given:\n\nYour languages do not meet the roster's minimum yet." in body
    assert "register with this email address to read it" in body
    assert "http" not in body
