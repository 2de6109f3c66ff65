"""The one way the roster refuses input.

A service that cannot accept what it was given raises ``Refused`` (or a subclass naming
the feature) with every problem it found. A problem names what to correct by its path in
the interchange format's terms (``languages[0].code``, ``nationalities[1]``, ``""`` for the
input as a whole) and says why with a ``Message``: a text id marked ``N_`` and its
parameters, translated where it is shown. Pages put each problem on the form field its path
names (``roster.web.forms``); the command line prints ``str(refusal)``; an API returns
``refusal.as_json()``.

Services collect problems in a ``Problems`` and raise once, so a person sees everything to
correct at the first try::

    problems = Problems()
    if not name:
        problems.add("full_name", N_("Enter your full name."))
    problems.raise_if_any(ProfileInvalid)
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from roster.messages import Message


@dataclass(frozen=True)
class Problem:
    """One thing to correct: where (an interchange path) and why (a message and its parameters)."""

    path: str
    message: Message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else str(self.message)


def problem(path: str, text: str, /, **params: Any) -> Problem:
    """A problem at ``path``; ``text`` is an ``N_``-marked id with ``%(name)s`` placeholders."""
    return Problem(path, Message(text, params))


class Refused(ValueError):
    """Input that cannot be accepted, with every problem found in it (at least one)."""

    def __init__(self, problems: Iterable[Problem] | Problem) -> None:
        self.problems: tuple[Problem, ...] = (
            (problems,) if isinstance(problems, Problem) else tuple(problems)
        )
        if not self.problems:
            raise TypeError("A refusal names at least one problem.")
        super().__init__("; ".join(str(found) for found in self.problems))

    @classmethod
    def at(cls, path: str, text: str, /, **params: Any) -> "Refused":
        """A refusal of one problem: ``raise ProfileInvalid.at("cv", N_("..."))``."""
        return cls(problem(path, text, **params))

    def as_json(self) -> list[dict[str, Any]]:
        """The problems as an API returns them: path, message id, parameters and English text."""
        return [
            {
                "path": found.path,
                "message_id": found.message.text,
                "params": dict(found.message.params),
                "message": str(found.message),
            }
            for found in self.problems
        ]


class OneProblem(Refused):
    """A refusal of one problem, given as a message (``field`` is its path)."""

    def __init__(self, message: Message | str, *, field: str = "") -> None:
        super().__init__(
            Problem(field, message if isinstance(message, Message) else Message(message))
        )

    def __str__(self) -> str:
        return str(self.message)

    @property
    def field(self) -> str:
        """What to correct: the problem's path."""
        return self.problems[0].path

    @property
    def message(self) -> Message:
        """What is wrong."""
        return self.problems[0].message


class Problems:
    """The problems a service finds while it checks its input; raised together once."""

    def __init__(self) -> None:
        self._found: list[Problem] = []

    def add(self, path: str, text: str, /, **params: Any) -> None:
        """Note a problem at ``path`` (see ``problem``)."""
        self._found.append(problem(path, text, **params))

    def extend(self, refusal: Refused, *, under: str = "") -> None:
        """Take over another refusal's problems, their paths placed under ``under``."""
        for found in refusal.problems:
            self._found.append(Problem(join_path(under, found.path), found.message))

    def __bool__(self) -> bool:
        return bool(self._found)

    def check(self, path: str, check: Callable[[], Any]) -> Any:
        """Run one field's check; a refusal it raises is noted under ``path`` (then None)."""
        try:
            return check()
        except Refused as refusal:
            self.extend(refusal, under=path)
            return None

    def has(self, path: str) -> bool:
        """Whether a problem was already noted at ``path``."""
        return any(found.path == path for found in self._found)

    def raise_if_any(self, kind: type[Refused] = Refused) -> None:
        """Raise ``kind`` with every problem noted, if there is one."""
        if self._found:
            raise kind(self._found)


class Changed(Exception):
    """The record changed since the form was opened (another tab saved first); nothing saved.

    Not a refusal of the input, which may be right: the person checks it and sends it again.
    """

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(str(message))


def join_path(parent: str, child: str | int) -> str:
    """``join_path("languages", 0)`` is ``languages[0]``; ``join_path("languages[0]", "code")``
    is ``languages[0].code``; an empty side leaves the other as it is."""
    if isinstance(child, int):
        return f"{parent}[{child}]"
    if not parent or not child:
        return parent or child
    return f"{parent}[{child[1:]}" if child.startswith("[") else f"{parent}.{child}"
