"""Needs assessments between their rows and the contract's format."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from roster.db import session_scope
from roster.missions.records import NeedsChanged, NeedsInvalid, needs_record, save_needs
from roster.models import MissionRole, NeedsAssessment, Shortlist
from tests.factories import needs_record as make_needs
from tests.factories import role_record

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "spec_examples" / "needs.json"


def _saved(app, record, **kwargs):
    with app.app_context(), session_scope() as session:
        needs, notes = save_needs(session=session, record=record, by=None, **kwargs)
        return needs_record(needs), notes


def test_the_contract_example_round_trips(app):
    example = json.loads(EXAMPLE.read_text())
    first, _ = _saved(app, example)
    again, _ = _saved(app, first)
    assert again == first
    assert first["id"] == example["id"]
    assert [role["id"] for role in first["roles"]] == [role["id"] for role in example["roles"]]


def test_names_are_read_as_codes_and_the_notes_say_so(app):
    record = make_needs(
        role_record(required_languages=[{"code": "Francais", "level": "C1"}]), id="N-names"
    )
    saved, notes = _saved(app, record)
    assert saved["roles"][0]["required_languages"] == [{"code": "fr", "level": "C1"}]
    assert any("Francais" in note for note in notes)


def test_every_problem_is_named_at_its_path_and_nothing_is_written(app):
    record = make_needs(
        role_record("R1", positions=0, required_languages=[{"code": "Klingon", "level": "C1"}]),
        role_record("R1"),
        id="N-bad",
        start="2027-05-01",
        end="2027-01-01",
        gender_target=1.5,
    )
    with pytest.raises(NeedsInvalid) as refused:
        _saved(app, record)
    paths = {problem.path for problem in refused.value.problems}
    assert {"start", "gender_target", "roles[0].positions", "roles[1].id"} <= paths
    assert "roles[0].required_languages[0].code" in paths
    with app.app_context(), session_scope() as session:
        assert session.scalar(select(func.count()).select_from(NeedsAssessment)) == 0


def test_a_role_with_candidates_cannot_be_dropped(app):
    saved, _ = _saved(app, make_needs(role_record("R1"), role_record("R2"), id="N-keep"))
    with app.app_context(), session_scope() as session:
        role = session.scalars(select(MissionRole).where(MissionRole.role_key == "R2")).one()
        session.add(Shortlist(role_id=role.id, requested_k=5))
    saved["roles"] = saved["roles"][:1]
    with pytest.raises(NeedsInvalid) as refused:
        _saved(app, saved)
    assert "R2" in str(refused.value)


def test_a_stale_version_is_told_and_nothing_changes(app):
    saved, _ = _saved(app, make_needs(role_record("R1"), id="N-race"))
    saved["title"] = "Changed"
    with pytest.raises(NeedsChanged):
        _saved(app, saved, version=99)
