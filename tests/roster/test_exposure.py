"""Exposure: how often the same experts are shown first, over the shortlists of a period."""

import re
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from roster.db import session_scope
from roster.models import (
    CandidateDecision,
    CandidateOutcome,
    MissionRole,
    NeedsAssessment,
    RosterStatus,
    Shortlist,
    ShortlistEntry,
)
from roster.recruiting.exposure import (
    MAX_DAYS,
    ExposureRefused,
    exposure,
    gini,
    parse_period,
    period,
)
from tests.factories import expert_row

TODAY = datetime.now(UTC).date()
NAMES = {"A": "Amina Diallo", "B": "Bruno Costa", "C": "Chen Wei", "D": "Dara Novak"}
# Four shortlists of the period (each a role of its own): Amina is first three times.
# None is an erased expert's entry. The fifth, 200 days old, falls outside the period.
ISSUED = [
    (10, ["A", "B", "C"]),
    (20, ["A", "C", "B"]),
    (30, ["A", "B", "D"]),
    (40, ["B", "A", None]),
    (200, ["D", "A", "B"]),
]
# What became of some candidacies, by shortlist (its index above) and expert.
DECISIONS = [
    (0, "A", [CandidateOutcome.SHORTLISTED, CandidateOutcome.SELECTED]),
    (1, "A", [CandidateOutcome.SELECTED, CandidateOutcome.DEPLOYED]),
    (0, "B", [CandidateOutcome.NOT_SELECTED]),
    (2, "D", [CandidateOutcome.SELECTED, CandidateOutcome.DEPLOYED, CandidateOutcome.COMPLETED]),
    (4, "A", [CandidateOutcome.SELECTED]),  # outside the period: not counted
]


def needs_row(external_id: str) -> NeedsAssessment:
    return NeedsAssessment(
        external_id=external_id,
        title=external_id,
        country="SN",
        start=date(2027, 1, 1),
        end=date(2027, 2, 1),
    )


def seed_shortlists(app) -> dict[str, str]:
    """The small case above; return each expert's public id by letter."""
    now = datetime.now(UTC)
    with session_scope(app) as session:
        experts = {
            letter: expert_row(n, full_name=name, roster_status=RosterStatus.ROSTERED)
            for n, (letter, name) in enumerate(NAMES.items(), start=1)
        }
        experts["E"] = expert_row(5, full_name="Eve Never", roster_status=RosterStatus.ROSTERED)
        session.add_all([*experts.values(), expert_row(6, roster_status=RosterStatus.APPLICANT)])
        needs = needs_row("NA-EXPOSURE")
        session.add(needs)
        session.flush()
        roles = []
        for i, (days_ago, ranked) in enumerate(ISSUED):
            role = MissionRole(needs_id=needs.id, role_key=f"R{i}", position=i, title=f"Role {i}")
            session.add(role)
            session.flush()
            roles.append(role)
            shortlist = Shortlist(
                role_id=role.id, requested_k=10, created_at=now - timedelta(days=days_ago)
            )
            session.add(shortlist)
            session.flush()
            for rank, letter in enumerate(ranked, start=1):
                expert_id = experts[letter].id if letter else None
                session.add(
                    ShortlistEntry(
                        shortlist_id=shortlist.id, expert_id=expert_id, rank=rank, score=1 / rank
                    )
                )
        for index, letter, outcomes in DECISIONS:
            for outcome in outcomes:
                session.add(
                    CandidateDecision(
                        role_id=roles[index].id, expert_id=experts[letter].id, outcome=outcome
                    )
                )
        return {letter: expert.public_id for letter, expert in experts.items()}


@pytest.fixture
def shortlists(app):
    return seed_shortlists(app)


# --- the service ---------------------------------------------------------------------------


