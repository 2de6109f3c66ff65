"""What text an import lets in and an export writes out: the forms' rule, formulas, NUL, depth."""

import csv
import json

import pytest
from sqlalchemy import select

from roster.models import Expert
from tests.conftest import count_rows, stored_expert
from tests.factories import expert_record, write_as, write_jsonl
from tests.roster.conftest import post_form


def import_file(runner, path):
    return runner.invoke(args=["roster", "import", str(path)])


# --- spreadsheet formulas in CSV exports -------------------------------------------

FORMULAS = {
    "EXP-F-01": {"full_name": '=HYPERLINK("http://x.test","Awa")'},
    "EXP-F-02": {"full_name": "+33 Awa Ndiaye"},
    "EXP-F-03": {"full_name": "-Awa Ndiaye"},
    "EXP-F-04": {"full_name": "@SUM(A1:A9)"},
    "EXP-F-05": {"summary": "=cmd|' /C calc'!A0"},
    "EXP-F-06": {"summary": "- voter lists\n- training"},
    "EXP-F-07": {"full_name": "'=Awa", "summary": "'@ starts with a quote"},
    "EXP-F-08": {"full_name": "'Awa", "summary": "''twice"},
    "EXP-F-09": {"email": "=awa@example.org", "summary": "+1 year in Mali"},
    "-EXP-F-10": {"full_name": "Awa Ndiaye"},
}
NEUTRAL_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_roster() -> list[dict]:
    return [
        expert_record(number, external_id=external_id, **fields)
        for number, (external_id, fields) in enumerate(FORMULAS.items(), start=1)
    ]


def test_csv_export_writes_no_cell_a_spreadsheet_would_run_and_imports_back_unchanged(
    runner, db_session, tmp_path
):
    import_file(runner, write_jsonl(tmp_path / "in.jsonl", formula_roster()))
    exported = tmp_path / "out.csv"
    assert runner.invoke(args=["roster", "export", str(exported)]).exit_code == 0
    with exported.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(NEUTRAL_STARTS)]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_id["'-EXP-F-10"]["full_name"] == "Awa Ndiaye"
    assert by_id["EXP-F-01"]["full_name"] == '\'=HYPERLINK("http://x.test","Awa")'
    assert by_id["EXP-F-06"]["summary"] == "'- voter lists\n- training"
    assert by_id["EXP-F-07"]["full_name"] == "''=Awa"
    assert by_id["EXP-F-08"]["full_name"] == "''Awa"
    assert by_id["EXP-F-08"]["summary"] == "'''twice"
    assert by_id["EXP-F-09"]["email"] == "'=awa@example.org"

    again = import_file(runner, exported)
    assert again.exit_code == 0, again.output
    assert f"0 created, 0 updated, {len(FORMULAS)} unchanged." in again.output
    assert stored_expert(db_session, "EXP-F-07").full_name == "'=Awa"
    assert stored_expert(db_session, "EXP-F-08").summary == "''twice"
    assert stored_expert(db_session, "-EXP-F-10") is not None


def test_every_exported_cell_is_quoted_so_a_semicolon_starts_no_formula(tmp_path):
    from roster.interchange.formats import read_records, write_records

    # Spreadsheets in many locales split an unquoted row on ";", making "=1+1" a cell.
    record = expert_record(1, full_name="Awa;=1+1", summary="ok;@SUM(A1);-2+3")
    path = tmp_path / "semicolons.csv"
    write_records(path, [record])
    row = path.read_text(encoding="utf-8").splitlines()[1]
    assert row.startswith('"') and row.endswith('"')
    assert '"Awa;=1+1"' in row and '"ok;@SUM(A1);-2+3"' in row
    [(_, back)] = read_records(path)
    assert (back["full_name"], back["summary"]) == ("Awa;=1+1", "ok;@SUM(A1);-2+3")


