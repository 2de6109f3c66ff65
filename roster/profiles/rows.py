"""Sections made of coded rows (languages with levels, expertise areas with years), read alike.

Each row is a typed name, read as a code of the vocabulary with a note of what was
understood, and a second cell (the level, the years). Blank rows are skipped; a code
given twice is kept once, with the better second cell; every problem is placed at its
row (``languages[2].code``, ``skills[0].years``) and all are raised together.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from roster.messages import N_, Message
from roster.profiles.services import ProfileInvalid
from roster.refusal import Problems

MAX_ROWS = 20


def understood(note: str) -> Message:
    """The vocabulary's note of what a typed name was read as, as a sentence."""
    return Message(N_("%(note)s."), {"note": note[:1].upper() + note[1:]})


def blank(value: object) -> bool:
    """Whether a cell of a row was left empty."""
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class CodedRows:
    """How one section's rows read: its list, its second cell and what it says."""

    name: str  # the list's name in the interchange format: "languages"
    second: str  # the second cell's: "level"
    read_code: Callable[[str], tuple[str, str | None]]  # raises Refused
    check_second: Callable[[Any], Any]  # raises Refused
    rank: Callable[[Any], int]  # of two rows of one code, the higher is kept
    too_many: str  # N_ text with %(most)s
    no_code: str  # N_ text
    twice: str  # N_ text with %(code)s

    def read(self, rows: Sequence[tuple[str, Any]]) -> tuple[list[dict], list[Message]]:
        """The rows as stored (code, second cell, position) and the notes on what was read.

        Raises:
            ProfileInvalid: at ``<name>[<row>].code`` / ``<name>[<row>].<second>``.
        """
        problems = Problems()
        found: dict[str, dict] = {}
        notes: list[Message] = []
        for index, (text, other) in enumerate(rows):
            row = f"{self.name}[{index}]"
            if blank(text) and blank(other):
                continue
            if index >= MAX_ROWS:
                problems.add(f"{row}.code", self.too_many, most=MAX_ROWS)
                break
            if blank(text):
                problems.add(f"{row}.code", self.no_code)
                continue
            read = problems.check(f"{row}.code", lambda t=text: self.read_code(t))
            problems.check(f"{row}.{self.second}", lambda o=other: self.check_second(o))
            if read is None or problems.has(f"{row}.{self.second}"):
                continue
            code, note = read
            if note:
                notes.append(understood(note))
            if code in found:
                notes.append(Message(self.twice, {"code": code}))
                if self.rank(other) <= self.rank(found[code][self.second]):
                    continue
            found[code] = {"code": code, self.second: other}
        problems.raise_if_any(ProfileInvalid)
        return [row | {"position": i} for i, row in enumerate(found.values())], notes