def test_the_figures_are_those_counted_by_hand(app, shortlists):
    with session_scope(app, write=False) as session:
        report = exposure(session=session, period=period(since=None, until=None, today=TODAY))
    assert report.shortlists == 4
    assert report.rostered == 5  # the applicant is not rostered
    first, top3, top10, whole = report.spreads
    # First: Amina 3, Bruno 1.
    assert (first.depth, first.slots, first.erased_slots, first.experts) == (1, 4, 0, 2)
    assert first.top_share == pytest.approx(1.0)
    assert first.effective == pytest.approx(1 / (0.75**2 + 0.25**2))  # 1.6
    assert first.gini == pytest.approx(0.25)
    assert first.breadth == pytest.approx(2 / 5)
    # Top 3 (every entry here): Amina 4, Bruno 4, Chen 2, Dara 1, and one erased.
    for found, depth in ((top3, 3), (top10, 10), (whole, None)):
        assert (found.depth, found.slots, found.erased_slots, found.experts) == (depth, 12, 1, 4)
        assert found.effective == pytest.approx(121 / 37)
        assert found.gini == pytest.approx(0.25)
        assert found.breadth == pytest.approx(4 / 5)
    listed = [
        (e.name, e.first, e.top3, e.shortlisted, e.candidacies, e.selected, e.deployed)
        for e in report.most_exposed
    ]
    assert listed == [
        ("Amina Diallo", 3, 4, 4, 4, 2, 1),
        ("Bruno Costa", 1, 4, 4, 4, 0, 0),
        ("Chen Wei", 0, 2, 2, 2, 0, 0),
        ("Dara Novak", 0, 1, 1, 1, 1, 1),
    ]
    assert report.most_exposed[0].public_id == shortlists["A"]
    erased = report.erased
    assert (erased.name, erased.first, erased.top3, erased.shortlisted) == (None, 0, 1, 1)
    assert erased.selected is None


def test_a_period_keeps_its_own_shortlists(app, shortlists):
    with session_scope(app, write=False) as session:
        old = exposure(
            session=session,
            period=period(
                since=TODAY - timedelta(days=250), until=TODAY - timedelta(days=150), today=TODAY
            ),
        )
        asked = period(since=date(2001, 1, 1), until=None, today=date(2001, 2, 1))
        empty = exposure(session=session, period=asked)
    assert old.shortlists == 1
    assert [(e.name, e.first, e.candidacies, e.selected) for e in old.most_exposed] == [
        ("Dara Novak", 1, 1, 0),
        ("Amina Diallo", 0, 1, 1),
        ("Bruno Costa", 0, 1, 0),
    ]
    assert empty.shortlists == 0 and empty.most_exposed == () and empty.erased is None
    assert all(s.slots == 0 and s.effective is None and s.gini is None for s in empty.spreads)


def test_gini_is_zero_when_equal_and_grows_with_concentration():
    import numpy as np

    assert gini(np.array([2, 2, 2])) == pytest.approx(0)
    assert gini(np.array([0, 0, 0, 10])) == pytest.approx(0.75)
    assert gini(np.array([], dtype=int)) is None


def test_the_period_defaults_to_the_last_90_days():
    found = period(since=None, until=None, today=date(2027, 3, 31))
    assert (found.since, found.until, found.days) == (date(2027, 1, 1), date(2027, 3, 31), 90)
    assert parse_period(since="", until=" ", today=date(2027, 3, 31)) == found


@pytest.mark.parametrize(
    ("since", "until", "path", "words"),
    [
        ("2027-03-02", "2027-03-01", "to", "comes before the first day"),
        ("2020-01-01", "2027-01-01", "from", "at most five years"),
        ("1 March", None, "from", "year-month-day"),
        (None, "2027-02-30", "to", "year-month-day"),
        (None, "20270301", "to", "year-month-day"),
    ],
)
def test_a_bad_period_is_refused_in_words(since, until, path, words):
    with pytest.raises(ExposureRefused) as refused:
        parse_period(since=since, until=until, today=date(2027, 3, 31))
    assert [p.path for p in refused.value.problems] == [path]
    assert words in str(refused.value)


def test_five_years_is_allowed_and_the_far_ends_do_not_break():
    assert period(since=date(2022, 1, 1), until=date(2026, 12, 31), today=date(2027, 1, 1))
    assert period(since=None, until=date.max, today=TODAY).bounds()[1].year == 9999
    assert period(since=None, until=date(1, 1, 5), today=TODAY).since == date.min
    assert MAX_DAYS == 1827


# --- the page ------------------------------------------------------------------------------


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_recruiter_reads_the_report(shortlists, signed_in):
    page = signed_in("rita@example.org", "recruiter").get("/dashboard/exposure")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = text_of(html)
    assert "How widely the shortlists reach" in text
    assert "4 shortlists issued" in text
    for name in NAMES.values():
        assert name in text
    assert "Eve Never" not in text  # never shown
    assert f'href="/experts/{shortlists["A"]}"' in html
    assert "Erased experts, together" in text
    assert "1.6" in text and "0.25" in text and "40%" in text  # first position's figures
    assert "effective number" in text.lower()


