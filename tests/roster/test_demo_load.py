"""`flask roster demo` on the database: histories, missions and decisions as stored and seen."""

import itertools
import re
from collections import Counter, defaultdict
from datetime import UTC, date

import pytest
from sqlalchemy import func, select

from matching.vocabulary import UN_MEMBER_STATES
from roster.demo import history_data, taxonomy
from roster.demo.missions import mission_count
from roster.demo.reference import start_of
from roster.models import (
    AuditEvent,
    AvailabilityWindow,
    CandidateDecision,
    Deployment,
    Expert,
    ExpertLanguage,
    ExpertNationality,
    ExpertSkill,
    MissionRole,
    NeedsAssessment,
    RosterStatusChange,
    Shortlist,
    ShortlistEntry,
)
from roster.reminders import is_stale
from tests.conftest import sign_in
from tests.roster.conftest import LEADS_ON, STAGES, post_form

AS_OF = date(2026, 12, 1)
NOW = start_of(AS_OF)


def demo(runner, experts: int, *more: str):
    """Run the demo command as a data manager would; return its output."""
    args = ["roster", "demo", "--experts", str(experts), "--seed", "8", *more]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return result.output


def aware(moment):
    """Timestamps come back from SQLite without a zone; they are stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.fixture
def loaded(runner) -> str:
    return demo(runner, 600, "--as-of", AS_OF.isoformat())


def test_the_command_reports_the_experts_and_the_past_missions(loaded, db_session):
    assert "600 record(s) from demo seed 8: 600 created" in loaded
    found = re.search(r"(\d+) needs assessment\(s\), (\d+) shortlist\(s\), (\d+) candidate", loaded)
    assert found and int(found.group(1)) == mission_count(600)
    with db_session() as session:
        assert session.scalar(select(func.count()).select_from(Shortlist)) == int(found.group(2))
        assert session.scalar(select(func.count(CandidateDecision.id))) == int(found.group(3))
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.demo"))
        assert event.detail["day"] == AS_OF.isoformat() and event.detail["experts"] == 600


def test_profiles_are_dated_over_the_years_and_a_share_is_stale(loaded, db_session):
    with db_session() as session:
        experts = list(session.scalars(select(Expert)))
    assert {e.roster_status for e in experts} == set(taxonomy()["roster_statuses"])
    assert len({aware(e.created_at).year for e in experts}) >= 8
    stale = [e for e in experts if is_stale(e, now=NOW)]
    assert 0.2 <= len(stale) / len(experts) <= 0.4
    reminded = [e for e in experts if e.stale_reminder_sent_at is not None]
    assert reminded and set(map(id, reminded)) <= set(map(id, stale))
    for expert in experts:
        created = aware(expert.created_at)
        assert created <= aware(expert.profile_confirmed_at) < NOW
        assert created <= aware(expert.updated_at) < NOW
        for name in ("gender", "disability", "birth_year"):
            consent = getattr(expert, f"{name}_consent_at")
            assert consent is None or created <= aware(consent) < NOW


def test_status_histories_tell_how_each_expert_got_there(loaded, db_session):
    reasons = history_data()["status_reasons"]
    with db_session() as session:
        statuses = dict(session.execute(select(Expert.id, Expert.roster_status)).all())
        created = dict(session.execute(select(Expert.id, Expert.created_at)).all())
        updated = dict(session.execute(select(Expert.id, Expert.updated_at)).all())
        rows = session.scalars(
            select(RosterStatusChange).order_by(
                RosterStatusChange.expert_id, RosterStatusChange.changed_at, RosterStatusChange.id
            )
        ).all()
    histories = defaultdict(list)
    for row in rows:
        histories[row.expert_id].append(row)
    assert set(histories) == set(statuses)
    for expert_id, changes in histories.items():
        assert changes[0].from_status is None and changes[0].to_status == "applicant"
        assert aware(changes[0].changed_at) == aware(created[expert_id])
        assert all(a.to_status == b.from_status for a, b in itertools.pairwise(changes))
        assert changes[-1].to_status == statuses[expert_id]
        assert aware(changes[-1].changed_at) <= aware(updated[expert_id])
        for change in changes:
            assert change.reason
            if change.to_status in ("declined", "suspended"):
                assert change.reason in reasons[change.to_status]


def test_profiles_under_review_are_complete(loaded, db_session):
    with db_session() as session:
        waiting = session.scalars(select(Expert).where(Expert.roster_status == "under_review"))
        waiting = list(waiting)
        assert len(waiting) >= 30
        for table in (ExpertLanguage, ExpertSkill, AvailabilityWindow):
            with_rows = session.scalar(
                select(func.count(func.distinct(table.expert_id))).where(
                    table.expert_id.in_([e.id for e in waiting])
                )
            )
            assert with_rows == len(waiting), table.__name__
    assert all(e.summary and e.seniority for e in waiting)


def test_past_missions_hold_shortlists_and_decisions_in_the_contracts_order(loaded, db_session):
    with db_session() as session:
        needs = list(session.scalars(select(NeedsAssessment)))
        roles = {r.id: r for r in session.scalars(select(MissionRole))}
        entries = {e.id: e for e in session.scalars(select(ShortlistEntry))}
        shortlists = {s.id: s for s in session.scalars(select(Shortlist))}
        decisions = session.scalars(
            select(CandidateDecision).order_by(CandidateDecision.decided_at, CandidateDecision.id)
        ).all()
    assert len(needs) == mission_count(600)
    for assessment in needs:
        assert assessment.country in UN_MEMBER_STATES and assessment.end < AS_OF
        assert assessment.status == "closed" and assessment.exclude_nationals
    assert Counter(s.role_id for s in shortlists.values()) == Counter(dict.fromkeys(roles, 1))
    for shortlist in shortlists.values():
        ranks = sorted(e.rank for e in entries.values() if e.shortlist_id == shortlist.id)
        assert ranks == list(range(1, len(ranks) + 1))
        assert len(ranks) == min(shortlist.requested_k, shortlist.eligible_count)
    steps = defaultdict(list)
    for decision in decisions:
        steps[(decision.role_id, decision.expert_id)].append(decision)
        entry = entries[decision.shortlist_entry_id]
        assert entry.expert_id == decision.expert_id
        assert shortlists[entry.shortlist_id].role_id == decision.role_id
    assert len(steps) == len(entries)
    stage = {outcome: i for i, group in enumerate(STAGES) for outcome in group}
    for candidacy in steps.values():
        outcomes = [d.outcome for d in candidacy]
        assert outcomes[0] == "shortlisted" and "withdrawn" not in outcomes[:-1]
        for before, after in itertools.pairwise(outcomes):
            assert before in LEADS_ON
            assert after == "withdrawn" or stage[after] == stage[before] + 1, outcomes
        assert all(d.rating is None for d in candidacy if d.outcome != "completed")


def test_deployments_match_the_decisions_and_no_national_is_deployed_home(loaded, db_session):
    with db_session() as session:
        linked = session.scalars(select(Deployment).where(Deployment.mission_role_id.is_not(None)))
        linked = list(linked)
        country = dict(
            session.execute(
                select(MissionRole.id, NeedsAssessment.country).join(
                    NeedsAssessment, MissionRole.needs_id == NeedsAssessment.id
                )
            ).all()
        )
        outcomes = defaultdict(dict)
        for decision in session.scalars(select(CandidateDecision)):
            outcomes[(decision.role_id, decision.expert_id)][decision.outcome] = decision
        nationalities = defaultdict(set)
        for row in session.scalars(select(ExpertNationality)):
            nationalities[row.expert_id].add(row.country)
    deployed = {key for key, steps in outcomes.items() if "deployed" in steps}
    assert len(linked) == len(deployed) >= 10
    assert {(d.mission_role_id, d.expert_id) for d in linked} == deployed
    for deployment in linked:
        steps = outcomes[(deployment.mission_role_id, deployment.expert_id)]
        assert country[deployment.mission_role_id] not in nationalities[deployment.expert_id]
        assert deployment.country == country[deployment.mission_role_id]
        completed = steps.get("completed")
        assert deployment.rating == (completed.rating if completed else None)
        if completed:
            assert 1 <= completed.rating <= 5


def test_the_same_seed_and_day_give_the_same_roster_again(runner, db_session):
    def content() -> dict:
        with db_session() as session:
            ids = dict(session.execute(select(Expert.id, Expert.external_id)).all())
            keys = {
                r.id: (n.external_id, r.role_key)
                for r, n in session.execute(
                    select(MissionRole, NeedsAssessment).join(NeedsAssessment)
                ).all()
            }
            return {
                "experts": sorted(
                    (e.external_id, e.version, e.created_at, e.updated_at, e.profile_confirmed_at)
                    + (e.stale_reminder_sent_at, e.gender_consent_at, e.roster_status)
                    for e in session.scalars(select(Expert))
                ),
                "history": sorted(
                    (ids[c.expert_id], c.changed_at, c.from_status or "", c.to_status, c.reason)
                    for c in session.scalars(select(RosterStatusChange))
                ),
                "decisions": sorted(
                    (keys[d.role_id], ids[d.expert_id], d.decided_at, d.outcome, d.note)
                    + (d.rating or 0,)
                    for d in session.scalars(select(CandidateDecision))
                ),
                "deployments": sorted(
                    (ids[d.expert_id], d.start, d.end, d.rating or 0, keys.get(d.mission_role_id))
                    for d in session.scalars(select(Deployment))
                ),
            }

    first_output = demo(runner, 300, "--as-of", AS_OF.isoformat())
    first = content()
    again = demo(runner, 300, "--as-of", AS_OF.isoformat())
    assert "0 created, 0 updated, 300 unchanged" in again
    assert first_output.splitlines()[-1] == again.splitlines()[-1]
    assert content() == first
    assert "already holds 300 experts" in demo(runner, 300, "--if-empty")


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_export_then_import_of_the_demo_changes_nothing(runner, tmp_path, suffix):
    demo(runner, 300, "--as-of", AS_OF.isoformat())
    path = tmp_path / f"roster{suffix}"
    assert runner.invoke(args=["roster", "export", str(path)]).exit_code == 0
    result = runner.invoke(args=["roster", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated, 300 unchanged" in result.output


def test_a_day_that_is_not_a_date_is_refused_in_plain_words(runner, db_session):
    result = runner.invoke(args=["roster", "demo", "--experts", "10", "--as-of", "1 December"])
    assert result.exit_code == 2
    assert "Invalid value for '--as-of'" in result.output and "Traceback" not in result.output
    with db_session() as session:
        assert session.scalar(select(func.count()).select_from(Expert)) == 0


def test_a_recruiter_sees_profiles_confirmed_over_the_years_and_why_one_was_declined(
    app, runner, make_user, db_session
):
    demo(runner, 300)  # the demo's day is today
    make_user("recruiter@example.org", "recruiter", name="Rita Okafor")
    recruiter = app.test_client()
    assert sign_in(recruiter, "recruiter@example.org").status_code == 302
    shown = []
    for page in range(1, 5):
        html = recruiter.get(f"/experts?page={page}", follow_redirects=True).get_data(as_text=True)
        shown += re.findall(r'<td class="confirmed">(\d{1,2} \w+ \d{4})</td>', html)
    assert len(shown) == 100
    years = Counter(day.split()[-1] for day in shown)
    assert len(years) >= 3, years  # not every profile "last confirmed" today
    with db_session() as session:
        declined = session.scalar(
            select(Expert).where(Expert.roster_status == "declined").order_by(Expert.id)
        )
        reason = session.scalars(
            select(RosterStatusChange.reason).where(
                RosterStatusChange.expert_id == declined.id,
                RosterStatusChange.to_status == "declined",
            )
        ).one()
    page = post_form(recruiter, f"/experts/{declined.public_id}", {"purpose": "vetting"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Roster status history" in text
    assert reason.replace("'", "&#39;") in text and "under review" in text
