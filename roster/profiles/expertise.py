"""What an expert can do: expertise areas with years, and accessibility expertise.

Typed expertise areas (``"voter registraton"``) are read as the taxonomy's codes by
``matching.vocabulary``, with a note of what was understood; accessibility expertise
is chosen among the taxonomy's codes.
"""

from collections.abc import Iterable, Sequence

from sqlmodel import Session

from matching.vocabulary import ACCESSIBILITY_EXPERTISE, VocabularyError, normalise_skill
from roster.messages import N_, Message
from roster.models import Expert, ExpertAccessibility, ExpertSkill
from roster.profiles.rows import CodedRows
from roster.profiles.services import ProfileInvalid, lock, sync_children
from roster.refusal import Refused
from roster.validation import clean_text, whole_number


def _skill(text: str) -> tuple[str, str | None]:
    cleaned = clean_text(text, label=Message(N_("Expertise area")), max_length=200)
    try:
        found = normalise_skill(cleaned)
    except VocabularyError:
        raise Refused.at(
            "",
            N_(
                "We did not recognise '%(text)s' as an expertise area. Choose one of "
                "the suggestions, or type its name."
            ),
            text=cleaned,
        ) from None
    return found.code, found.note


SKILL_ROWS = CodedRows(
    name="skills",
    second="years",
    read_code=_skill,
    check_second=lambda years: whole_number(years, label=Message(N_("Years")), low=0, high=70),
    rank=lambda years: years or 0,
    too_many=N_("Give at most %(most)s expertise areas."),
    no_code=N_("Type the expertise area, or clear its years."),
    twice=N_("%(code)s was given twice; the larger number of years is kept."),
)


def read_skills(rows: Sequence[tuple[str, int | None]]) -> tuple[list[dict], list[Message]]:
    """Read (typed expertise area, years) rows; return the skill rows and notes.

    Raises:
        ProfileInvalid: at ``skills[<row>].code`` / ``skills[<row>].years``.
    """
    return SKILL_ROWS.read(rows)


def save_skills(
    *, session: Session, expert: Expert, version: int, rows: Sequence[tuple[str, int | None]]
) -> list[Message]:
    """Replace the expertise areas; a recruiter's verification stays on areas still declared."""
    skills, notes = read_skills(rows)
    lock(session=session, expert=expert, version=version)
    sync_children(expert.skills, skills, key="code", make=ExpertSkill)
    session.add(expert)
    return notes


def save_accessibility(
    *, session: Session, expert: Expert, version: int, codes: Iterable[str]
) -> None:
    """Save the accessibility expertise, codes of the taxonomy only.

    Raises:
        ProfileInvalid: a code not in the taxonomy. ProfileChanged: stale ``version``.
    """
    wanted = list(dict.fromkeys(codes))
    if any(code not in ACCESSIBILITY_EXPERTISE for code in wanted):
        raise ProfileInvalid.at(
            "accessibility_expertise",
            N_("Choose among the listed kinds of accessibility expertise."),
        )
    lock(session=session, expert=expert, version=version)
    sync_children(
        expert.accessibility,
        [{"code": c, "position": i} for i, c in enumerate(wanted)],
        key="code",
        make=ExpertAccessibility,
    )
    session.add(expert)
