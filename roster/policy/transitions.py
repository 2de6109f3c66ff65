"""State machines as data: which change is allowed, to whom, and whether it needs a reason.

A machine's rules map ``(from, to)`` to the standings that may make the change, each
with whether it must give a reason; ``from`` is None for the first state. A change
not in the rules is refused, and so is one made by someone not named for it, or
without its reason: always with ``TransitionRefused``, in plain words.
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from roster.models.states import TaxonomyCode
from roster.policy.standing import Standing, who
from roster.text import UnstorableText, storable_text, unstorable_message

State = TypeVar("State", bound=TaxonomyCode)


class Reason(StrEnum):
    """Whether whoever makes a change must say why."""

    REQUIRED = "required"
    OPTIONAL = "optional"


# (from, to) -> who may make the change -> whether they must say why.
Rules = Mapping[tuple[TaxonomyCode | None, TaxonomyCode], Mapping[Standing, Reason]]


class TransitionRefused(ValueError):
    """A change of state that is not allowed, or not to this person, or lacks its reason.

    ``field`` names what to correct: ``to`` (the change itself), ``reason`` or
    ``rating``; ``message`` says it in plain words.
    """

    def __init__(self, message: str, *, field: str = "to") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def parsed(codes: type[State], value: object) -> State:
    """The state named by ``value``, or ``TransitionRefused`` naming the valid ones."""
    try:
        return codes.parse(value)
    except ValueError as error:
        raise TransitionRefused(str(error)) from None


def checked_reason(
    rules: Rules,
    *,
    current: State | None,
    wanted: State,
    standing: frozenset[Standing],
    reason: str,
    max_length: int,
    reader: str,
) -> str:
    """Check one change against ``rules``; return its reason as it is to be stored.

    Args:
        rules: the machine's rules.
        current: the state now; None before the first.
        wanted: the state asked for.
        standing: how the person making the change stands to the record.
        reason: what they gave as the reason, possibly empty.
        max_length: the longest reason stored.
        reader: who reads the reason, for the message asking for one.
    Raises:
        TransitionRefused: the change is not in the rules, not for this person, or its
            reason is missing, too long or holds characters that cannot be stored.
    """
    noun = wanted.noun()
    if current == wanted:
        raise TransitionRefused(f"The {noun} is already {wanted.label}; nothing was changed.")
    allowed = rules.get((current, wanted))
    if allowed is None:
        raise TransitionRefused(_not_a_change(rules, current, wanted))
    makers = standing & allowed.keys()
    if not makers:
        own = " on someone else's record" if Standing.OWNER in standing else ""
        raise TransitionRefused(
            f"Only {who(set(allowed))}{own} can change the {noun} {_span(current, wanted)}."
        )
    try:
        text = storable_text(reason or "", multiline=True)
    except UnstorableText:
        raise TransitionRefused(unstorable_message("The reason"), field="reason") from None
    if not text and any(allowed[m] is Reason.REQUIRED for m in makers):
        raise TransitionRefused(
            f"Please give the reason for changing the {noun} {_span(current, wanted)}: "
            f"{reader} reads it.",
            field="reason",
        )
    if len(text) > max_length:
        raise TransitionRefused(
            f"The reason must be at most {max_length:,} characters long (it is {len(text):,}).",
            field="reason",
        )
    return text


def _span(current: TaxonomyCode | None, wanted: TaxonomyCode) -> str:
    return f"to {wanted.label}" if current is None else f"from {current.label} to {wanted.label}"


def _not_a_change(rules: Rules, current: State | None, wanted: State) -> str:
    noun = wanted.noun()
    onward = [to.label for (start, to) in rules if start == current]
    if current is None:
        return f"A new {noun} cannot be {wanted.label}; it starts as {' or '.join(onward)}."
    if not onward:
        return f"A {noun} of {current.label} is final: it cannot change to {wanted.label}."
    return (
        f"A {noun} cannot change from {current.label} to {wanted.label}; "
        f"from {current.label} it can change to {', '.join(onward)}."
    )


def rules_markdown(rules: Rules, *, first: str = "(new)") -> str:
    """The rules as a Markdown table: change, who may make it, who must say why.

    Changes to the same state under the same rule share a row, their starts listed.
    """
    rows: dict[tuple, list[str]] = {}
    for (start, to), allowed in rules.items():
        key = (to, tuple(sorted(allowed.items())))
        rows.setdefault(key, []).append(start.label if start else first)
    lines = ["| from | to | who may | reason required from |", "| --- | --- | --- | --- |"]
    for (to, allowed), starts in rows.items():
        required = {s for s, r in allowed if r is Reason.REQUIRED}
        lines.append(
            f"| {', '.join(starts)} | {to.label} | {who({s for s, _ in allowed})} | "
            f"{who(required) if required else '–'} |"
        )
    return "\n".join(lines)
