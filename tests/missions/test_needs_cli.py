"""``flask roster needs import|export``: needs assessments in the contract's format, both ways."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from roster.missions.needs_io import MAX_BYTES
from roster.models import AuditEvent, MissionRole, NeedsAssessment
from tests.factories import needs_record, role_record, write_jsonl

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "spec_examples" / "needs.json"


def _needs(runner, *args: str):
    return runner.invoke(args=["roster", "needs", *map(str, args)])


def _stored(db_session) -> dict[str, int]:
    with db_session(write=False) as session:
        rows = session.execute(select(NeedsAssessment.external_id, NeedsAssessment.version))
        return {external_id: version for external_id, version in rows}


def _count(db_session, table) -> int:
    with db_session(write=False) as session:
        return session.scalar(select(func.count()).select_from(table))


def test_the_contract_example_round_trips_through_export_and_import(runner, db_session, tmp_path):
    imported = _needs(runner, "import", EXAMPLE)
    assert imported.exit_code == 0, imported.output
    assert "Imported 1 needs assessment(s) from needs.json: 1 created" in imported.stdout
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert _needs(runner, "export", first).exit_code == 0
    again = _needs(runner, "import", first)
    assert again.exit_code == 0 and "0 created, 0 updated, 1 unchanged" in again.stdout
    assert _needs(runner, "export", second).exit_code == 0
    assert second.read_text() == first.read_text()
    [exported] = [json.loads(line) for line in first.read_text().splitlines()]
    example = json.loads(EXAMPLE.read_text())
    assert exported["id"] == example["id"]
    assert exported["roles"] == example["roles"]
    assert _stored(db_session) == {example["id"]: 1}  # Unchanged: not saved again.


def test_a_json_list_and_json_lines_of_several_import_and_export_alike(
    runner, db_session, tmp_path
):
    records = [
        needs_record(id="NA-B"),
        needs_record(role_record("R1"), role_record("R2"), id="NA-A"),
    ]
    listed = tmp_path / "needs.json"
    listed.write_text(json.dumps(records, indent=2))
    result = _needs(runner, "import", listed)
    assert result.exit_code == 0, result.output
    assert "Imported 2 needs assessment(s) from needs.json: 2 created" in result.stdout
    as_json, as_lines = tmp_path / "out.json", tmp_path / "out.jsonl"
    assert (
        _needs(runner, "export", as_json).stdout
        == f"Exported 2 needs assessment(s) to {as_json}.\n"
    )
    assert _needs(runner, "export", as_lines).exit_code == 0
    from_json = json.loads(as_json.read_text())
    assert [n["id"] for n in from_json] == ["NA-A", "NA-B"]  # in the order of their ids
    assert from_json == [json.loads(line) for line in as_lines.read_text().splitlines()]
    assert [r["id"] for r in from_json[0]["roles"]] == ["R1", "R2"]


def test_an_assessment_of_a_stored_id_is_updated_in_place(runner, db_session, tmp_path):
    write_jsonl(tmp_path / "v1.jsonl", [needs_record(id="NA-1")])
    assert _needs(runner, "import", tmp_path / "v1.jsonl").exit_code == 0
    with db_session(write=False) as session:
        public_id = session.scalar(select(NeedsAssessment.public_id))
    write_jsonl(tmp_path / "v2.jsonl", [needs_record(id="NA-1", title="A new title")])
    result = _needs(runner, "import", tmp_path / "v2.jsonl")
    assert "0 created, 1 updated, 0 unchanged" in result.stdout
    with db_session(write=False) as session:
        needs = session.scalar(select(NeedsAssessment))
        assert (needs.public_id, needs.title, needs.version) == (public_id, "A new title", 2)
        actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("needs.import") == 2


def test_names_read_as_codes_are_noted_like_the_expert_import(runner, db_session, tmp_path):
    role = role_record(required_languages=[{"code": "Francais", "level": "C1"}])
    path = write_jsonl(tmp_path / "needs.jsonl", [needs_record(role, id="NA-FR")])
    result = _needs(runner, "import", path)
    assert result.exit_code == 0, result.output
    assert "note: " in result.stderr and "Francais" in result.stderr and "(line 1)" in result.stderr
    exported = tmp_path / "out.json"
    _needs(runner, "export", exported)
    [saved] = json.loads(exported.read_text())
    assert saved["roles"][0]["required_languages"] == [{"code": "fr", "level": "C1"}]


def _bad(tmp_path: Path, name: str, case: str) -> Path:
    """A needs file that must be refused, with a valid assessment before the bad one."""
    good = needs_record(id="NA-GOOD")
    bad = {
        "unknown codes": needs_record(
            role_record(required_languages=[{"code": "Klingon", "level": "C1"}]),
            id="NA-BAD",
            country="XX",
        ),
        "reversed dates": needs_record(id="NA-BAD", start="2027-06-01", end="2027-01-01"),
        "zero positions": needs_record(role_record(positions=0), id="NA-BAD"),
        "gender target": needs_record(id="NA-BAD", gender_target=1.5),
        "duplicate roles": needs_record(role_record("R1"), role_record("R1"), id="NA-BAD"),
        "duplicate ids": needs_record(id="NA-GOOD", title="Again"),
    }[case]
    return write_jsonl(tmp_path / name, [good, bad])


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("unknown codes", ["line 2 (NA-BAD): country:", "roles[0].required_languages[0].code:"]),
        ("reversed dates", ["line 2 (NA-BAD): start:"]),
        ("zero positions", ["line 2 (NA-BAD): roles[0].positions:"]),
        ("gender target", ["line 2 (NA-BAD): gender_target:"]),
        ("duplicate roles", ["line 2 (NA-BAD): roles[1].id:"]),
        ("duplicate ids", ["line 2 (NA-GOOD): id: duplicate id: already used on line 1"]),
    ],
)
def test_an_invalid_assessment_is_named_by_line_and_path_and_nothing_is_written(
    runner, db_session, tmp_path, case, expected
):
    result = _needs(runner, "import", _bad(tmp_path, "needs.jsonl", case))
    assert result.exit_code == 1
    for text in expected:
        assert text in result.stderr
    assert "no needs assessment was imported" in result.stderr
    assert "Traceback" not in result.output
    assert _count(db_session, NeedsAssessment) == 0
    assert _count(db_session, MissionRole) == 0


def test_every_problem_of_a_json_list_is_named_at_its_items_line(runner, db_session, tmp_path):
    records = [
        needs_record(id="NA-1"),
        needs_record(id="NA-2", gender_target=-0.1),
        needs_record(role_record(positions=0), id="NA-3"),
    ]
    path = tmp_path / "needs.json"
    path.write_text("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n")
    result = _needs(runner, "import", path)
    assert result.exit_code == 1
    assert "line 3 (NA-2): gender_target:" in result.stderr
    assert "line 4 (NA-3): roles[0].positions:" in result.stderr
    assert "2 problem(s) found in needs.json" in result.stderr
    assert _count(db_session, NeedsAssessment) == 0


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("broken.jsonl", '{"id": "NA-1"}\n{"id": "NA-2",\n', "line 2: malformed JSON"),
        ("broken.json", '[\n{"id": "NA-1", "roles": []},\n{"id": \n]', "line 4: malformed JSON"),
        ("lone.json", '{\n  "id": "NA-1",\n  "title": }', "line 3: malformed JSON"),
        ("after.json", '{"id": "NA-1"}\n{"id": "NA-2"}', "unexpected text after the needs"),
        ("number.json", "42", "a needs assessment or a list of them"),
        ("empty.jsonl", "\n", "holds no needs assessments"),
        ("needs.csv", "id\nNA-1\n", "as .json or .jsonl"),
    ],
)
def test_malformed_files_are_refused_in_plain_words(
    runner, db_session, tmp_path, name, text, expected
):
    path = tmp_path / name
    path.write_text(text)
    result = _needs(runner, "import", path)
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert _count(db_session, NeedsAssessment) == 0


def test_a_file_over_ten_megabytes_is_refused_before_reading(runner, db_session, tmp_path):
    path = tmp_path / "big.jsonl"
    line = json.dumps(needs_record(id="NA-BIG")) + "\n"
    path.write_text(line + " " * (MAX_BYTES + 1 - len(line)))
    result = _needs(runner, "import", path)
    assert result.exit_code == 1
    assert "big.jsonl is 10.0 MB; a needs file may be at most 10 MB" in result.stderr
    assert _count(db_session, NeedsAssessment) == 0


def test_a_folder_or_a_missing_file_is_named(runner, db_session, tmp_path):
    (tmp_path / "needs.json").mkdir()
    folder = _needs(runner, "import", tmp_path / "needs.json")
    assert folder.exit_code == 1 and "a folder, not a file" in folder.stderr
    missing = _needs(runner, "import", tmp_path / "nowhere.json")
    assert missing.exit_code == 1 and "nowhere.json: no such file" in missing.stderr
    assert _count(db_session, NeedsAssessment) == 0


def test_a_role_with_candidates_is_kept_and_removing_it_is_refused(runner, db_session, tmp_path):
    from roster.models import Shortlist

    write_jsonl(tmp_path / "v1.jsonl", [needs_record(role_record("R1"), role_record("R2"))])
    assert _needs(runner, "import", tmp_path / "v1.jsonl").exit_code == 0
    with db_session() as session:
        role = session.scalar(select(MissionRole).where(MissionRole.role_key == "R2"))
        session.add(Shortlist(role_id=role.id, requested_k=10))
    write_jsonl(tmp_path / "v2.jsonl", [needs_record(role_record("R1"), title="Changed")])
    result = _needs(runner, "import", tmp_path / "v2.jsonl")
    assert result.exit_code == 1
    assert "line 1 (NA-TEST): roles: The role R2 already has candidates" in result.stderr
    with db_session(write=False) as session:
        assert session.scalar(select(NeedsAssessment.title)) == "Support to the electoral cycle"
        assert session.scalars(select(MissionRole.role_key)).all() == ["R1", "R2"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("needs.csv", "needs.csv: needs assessments are read and written as .json or .jsonl"),
        ("missing/needs.json", "missing: no such folder"),
        ("folder.json", "a folder, not a file"),
    ],
)
def test_an_export_to_a_wrong_place_writes_nothing(runner, tmp_path, name, expected):
    (tmp_path / "folder.json").mkdir()
    write_jsonl(tmp_path / "in.jsonl", [needs_record()])
    assert _needs(runner, "import", tmp_path / "in.jsonl").exit_code == 0
    result = _needs(runner, "export", tmp_path / name)
    assert result.exit_code == 1 and expected in result.stderr
    assert not (tmp_path / name).is_file()
