"""``flask roster decisions export``: one record per candidacy, as at its last decision."""

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select, update

from roster.missions.decisions import decision_records
from roster.missions.records import save_needs
from roster.models import (
    CandidateDecision,
    CandidateOutcome,
    Expert,
    MissionRole,
    NeedsAssessment,
    ShortlistEntry,
)
from tests.factories import expert_record, needs_record, write_jsonl

SCHEMA = Path(__file__).resolve().parents[2] / "matching" / "data" / "decisions.schema.json"
VALIDATOR = Draft202012Validator(json.loads(SCHEMA.read_text()), format_checker=FormatChecker())


@pytest.fixture
def demo(runner):
    """A small demo roster with its past missions: needs, shortlists, decisions."""
    args = ["roster", "demo", "--experts", "400", "--seed", "8", "--as-of", "2026-12-01"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output


def _export(runner, path: Path):
    return runner.invoke(args=["roster", "decisions", "export", str(path)])


def _exported(runner, tmp_path) -> list[dict]:
    path = tmp_path / "decisions.jsonl"
    result = _export(runner, path)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert result.stdout == f"Exported {len(records)} candidate decision record(s) to {path}.\n"
    return records


def _latest(db_session) -> dict[tuple[str, str, str], dict]:
    """Each candidacy's decisions, oldest first, read apart from the service."""
    with db_session(write=False) as session:
        rows = session.execute(
            select(
                NeedsAssessment.external_id,
                MissionRole.role_key,
                Expert.external_id,
                CandidateDecision,
                ShortlistEntry.rank,
            )
            .join(MissionRole, MissionRole.id == CandidateDecision.role_id)
            .join(NeedsAssessment, NeedsAssessment.id == MissionRole.needs_id)
            .join(Expert, Expert.id == CandidateDecision.expert_id)
            .outerjoin(ShortlistEntry, ShortlistEntry.id == CandidateDecision.shortlist_entry_id)
        ).all()
    by_candidacy: dict[tuple[str, str, str], list] = {}
    for needs_id, role_id, expert_id, decision, rank in rows:
        by_candidacy.setdefault((needs_id, role_id, expert_id), []).append((decision, rank))
    return {
        key: sorted(decisions, key=lambda d: (d[0].decided_at, d[0].id))
        for key, decisions in by_candidacy.items()
    }


def test_the_demo_decisions_export_one_valid_record_per_candidacy(
    demo, runner, db_session, tmp_path
):
    records = _exported(runner, tmp_path)
    for record in records:
        assert not list(VALIDATOR.iter_errors(record)), record
        assert datetime.fromisoformat(record["decided_at"]).utcoffset() == timedelta(0)
    keys = [(r["needs_id"], r["role_id"], r["external_id"]) for r in records]
    assert len(set(keys)) == len(keys)
    candidacies = _latest(db_session)
    assert set(keys) == set(candidacies)
    for record, key in zip(records, keys, strict=True):
        decisions = candidacies[key]
        last, _ = decisions[-1]
        assert record["outcome"] == last.outcome.value
        assert record["decided_at"] == last.decided_at.replace(tzinfo=UTC).isoformat()
        ranks = [rank for _, rank in decisions if rank is not None]
        assert record.get("rank") == (ranks[-1] if ranks else None)
        if record["outcome"] in ("not_selected", "withdrawn") and last.note:
            assert record["reason"] == last.note
        else:
            assert "reason" not in record
        rated = [d.rating for d, _ in decisions if d.outcome == "completed" and d.rating]
        assert record.get("rating") == (rated[-1] if rated else None)
    outcomes = Counter(r["outcome"] for r in records)
    assert {"completed", "withdrawn", "not_selected"} <= set(outcomes)
    assert any("rating" in r for r in records) and any("reason" in r for r in records)
    needs_ids = [key[0] for key in keys]
    assert needs_ids == sorted(needs_ids)  # in the order of the needs assessments' ids


def test_the_records_come_from_the_service_as_the_file_has_them(demo, runner, db_session, tmp_path):
    exported = _exported(runner, tmp_path)
    with db_session(write=False) as session:
        assert list(decision_records(session)) == exported


def test_an_erased_expert_is_left_out(demo, runner, db_session, tmp_path):
    before = _exported(runner, tmp_path)
    erased = before[0]["external_id"]
    with db_session() as session:
        expert_id = session.scalar(select(Expert.id).where(Expert.external_id == erased))
        session.execute(
            update(CandidateDecision)
            .where(CandidateDecision.expert_id == expert_id)
            .values(expert_id=None)
        )
    after = _exported(runner, tmp_path)
    assert after == [r for r in before if r["external_id"] != erased]


def test_the_latest_decision_stands_with_its_reason_kept_within_the_format(
    runner, db_session, tmp_path
):
    assert (
        runner.invoke(
            args=["roster", "import", str(write_jsonl(tmp_path / "e.jsonl", [expert_record(1)]))]
        ).exit_code
        == 0
    )
    start = datetime(2027, 1, 4, 9, 30, tzinfo=UTC)
    with db_session() as session:
        needs, _ = save_needs(session=session, record=needs_record(id="NA-1"), by=None)
        expert_id = session.scalar(select(Expert.id))
        for minutes, outcome, note in [
            (0, CandidateOutcome.SHORTLISTED, ""),
            (10, CandidateOutcome.CONTACTED, ""),
            (20, CandidateOutcome.WITHDRAWN, "Withdrew:\n" + "too far " * 100),
        ]:
            session.add(
                CandidateDecision(
                    role_id=needs.roles[0].id,
                    expert_id=expert_id,
                    outcome=outcome,
                    note=note,
                    decided_at=start + timedelta(minutes=minutes),
                )
            )
    [record] = _exported(runner, tmp_path)
    assert not list(VALIDATOR.iter_errors(record))
    assert record["outcome"] == "withdrawn" and "rank" not in record and "rating" not in record
    assert record["decided_at"] == "2027-01-04T09:50:00+00:00"
    assert record["reason"].startswith("Withdrew: too far too far")
    assert len(record["reason"]) == 500 and record["reason"].endswith("…")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("decisions.json", "decisions.json: decisions are written as JSON Lines (.jsonl)"),
        ("missing/decisions.jsonl", "missing: no such folder"),
        ("folder.jsonl", "a folder, not a file"),
    ],
)
def test_an_export_to_a_wrong_place_writes_nothing(runner, tmp_path, name, expected):
    (tmp_path / "folder.jsonl").mkdir()
    result = _export(runner, tmp_path / name)
    assert result.exit_code == 1 and expected in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / name).is_file()
