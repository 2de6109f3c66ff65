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

from roster.interchange.csv_rows import (
    CSV_COLUMNS,
    CSV_CONSENT_COLUMN,
    csv_row_to_record,
    header_problem,
    record_to_csv_row,
)
from roster.interchange.problems import FileRejected, FormatError

__all__ = [
    "CSV_COLUMNS",
    "CSV_CONSENT_COLUMN",
    "FileRejected",
    "FormatError",
    "Progress",
    "csv_row_to_record",
    "file_format",
    "read_records",
    "record_to_csv_row",
    "write_records",
]
SUFFIXES = (".jsonl", ".json", ".csv")
CHUNK = 1 << 16
# No record comes near this (a summary is at most 20,000 characters); anything longer
# is malformed, and reading stops rather than holding the rest of the file in memory.
MAX_RECORD = 4 * 1024 * 1024
# An expert record nests three levels (the record, its deployments, one of them).
# Much deeper is no record, and would exhaust Python's stack in the JSON parser or
# in validation (a RecursionError): it is refused as it is read.
MAX_DEPTH = 16
EXPERT = "expert record"


def _too_deep_problem(noun: str) -> str:
    return f"lists or objects nested more than {MAX_DEPTH} levels deep: not an {noun}"


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


@dataclass(frozen=True)
class _Reading:
    """What the records are called, and whether a .json file may hold just one."""

    noun: str = EXPERT
    lone_object: bool = False


def read_records(
    path: Path,
    progress: Progress | None = None,
    *,
    noun: str = EXPERT,
    lone_object: bool = False,
) -> Iterator[tuple[int, Any]]:
    """Yield ``(line, record or FormatError)`` from a file in any interchange format.

    Args:
        path: the file; its suffix names its format.
        progress: updated with the bytes read so far.
        noun: what one record is called in the problems ("needs assessment").
        lone_object: a .json file may hold one object instead of a list of them.
    """
    readers: dict[str, Callable[[BinaryIO, Progress, _Reading], Iterator[tuple[int, Any]]]] = {
        "jsonl": _read_jsonl,
        "json": _read_json_list,
        "csv": _read_csv,
    }
    reader = readers[file_format(path)]
    progress = progress or Progress()
    found = False
    with path.open("rb") as handle:
        for item in reader(handle, progress, _Reading(noun, lone_object)):
            found = True
            yield item
    if not found:
        raise FileRejected(f"{path.name}: the file is empty: it holds no {noun}s")


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


def _read_jsonl(
    handle: BinaryIO, progress: Progress, reading: _Reading
) -> Iterator[tuple[int, Any]]:
    for number, raw in _lines(handle, progress):
        if raw is None:
            yield number, FormatError(f"a line of more than 4 MiB cannot be an {reading.noun}")
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
            yield number, _json_object(json.loads(text.rstrip("\r\n")), reading.noun)
        except json.JSONDecodeError as error:
            yield number, FormatError(f"malformed JSON at column {error.colno}: {error.msg}")
        except RecursionError:
            yield number, FormatError(_too_deep_problem(reading.noun))
        except FormatError as error:
            yield number, error


def _json_object(value: Any, noun: str = EXPERT) -> dict:
    if not isinstance(value, dict):
        what = "an expert" if noun == EXPERT else f"a {noun}"
        raise FormatError(f"expected a JSON object for {what}, found {type(value).__name__}")
    if _too_deep(value):
        raise FormatError(_too_deep_problem(noun))
    return value


def _too_deep(value: dict) -> bool:
    """Whether lists or objects nest more than ``MAX_DEPTH`` levels, without recursing."""
    level: list[Any] = [value]
    for _ in range(MAX_DEPTH):
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


def _read_json_list(
    handle: BinaryIO, progress: Progress, reading: _Reading
) -> Iterator[tuple[int, Any]]:
    """Stream the objects of a top-level JSON array with ``raw_decode``, chunk by chunk."""
    with _text(handle) as reader:
        yield from _json_items(reader, handle, progress, reading)


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
    reader: io.TextIOWrapper, handle: BinaryIO, progress: Progress, reading: _Reading
) -> Iterator[tuple[int, Any]]:
    """Yield the list's records; stop at the first thing that is not strict JSON.

    States: "[" expects the opening bracket, "first" a record or "]", "record" a
    record (after a comma), "next" a comma or "]"; "lone" a single record where the
    file may hold one instead of a list, "end" nothing more. A record still undecodable after
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
            if state == "end":
                yield line, FormatError(f"unexpected text after the {reading.noun}")
                return
            if state in ("[", "next", "first") or (buffer[0] == "]" and state != "lone"):
                problem, buffer, state = _json_punctuation(state, buffer, reading)
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
            except RecursionError:
                # Where such a value ends is unknown, so reading cannot go on past it.
                yield line, FormatError(_too_deep_problem(reading.noun))
                return
            if end == len(buffer) and not ended:
                break  # A number or literal cut by the chunk boundary: read on.
            try:
                yield line, _json_object(value, reading.noun)
            except FormatError as error:
                yield line, error
            line += buffer[:end].count("\n")
            buffer, state = buffer[end:], "end" if state == "lone" else "next"
    if state not in ("[", "end"):
        yield line, FormatError("the list is not closed: ']' expected at the end of the file")


def _json_punctuation(state: str, buffer: str, reading: _Reading) -> tuple[str | None, str, str]:
    """Consume the bracket or comma the state expects: (problem or None, rest, new state)."""
    char = buffer[0]
    if state == "[":
        if char == "{" and reading.lone_object:
            return None, buffer, "lone"
        if char != "[":
            if reading.lone_object:
                return (
                    f"a .json file must hold a {reading.noun} or a list of them: "
                    "'{' or '[' expected",
                    buffer,
                    state,
                )
            return f"a .json file must hold a list of {reading.noun}s: '[' expected", buffer, state
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


def _read_csv(handle: BinaryIO, progress: Progress, reading: _Reading) -> Iterator[tuple[int, Any]]:
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
            yield 1, FormatError(header_problem(header))
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
                # Every cell quoted: a spreadsheet that splits rows on ";" (as in many
                # locales) must not find a cell, and a formula, in "fr:native;=1+1"; and a
                # cell holding "\r" must not end the row for a reader.
                writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
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