def test_the_dashboard_links_the_report(shortlists, signed_in):
    html = signed_in("rita@example.org", "recruiter").get("/dashboard").get_data(as_text=True)
    assert 'href="/dashboard/exposure"' in html


def test_an_admin_reads_it_too(shortlists, signed_in):
    assert signed_in("ada@example.org", "admin").get("/dashboard/exposure").status_code == 200


@pytest.mark.parametrize("role", ["planner", "expert"])
def test_others_may_not(shortlists, signed_in, role):
    assert signed_in(f"{role}@example.org", role).get("/dashboard/exposure").status_code == 403


def test_a_bad_period_is_a_400_page_that_says_why(shortlists, signed_in):
    client = signed_in("rita@example.org", "recruiter")
    page = client.get("/dashboard/exposure?from=2027-03-02&to=2027-03-01")
    assert page.status_code == 400
    assert "The last day comes before the first day" in page.get_data(as_text=True)
    assert "The last 90 days unless you choose" in text_of(page.get_data(as_text=True))
    page = client.get("/dashboard/exposure?from=yesterday")
    assert page.status_code == 400
    assert "like 2027-03-01" in text_of(page.get_data(as_text=True))
    page = client.get("/dashboard/exposure?from=2015-01-01&to=2027-01-01")
    assert page.status_code == 400
    assert "at most five years" in page.get_data(as_text=True)


def test_the_page_keeps_the_period_asked(shortlists, signed_in):
    client = signed_in("rita@example.org", "recruiter")
    since = (TODAY - timedelta(days=250)).isoformat()
    until = (TODAY - timedelta(days=150)).isoformat()
    html = client.get(f"/dashboard/exposure?from={since}&to={until}").get_data(as_text=True)
    assert f'value="{since}"' in html and f'value="{until}"' in html
    assert "1 shortlist issued" in text_of(html)


def test_reading_the_report_is_quick_with_thousands_of_shortlists(app, shortlists):
    # Written in bulk (the ORM would take longer than the report).
    now, many = datetime.now(UTC), 3000
    with session_scope(app) as session:
        experts = [expert_row(100 + n, roster_status=RosterStatus.ROSTERED) for n in range(100)]
        needs = needs_row("NA-MANY")
        session.add_all([*experts, needs])
        session.flush()
        expert_ids = [expert.id for expert in experts]
        lists_of = ("required_skills", "desired_skills", "required_languages")
        lists_of += ("desired_languages", "accessibility_expertise")
        session.execute(
            insert(MissionRole),
            [
                {"needs_id": needs.id, "role_key": f"M{n}", "title": "M", "position": n}
                | {"positions": 1, "description": ""}
                | dict.fromkeys(lists_of, [])
                for n in range(many)
            ],
        )
        role_ids = session.scalars(
            select(MissionRole.id).where(MissionRole.needs_id == needs.id).order_by(MissionRole.id)
        ).all()
        empty = {"weights": {}, "constraints": {}, "request": {}, "requested_k": 10}
        session.execute(
            insert(Shortlist),
            [
                {"role_id": role_id, "public_id": f"MANY{n}", "created_at": now, **empty}
                for n, role_id in enumerate(role_ids)
            ],
        )
        list_ids = session.scalars(
            select(Shortlist.id).where(Shortlist.role_id.in_(role_ids)).order_by(Shortlist.id)
        ).all()
        session.execute(
            insert(ShortlistEntry),
            [
                {
                    "shortlist_id": list_id,
                    "expert_id": expert_ids[(i * 7 + r * 13) % 100],
                    "rank": r,
                    "score": 0.0,
                    "criteria": {},
                    "reasons": [],
                    "reason_codes": [],
                }
                for i, list_id in enumerate(list_ids)
                for r in range(1, 11)
            ],
        )
    with session_scope(app, write=False) as session:
        started = time.perf_counter()
        report = exposure(session=session, period=period(since=None, until=None, today=TODAY))
        took = time.perf_counter() - started
    assert report.shortlists == 3004
    assert report.spreads[3].slots == 30_012
    # Each of the 100 experts is first on 30 of the 3,000 new shortlists: evenly spread.
    first = report.spreads[0]
    assert (first.slots, first.experts) == (3004, 102)
    assert first.gini == pytest.approx(0.0, abs=0.05)
    assert len(report.most_exposed) == 20
    assert took < 2, took


