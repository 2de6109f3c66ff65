"""Roster statuses: the taxonomy's codes, one machine of changes, its history and audit."""

import itertools
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError

from matching.vocabulary import DATA_DIR, TAXONOMY
from roster.interchange.store import write_experts
from roster.models import AuditEvent, Expert, RosterStatus, RosterStatusChange
from roster.policy.roster_status import ROSTER_STATUS_RULES, change_roster_status
from roster.policy.standing import Standing
from roster.policy.transitions import Reason, TransitionRefused
from tests.conftest import sign_in
from tests.factories import expert_record
from tests.roster.conftest import EXPERT_EMAIL, IDENTITY, post_form

RS = RosterStatus
PEOPLE = ("owner", "recruiter", "planner", "admin", "stranger")


def change(cast, who: str, to, reason: str = ""):
    """``who`` changes the cast's expert to ``to``, in a session of its own."""
    with cast.app.app_context(), cast.db_session() as session:
        return change_roster_status(
            session=session,
            expert=cast.expert(session),
            to=to,
            by=cast.user(session, who),
            reason=reason,
        )


def refused(cast, who: str, to, reason: str = "") -> TransitionRefused:
    """The refusal ``who`` gets for changing to ``to``."""
    with pytest.raises(TransitionRefused) as caught:
        change(cast, who, to, reason)
    return caught.value


def written(cast) -> tuple[RosterStatus, list[tuple], int]:
    """The stored status, the history rows (from, to, reason) and the audit rows of changes."""
    with cast.db_session(write=False) as session:
        status = cast.expert(session).roster_status
        rows = session.scalars(
            select(RosterStatusChange)
            .where(RosterStatusChange.expert_id == cast.expert_id)
            .order_by(RosterStatusChange.id)
        )
        history = [(r.from_status, r.to_status, r.reason) for r in rows]
        audits = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "roster.status_changed")
        )
    return status, history, audits


def test_the_statuses_are_the_taxonomys_and_the_schemas():
    schema = json.loads((DATA_DIR / "expert.schema.json").read_text())
    assert [s.value for s in RosterStatus] == TAXONOMY["roster_statuses"]
    assert [s.value for s in RosterStatus] == schema["properties"]["roster_status"]["enum"]
    assert RS.UNDER_REVIEW.label == "under review"


@pytest.mark.parametrize(
    ("start", "to"), [key for key in ROSTER_STATUS_RULES if key[0] is not None], ids=str
)
def test_each_change_is_open_to_exactly_whom_its_rule_names_with_its_reason(cast, start, to):
    rule = ROSTER_STATUS_RULES[(start, to)]
    for who in PEOPLE:
        cast.put(start)
        allowed = Standing(who) in rule if who != "stranger" else False
        if not allowed:
            assert refused(cast, who, to, "checked").field == "to", who
            assert written(cast) == (start, [], 0), who
            continue
        if rule[Standing(who)] is Reason.REQUIRED:
            assert refused(cast, who, to).field == "reason", who
            assert written(cast) == (start, [], 0), who
        row = change(cast, who, to, "  checked\r\n")
        assert row.changed_by_id == cast.user_ids[who]
        assert written(cast) == (to, [(start, to, "checked")], 1), who
        with cast.db_session() as session:
            session.execute(RosterStatusChange.__table__.delete())
            session.execute(AuditEvent.__table__.delete())


def test_the_contracts_reasons_are_required_of_everyone_who_declines_or_suspends():
    for (_, to), rule in ROSTER_STATUS_RULES.items():
        if to in (RS.DECLINED, RS.SUSPENDED):
            assert set(rule.values()) == {Reason.REQUIRED}, to
            assert Standing.OWNER not in rule


def test_every_status_is_reached_from_registration_and_every_one_can_be_left():
    reached, frontier = set(), {None}
    while frontier:
        frontier = {to for (start, to) in ROSTER_STATUS_RULES if start in frontier} - reached
        reached |= frontier
    assert reached == set(RosterStatus)
    for status in RosterStatus:
        assert any(start == status for start, _ in ROSTER_STATUS_RULES), status
        if status is not RS.WITHDRAWN:
            assert Standing.OWNER in ROSTER_STATUS_RULES[(status, RS.WITHDRAWN)]


