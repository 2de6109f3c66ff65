"""Reading and writing expert records in the interchange formats: JSON Lines, JSON, CSV.

Readers stream: a 100 MB file is never held in memory whole. Each yields
``(line, record)`` pairs, or ``(line, FormatError)`` for a piece it could not read,
so the importer can report every problem with its line number.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

CSV_COLUMNS = (
    "external_id",
    "full_name",
    "email",
    "nationalities",
    "residence_country",
    "gender",
    "birth_year",
    "disability",
    "roster_status",
    "years_experience",
    "seniority",
    "languages",
    "skills",
    "accessibility_expertise",
    "summary",
    "availability",
)
# The spec's CSV columns cannot say what the expert consented to, so sensitive values
# would always be dropped; an optional last column carries it (e.g. "gender;birth_year").
CSV_CONSENT_COLUMN = "consent"
SUFFIXES = (".jsonl", ".json", ".csv")
CHUNK = 1 << 16
# No record comes near this (a summary is at most 20,000 characters); anything longer
# is malformed, and reading stops rather than holding the rest of the file in memory.
MAX_RECORD = 4 * 1024 * 1024


class FormatError(ValueError):
    """A part of the file that is not a readable record, with a plain-English reason."""


class FileRejected(ValueError):
    """The file as a whole cannot be read (unknown format, empty, not UTF-8 ...)."""


@dataclass
class Progress:
    """Bytes read so far, for a progress bar."""

    read: int = 0


def file_format(path: Path) -> str:
    """Return the format named by the path's suffix, or reject the file."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileRejected(
            f"{path.name}: unknown format '{suffix or 'none'}'; use .jsonl, .json or .csv"
        )
    return suffix.lstrip(".")


def read_records(path: Path, progress: Progress | None = None) -> Iterator[tuple[int, Any]]:
    """Yield ``(line, record or FormatError)`` from a file in any interchange format."""
    readers: dict[str, Callable[[BinaryIO, Progress], Iterator[tuple[int, Any]]]] = {
        "jsonl": _read_jsonl,
        "json": _read_json_list,
        "csv": _read_csv,
    }
    reader = readers[file_format(path)]
    progress = progress or Progress()
    found = False
    with path.open("rb") as handle:
        for item in reader(handle, progress):
            found = True
            yield item
    if not found:
        raise FileRejected(f"{path.name}: the file is empty: it holds no expert records")


UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
UTF16_PROBLEM = "the file is UTF-16 text; save it as UTF-8"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FormatError(
            f"not UTF-8 text (byte {error.start + 1} of the line); save the file as UTF-8"
        ) from None


def _undecodable_line(handle: BinaryIO) -> tuple[int, FormatError]:
    """Find the first line of the file that is not UTF-8, reading it again line by line.

    A text reader decodes a chunk at a time and cannot say where the bad byte was;
    no line break occurs inside a UTF-8 character, so each line decodes alone.
    """
    handle.seek(0)
    first = handle.read(2)
    if first in UTF16_MARKS:
        return 1, FormatError(UTF16_PROBLEM)
    handle.seek(0)
    for number, raw in _lines(handle, Progress()):
        try:
            _decode(raw or b"")
        except FormatError as error:
            return number, error
    return 1, FormatError("not UTF-8 text; save the file as UTF-8")


def _lines(handle: BinaryIO, progress: Progress) -> Iterator[tuple[int, bytes | None]]:
    """Yield numbered lines; ``None`` for one longer than ``MAX_RECORD`` (skipped unread)."""
    number = 0
    while raw := handle.readline(MAX_RECORD + 1):
        number += 1
        progress.read += len(raw)
        if len(raw) <= MAX_RECORD or raw.endswith(b"\n"):
            yield number, raw
            continue
        while (rest := handle.readline(MAX_RECORD)) and not rest.endswith(b"\n"):
            progress.read += len(rest)
        progress.read += len(rest)
        yield number, None


def _read_jsonl(handle: BinaryIO, progress: Progress) -> Iterator[tuple[int, Any]]:
    for number, raw in _lines(handle, progress):
        if raw is None:
            yield number, FormatError("a line of more than 4 MiB cannot be an expert record")
            continue
        if number == 1:
            if raw.startswith(UTF16_MARKS):
                yield number, FormatError(UTF16_PROBLEM)
                return
            raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark
        if not raw.strip():
            continue
        try:
            text = _decode(raw)
        except FormatError as error:
            # The whole file needs saving again: one report, not one per line.
            yield number, error
            return
        try:
            yield number, _json_object(json.loads(text.rstrip("\r\n")))
        except json.JSONDecodeError as error:
            yield number, FormatError(f"malformed JSON at column {error.colno}: {error.msg}")
        except FormatError as error:
            yield number, error


