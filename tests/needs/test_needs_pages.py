"""The list of assessments with each role's progress, one assessment, closing, access, the log."""

import re
from datetime import timedelta

from sqlalchemy import event, select

from matching.vocabulary import LANGUAGE_LEVELS, SENIORITY
from roster.db import engines, session_scope
from roster.missions.records import save_needs
from roster.models import (
    AuditEvent,
    CandidateDecision,
    CandidateOutcome,
    MissionRole,
    NeedsAssessment,
    UnmetDemand,
    utcnow,
)
from tests.conftest import csrf_token
from tests.factories import expert_row, needs_record, role_record
from tests.roster.test_pseudo_locale import assert_all_marked


def saved(app, record) -> NeedsAssessment:
    with app.app_context(), session_scope() as session:
        needs, _ = save_needs(session=session, record=record, by=None)
        return needs


def decide(db_session, role_key: str, outcomes: list[list[str]]) -> None:
    """One candidate per list of outcomes, decided in that order."""
    with db_session() as session:
        role = session.scalar(select(MissionRole).where(MissionRole.role_key == role_key))
        start = utcnow() - timedelta(days=10)
        for number, steps in enumerate(outcomes, start=1):
            expert = expert_row(number + 100 * len(role_key))
            session.add(expert)
            session.flush()
            for day, outcome in enumerate(steps):
                session.add(
                    CandidateDecision(
                        role_id=role.id,
                        expert_id=expert.id,
                        outcome=CandidateOutcome(outcome),
                        decided_at=start + timedelta(days=day),
                    )
                )


def test_the_list_shows_open_assessments_first_with_each_roles_progress_in_one_query(
    app, planner, db_session
):
    saved(app, needs_record(role_record("R1", positions=2), id="NA-OPEN", title="Open one"))
    closed = saved(app, needs_record(role_record("Q1"), id="NA-CLOSED", title="Closed one"))
    with db_session() as session:
        session.get(NeedsAssessment, closed.id).status = "closed"
    decide(
        db_session,
        "R1",
        [
            ["shortlisted"],
            ["shortlisted", "contacted"],
            ["shortlisted", "contacted", "available", "proposed"],
            ["shortlisted", "contacted", "available", "proposed", "selected"],
            ["shortlisted", "contacted", "unavailable"],
        ],
    )
    statements: list[str] = []
    event.listen(engines(app).read, "before_cursor_execute", lambda *a: statements.append(a[2]))
    page = planner.get("/needs").get_data(as_text=True)
    assert page.index("Open one") < page.index("Closed one")
    row = re.search(
        r"<tr>\s*<th scope=\"row\"><a href=\"/needs/[^/]+/roles/R1\">.*?</tr>", page, re.S
    )
    cells = re.findall(r"<td>([^<]*)</td>", row.group(0))
    # Positions, candidates, then shortlisted, contacted, available, selected, deployed now.
    assert cells == ["2", "5", "1", "1", "1", "1", "0"]
    decisions = [s for s in statements if "candidate_decision" in s]
    assert len(decisions) == 1


def test_closing_and_reopening_are_audited(app, planner, db_session):
    needs = saved(app, needs_record(id="NA-CLOSE"))
    url = f"/needs/{needs.public_id}"
    token = csrf_token(planner, url)
    response = planner.post(f"{url}/close", data={"csrf_token": token, "version": "1"})
    assert response.status_code == 302
    page = planner.get(url).get_data(as_text=True)
    assert "Needs assessment closed." in page and "Reopen the assessment" in page
    token = csrf_token(planner, url)
    planner.post(f"{url}/reopen", data={"csrf_token": token, "version": "2"})
    with db_session(write=False) as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert session.get(NeedsAssessment, needs.id).status == "open"
    assert [a for a in actions if a.startswith("needs.")] == ["needs.closed", "needs.reopened"]


def test_an_unknown_assessment_is_a_404_in_plain_words(planner):
    response = planner.get("/needs/no-such-thing")
    assert response.status_code == 404
    assert "There is no needs assessment at this address." in response.get_data(as_text=True)


def test_experts_and_recruiters_may_not_open_the_needs_pages(app, recruiter, signed_in):
    needs = saved(app, needs_record(id="NA-ACCESS"))
    expert = signed_in("awa@example.org", "expert")
    for client in (recruiter, expert):
        for url in ("/needs", "/needs/new", "/needs/upload", f"/needs/{needs.public_id}"):
            assert client.get(url).status_code == 403, url
    assert expert.get("/unmet-demand").status_code == 403
    assert recruiter.get("/unmet-demand").status_code == 200


