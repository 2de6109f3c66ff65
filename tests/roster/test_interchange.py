"""A data manager moves experts in and out with `flask roster import/export`."""

import json
import shutil
import tracemalloc

import pytest
from sqlalchemy import select

from roster.models import Expert, ExpertLanguage, RosterStatusChange
from tests.conftest import count_rows
from tests.factories import deployment_record, expert_record, write_jsonl
from tests.spec import EXAMPLES


def test_import_of_the_spec_example_roster(runner, db_session, tmp_path):
    source = shutil.copy(EXAMPLES / "roster.jsonl", tmp_path / "roster.jsonl")
    result = runner.invoke(args=["roster", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert (
        "Imported 6 record(s) from roster.jsonl: 6 created, 0 updated, 0 unchanged."
        in result.output
    )
    assert "gender dropped: no consent (line 4)" in result.output
    with db_session(write=False) as session:
        petrov = session.scalar(select(Expert).where(Expert.external_id == "EXP-0004"))
        assert petrov.gender is None and petrov.roster_status == "under_review"
        haddad = session.scalar(select(Expert).where(Expert.external_id == "EXP-0003"))
        assert haddad.disability is True and haddad.disability_consent_at is not None
        history = session.scalars(
            select(RosterStatusChange).where(RosterStatusChange.expert_id == haddad.id)
        ).all()
        assert [(h.from_status, h.to_status) for h in history] == [(None, "rostered")]


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
def test_export_then_import_round_trips_without_change(runner, db_session, tmp_path, suffix):
    records = [
        expert_record(
            1,
            skills=[
                {"code": "voter-registration", "years": 8},
                {"code": "legal-framework", "years": 3},
            ],
            accessibility_expertise=["sign-language"],
            deployments=[deployment_record()],
        ),
        expert_record(
            2,
            full_name="José Ñúñez",
            nationalities=["PE", "ES"],
            deployments=[deployment_record(rating=5)],
        ),
        expert_record(3, consent={}, gender="man", deployments=[]),
    ]
    runner.invoke(args=["roster", "import", str(write_jsonl(tmp_path / "in.jsonl", records))])
    exported = tmp_path / f"out{suffix}"
    result = runner.invoke(args=["roster", "export", str(exported)])
    assert result.exit_code == 0, result.output
    assert "Exported 3 expert(s)" in result.output

    again = runner.invoke(args=["roster", "import", str(exported)])
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 3 unchanged." in again.output
    with db_session(write=False) as session:
        assert set(session.scalars(select(Expert.version))) == {1}
    second = tmp_path / f"second{suffix}"
    runner.invoke(args=["roster", "export", str(second)])
    assert second.read_bytes() == exported.read_bytes()


def test_exported_jsonl_holds_what_was_imported(runner, tmp_path):
    record = expert_record(
        7, languages=[{"code": "Francais", "level": "C2"}], deployments=[deployment_record()]
    )
    runner.invoke(args=["roster", "import", str(write_jsonl(tmp_path / "in.jsonl", [record]))])
    runner.invoke(args=["roster", "export", str(tmp_path / "out.jsonl")])
    exported = json.loads((tmp_path / "out.jsonl").read_text())
    assert exported["languages"][0] == {"code": "fr", "level": "C2"}
    assert exported["deployments"] == record["deployments"]
    assert exported["consent"] == {"gender": True} and exported["gender"] == "woman"


def test_import_updates_by_external_id_and_records_the_status_change(runner, db_session, tmp_path):
    runner.invoke(
        args=["roster", "import", str(write_jsonl(tmp_path / "a.jsonl", [expert_record(1)]))]
    )
    changed = expert_record(1, roster_status="suspended", years_experience=13)
    result = runner.invoke(
        args=["roster", "import", str(write_jsonl(tmp_path / "b.jsonl", [changed]))]
    )
    assert "0 created, 1 updated, 0 unchanged." in result.output
    with db_session(write=False) as session:
        expert = session.scalar(select(Expert))
        assert (expert.roster_status, expert.years_experience, expert.version) == (
            "suspended",
            13,
            2,
        )
        history = session.scalars(select(RosterStatusChange).order_by(RosterStatusChange.id)).all()
        assert [h.to_status for h in history] == ["rostered", "suspended"]
        assert history[-1].reason == "imported from b.jsonl"


def test_withdrawn_consent_removes_the_stored_value(runner, db_session, tmp_path):
    runner.invoke(
        args=["roster", "import", str(write_jsonl(tmp_path / "a.jsonl", [expert_record(1)]))]
    )
    withdrawn = expert_record(1, consent={"gender": False})
    result = runner.invoke(
        args=["roster", "import", str(write_jsonl(tmp_path / "b.jsonl", [withdrawn]))]
    )
    assert "gender dropped: no consent" in result.output
    with db_session(write=False) as session:
        expert = session.scalar(select(Expert))
        assert expert.gender is None and expert.gender_consent_at is None


def test_names_and_misspellings_are_normalised_and_reported(runner, db_session, tmp_path):
    record = expert_record(
        1,
        languages=[{"code": "Francais", "level": "native"}, {"code": "arabic", "level": "B2"}],
        skills=[{"code": "Voter registraton", "years": 3}],
    )
    result = runner.invoke(
        args=["roster", "import", str(write_jsonl(tmp_path / "a.jsonl", [record]))]
    )
    assert result.exit_code == 0, result.output
    assert "'Francais'" in result.output and "'fr'" in result.output
    assert "'arabic'" in result.output and "'voter-registration'" in result.output
    with db_session(write=False) as session:
        assert sorted(session.scalars(select(ExpertLanguage.code))) == ["ar", "fr"]


def test_csv_import_of_the_spec_columns(runner, db_session, tmp_path):
    header = (
        "external_id,full_name,email,nationalities,residence_country,gender,birth_year,disability,"
        "roster_status,years_experience,seniority,languages,skills,accessibility_expertise,summary,"
        "availability\n"
    )
    row = (
        "C-1,Ana Souza,ana@example.org,BR,BR,woman,1980,,rostered,9,P4,pt-BR:native;en:C1,"
        'voter-education:6;public-outreach,easy-read,"Outreach, mostly rural",'
        "2027-01-10/2027-06-30\n"
    )
    path = tmp_path / "experts.csv"
    path.write_text(header + row, encoding="utf-8")
    result = runner.invoke(args=["roster", "import", str(path)])
    assert result.exit_code == 0, result.output
    # The spec's columns carry no consent, so sensitive values are dropped and reported.
    assert "gender dropped: no consent" in result.output
    with db_session(write=False) as session:
        expert = session.scalar(select(Expert))
        assert expert.summary == "Outreach, mostly rural" and expert.gender is None


BAD_INPUTS = {
    "malformed JSON": ('{"external_id": "X-1", "full_name": \n', "line 1: malformed JSON"),
    "unknown language": (
        json.dumps(expert_record(1, languages=[{"code": "Klingonese", "level": "C1"}])),
        "languages[0].code: unknown language 'Klingonese'",
    ),
    "unknown country": (
        json.dumps(expert_record(1, nationalities=["XQ"])),
        "nationalities[0]: unknown country 'XQ'",
    ),
    "unknown skill": (
        json.dumps(expert_record(1, skills=[{"code": "fishing"}])),
        "skills[0].code: unknown expertise area 'fishing'",
    ),
    "reversed dates": (
        json.dumps(expert_record(1, availability=[{"from": "2027-05-01", "to": "2027-04-01"}])),
        "availability[0]",
    ),
    "missing field": (
        json.dumps({k: v for k, v in expert_record(1).items() if k != "email"}),
        "email",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_records_are_reported_by_line_and_nothing_is_written(
    runner, db_session, tmp_path, case
):
    bad_line, expected = BAD_INPUTS[case]
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(expert_record(9)) + "\n" + bad_line + "\n", encoding="utf-8")
    result = runner.invoke(args=["roster", "import", str(path)])
    assert result.exit_code == 1
    assert expected.replace("line 1", "line 2") in result.output
    assert "nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert count_rows(db_session, Expert) == 0


def test_every_bad_record_is_reported_not_just_the_first(runner, db_session, tmp_path):
    records = [
        expert_record(1),
        expert_record(2, roster_status="famous"),
        expert_record(1),
        expert_record(4, nationalities=["XQ"]),
    ]
    result = runner.invoke(
        args=["roster", "import", str(write_jsonl(tmp_path / "bad.jsonl", records))]
    )
    assert result.exit_code == 1
    assert "line 2 (EXP-T-0002): roster_status:" in result.output
    assert (
        "line 3 (EXP-T-0001): external_id: duplicate external_id: already used on line 1"
        in result.output
    )
    assert "line 4 (EXP-T-0004): nationalities[0]" in result.output
    assert "3 problem(s) found in bad.jsonl; nothing was imported." in result.output
    assert count_rows(db_session, Expert) == 0


def test_a_bad_record_after_a_full_batch_still_writes_nothing(runner, db_session, tmp_path):
    records = [expert_record(n) for n in range(1, 1203)] + [expert_record(9999, roster_status="x")]
    result = runner.invoke(
        args=["roster", "import", str(write_jsonl(tmp_path / "big.jsonl", records))]
    )
    assert result.exit_code == 1
    assert count_rows(db_session, Expert) == 0


def test_wrong_csv_header(runner, db_session, tmp_path):
    path = tmp_path / "experts.csv"
    path.write_text("id,name,mail\n1,A,a@example.org\n", encoding="utf-8")
    result = runner.invoke(args=["roster", "import", str(path)])
    assert result.exit_code == 1
    assert "line 1: wrong CSV header (missing columns: external_id, full_name" in result.output
    assert "unknown columns: id, name, mail" in result.output


def test_non_utf8_file(runner, db_session, tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(
        json.dumps(expert_record(1, full_name="José"), ensure_ascii=False).encode("latin-1")
    )
    result = runner.invoke(args=["roster", "import", str(path)])
    assert result.exit_code == 1
    assert "line 1: not UTF-8 text" in result.output
    assert count_rows(db_session, Expert) == 0


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
def test_empty_file(runner, tmp_path, suffix):
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    result = runner.invoke(args=["roster", "import", str(path)])
    assert result.exit_code == 1
    assert "the file is empty" in result.output


def test_missing_file_and_unknown_format(runner, tmp_path):
    assert (
        "no such file"
        in runner.invoke(args=["roster", "import", str(tmp_path / "nope.jsonl")]).output
    )
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"PK")
    result = runner.invoke(args=["roster", "import", str(path)])
    assert result.exit_code == 1 and "unknown format '.xlsx'" in result.output


def test_json_list_is_read_as_a_stream_with_line_numbers(runner, db_session, tmp_path):
    path = tmp_path / "list.json"
    body = ",\n".join(json.dumps(expert_record(n), indent=2) for n in (1, 2))
    path.write_text(
        "[\n" + body + ",\n" + json.dumps(expert_record(3, roster_status="x")) + "\n]",
        encoding="utf-8",
    )
    result = runner.invoke(args=["roster", "import", str(path)])
    assert result.exit_code == 1
    third_line = 2 + 2 * body.count("\n") // 2 + 1
    assert f"line {third_line} (EXP-T-0003): roster_status" in result.output


def test_json_file_that_is_not_a_list(runner, tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(expert_record(1)), encoding="utf-8")
    result = runner.invoke(args=["roster", "import", str(path)])
    assert result.exit_code == 1 and "must hold a list of expert records" in result.output


@pytest.mark.slow
def test_a_100_mb_file_is_streamed_not_loaded_whole(runner, db_session, tmp_path):
    path = tmp_path / "huge.jsonl"
    summary = "Electoral operations and logistics. " * 540  # about 19,000 characters
    with path.open("w", encoding="utf-8") as out:
        number = 0
        while out.tell() < 100 * 1024 * 1024:
            number += 1
            out.write(json.dumps(expert_record(number, summary=summary)) + "\n")
        out.write('{"broken": \n')
    tracemalloc.start()
    result = runner.invoke(args=["roster", "import", str(path)])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.exit_code == 1
    assert f"line {number + 1}: malformed JSON" in result.output
    assert peak < 80 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB for a 100 MiB file"
    assert count_rows(db_session, Expert) == 0


def test_export_refuses_an_unknown_format_and_writes_nothing(runner, tmp_path):
    target = tmp_path / "exports"
    target.mkdir()
    result = runner.invoke(args=["roster", "export", str(target / "out.txt")])
    assert result.exit_code == 1 and "unknown format '.txt'" in result.output
    assert list(target.iterdir()) == []
