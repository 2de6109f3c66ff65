"""A needs file as uploaded: UTF-8 JSON (``needs.schema.json``), 10 MB at most.

``read_needs_file`` turns the bytes into the record or refuses them in plain words: too
large (with the size), empty, not UTF-8 (the line and column of the first bad byte; UTF-16
named as such), or not JSON (the line and column where reading stopped).
"""

import codecs
import json

from roster.messages import N_
from roster.refusal import Refused

MAX_NEEDS_FILE = 10 * 1024 * 1024
MAX_NEEDS_MB = MAX_NEEDS_FILE // (1024 * 1024)


class NeedsFileUnreadable(Refused):
    """A needs file that could not be read as JSON; its one problem is at ``file``."""


def too_large(size: int | None) -> NeedsFileUnreadable:
    """The refusal of a file over ``MAX_NEEDS_FILE`` bytes (its size, where known)."""
    if size is None:
        return NeedsFileUnreadable.at(
            "file",
            N_("The file is larger than %(most)s MB, the most a needs file may be."),
            most=MAX_NEEDS_MB,
        )
    return NeedsFileUnreadable.at(
        "file",
        N_("The file is %(size)s MB; a needs file may be at most %(most)s MB."),
        size=f"{size / (1024 * 1024):.1f}",
        most=MAX_NEEDS_MB,
    )


def _position(text: str, offset: int) -> tuple[int, int]:
    """The line and column (both from 1) of character ``offset`` of ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _decoded(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise NeedsFileUnreadable.at(
            "file", N_("The file is UTF-16 text; save it as UTF-8 and upload it again.")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        good = data[: error.start].decode("utf-8-sig")
        line, column = _position(good, len(good))
        raise NeedsFileUnreadable.at(
            "file",
            N_(
                "The file is not UTF-8 text: line %(line)s, column %(column)s holds a byte "
                "that is not. Save it as UTF-8 and upload it again."
            ),
            line=line,
            column=column,
        ) from None


def read_needs_file(data: bytes) -> object:
    """The JSON value of a needs file's ``data``.

    Raises:
        NeedsFileUnreadable: too large, empty, not UTF-8, or not JSON; nothing else is
            checked here (``records.checked_needs`` checks the record).
    """
    if len(data) > MAX_NEEDS_FILE:
        raise too_large(len(data))
    text = _decoded(data)
    if not text.strip():
        raise NeedsFileUnreadable.at("file", N_("The file is empty."))
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise NeedsFileUnreadable.at(
            "file",
            N_("The file is not valid JSON: %(problem)s at line %(line)s, column %(column)s."),
            problem=error.msg,
            line=error.lineno,
            column=error.colno,
        ) from None
    except RecursionError:
        raise NeedsFileUnreadable.at(
            "file", N_("The file nests lists or objects too deeply to be a needs assessment.")
        ) from None