def test_the_page_is_all_marked(shortlists, staff):
    from tests.roster.test_pseudo_locale import assert_all_marked
    from tests.roster.test_pseudo_locale_staff import choose

    client = choose(staff("recruiter"), "en-XA")
    response = client.get("/dashboard/exposure")
    assert response.status_code == 200
    since = TODAY - timedelta(days=89)
    dates = tuple(f"{day.day} {day:%B} {day.year}" for day in (since, TODAY))
    assert_all_marked(response, "Rita Okafor", "recruiter@example.org", *NAMES.values(), *dates)
    refused = client.get("/dashboard/exposure?from=2027-03-02&to=2027-03-01")
    assert refused.status_code == 400
    assert_all_marked(refused, "Rita Okafor", "recruiter@example.org")


# --- the command line ----------------------------------------------------------------------


def test_the_command_refuses_a_bad_period_in_words(shortlists, runner):
    result = runner.invoke(args=["match", "exposure", "--from", "2027-03-02", "--to", "2027-03-01"])
    assert result.exit_code == 1
    assert "--to: The last day comes before the first day" in result.output
    result = runner.invoke(args=["match", "exposure", "--from", "March"])
    assert result.exit_code == 1
    assert "--from: This must be a day written year-month-day" in result.output


def test_shortlists_issued_by_a_planner_are_counted(app, runner, tmp_path, signed_in):
    from tests.factories import needs_record
    from tests.shortlists.conftest import import_roster, issue, roster_records, save

    import_roster(runner, tmp_path, roster_records())
    needs_id = save(app, needs_record())
    planner = signed_in("paula@example.org", "planner")
    # The same role issued twice: two shortlists, of which the latest counts.
    assert issue(planner, needs_id).status_code == 302
    assert issue(planner, needs_id).status_code == 302
    with session_scope(app, write=False) as session:
        report = exposure(session=session, period=period(since=None, until=None, today=TODAY))
    assert (report.shortlists, report.roles, report.rostered) == (2, 1, 12)
    first, top3, top10, whole = report.spreads
    assert (first.slots, first.experts, first.gini) == (1, 1, 0.0)
    assert (top10.slots, top10.experts) == (10, 10)
    leader = report.most_exposed[0]
    assert (leader.first, leader.shortlisted, leader.candidacies) == (1, 1, 1)
    page = signed_in("rita@example.org", "recruiter").get("/dashboard/exposure")
    shown = text_of(page.get_data(as_text=True))
    assert "2 shortlists issued" in shown
    assert "for 1 role: only the latest shortlist of each role counts" in shown
    assert leader.name in page.get_data(as_text=True)


def test_breadth_counts_only_experts_still_rostered_and_is_never_above_one(app, shortlists):
    from roster.models import Expert

    with session_scope(app) as session:
        for letter in ("C", "D"):  # shown in the period, withdrawn since
            expert = session.scalar(select(Expert).where(Expert.public_id == shortlists[letter]))
            expert.roster_status = RosterStatus.WITHDRAWN
    with session_scope(app, write=False) as session:
        report = exposure(session=session, period=period(since=None, until=None, today=TODAY))
    assert report.rostered == 3  # Amina, Bruno, Eve
    whole = report.spreads[3]
    assert whole.experts == 4  # still shown: the slots happened
    assert whole.breadth == pytest.approx(2 / 3)  # Amina and Bruno of the three rostered
    assert all(s.breadth is None or s.breadth <= 1 for s in report.spreads)


def test_only_the_decisions_of_the_roles_shortlisted_in_the_period_are_read(app, shortlists):
    from sqlalchemy import event

    from roster.db import engines

    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.lower().split()))

    engine = engines(app).read
    event.listen(engine, "before_cursor_execute", seen)
    try:
        with session_scope(app, write=False) as session:
            exposure(session=session, period=period(since=None, until=None, today=TODAY))
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    [grouped] = [s for s in statements if "from candidate_decision" in s]
    decided = grouped[grouped.index("from candidate_decision") :]
    assert "candidate_decision.role_id in (select shortlist.role_id" in decided