def _json_object(value: Any) -> dict:
    if not isinstance(value, dict):
        raise FormatError(f"expected a JSON object for an expert, found {type(value).__name__}")
    return value


def _read_json_list(handle: BinaryIO, progress: Progress) -> Iterator[tuple[int, Any]]:
    """Stream the objects of a top-level JSON array with ``raw_decode``, chunk by chunk."""
    with _text(handle) as reader:
        yield from _json_items(reader, handle, progress)


@contextmanager
def _text(handle: BinaryIO) -> Iterator[io.TextIOWrapper]:
    """Read a binary handle as UTF-8 text, leaving the handle for its owner to close."""
    # utf-8-sig: spreadsheet programs often start files with a byte-order mark.
    reader = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        yield reader
    finally:
        reader.detach()


def _json_items(
    reader: io.TextIOWrapper, handle: BinaryIO, progress: Progress
) -> Iterator[tuple[int, Any]]:
    """Yield the list's records; stop at the first thing that is not strict JSON.

    States: "[" expects the opening bracket, "first" a record or "]", "record" a
    record (after a comma), "next" a comma or "]". A record still undecodable after
    ``MAX_RECORD`` characters is malformed, not cut by a chunk boundary, so memory
    stays bounded whatever the file holds.
    """
    decoder = json.JSONDecoder()
    buffer, line, state, ended = "", 1, "[", False
    while not ended:
        try:
            chunk = reader.read(CHUNK)
        except UnicodeDecodeError:
            yield _undecodable_line(handle)
            return
        ended, progress.read = not chunk, handle.tell()
        buffer += chunk
        while True:
            stripped = buffer.lstrip(" \t\r\n")
            line += buffer[: len(buffer) - len(stripped)].count("\n")
            buffer = stripped
            if not buffer:
                break
            if state in ("[", "next", "first") or buffer[0] == "]":
                problem, buffer, state = _json_punctuation(state, buffer)
                if problem or state == "]":
                    if not problem and (buffer.strip() or reader.read().strip()):
                        problem = "unexpected text after the closing ']' of the list"
                    if problem:
                        yield line, FormatError(problem)
                    return
                continue
            try:
                value, end = decoder.raw_decode(buffer)
            except json.JSONDecodeError as error:
                if not ended and len(buffer) < MAX_RECORD:
                    break  # The record may go on in the next chunk.
                yield line + error.lineno - 1, FormatError(f"malformed JSON: {error.msg}")
                return
            if end == len(buffer) and not ended:
                break  # A number or literal cut by the chunk boundary: read on.
            try:
                yield line, _json_object(value)
            except FormatError as error:
                yield line, error
            line += buffer[:end].count("\n")
            buffer, state = buffer[end:], "next"
    if state != "[":
        yield line, FormatError("the list is not closed: ']' expected at the end of the file")


def _json_punctuation(state: str, buffer: str) -> tuple[str | None, str, str]:
    """Consume the bracket or comma the state expects: (problem or None, rest, new state)."""
    char = buffer[0]
    if state == "[":
        if char != "[":
            return "a .json file must hold a list of expert records: '[' expected", buffer, state
        return None, buffer[1:], "first"
    if char == "]":
        if state == "record":
            return "a ',' with no record after it before ']'", buffer, state
        return None, buffer[1:], "]"
    if state == "next":
        if char != ",":
            return "',' or ']' expected after a record", buffer, state
        return None, buffer[1:], "record"
    return None, buffer, "record"  # "first": a record starts here


def _read_csv(handle: BinaryIO, progress: Progress) -> Iterator[tuple[int, Any]]:
    with _text(handle) as text:
        yield from _csv_items(text, handle, progress)


def _csv_items(
    text: io.TextIOWrapper, handle: BinaryIO, progress: Progress
) -> Iterator[tuple[int, Any]]:
    rows = csv.reader(text)
    number = 1  # Where the row being read starts: a quoted cell may span lines.
    try:
        header = next(rows, None)
        if header is None:
            return
        header = [name.strip() for name in header]
        expected = list(CSV_COLUMNS)
        if header not in (expected, [*expected, CSV_CONSENT_COLUMN]):
            yield 1, FormatError(_header_problem(header))
            return
        while True:
            number = rows.line_num + 1
            row = next(rows, None)
            if row is None:
                return
            progress.read = handle.tell()
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield number, FormatError(f"{len(row)} columns where the header has {len(header)}")
                continue
            try:
                yield number, csv_row_to_record(dict(zip(header, row, strict=True)))
            except FormatError as error:
                yield number, error
    except UnicodeDecodeError:
        yield _undecodable_line(handle)
    except csv.Error as error:
        yield number, FormatError(f"malformed CSV: {error}")


