"""The expert's summary in their own words, which the matcher reads beside the terms of
reference."""

from sqlmodel import Session

from roster.messages import N_, Message
from roster.models import Expert
from roster.profiles.services import ProfileInvalid, lock
from roster.refusal import Problems
from roster.validation import clean_text

MAX_SUMMARY = 20_000


def save_summary(*, session: Session, expert: Expert, version: int, summary: str) -> None:
    """Save the free-text summary (at most 20,000 characters).

    Raises:
        ProfileInvalid: a control character, or too long. ProfileChanged: stale ``version``.
    """
    problems = Problems()
    text = problems.check(
        "summary",
        lambda: clean_text(
            summary, label=Message(N_("Summary")), max_length=MAX_SUMMARY, multiline=True
        ),
    )
    problems.raise_if_any(ProfileInvalid)
    lock(session=session, expert=expert, version=version)
    expert.summary = text
    session.add(expert)