def test_refusals_say_why_in_plain_words_and_write_nothing(cast):
    cast.put(RS.UNDER_REVIEW)
    assert str(refused(cast, "planner", RS.ROSTERED)) == (
        "Only a recruiter or an administrator can change the roster status "
        "from under review to rostered."
    )
    assert str(refused(cast, "owner", RS.ROSTERED)) == (
        "Only a recruiter or an administrator can change the roster status "
        "from under review to rostered, and not on their own record."
    )
    assert str(refused(cast, "recruiter", RS.DECLINED, " \n ")) == (
        "Please give the reason for changing the roster status from under review to "
        "declined: the expert reads it."
    )
    assert "at most 1,000 characters" in str(refused(cast, "recruiter", RS.DECLINED, "x" * 1001))
    assert "cannot be stored" in str(refused(cast, "recruiter", RS.DECLINED, "no\x00pe"))
    assert str(refused(cast, "recruiter", "vetted")) == (
        "'vetted' is not a roster status; it must be one of: applicant, under_review, "
        "rostered, declined, inactive, suspended, withdrawn."
    )
    assert str(refused(cast, "recruiter", RS.UNDER_REVIEW)) == (
        "The roster status is already under review; nothing was changed."
    )
    cast.put(RS.ROSTERED)
    assert str(refused(cast, "admin", RS.APPLICANT)) == (
        "A roster status cannot change from rostered to applicant; from rostered it can "
        "change to inactive, suspended, withdrawn."
    )
    assert written(cast) == (RS.ROSTERED, [], 0)


def test_a_recruiter_who_is_on_the_roster_cannot_vet_themself(app, make_user, db_session):
    user = make_user("rita@example.org", "expert", "recruiter")
    with db_session() as session:
        session.add(
            Expert(
                external_id="EXP-1",
                full_name="Rita",
                email=user.email,
                user_id=user.id,
                roster_status=RS.UNDER_REVIEW,
            )
        )
    with (
        pytest.raises(TransitionRefused, match="and not on their own record"),
        db_session() as session,
    ):
        expert = session.scalar(select(Expert))
        change_roster_status(session=session, expert=expert, to=RS.ROSTERED, by=session.merge(user))


def test_two_changes_from_the_same_status_cannot_both_succeed(cast):
    cast.put(RS.UNDER_REVIEW)
    with cast.db_session(write=False) as session:
        seen_earlier = cast.expert(session)  # what a second recruiter's page was built from
    change(cast, "recruiter", RS.ROSTERED)
    with pytest.raises(TransitionRefused) as caught, cast.db_session() as session:
        change_roster_status(
            session=session,
            expert=session.merge(seen_earlier, load=False),
            to=RS.DECLINED,
            by=cast.user(session, "admin"),
            reason="Not enough experience.",
        )
    assert str(caught.value) == (
        "The roster status changed meanwhile: it is now rostered. "
        "Nothing was changed; look at the profile again."
    )
    status, history, audits = written(cast)
    assert (status, [h[1] for h in history], audits) == (RS.ROSTERED, [RS.ROSTERED], 1)


def test_a_change_moves_the_profile_version_on(cast):
    cast.put(RS.ROSTERED)
    with cast.db_session(write=False) as session:
        before = cast.expert(session).version
    change(cast, "owner", RS.INACTIVE)
    with cast.db_session(write=False) as session:
        assert cast.expert(session).version == before + 1


def test_registering_a_profile_makes_an_applicant_with_its_history_and_audit(
    expert_client, db_session
):
    assert post_form(expert_client, "/me/identity", IDENTITY).status_code == 302
    with db_session(write=False) as session:
        expert = session.scalar(select(Expert))
        [row] = session.scalars(select(RosterStatusChange))
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "roster.status_changed")
        )
    assert expert.roster_status is RS.APPLICANT
    assert (row.from_status, row.to_status, row.reason) == (None, RS.APPLICANT, "registered online")
    assert row.changed_by_id == expert.user_id == event.actor_id
    assert (event.subject_expert_id, event.detail) == (expert.id, {"from": None, "to": "applicant"})
    page = expert_client.get("/me/data").get_data(as_text=True)
    assert "<td>applicant</td><td><bdi>registered online</bdi></td>" in page