def test_tab_and_carriage_return_at_the_start_of_a_cell_are_neutralised(tmp_path):
    from roster.interchange.formats import read_records, write_records

    # Stored text never starts so (it is trimmed); rows kept from before the rule may.
    record = expert_record(1, full_name="\tAwa", summary="\r=1+1")
    path = tmp_path / "old.csv"
    write_records(path, [record])
    text = path.read_bytes().decode("utf-8")
    assert "'\tAwa" in text and '"\'\r=1+1"' in text
    [(_, back)] = read_records(path)
    assert (back["full_name"], back["summary"]) == ("Awa", "=1+1")


def test_a_hand_made_csv_cell_quoted_against_formulas_is_read_without_the_quote(
    runner, db_session, tmp_path
):
    from roster.interchange.formats import CSV_COLUMNS, CSV_CONSENT_COLUMN, record_to_csv_row

    row = record_to_csv_row(expert_record(1))
    row[CSV_COLUMNS.index("full_name")] = "'Awa"  # a quote before a letter is the name's own
    row[CSV_COLUMNS.index("summary")] = "'=SUM(A1)"  # as one types it to stop a formula
    path = tmp_path / "hand.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([[*CSV_COLUMNS, CSV_CONSENT_COLUMN], row])
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    expert = stored_expert(db_session, "EXP-T-0001")
    assert (expert.full_name, expert.summary) == ("'Awa", "=SUM(A1)")


# --- the one text rule: forms and imports alike -----------------------------------

ONE_LINE = [
    ("Awa\x1bNdiaye", None),
    ("Awa\x07Ndiaye", None),
    ("Awa\x00Ndiaye", None),
    ("Awa\rNdiaye", None),
    ("Awa\nNdiaye", None),
    ("Awa\u0085Ndiaye", None),
    ("\tAwa Ndiaye", "Awa Ndiaye"),
    ("  Awa Ndiaye \r\n", "Awa Ndiaye"),
    ("Awa\u202fNdiaye \u200b\t", "Awa\u202fNdiaye \u200b"),
]
MULTI_LINE = [
    ("Line one\r\nLine two", "Line one\nLine two"),
    ("\tIndented first line\n\tand the second", "Indented first line\n\tand the second"),
    ("Tab\tinside\n\nand a blank line\n", "Tab\tinside\n\nand a blank line"),
    ("Old Mac\rline break", None),
    ("Escape \x1b[31m red", None),
    ("Bell \x07", None),
    ("NUL \x00 inside", None),
]


def outcome_of_form(client, db_session, url: str, field: str, value: str, data=None):
    """What the profile form stored of ``value``, or None if it refused it."""
    response = post_form(client, url, (data or {}) | {field: value})
    if response.status_code != 302:
        assert "cannot be stored" in response.get_data(as_text=True)
        return None
    with db_session(write=False) as session:
        return session.scalar(select(getattr(Expert, field)).where(Expert.external_id != "X-1"))


def outcome_of_import(runner, db_session, tmp_path, field: str, value: str):
    """What an import stored of ``value``, or None if it refused it."""
    record = expert_record(1, external_id="X-1", **{field: value})
    result = import_file(runner, write_jsonl(tmp_path / "one.jsonl", [record]))
    if result.exit_code:
        assert f"line 1 (X-1): {field}: holds" in result.output, result.output
        assert "Traceback" not in result.output
        assert stored_expert(db_session, "X-1") is None
        return None
    return getattr(stored_expert(db_session, "X-1"), field)


@pytest.mark.parametrize("value, expected", ONE_LINE, ids=[repr(v) for v, _ in ONE_LINE])
def test_a_name_is_read_by_the_same_rule_in_the_form_and_the_import(
    profiled_client, runner, db_session, tmp_path, value, expected
):
    from tests.roster.conftest import IDENTITY

    form = outcome_of_form(
        profiled_client, db_session, "/me/identity", "full_name", value, IDENTITY
    )
    imported = outcome_of_import(runner, db_session, tmp_path, "full_name", value)
    assert (form, imported) == (expected, expected)


