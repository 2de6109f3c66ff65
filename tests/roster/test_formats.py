"""The streaming readers on awkward but real files: chunk boundaries, BOMs, CRLF, bad lists."""

import csv
import io
import json
from pathlib import Path

import pytest

from roster.interchange.formats import CHUNK, FormatError, read_records
from tests.factories import expert_record


def read(path):
    return list(read_records(path))


def test_records_split_across_chunk_boundaries_are_read_whole(tmp_path):
    # Summaries with brackets and quotes, long enough that records straddle 64 KiB chunks.
    records = [
        expert_record(n, summary=f'Led "phase [{n}]" ]{{ ' * (700 + n)) for n in range(1, 40)
    ]
    path = tmp_path / "list.json"
    path.write_text("[\r\n" + ",\r\n".join(json.dumps(r) for r in records) + "\r\n]\r\n")
    assert path.stat().st_size > 9 * CHUNK
    items = read(path)
    assert [record for _, record in items] == records
    assert [line for line, _ in items] == list(range(2, 41))


@pytest.mark.parametrize(
    "body, message",
    [
        ('[{"a": 1},]', "a ',' with no record after it before ']'"),
        ('[{"a": 1} {"b": 2}]', "',' or ']' expected after a record"),
        ('[{"a": 1}] trailing', "unexpected text after the closing ']' of the list"),
        ('[{"a": 1},', "the list is not closed"),
        ('{"a": 1}', "must hold a list of expert records"),
        ('[{"a": tru}]', "malformed JSON"),
    ],
)
def test_lists_that_are_not_strict_json_are_refused(tmp_path, body, message):
    path = tmp_path / "bad.json"
    path.write_text(body)
    errors = [item for _, item in read(path) if isinstance(item, FormatError)]
    assert errors and message in str(errors[-1])


def test_a_broken_record_early_in_a_big_list_stops_reading_at_once(tmp_path):
    path = tmp_path / "big.json"
    filler = json.dumps(expert_record(2, summary="x" * 19_000))
    with path.open("w") as out:
        out.write('[\n{"external_id": "A", "full_name": "unterminated\n')
        for _ in range(300):  # about 6 MB after the break
            out.write("," + filler + "\n")
        out.write("]")
    [(line, error)] = read(path)
    assert line == 2 and "malformed JSON" in str(error)


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
def test_a_byte_order_mark_is_accepted(tmp_path, suffix, runner):
    record = expert_record(1)
    path = tmp_path / f"bom{suffix}"
    if suffix == ".csv":
        runner.invoke(args=["roster", "import", str(_jsonl(tmp_path, [record]))])
        runner.invoke(args=["roster", "export", str(path)])
        data = path.read_bytes()
    else:
        text = json.dumps(record) if suffix == ".jsonl" else json.dumps([record])
        data = text.encode()
    path.write_bytes(b"\xef\xbb\xbf" + data)
    [(_, item)] = read(path)
    assert not isinstance(item, FormatError), item
    assert item["external_id"] == "EXP-T-0001"


def test_an_over_long_line_is_reported_and_the_rest_still_read(tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_bytes(
        b'{"x": "'
        + b"y" * (5 * 1024 * 1024)
        + b'"}\r\n'
        + json.dumps(expert_record(2)).encode()
        + b"\r\n"
    )
    [(first, error), (second, record)] = read(path)
    assert first == 1 and "more than 4 MiB" in str(error)
    assert second == 2 and record["external_id"] == "EXP-T-0002"


def _jsonl(tmp_path, records):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _csv(tmp_path, rows: list[bytes]) -> Path:
    from roster.interchange.formats import CSV_COLUMNS, CSV_CONSENT_COLUMN

    header = ",".join([*CSV_COLUMNS, CSV_CONSENT_COLUMN]) + "\n"
    path = tmp_path / "experts.csv"
    path.write_bytes(header.encode() + b"".join(rows))
    return path


def _csv_row(number: int, summary: str = "Led audits.") -> bytes:
    from roster.interchange.formats import record_to_csv_row

    record = expert_record(number, summary=summary)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(record_to_csv_row(record))
    return out.getvalue().encode()


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
def test_a_byte_that_is_not_utf8_is_reported_on_its_own_line(tmp_path, suffix):
    records = [expert_record(n, summary="Led voter list audits.") for n in range(1, 6)]
    if suffix == ".csv":
        rows = [_csv_row(n) for n in range(1, 6)]
        rows[2] = rows[2].replace(b"Led audits.", b"Led audits in C\xf4te d'Ivoire.")
        path, expected_line = _csv(tmp_path, rows), 4  # the header is line 1
    else:
        lines = [json.dumps(r).encode() for r in records]
        lines[2] = lines[2].replace(b"Led voter", b"C\xf4te d'Ivoire: led voter")
        body = b"\n".join(lines) if suffix == ".jsonl" else b"[\n" + b",\n".join(lines) + b"\n]"
        path = tmp_path / f"latin1{suffix}"
        path.write_bytes(body)
        expected_line = 3 if suffix == ".jsonl" else 4
    errors = [(line, item) for line, item in read(path) if isinstance(item, FormatError)]
    assert len(errors) == 1
    [(line, error)] = errors
    assert line == expected_line and "not UTF-8 text" in str(error)


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
def test_a_utf16_file_gets_one_report_that_names_the_encoding(tmp_path, suffix):
    records = [expert_record(n) for n in range(1, 8)]
    text = "\n".join(json.dumps(r) for r in records)
    path = tmp_path / f"utf16{suffix}"
    path.write_bytes(text.encode("utf-16"))
    [(line, error)] = read(path)
    assert line == 1 and "UTF-16" in str(error)


def test_a_csv_record_spanning_lines_is_reported_where_it_starts(tmp_path):
    rows = [_csv_row(1), _csv_row(2, summary="First line.\nSecond line.\nThird."), _csv_row(3)]
    rows[1] = rows[1].replace(b",rostered,", b",retired-ish,")
    items = read(_csv(tmp_path, rows))
    assert [line for line, _ in items] == [2, 3, 6]
    assert isinstance(items[1][1], dict)  # the status is checked later, per field
    assert items[1][1]["summary"] == "First line.\nSecond line.\nThird."


def test_a_malformed_csv_is_reported_at_the_row_where_it_breaks(tmp_path):
    rows = [_csv_row(1), _csv_row(2), b'X-3,"' + b"x" * 200_000 + b'"\n']
    [*good, (line, error)] = read(_csv(tmp_path, rows))
    assert len(good) == 2 and line == 4 and "malformed CSV" in str(error)


def test_a_truncated_json_line_says_what_is_missing(tmp_path):
    whole = json.dumps(expert_record(1))
    path = tmp_path / "cut.jsonl"
    path.write_text(whole[: len(whole) // 2] + "\n" + json.dumps(expert_record(2)) + "\n")
    [(line, error), (_, record)] = read(path)
    assert line == 1 and str(error).startswith("malformed JSON at column")
    assert "control character" not in str(error)  # the line break is not part of the record
    assert record == expert_record(2)
