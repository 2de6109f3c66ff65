"""State machines as data: which change is allowed, to whom, and whether it needs a reason.

A machine's rules map ``(from, to)`` to the standings that may make the change, each
with whether it must give a reason; ``from`` is None for the first state. A change
not in the rules is refused, and so is one made by someone not named for it, or
without its reason: always with ``TransitionRefused``, in plain words. Each machine
is declared once as a ``StateMachine``; its service (``roster_status``,
``candidacy``) checks a change with ``check``, writes its own history row, and
audits it with ``audit``.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from roster.messages import N_, Message, either, listed
from roster.models import AuditEvent, Expert, User
from roster.models.states import TaxonomyCode
from roster.policy.standing import MailedLink, Standing, standing_of, who
from roster.refusal import OneProblem
from roster.validation import UnstorableText, storable_text, unstorable_message


class Reason(StrEnum):
    """Whether whoever makes a change must say why."""

    REQUIRED = "required"
    OPTIONAL = "optional"


REQUIRED, OPTIONAL = Reason.REQUIRED, Reason.OPTIONAL

# (from, to) -> who may make the change -> whether they must say why.
Rules = Mapping[tuple[Any, Any], Mapping[Standing, Reason]]


class TransitionRefused(OneProblem):
    """A change of state that is not allowed, or not to this person, or lacks its reason.

    ``field`` (the problem's path) names what to correct: ``to`` (the change itself),
    ``reason``, ``rating`` or ``shortlist_entry``; ``message`` says it in plain words.
    """

    def __init__(self, message: str | Message, *, field: str = "to") -> None:
        super().__init__(message, field=field)


@dataclass(frozen=True)
class StateMachine:
    """One machine: its states, its rules, its reasons' limits and its audit action.

    Attributes:
        codes: the enum of the states.
        rules: who may make which change, and who must say why.
        max_reason: the longest reason stored.
        reader: who reads the reason, for the message asking for one (marked ``N_``).
        action: the audit event's action.
    """

    codes: type[TaxonomyCode]
    rules: Rules
    max_reason: int
    reader: str
    action: str

    def check(
        self,
        *,
        current: TaxonomyCode | None,
        to: object,
        by: User | MailedLink,
        expert: Expert,
        reason: str,
    ) -> tuple[Any, str]:
        """Check that ``by`` may move ``expert``'s state from ``current`` to ``to``.

        Returns:
            The new state, and its reason as it is to be stored.
        Raises:
            TransitionRefused: ``to`` is no state; the change is not in the rules, not
                for ``by``, or its reason is missing, too long or holds characters that
                cannot be stored.
        """
        wanted = self.parse(to)
        noun = wanted.noun()
        if current == wanted:
            raise TransitionRefused(
                Message(
                    N_("The %(noun)s is already %(state)s; nothing was changed."),
                    {"noun": noun, "state": wanted.word},
                )
            )
        allowed = self.rules.get((current, wanted))
        if allowed is None:
            raise TransitionRefused(self._not_a_change(current, wanted))
        standing = standing_of(user=by, expert=expert)
        makers = standing & allowed.keys()
        if not makers:
            params = {"who": who(set(allowed)), "noun": noun, "change": _span(current, wanted)}
            raise TransitionRefused(
                Message(
                    N_(
                        "Only %(who)s can change the %(noun)s %(change)s, "
                        "and not on their own record."
                    )
                    if Standing.OWNER in standing
                    else N_("Only %(who)s can change the %(noun)s %(change)s."),
                    params,
                )
            )
        return wanted, self._reason(
            current, wanted, reason, any(allowed[m] is REQUIRED for m in makers)
        )

    def parse(self, value: object) -> Any:
        """The state named by ``value``, or ``TransitionRefused`` naming the valid ones."""
        try:
            return self.codes.parse(value)
        except ValueError as error:
            said = error.args[0] if error.args else str(error)
            raise TransitionRefused(said if isinstance(said, Message) else str(error)) from None

    def audit(
        self,
        session: Session,
        *,
        by: User | MailedLink,
        expert: Expert,
        current: TaxonomyCode | None,
        wanted: TaxonomyCode,
        **detail: str,
    ) -> None:
        """Write the audit event of a change: who, whose, from and to, and ``detail``.

        Never the reason: it stays with the history row, which goes when the expert is
        erased, while the audit event stays.
        """
        session.add(
            AuditEvent(
                actor_id=by.id,
                action=self.action,
                subject_expert_id=expert.id,
                detail={**detail, "from": current.value if current else None, "to": wanted.value},
            )
        )

    def markdown(self, *, first: str = "(new)") -> str:
        """The rules as a Markdown table: change, who may make it, who must say why.

        Changes to the same state under the same rule share a row, their starts listed.
        """
        rows: dict[tuple, list[str]] = {}
        for (start, to), allowed in self.rules.items():
            key = (to, tuple(sorted(allowed.items())))
            rows.setdefault(key, []).append(start.label if start else first)
        # The README's table, in English.
        lines = ["| from | to | who may | reason required from |", "| --- | --- | --- | --- |"]
        for (to, allowed), starts in rows.items():
            required = {s for s, r in allowed if r is REQUIRED}
            lines.append(
                f"| {', '.join(starts)} | {to.label} | {who({s for s, _ in allowed})} | "
                f"{who(required) if required else '–'} |"
            )
        return "\n".join(lines)

    def _reason(
        self, current: TaxonomyCode | None, wanted: TaxonomyCode, reason: str, required: bool
    ) -> str:
        try:
            text = storable_text(reason or "", multiline=True)
        except UnstorableText:
            raise TransitionRefused(
                unstorable_message(Message(N_("The reason"))), field="reason"
            ) from None
        if not text and required:
            raise TransitionRefused(
                Message(
                    N_(
                        "Please give the reason for changing the %(noun)s %(change)s: "
                        "%(reader)s reads it."
                    ),
                    {
                        "noun": wanted.noun(),
                        "change": _span(current, wanted),
                        "reader": Message(self.reader),
                    },
                ),
                field="reason",
            )
        if len(text) > self.max_reason:
            raise TransitionRefused(
                Message(
                    N_("The reason must be at most %(most)s characters long (it is %(length)s)."),
                    {"most": self.max_reason, "length": len(text)},
                ),
                field="reason",
            )
        return text

    def _not_a_change(self, current: TaxonomyCode | None, wanted: TaxonomyCode) -> Message:
        noun = wanted.noun()
        onward = [to.word for (start, to) in self.rules if start == current]
        if current is None:
            return Message(
                N_("A new %(noun)s cannot be %(state)s; it starts as %(starts)s."),
                {"noun": noun, "state": wanted.word, "starts": either(onward)},
            )
        if not onward:
            return Message(
                N_("A %(noun)s of %(current)s is final: it cannot change to %(state)s."),
                {"noun": noun, "current": current.word, "state": wanted.word},
            )
        return Message(
            N_(
                "A %(noun)s cannot change from %(current)s to %(state)s; "
                "from %(current)s it can change to %(onward)s."
            ),
            {"noun": noun, "current": current.word, "state": wanted.word, "onward": listed(onward)},
        )


def _span(current: TaxonomyCode | None, wanted: TaxonomyCode) -> Message:
    if current is None:
        return Message(N_("to %(state)s"), {"state": wanted.word})
    return Message(
        N_("from %(current)s to %(state)s"), {"current": current.word, "state": wanted.word}
    )