@pytest.mark.parametrize("value, expected", MULTI_LINE, ids=[repr(v) for v, _ in MULTI_LINE])
def test_a_summary_is_read_by_the_same_rule_in_the_form_and_the_import(
    profiled_client, runner, db_session, tmp_path, value, expected
):
    form = outcome_of_form(profiled_client, db_session, "/me/summary", "summary", value)
    imported = outcome_of_import(runner, db_session, tmp_path, "summary", value)
    assert (form, imported) == (expected, expected)


def test_trimmed_text_is_reported_as_a_note(runner, tmp_path):
    record = expert_record(1, full_name=" Awa Ndiaye", summary="Led audits.\r\nTrained staff.")
    result = import_file(runner, write_jsonl(tmp_path / "a.jsonl", [record]))
    assert result.exit_code == 0, result.output
    assert "full_name: spaces or line breaks at the start or end removed (line 1)" in result.output
    assert (
        "summary: Windows line breaks (CR LF) read as plain line breaks (line 1)" in result.output
    )


def test_deployment_comments_hold_lines_and_roles_one(runner, db_session, tmp_path):
    deployment = {
        "mission": "Support to the 2021 elections",
        "country": "NE",
        "role": "Adviser\nand trainer",
        "from": "2020-06-01",
        "to": "2021-04-30",
        "comments": "Rated by the chief.\r\nWould deploy again.",
    }
    result = import_file(
        runner, write_jsonl(tmp_path / "a.jsonl", [expert_record(1, deployments=[deployment])])
    )
    assert result.exit_code == 1
    assert "deployments[0].role: holds a line break, but this field is a single line" in (
        result.output
    )
    assert "deployments[0].comments" not in result.output
    assert count_rows(db_session, Expert) == 0


# --- what used to print a traceback ------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
@pytest.mark.parametrize("field", ["full_name", "summary", "external_id", "email"])
def test_a_nul_anywhere_is_a_problem_with_line_and_field(
    runner, db_session, tmp_path, suffix, field
):
    bad = expert_record(2)
    bad[field] = bad[field][:3] + "\x00" + bad[field][3:]
    path = write_as(tmp_path / f"nul{suffix}", [expert_record(1), bad])
    result = import_file(runner, path)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    # A problem is reported on the line where its record starts.
    starts = [n for n, text in enumerate(path.read_text().splitlines(), 1) if text == " {"]
    line = {".jsonl": 2, ".json": starts[-1] if starts else 0, ".csv": 3}[suffix]
    who = "" if field == "external_id" else " (EXP-T-0002)"
    assert f"line {line}{who}: {field}: holds the control character U+0000" in result.output
    assert "nothing was imported" in result.output
    assert count_rows(db_session, Expert) == 0


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
@pytest.mark.parametrize("depth", [600, 100_000])
def test_deeply_nested_json_is_a_problem_not_a_traceback(
    runner, db_session, tmp_path, suffix, depth
):
    deep = '{"external_id": "X-2", "consent": {"gender": ' + "[" * depth + "]" * depth + "}}"
    first = json.dumps(expert_record(1))
    body = f"{first}\n{deep}\n" if suffix == ".jsonl" else f"[\n{first},\n{deep}\n]\n"
    path = tmp_path / f"deep{suffix}"
    path.write_text(body, encoding="utf-8")
    result = import_file(runner, path)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line = 2 if suffix == ".jsonl" else 3
    assert f"line {line}: lists or objects nested more than 16 levels deep" in result.output
    assert count_rows(db_session, Expert) == 0


def test_an_unknown_field_name_reaches_the_report_escaped_and_cut(runner, db_session, tmp_path):
    # A terminal reading the report must not run "\x1b[2J" (clear the screen) from a file.
    bad = expert_record(2)
    bad["\x1b[2Jnote\u202e"] = "x"
    bad["n" * 5000] = "x"
    path = write_as(tmp_path / "odd-names.jsonl", [expert_record(1), bad])
    result = import_file(runner, path)
    assert result.exit_code == 1, result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert "unknown field '\\u001b[2Jnote\\u202e'" in result.output
    assert "n" * 5000 not in result.output
    assert f"unknown field '{'n' * 57}...'" in result.output
    assert count_rows(db_session, Expert) == 0