def test_a_declined_expert_reads_why_and_staff_see_the_history(app, cast, staff, db_session):
    cast.put(RS.UNDER_REVIEW)
    reason = "Your French is at B2; the roster asks for C1 in a working language."
    change(cast, "recruiter", RS.DECLINED, reason)
    owner = app.test_client()
    sign_in(owner, EXPERT_EMAIL)
    page = owner.get("/me/data").get_data(as_text=True)
    assert f"<td>under review</td><td>declined</td><td><bdi>{reason}</bdi></td>" in page
    assert "<dt>Roster status</dt><dd>declined</dd>" in page
    with db_session() as session:
        public_id = cast.expert(session).public_id
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "roster.status_changed")
        )
    assert event.detail == {"from": "under_review", "to": "declined"} and event.reason == ""
    staff_page = post_form(staff("admin"), f"/experts/{public_id}", {"purpose": "vetting"})
    assert f"<td>declined</td><td><bdi>{reason}</bdi></td>" in staff_page.get_data(as_text=True)
    assert " · declined · " in staff_page.get_data(as_text=True)


def test_no_write_can_store_a_status_outside_the_taxonomy(db_session):
    with pytest.raises(StatementError, match="'vetted' is not a roster status"):
        with db_session() as session:
            session.add(
                Expert(
                    external_id="X", full_name="X", email="x@example.org", roster_status="vetted"
                )
            )
    with pytest.raises(ValueError, match="'famous' is not a roster status"):
        with db_session() as session:
            write_experts(
                session, [(expert_record(1, roster_status="famous"), None)], reason="test"
            )
    with db_session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Expert)) == 0


def test_an_import_sets_statuses_and_keeps_one_history_row_per_change(runner, db_session, tmp_path):
    source = tmp_path / "roster.jsonl"
    for status in ("applicant", "rostered", "rostered", "suspended"):
        source.write_text(json.dumps(expert_record(1, roster_status=status)) + "\n")
        result = runner.invoke(args=["roster", "import", str(source)])
        assert result.exit_code == 0, result.output
    with db_session(write=False) as session:
        history = [
            (r.from_status, r.to_status, r.reason)
            for r in session.scalars(select(RosterStatusChange).order_by(RosterStatusChange.id))
        ]
        assert session.scalar(select(Expert.roster_status)) is RS.SUSPENDED
    imported = "imported from roster.jsonl"
    assert history == [
        (None, RS.APPLICANT, imported),
        (RS.APPLICANT, RS.ROSTERED, imported),
        (RS.ROSTERED, RS.SUSPENDED, imported),
    ]


def test_the_demo_roster_gives_every_expert_a_valid_status_and_its_first_history_row(
    runner, db_session
):
    from roster.demo.lifecycle import STATUS_SHARES

    assert set(STATUS_SHARES) == set(RosterStatus)
    result = runner.invoke(args=["roster", "demo", "--experts", "120", "--seed", "5"])
    assert result.exit_code == 0, result.output
    with db_session(write=False) as session:
        experts = dict(session.execute(select(Expert.id, Expert.roster_status)).all())
        history = session.scalars(select(RosterStatusChange)).all()
    assert len(experts) == 120 and all(isinstance(s, RosterStatus) for s in experts.values())
    assert len({s for s in experts.values()}) >= 4
    # Each expert's history is one chain: from registration to where they stand now.
    chains: dict[int, list] = {}
    for change in sorted(history, key=lambda h: (h.expert_id, h.changed_at, h.id)):
        chains.setdefault(change.expert_id, []).append(change)
    assert chains.keys() == experts.keys()
    for expert_id, chain in chains.items():
        assert chain[0].from_status is None
        assert all(a.to_status == b.from_status for a, b in itertools.pairwise(chain))
        assert chain[-1].to_status == experts[expert_id]