def _header_problem(header: list[str]) -> str:
    missing = [name for name in CSV_COLUMNS if name not in header]
    unknown = [name for name in header if name not in CSV_COLUMNS and name != CSV_CONSENT_COLUMN]
    parts = []
    if missing:
        parts.append("missing columns: " + ", ".join(missing))
    if unknown:
        parts.append("unknown columns: " + ", ".join(unknown))
    if not parts:
        parts.append("columns out of order")
    return "wrong CSV header (" + "; ".join(parts) + "); expected: " + ",".join(CSV_COLUMNS)


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _pair(part: str, column: str, example: str) -> tuple[str, str]:
    code, sep, value = part.rpartition(":")
    if not sep or not code.strip():
        raise FormatError(f"{column}: '{part}' is not of the form {example}")
    return code.strip(), value.strip()


def _integer(cell: str, column: str) -> int:
    try:
        return int(cell)
    except ValueError:
        raise FormatError(f"{column}: '{cell}' is not a whole number") from None


def csv_row_to_record(row: dict[str, str]) -> dict[str, Any]:
    """Turn one CSV row into an expert record of the JSON shape (validated later)."""
    row = {key: value.strip() for key, value in row.items()}
    record: dict[str, Any] = {
        "external_id": row["external_id"],
        "full_name": row["full_name"],
        "email": row["email"],
        "nationalities": _split(row["nationalities"]),
        "roster_status": row["roster_status"],
    }
    for key in ("residence_country", "gender", "seniority", "summary"):
        if row[key]:
            record[key] = row[key]
    for key in ("birth_year", "years_experience"):
        if row[key]:
            record[key] = _integer(row[key], key)
    if row["disability"]:
        flag = row["disability"].lower()
        if flag not in ("true", "false", "yes", "no", "1", "0"):
            raise FormatError(f"disability: '{row['disability']}' is not true or false")
        record["disability"] = flag in ("true", "yes", "1")
    record["languages"] = [
        {"code": code, "level": level}
        for code, level in (_pair(p, "languages", "fr:C1") for p in _split(row["languages"]))
    ]
    record["skills"] = []
    for part in _split(row["skills"]):
        code, _, years = part.partition(":")
        skill: dict[str, Any] = {"code": code.strip()}
        if years.strip():
            skill["years"] = _integer(years.strip(), "skills")
        record["skills"].append(skill)
    record["accessibility_expertise"] = _split(row["accessibility_expertise"])
    record["availability"] = []
    for part in _split(row["availability"]):
        start, sep, end = part.partition("/")
        if not sep:
            raise FormatError(f"availability: '{part}' is not of the form 2027-01-10/2027-06-30")
        record["availability"].append({"from": start.strip(), "to": end.strip()})
    if CSV_CONSENT_COLUMN in row:
        record["consent"] = {field: True for field in _split(row[CSV_CONSENT_COLUMN])}
    return record


def record_to_csv_row(record: dict[str, Any]) -> list[str]:
    """Turn an expert record into a CSV row (deployment history is JSON-only)."""

    def text(key: str) -> str:
        value = record.get(key)
        if value is None:
            return ""
        return str(value).lower() if isinstance(value, bool) else str(value)

    lists = {
        "nationalities": ";".join(record["nationalities"]),
        "languages": ";".join(f"{lang['code']}:{lang['level']}" for lang in record["languages"]),
        "skills": ";".join(
            f"{skill['code']}:{skill['years']}" if skill.get("years") is not None else skill["code"]
            for skill in record["skills"]
        ),
        "accessibility_expertise": ";".join(record.get("accessibility_expertise", [])),
        "availability": ";".join(f"{w['from']}/{w['to']}" for w in record.get("availability", [])),
    }
    row = [lists[column] if column in lists else text(column) for column in CSV_COLUMNS]
    consent = record.get("consent", {})
    return [*row, ";".join(field for field, given in consent.items() if given)]


def write_records(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records to ``path`` in the format its suffix names; return how many.

    The file appears only when complete: it is written beside and renamed at the end.
    """
    kind = file_format(path)
    partial = path.with_name(f".{path.name}.partial")
    count = 0
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            if kind == "csv":
                writer = csv.writer(out, lineterminator="\n")
                writer.writerow([*CSV_COLUMNS, CSV_CONSENT_COLUMN])
            elif kind == "json":
                out.write("[")
            for record in records:
                if kind == "csv":
                    writer.writerow(record_to_csv_row(record))
                elif kind == "json":
                    out.write(
                        ("\n" if count == 0 else ",\n") + json.dumps(record, ensure_ascii=False)
                    )
                else:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
            if kind == "json":
                out.write("\n]\n")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return count