def test_recruiters_read_the_unmet_demand_newest_first(app, recruiter, db_session):
    needs = saved(
        app,
        needs_record(
            role_record("R1", positions=3), role_record("R2"), id="NA-UNMET", country="TD"
        ),
    )
    with db_session() as session:
        roles = session.scalars(select(MissionRole).order_by(MissionRole.id)).all()
        session.add(
            UnmetDemand(
                role_id=roles[0].id,
                kind="short",
                positions=3,
                eligible_count=1,
                binding={
                    "code": "language.required",
                    "params": {"language": "ar", "wanted": "C1", "level": "B2"},
                    "text": "Arabic C1 required: has B2",
                },
                recorded_at=utcnow() - timedelta(days=2),
            )
        )
        session.add(
            UnmetDemand(
                role_id=roles[1].id,
                kind="unfilled",
                positions=1,
                eligible_count=0,
                binding={"code": "shortfall.unknown", "params": {}, "text": "Nobody speaks Sango"},
            )
        )
    page = recruiter.get("/unmet-demand").get_data(as_text=True)
    assert page.index("Nobody speaks Sango") < page.index("Arabic C1 required: has B2")
    assert "Chad (TD)" in page
    assert f"/needs/{needs.public_id}" not in page  # a recruiter has no planner's page to open


def test_a_planner_lands_on_the_needs_and_the_home_page_points_to_them(app, planner):
    saved(app, needs_record(id="NA-HOME"))
    page = planner.get("/").get_data(as_text=True)
    assert re.search(
        r'id="your-work">Your work: <a href="/needs">1 needs assessment in progress', page
    )
    assert '<a href="/needs"' in page and "Unmet demand" in page


def test_the_needs_pages_are_all_marked(app, planner, db_session):
    needs = saved(
        app,
        needs_record(
            role_record(
                "R1",
                desired_languages=[{"code": "bm", "level": "native"}],
                accessibility_expertise=["easy-read"],
                start="2027-04-01",
            ),
            id="NA-XA",
            max_region_share=0.4,
        ),
    )
    token = csrf_token(planner, "/")
    planner.post("/language", data={"language": "en-XA", "next": "/", "csrf_token": token})
    data = (
        "NA-XA",
        "R1",
        "Electoral Adviser",
        "Support to the electoral cycle",
        "Advise the commission on electoral operations.",
        "Mali",
        "ML",
        "fr",
        "bm",
        "French",
        "Bambara",
        "C1",
        "P4",
        "paul@example.org",
        "Paul Mensah",
        "NA-2027",
        "1 March 2027",
        "30 June 2027",
        "1 April 2027",
        *SENIORITY,
        *LANGUAGE_LEVELS,
    )
    for url in (
        "/needs",
        f"/needs/{needs.public_id}",
        f"/needs/{needs.public_id}/edit",
        "/needs/new",
        "/needs/upload",
        "/unmet-demand",
        "/",
    ):
        response = planner.get(url)
        assert response.status_code == 200, url
        assert_all_marked(response, *data, *_suggestions())
    # The form's own errors too.
    token = csrf_token(planner, "/needs/new")
    invalid = planner.post(
        "/needs/new", data={"csrf_token": token, "gender_target": "150", "roles-0-title": "x"}
    )
    assert invalid.status_code == 400
    assert_all_marked(invalid, *data, *_suggestions(), "x", "R1")


def _suggestions() -> tuple[str, ...]:
    """The datalists' entries: country and language names (data), codes."""
    from roster.web.display import country_suggestions, language_suggestions

    return (
        *country_suggestions(),
        *(n for _, n in language_suggestions()),
        *(c for c, _ in language_suggestions()),
    )


def test_closing_logs_the_roles_left_unfilled_and_reopening_takes_them_back(
    app, planner, db_session
):
    needs = saved(
        app, needs_record(role_record("R1", positions=2), role_record("R2"), id="NA-UNFILLED")
    )
    with db_session() as session:
        expert = expert_row(1, roster_status="rostered")
        session.add(expert)
        session.flush()
        r1, r2 = session.scalars(
            select(MissionRole).where(MissionRole.needs_id == needs.id).order_by(MissionRole.id)
        )
        for role, outcome in ((r1, "selected"), (r2, "selected")):
            session.add(
                CandidateDecision(
                    role_id=role.id, expert_id=expert.id, outcome=CandidateOutcome(outcome)
                )
            )
    url = f"/needs/{needs.public_id}"
    planner.post(f"{url}/close", data={"csrf_token": csrf_token(planner, url), "version": "1"})

    with db_session(write=False) as session:
        logged = session.execute(select(UnmetDemand.kind, UnmetDemand.positions)).all()
    assert logged == [("unfilled", 1)]  # R1 had two positions and one selected; R2 filled
    page = planner.get("/unmet-demand").get_data(as_text=True)
    assert "closed unfilled" in page

    planner.post(f"{url}/reopen", data={"csrf_token": csrf_token(planner, url), "version": "2"})
    with db_session(write=False) as session:
        assert session.scalars(select(UnmetDemand)).all() == []
