"""Candidate outcomes: the taxonomy's codes, one machine of decisions, kept and audited."""

import json
from datetime import date

import pytest
from sqlalchemy import select

from matching.vocabulary import DATA_DIR, TAXONOMY
from roster.models import (
    AuditEvent,
    CandidateDecision,
    CandidateOutcome,
    MissionRole,
    NeedsAssessment,
    RosterStatus,
    Shortlist,
    ShortlistEntry,
)
from roster.policy.candidacy import OUTCOME_RULES, current_outcome, record_outcome
from roster.policy.standing import Standing
from roster.policy.transitions import Reason, TransitionRefused
from tests.conftest import PASSWORD, stored_expert
from tests.roster.conftest import post_form

CO = CandidateOutcome
PEOPLE = ("owner", "recruiter", "planner", "admin", "stranger")


@pytest.fixture
def role_id(db_session) -> int:
    """A role of a needs assessment for Mali."""
    with db_session() as session:
        needs = NeedsAssessment(
            external_id="NA-ML-2027",
            title="Support to the 2027 elections",
            country="ML",
            start=date(2027, 1, 10),
            end=date(2027, 6, 30),
        )
        needs.roles = [MissionRole(role_key="R1", title="Voter Registration Adviser")]
        session.add(needs)
        session.flush()
        return needs.roles[0].id


def decide(cast, role_id: int, who: str, to, **extra):
    """``who`` records ``to`` for the cast's expert, in a session of its own."""
    with cast.db_session() as session:
        return record_outcome(
            session=session,
            role=session.get(MissionRole, role_id),
            expert=cast.expert(session),
            to=to,
            by=cast.user(session, who),
            **extra,
        )


def refused(cast, role_id: int, who: str, to, **extra) -> TransitionRefused:
    """The refusal ``who`` gets for recording ``to``."""
    with pytest.raises(TransitionRefused) as caught:
        decide(cast, role_id, who, to, **extra)
    return caught.value


def decisions(cast) -> list[tuple]:
    """The decision rows kept: (outcome, note, rating, who), oldest first."""
    with cast.db_session(write=False) as session:
        rows = session.scalars(select(CandidateDecision).order_by(CandidateDecision.id))
        return [(r.outcome, r.note, r.rating, r.decided_by_id) for r in rows]


def arrange(cast, role_id: int, outcome: CandidateOutcome | None) -> None:
    """Put the candidacy at ``outcome`` directly, as a test's starting point."""
    with cast.db_session() as session:
        session.execute(CandidateDecision.__table__.delete())
        session.execute(AuditEvent.__table__.delete())
        if outcome is not None:
            session.add(
                CandidateDecision(role_id=role_id, expert_id=cast.expert_id, outcome=outcome)
            )


def test_the_outcomes_are_the_taxonomys_and_the_decision_schemas():
    schema = json.loads((DATA_DIR / "decisions.schema.json").read_text())
    assert [o.value for o in CandidateOutcome] == TAXONOMY["candidate_outcomes"]
    assert [o.value for o in CandidateOutcome] == schema["properties"]["outcome"]["enum"]


@pytest.mark.parametrize(("start", "to"), list(OUTCOME_RULES), ids=str)
def test_each_decision_is_open_to_exactly_whom_its_rule_names_with_its_reason(
    cast, role_id, start, to
):
    cast.put(RosterStatus.ROSTERED)
    rule = OUTCOME_RULES[(start, to)]
    for who in PEOPLE:
        arrange(cast, role_id, start)
        kept = decisions(cast)
        if who == "stranger" or Standing(who) not in rule:
            assert refused(cast, role_id, who, to, reason="checked").field == "to", who
            assert decisions(cast) == kept, who
            continue
        if rule[Standing(who)] is Reason.REQUIRED:
            assert refused(cast, role_id, who, to).field == "reason", who
            assert decisions(cast) == kept, who
        decide(cast, role_id, who, to, reason="checked")
        assert decisions(cast) == [*kept, (to, "checked", None, cast.user_ids[who])], who
        with cast.db_session(write=False) as session:
            assert current_outcome(session=session, role_id=role_id, expert_id=cast.expert_id) is to
            [event] = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "candidate.outcome_recorded")
            )
        assert event.detail == {
            "needs": "NA-ML-2027",
            "role": "R1",
            "from": start.value if start else None,
            "to": to.value,
        }


