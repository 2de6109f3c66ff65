"""The state machines' refusals in the reader's language: API problems, with stable ids.

English reads as it always did; in the pseudo-locale every word of the refusal, the
states' names and who may make the change included, comes back translated.
"""

import re

import pytest

from roster.i18n import SESSION_KEY, translate
from roster.models import CandidateOutcome, RosterStatus
from roster.policy.candidacy import CANDIDACIES
from roster.policy.roster_status import ROSTER_STATUSES
from roster.policy.standing import Standing, who
from roster.refusal import Refused
from tests.api.test_experts_status import opened, public_id, roster  # noqa: F401

ASK_REASON = "Please give the reason for changing the %(noun)s %(change)s: %(reader)s reads it."


def _declined(api, target: str, language: str):
    tag = opened(api, target)
    return api.post(
        f"/experts/{target}/status",
        json={"to": "declined"},
        headers={"If-Match": tag, "Accept-Language": language},
    )


def test_a_refusal_reads_in_english_as_before(roster, api_as):  # noqa: F811
    api = api_as("rita@example.org", "recruiter")
    answer = _declined(api, public_id(roster, "EXP-T-0001"), "en")
    assert answer.status_code == 422
    (found,) = answer.get_json()["problems"]
    assert found["path"] == "reason"
    assert found["message_id"] == ASK_REASON
    assert found["message"] == (
        "Please give the reason for changing the roster status from under review to declined: "
        "the expert reads it."
    )


def test_a_refusal_names_the_states_in_the_caller_s_language(roster, api_as):  # noqa: F811
    api = api_as("rita@example.org", "recruiter")
    answer = _declined(api, public_id(roster, "EXP-T-0001"), "fr")
    assert answer.status_code == 422
    (found,) = answer.get_json()["problems"]
    assert found["message_id"] == ASK_REASON  # the id stays, whatever the language
    # The states' words are the French catalogue's (the sentence's own once translated).
    assert "en cours d'examen" in found["message"] and "refusé" in found["message"]
    assert "under review" not in found["message"]


def test_a_refusal_on_a_page_in_the_pseudo_locale_is_translated(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask import session

        session[SESSION_KEY] = "en-XA"
        refusal = ROSTER_STATUSES._not_a_change(RosterStatus.APPLICANT, RosterStatus.ROSTERED)
        shown = translate(refusal)
    assert shown != str(refusal)
    assert not re.search(r"[A-Za-z]", shown), shown


@pytest.mark.parametrize(
    ("machine", "current", "to", "english"),
    [
        (
            ROSTER_STATUSES,
            None,
            RosterStatus.ROSTERED,
            "A new roster status cannot be rostered; it starts as applicant.",
        ),
        (
            CANDIDACIES,
            CandidateOutcome.COMPLETED,
            CandidateOutcome.SELECTED,
            "A candidate outcome of completed is final: it cannot change to selected.",
        ),
        (
            ROSTER_STATUSES,
            RosterStatus.APPLICANT,
            RosterStatus.ROSTERED,
            "A roster status cannot change from applicant to rostered; "
            "from applicant it can change to under review, withdrawn.",
        ),
    ],
)
def test_a_change_not_in_the_rules_is_said_as_before(machine, current, to, english):
    assert (current, to) not in machine.rules
    assert str(machine._not_a_change(current, to)) == english


def test_who_names_three_standings_as_before():
    assert str(who({Standing.RECRUITER, Standing.ADMIN, Standing.OWNER})) == (
        "the expert themself, a recruiter or an administrator"
    )
    assert str(who({Standing.PLANNER, Standing.ADMIN})) == "a mission planner or an administrator"


def test_an_unknown_state_is_refused_as_before():
    with pytest.raises(Refused) as refused:
        ROSTER_STATUSES.parse("archived")
    assert str(refused.value.problems[0].message) == (
        "'archived' is not a roster status; it must be one of: applicant, under_review, "
        "rostered, declined, inactive, suspended, withdrawn."
    )
