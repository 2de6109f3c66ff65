"""The team page in the pseudo-locale: every word of it passed through translation.

Data the test names: people's and countries' names, the roles' titles and keys, the
assessment's title and dates, languages' names (CLDR's, English in a pseudo-locale) and the
constraint families the matcher's notes name by code ("host language: bm").
"""

import pytest

from tests.factories import needs_record, role_record
from tests.roster.test_pseudo_locale import assert_all_marked
from tests.roster.test_pseudo_locale_staff import choose
from tests.roster.test_team_page import (
    MISSION,
    NAMES,
    load_roster,
    page_of,
    save,
    swap_url,
    team_roster,
)

DATA = (
    *NAMES.values(),
    *("France", "Ghana", "Mexico", "Poland", "Senegal", "Argentina", "Japan", "Portugal", "Mali"),
    "Electoral Adviser",
    "Operations Officer",
    "Support to the electoral cycle",
    "R1",
    "R2",
    "Bambara",
    "French",
    "host language: bm",
    "host language: fr",
    "gender",
    "positions",
    "paul@example.org",
    # Dates are formatted as English in a pseudo-locale.
    "1 March 2027",
    "30 June 2027",
)


@pytest.fixture
def pseudo_planner(signed_in):
    return choose(signed_in("paul@example.org", "planner", name="Paul Mensah"), "en-XA")


def test_the_team_and_a_swap_are_all_marked(pseudo_planner, runner, tmp_path, db_session):
    load_roster(runner, tmp_path, team_roster())
    public_id = save(db_session, MISSION)
    page = page_of(pseudo_planner, f"/needs/{public_id}/team")
    assert_all_marked(pseudo_planner.get(f"/needs/{public_id}/team"), *DATA)
    swapped = pseudo_planner.get(swap_url(page, "Hana Sato"))
    assert 'id="effect"' in swapped.get_data(as_text=True)
    assert_all_marked(swapped, *DATA)


def test_a_blind_team_is_all_marked(pseudo_planner, runner, tmp_path, db_session):
    load_roster(runner, tmp_path, team_roster())
    public_id = save(db_session, MISSION, blind=True)
    assert_all_marked(pseudo_planner.get(f"/needs/{public_id}/team"), *DATA)


def test_a_team_nobody_can_form_is_all_marked(pseudo_planner, runner, tmp_path, db_session):
    load_roster(runner, tmp_path, team_roster()[:1])
    public_id = save(db_session, needs_record(role_record("R1", positions=3)))
    response = pseudo_planner.get(f"/needs/{public_id}/team")
    assert response.status_code == 200
    assert_all_marked(response, *DATA, "Electoral Adviser")


def test_a_refused_swap_is_all_marked(pseudo_planner, runner, tmp_path, db_session):
    load_roster(runner, tmp_path, team_roster())
    public_id = save(db_session, MISSION)
    response = pseudo_planner.get(f"/needs/{public_id}/team?swap=R9:nobody")
    assert response.status_code == 400
    assert_all_marked(response, *DATA)
