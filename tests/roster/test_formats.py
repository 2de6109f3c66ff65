"""The streaming readers on awkward but real files: chunk boundaries, BOMs, CRLF, bad lists."""

import json

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
