"""The answer links of call-outs: what they carry, how they are signed, how they read.

A link answers one call-out with one answer (``available`` or ``unavailable``). It is
signed with the app's secret key under its own salt, so no other signed link of the
roster (a confirmation, a reset) passes for one, and it is refused this many days after
it was signed, whatever its call-out says. Also the dates every part of the call-outs
shares: the role's period, when a call-out closes, the last day it takes an answer.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from roster.links import public_url
from roster.messages import N_, Message
from roster.models import CallOut, CandidateOutcome, MissionRole
from roster.refusal import OneProblem

DEFAULT_DAYS = 14
REPLY_SALT = "roster-call-out-reply"
# The endpoint of the public reply page (the ``replies`` feature), for mailed links.
REPLY_ENDPOINT = "replies.reply"


class Answer(StrEnum):
    """What an expert answers to a call-out: the candidacy's outcome of the same code."""

    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"

    @property
    def outcome(self) -> CandidateOutcome:
        """The candidate outcome this answer records."""
        return CandidateOutcome(self.value)


class ReplyRefused(OneProblem):
    """An answer that is not taken: the link is tampered with, expired, used or withdrawn.

    ``why`` is the kind, as the audit trail records it: ``tampered``, ``expired``,
    ``reused``, ``withdrawn``, ``gone`` (the call-out no longer exists) or
    ``not_allowed`` (the candidacy moved on meanwhile).
    """

    def __init__(self, message: Message, *, why: str, call_out: CallOut | None = None) -> None:
        super().__init__(message)
        self.why = why
        self.call_out = call_out


def aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; they are stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ReplyLinks:
    """Signs and reads the answer links of call-outs (their own salt, never a reset's).

    Attributes:
        secret_key: the app's secret key.
        days: how long a call-out stays open at most; a link is refused this long
            after it was signed, whatever the call-out's own end.
    """

    secret_key: str
    days: int = DEFAULT_DAYS

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=REPLY_SALT)

    def token(self, call_out: CallOut, answer: Answer, language: str | None = None) -> str:
        """A token answering ``call_out`` with ``answer``, and the mail's ``language``."""
        payload = {"call_out": call_out.public_id, "answer": answer.value}
        if language:
            payload["lang"] = language
        return self._serializer().dumps(payload)

    def url(self, call_out: CallOut, answer: Answer, language: str | None = None) -> str:
        """The link to mail: ``{ROSTER_BASE_URL}/reply/<token>``.

        The token carries the mail's ``language`` too, signed with the rest, so that the
        reply pages are shown in the language the expert read the call-out in.
        """
        return public_url(REPLY_ENDPOINT, token=self.token(call_out, answer, language))

    def language_of(self, token: str) -> str | None:
        """The language a token of ours was mailed in, even once expired; None if there is none."""
        try:
            payload = self._serializer().loads(token)  # no age given: its age is not judged
        except BadSignature:
            return None
        language = payload.get("lang") if isinstance(payload, dict) else None
        return language if isinstance(language, str) else None

    def read(self, token: str) -> tuple[str, Answer]:
        """The call-out's public id and the answer a token carries.

        Raises:
            ReplyRefused: the token is not one of ours, was altered (``tampered``), or
                was signed more than ``days`` ago (``expired``).
        """
        serializer = self._serializer()
        try:
            payload = serializer.loads(token, max_age=self.days * 86400)
        except SignatureExpired:
            raise ReplyRefused(
                Message(
                    N_(
                        "This link has expired. If you are still available, please say so "
                        "to whoever called you out."
                    )
                ),
                why="expired",
            ) from None
        except BadSignature:
            raise _tampered() from None
        if not isinstance(payload, dict):
            raise _tampered()
        public_id, answer = payload.get("call_out"), payload.get("answer")
        if not isinstance(public_id, str) or answer not in {a.value for a in Answer}:
            raise _tampered()
        return public_id, Answer(answer)


def _tampered() -> ReplyRefused:
    text = N_("This link is not valid. Please check that you copied all of it from the email.")
    return ReplyRefused(Message(text), why="tampered")


def reply_links(config: Mapping[str, Any]) -> ReplyLinks:
    """The reply links of an app's configuration (``SECRET_KEY``, ``CALL_OUT_DAYS``)."""
    return ReplyLinks(config["SECRET_KEY"], int(config.get("CALL_OUT_DAYS", DEFAULT_DAYS)))


def role_period(role: MissionRole) -> tuple[date, date]:
    """The role's dates: its own, or the mission's."""
    return role.start or role.needs.start, role.end or role.needs.end


def closing_time(role: MissionRole, *, sent: datetime, days: int) -> datetime:
    """When a call-out sent at ``sent`` closes: ``days`` later, or at the role's start if
    that is sooner (and still to come: a call-out for a role under way runs its days)."""
    start = datetime.combine(role_period(role)[0], time.min, tzinfo=UTC)
    end = sent + timedelta(days=days)
    return start if sent < start < end else end


def last_day(call_out: CallOut) -> date:
    """The last day a call-out takes an answer (it closes at the start of the next, or
    at the time of day it was sent)."""
    return (aware(call_out.expires_at) - timedelta(seconds=1)).date()
