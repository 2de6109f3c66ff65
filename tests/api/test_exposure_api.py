"""The exposure report through the API: the page's figures, as JSON, for the page's readers."""

import json
from datetime import timedelta

import pytest

from tests.roster.test_exposure import TODAY, seed_shortlists


@pytest.fixture
def shortlists(app):
    return seed_shortlists(app)


def test_a_recruiter_reads_the_figures(shortlists, api_as):
    answer = api_as("rita@example.org", "recruiter").get("/figures/exposure")
    assert answer.status_code == 200, answer.get_json()
    found = answer.get_json()
    assert found["until"] == TODAY.isoformat()
    assert found["since"] == (TODAY - timedelta(days=89)).isoformat()
    assert (found["shortlists"], found["roles"], found["rostered"]) == (4, 4, 5)
    first = found["spreads"][0]
    assert (first["depth"], first["slots"], first["experts"]) == (1, 4, 2)
    assert first["effective"] == pytest.approx(1.6)
    assert first["gini"] == pytest.approx(0.25)
    assert first["breadth"] == pytest.approx(0.4)
    assert [s["depth"] for s in found["spreads"]] == [1, 3, 10, None]
    assert found["spreads"][3]["erased_slots"] == 1
    top = found["most_exposed"][0]
    assert top == {
        "id": shortlists["A"],
        "external_id": "ROW-1",
        "first": 3,
        "top3": 4,
        "shortlisted": 4,
        "roles": 4,
        "selected": 2,
        "deployed": 1,
    }
    assert found["erased"] == {"first": 0, "top3": 1, "shortlisted": 1}
    assert "Amina Diallo" not in answer.get_data(as_text=True)  # ids, never names


def test_a_period_is_asked_by_its_days(shortlists, api_as):
    since = (TODAY - timedelta(days=250)).isoformat()
    until = (TODAY - timedelta(days=150)).isoformat()
    answer = api_as("ada@example.org", "admin").get(f"/figures/exposure?from={since}&to={until}")
    assert answer.status_code == 200
    found = answer.get_json()
    assert (found["since"], found["until"], found["shortlists"]) == (since, until, 1)
    assert found["erased"] is None


@pytest.mark.parametrize(
    ("query", "path", "words"),
    [
        ("from=2027-03-02&to=2027-03-01", "to", "comes before the first day"),
        ("from=2015-01-01&to=2027-01-01", "from", "at most five years"),
        ("from=tomorrow", "from", "year-month-day"),
        ("to=2027-02-30", "to", "year-month-day"),
        ("since=2027-01-01", "since", "not known"),
    ],
)
def test_a_bad_period_is_a_problem_document(shortlists, api_as, query, path, words):
    answer = api_as("rita@example.org", "recruiter").get(f"/figures/exposure?{query}")
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    problems = answer.get_json()["problems"]
    assert [p["path"] for p in problems] == [path]
    assert words in problems[0]["message"]


def test_planners_and_experts_may_not(shortlists, api_as):
    assert api_as("paula@example.org", "planner").get("/figures/exposure").status_code == 403
    assert api_as("ed@example.org", "expert").get("/figures/exposure").status_code == 403


def test_the_command_prints_what_the_api_answers(shortlists, runner, api_as):
    result = runner.invoke(args=["match", "exposure"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    answered = api_as("rita@example.org", "recruiter").get("/figures/exposure").get_json()
    assert printed == answered
    assert printed["most_exposed"][0]["id"] == shortlists["A"]
