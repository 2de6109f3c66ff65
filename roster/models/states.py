"""The states an expert and a candidacy move through, named as the taxonomy names them.

The members are written out, so that code and type checkers know
``RosterStatus.ROSTERED``; at import they are checked against the project's copy of
the taxonomy (``matching/data/taxonomy.json``), which stays normative: a status
added there and not here stops the roster from starting, rather than being refused
at the first import. The columns store the plain codes (``CodeType``).
"""

from enum import StrEnum
from typing import Any, Self

from sqlalchemy.types import TypeDecorator
from sqlmodel import AutoString

from matching.vocabulary import TAXONOMY
from roster.messages import N_, Message


class TaxonomyCode(StrEnum):
    """A code of taxonomy.json, readable as words (``label``) and parsed with a plain refusal."""

    @classmethod
    def noun(cls) -> Message:
        """What one code is called in messages: 'roster status', translated where shown."""
        raise NotImplementedError

    @classmethod
    def words(cls) -> dict[str, str]:
        """Each code's words, marked ``N_`` (English: the code, '_' read as a space)."""
        raise NotImplementedError

    @property
    def label(self) -> str:
        """The code as words: 'under review' for under_review."""
        return self.value.replace("_", " ")

    @property
    def word(self) -> Message:
        """The code's words as a message, translated where it is shown."""
        return Message(self.words()[self.value])

    @classmethod
    def parse(cls, value: object) -> Self:
        """Return the member whose code is ``value``.

        Raises:
            ValueError: ``value`` is no such code; the message names the valid ones.
        """
        if isinstance(value, cls):
            return value
        try:
            return cls(value)
        except ValueError:
            printable = isinstance(value, str) and value.isprintable() and len(value) <= 40
            shown = value if printable else "?"
            codes = ", ".join(member.value for member in cls)
            raise ValueError(
                Message(
                    N_("'%(value)s' is not a %(noun)s; it must be one of: %(codes)s."),
                    {"value": shown, "noun": cls.noun(), "codes": codes},
                )
            ) from None


class RosterStatus(TaxonomyCode):
    """Where an expert stands on the roster (taxonomy ``roster_statuses``).

    Only ``ROSTERED`` experts are shortlisted. The changes between them, and who
    may make each, are in ``roster.policy.roster_status``.
    """

    APPLICANT = "applicant"
    UNDER_REVIEW = "under_review"
    ROSTERED = "rostered"
    DECLINED = "declined"
    INACTIVE = "inactive"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"

    @classmethod
    def noun(cls) -> Message:
        """What one code is called in messages."""
        return Message(N_("roster status"))

    @classmethod
    def words(cls) -> dict[str, str]:
        """Each code's words, marked for translation."""
        return _STATUS_WORDS


class CandidateOutcome(TaxonomyCode):
    """What happened to a candidate for a role (taxonomy ``candidate_outcomes``), in order.

    The changes between them, and who may make each, are in ``roster.policy.candidacy``.
    """

    SHORTLISTED = "shortlisted"
    CONTACTED = "contacted"
    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"
    NO_RESPONSE = "no_response"
    PROPOSED = "proposed"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"
    DEPLOYED = "deployed"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"

    @classmethod
    def noun(cls) -> Message:
        """What one code is called in messages."""
        return Message(N_("candidate outcome"))

    @classmethod
    def words(cls) -> dict[str, str]:
        """Each code's words, marked for translation."""
        return _OUTCOME_WORDS


# The states in words, as refusals name them (the code, '_' read as a space).
_STATUS_WORDS = {
    "applicant": N_("applicant"),
    "under_review": N_("under review"),
    "rostered": N_("rostered"),
    "declined": N_("declined"),
    "inactive": N_("inactive"),
    "suspended": N_("suspended"),
    "withdrawn": N_("withdrawn"),
}
_OUTCOME_WORDS = {
    "shortlisted": N_("shortlisted"),
    "contacted": N_("contacted"),
    "available": N_("available"),
    "unavailable": N_("unavailable"),
    "no_response": N_("no response"),
    "proposed": N_("proposed"),
    "selected": N_("selected"),
    "not_selected": N_("not selected"),
    "deployed": N_("deployed"),
    "completed": N_("completed"),
    "withdrawn": N_("withdrawn"),
}


def _check(codes: type[TaxonomyCode], key: str) -> None:
    if [member.value for member in codes] != list(TAXONOMY[key]):
        raise RuntimeError(f"{codes.__name__} disagrees with taxonomy.json's {key}")
    if any(codes.words().get(member.value) != member.label for member in codes):
        raise RuntimeError(f"{codes.__name__}'s words disagree with its codes")


_check(RosterStatus, "roster_statuses")
_check(CandidateOutcome, "candidate_outcomes")


class CodeType(TypeDecorator):
    """A column of taxonomy codes: stored as plain text, read back as the enum's member.

    Writing a value that is not one of the codes raises before anything is sent to
    the database, by the ORM and by bulk inserts alike.
    """

    impl = AutoString
    cache_ok = True

    def __init__(self, codes: type[TaxonomyCode], length: int = 16) -> None:
        super().__init__(length=length)
        self.codes = codes

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        """The code as stored; a value that is no code is refused."""
        return None if value is None else self.codes.parse(value).value

    def process_result_value(self, value: Any, dialect: Any) -> TaxonomyCode | None:
        """The stored code as the enum's member."""
        return None if value is None else self.codes(value)