def test_a_candidacy_from_shortlist_to_a_rated_deployment(cast, role_id, db_session):
    cast.put(RosterStatus.ROSTERED)
    with db_session() as session:
        shortlist = Shortlist(role_id=role_id, requested_k=10)
        shortlist.entries = [ShortlistEntry(expert_id=cast.expert_id, rank=1, score=0.9)]
        session.add(shortlist)
        session.flush()
        entry_id = shortlist.entries[0].id
    with db_session() as session:
        record_outcome(
            session=session,
            role=session.get(MissionRole, role_id),
            expert=cast.expert(session),
            to=CO.SHORTLISTED,
            by=cast.user(session, "planner"),
            shortlist_entry=session.get(ShortlistEntry, entry_id),
        )
    decide(cast, role_id, "planner", CO.CONTACTED)
    decide(cast, role_id, "owner", CO.AVAILABLE)
    for step in (CO.PROPOSED, CO.SELECTED, CO.DEPLOYED):
        decide(cast, role_id, "planner", step)
    assert "from 1 to 5" in str(refused(cast, role_id, "planner", CO.COMPLETED, rating=6))
    decide(cast, role_id, "planner", CO.COMPLETED, rating=4)
    kept = decisions(cast)
    assert [d[0] for d in kept] == [
        CO.SHORTLISTED,
        CO.CONTACTED,
        CO.AVAILABLE,
        CO.PROPOSED,
        CO.SELECTED,
        CO.DEPLOYED,
        CO.COMPLETED,
    ]
    assert kept[-1][2] == 4 and kept[2][3] == cast.user_ids["owner"]
    with db_session(write=False) as session:
        first = session.scalar(select(CandidateDecision).order_by(CandidateDecision.id))
        assert first.shortlist_entry_id == entry_id
    assert str(refused(cast, role_id, "planner", CO.WITHDRAWN, reason="late")) == (
        "A candidate outcome of completed is final: it cannot change to withdrawn."
    )


def test_refusals_say_why_in_plain_words(cast, role_id):
    assert str(refused(cast, role_id, "planner", CO.SHORTLISTED)) == (
        "Only rostered experts can be shortlisted; this expert is applicant."
    )
    cast.put(RosterStatus.ROSTERED)
    assert str(refused(cast, role_id, "recruiter", CO.SHORTLISTED)) == (
        "Only a mission planner or an administrator can change the candidate outcome "
        "to shortlisted."
    )
    assert str(refused(cast, role_id, "planner", CO.CONTACTED)) == (
        "A new candidate outcome cannot be contacted; it starts as shortlisted."
    )
    assert "'hired' is not a candidate outcome" in str(refused(cast, role_id, "planner", "hired"))
    arrange(cast, role_id, CO.PROPOSED)
    assert str(refused(cast, role_id, "planner", CO.NOT_SELECTED)) == (
        "Please give the reason for changing the candidate outcome from proposed to "
        "not selected: whoever looks back at this candidacy reads it."
    )
    assert refused(cast, role_id, "planner", CO.SELECTED, rating=5).field == "rating"
    assert decisions(cast) == [(CO.PROPOSED, "", None, None)]


def test_the_expert_withdraws_without_explaining_but_staff_must_say_why(cast, role_id):
    cast.put(RosterStatus.ROSTERED)
    arrange(cast, role_id, CO.SELECTED)
    assert refused(cast, role_id, "planner", CO.WITHDRAWN).field == "reason"
    decide(cast, role_id, "owner", CO.WITHDRAWN)
    assert decisions(cast)[-1][:2] == (CO.WITHDRAWN, "")


def test_a_shortlist_entry_of_another_role_is_refused(cast, role_id, db_session):
    cast.put(RosterStatus.ROSTERED)
    with db_session() as session:
        other = MissionRole(
            needs_id=session.get(MissionRole, role_id).needs_id,
            role_key="R2",
            title="Legal Adviser",
        )
        shortlist = Shortlist(role=other, requested_k=5)
        shortlist.entries = [ShortlistEntry(expert_id=cast.expert_id, rank=1, score=0.5)]
        session.add(shortlist)
        session.flush()
        entry_id = shortlist.entries[0].id
    with db_session() as session:
        entry = session.get(ShortlistEntry, entry_id)
        with pytest.raises(TransitionRefused, match="another candidate or another role"):
            record_outcome(
                session=session,
                role=session.get(MissionRole, role_id),
                expert=cast.expert(session),
                to=CO.SHORTLISTED,
                by=cast.user(session, "planner"),
                shortlist_entry=entry,
            )


def test_erasing_the_expert_keeps_the_decisions_without_their_notes(
    profiled_client, make_user, role_id, db_session
):
    planner = make_user("paul@example.org", "planner")
    expert = stored_expert(db_session)
    with db_session() as session:
        session.get(type(expert), expert.id).roster_status = RosterStatus.ROSTERED
    with db_session() as session:
        for to, reason in ((CO.SHORTLISTED, ""), (CO.WITHDRAWN, "Awa Ndiaye's visa was refused")):
            record_outcome(
                session=session,
                role=session.get(MissionRole, role_id),
                expert=session.get(type(expert), expert.id),
                to=to,
                by=session.merge(planner),
                reason=reason,
            )
    response = post_form(profiled_client, "/me/delete", {"understand": "y", "password": PASSWORD})
    assert response.status_code == 302
    with db_session(write=False) as session:
        rows = session.scalars(select(CandidateDecision).order_by(CandidateDecision.id)).all()
    assert [(r.outcome, r.expert_id, r.note) for r in rows] == [
        (CO.SHORTLISTED, None, ""),
        (CO.WITHDRAWN, None, ""),
    ]
