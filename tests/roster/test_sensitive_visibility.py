"""Who sees gender, disability and year of birth: by role, by consent, by the reason given."""

import json

import pytest

from roster.policy.privacy import SensitiveField, ViewPurpose, visible_sensitive_fields
from roster.policy.standing import Standing
from tests.conftest import sign_in, stored_expert
from tests.roster.conftest import CONSENTED, EXPERT_EMAIL, IDENTITY, post_form

# What each field looks like on a profile page, as a label and as the value consented to.
ROWS = {
    "gender": ("<dt>Gender</dt>", "<dd>woman"),
    "disability": ("<dt>Disability</dt>", "<dd>yes"),
    "birth_year": ("<dt>Year of birth</dt>", "<dd>1978"),
}
ONLY_BIRTH_YEAR = {"birth_year": "1978", "birth_year_consent": "y"}


def consent(client, choices: dict[str, str]):
    """The expert makes their choices on the sensitive-data page."""
    assert post_form(client, "/me/sensitive", choices).status_code == 302


def opened(staff_client, public_id: str, purpose: str, note: str = "") -> str:
    """Staff open the profile, giving ``purpose``; return the page they see."""
    response = post_form(staff_client, f"/experts/{public_id}", {"purpose": purpose, "note": note})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def seen(page: str) -> set[str]:
    """The sensitive fields whose row a page shows."""
    return {name for name, (label, _) in ROWS.items() if label in page}


@pytest.mark.parametrize(
    ("role", "purpose", "expected"),
    [
        ("recruiter", "vetting", set()),
        ("recruiter", "shortlist-review", {"gender"}),
        ("recruiter", "data-correction", {"gender"}),
        ("recruiter", "deployment-follow-up", set()),
        ("admin", "vetting", set()),
        ("admin", "shortlist-review", {"gender"}),
        ("admin", "data-correction", {"gender", "disability", "birth_year"}),
        ("admin", "other", set()),
    ],
)
def test_staff_see_a_consented_value_only_for_a_purpose_its_consent_covers(
    staff, profiled_client, db_session, role, purpose, expected
):
    consent(profiled_client, CONSENTED)
    page = opened(
        staff(role), stored_expert(db_session).public_id, purpose, note="asked by the team"
    )
    assert seen(page) == expected
    for name in expected:
        assert "".join(ROWS[name]) in page
    withheld = [field.label for field in SensitiveField if field not in expected]
    if withheld:
        assert f"Not shown: {', '.join(withheld)}." in page
    else:
        assert "Not shown:" not in page


def test_without_consent_staff_see_no_row_at_all_not_even_not_given(
    staff, profiled_client, db_session
):
    consent(profiled_client, ONLY_BIRTH_YEAR)
    public_id = stored_expert(db_session).public_id
    page = opened(staff("admin"), public_id, "data-correction")
    assert seen(page) == {"birth_year"} and "<dd>1978" in page
    assert "not given" not in page.split("<dt>Roster status</dt>")[1].split("</dl>")[0]
    assert "Not shown: gender, disability." in page
    assert seen(opened(staff("recruiter"), public_id, "shortlist-review")) == set()


def test_withdrawing_consent_hides_the_value_from_staff_at_once(staff, profiled_client, db_session):
    consent(profiled_client, CONSENTED)
    public_id = stored_expert(db_session).public_id
    recruiter = staff("recruiter")
    assert seen(opened(recruiter, public_id, "shortlist-review")) == {"gender"}
    consent(profiled_client, ONLY_BIRTH_YEAR)
    page = opened(recruiter, public_id, "shortlist-review")
    assert seen(page) == set() and "woman" not in page


@pytest.mark.parametrize("choices", [CONSENTED, {}], ids=["consented", "nothing-consented"])
def test_the_owner_sees_all_three_on_their_data_page_given_or_not(profiled_client, choices):
    consent(profiled_client, choices)
    page = profiled_client.get("/me/data").get_data(as_text=True)
    assert seen(page) == set(ROWS)
    details = page.split("<dt>Roster status</dt>")[1].split("</dl>")[0]
    if choices:
        assert all("".join(row) in page for row in ROWS.values())
        assert details.count("(consent given ") == 3
    else:
        assert details.count("not given") == 3
    assert "Not shown:" not in page


def test_the_owners_download_carries_each_consented_value_with_its_consent_date(
    profiled_client,
):
    consent(profiled_client, ONLY_BIRTH_YEAR)
    document = json.loads(profiled_client.get("/me/data.json").data)
    assert document["expert"]["birth_year"] == 1978
    assert document["expert"]["consent"] == {"birth_year": True}
    assert "gender" not in document["expert"] and "disability" not in document["expert"]
    assert document["consent_given_at"]["birth_year"] is not None
    assert document["consent_given_at"]["gender"] is None


def test_an_owner_who_is_also_a_recruiter_sees_their_own_record_whole(app, make_user, db_session):
    make_user(EXPERT_EMAIL, "expert", "recruiter")
    client = app.test_client()
    sign_in(client, EXPERT_EMAIL)
    assert post_form(client, "/me/identity", IDENTITY).status_code == 302
    consent(client, CONSENTED)
    page = opened(client, stored_expert(db_session).public_id, "vetting")
    assert seen(page) == set(ROWS)


def test_planners_have_no_page_that_shows_a_person(staff, profiled_client, db_session):
    consent(profiled_client, CONSENTED)
    planner = staff("planner")
    public_id = stored_expert(db_session).public_id
    assert planner.get(f"/experts/{public_id}").status_code == 403
    assert planner.post(f"/experts/{public_id}", data={"purpose": "vetting"}).status_code == 403
    assert planner.get("/me/data.json").status_code == 403


def test_a_roster_export_carries_every_consented_value_and_nothing_else(
    runner, profiled_client, tmp_path
):
    consent(profiled_client, ONLY_BIRTH_YEAR)
    out = tmp_path / "roster.jsonl"
    assert runner.invoke(args=["roster", "export", str(out)]).exit_code == 0
    [record] = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["birth_year"] == 1978 and record["consent"] == {"birth_year": True}
    assert "gender" not in record and "disability" not in record


ALL = frozenset(SensitiveField)


@pytest.mark.parametrize("purpose", [*ViewPurpose, None, "made-up"])
def test_the_rule_for_each_standing_whatever_the_purpose(purpose):
    def rule(*standing: Standing, consented=ALL):
        return visible_sensitive_fields(viewer=set(standing), consented=consented, purpose=purpose)

    assert rule(Standing.OWNER, consented=()) == ALL
    assert rule(Standing.DATA_MANAGER, consented={"gender"}) == {SensitiveField.GENDER}
    assert rule(Standing.PLANNER) == frozenset()
    assert rule() == frozenset()
    assert rule(Standing.ADMIN, consented=()) == frozenset()
    assert rule(Standing.RECRUITER) <= {SensitiveField.GENDER}
    assert rule(Standing.RECRUITER, Standing.PLANNER) == rule(Standing.RECRUITER)
    if purpose not in set(ViewPurpose):
        assert rule(Standing.ADMIN) == frozenset()
