"""The roster at a glance: aggregate counts only, with small counts withheld."""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlmodel import Session

from matching.vocabulary import (
    ACCESSIBILITY_EXPERTISE,
    OFFICIAL_UN_LANGUAGES,
    ROSTER_STATUSES,
    UN_REGIONAL_GROUPS,
    language_name,
    level_rank,
    un_region,
)
from roster.models import Expert, ExpertAccessibility, ExpertLanguage, ExpertNationality

# Counts below this are shown as "fewer than 5": a count of one or two can point at a person.
SMALL_COUNT = 5
WORKING_LEVEL = level_rank("C1")


@dataclass
class LanguageRow:
    """Experts speaking a language, and how many at C1 or above."""

    code: str
    name: str
    speakers: int
    working: int
    official: bool


@dataclass
class RosterOverview:
    """What the home page shows about the roster."""

    total: int
    by_status: list[tuple[str, int]]
    rostered: int
    by_region: list[tuple[str, int]]
    women: int
    gender_disclosed: int
    languages: list[LanguageRow] = field(default_factory=list)
    accessibility: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def women_share(self) -> float | None:
        """Share of women among rostered experts who disclosed their gender with consent."""
        return self.women / self.gender_disclosed if self.gender_disclosed else None


def roster_overview(*, session: Session, language_limit: int = 20) -> RosterOverview:
    """Aggregate the roster: status, and for rostered experts region, gender, languages, access.

    Args:
        session: an open database session.
        language_limit: how many languages to list after the six UN official languages.
    Returns:
        A ``RosterOverview``; counts are exact, withholding happens when they are shown.
    """
    statuses = dict(
        session.exec(
            select(Expert.roster_status, func.count()).group_by(Expert.roster_status)
        ).all()
    )
    rostered = Expert.roster_status == "rostered"
    regions: Counter[str] = Counter()
    primary = (
        select(ExpertNationality.country, func.count())
        .join(Expert)
        .where(rostered, ExpertNationality.position == 0)
        .group_by(ExpertNationality.country)
    )
    for country, count in session.exec(primary).all():
        regions[un_region(country) or "Not in a UN regional group"] += count
    genders = dict(
        session.exec(
            select(Expert.gender, func.count())
            .where(rostered, Expert.gender.is_not(None))
            .group_by(Expert.gender)
        ).all()
    )
    return RosterOverview(
        total=sum(statuses.values()),
        by_status=[(status, statuses.get(status, 0)) for status in ROSTER_STATUSES],
        rostered=statuses.get("rostered", 0),
        by_region=[(group, regions.pop(group, 0)) for group in UN_REGIONAL_GROUPS]
        + sorted(regions.items()),
        women=genders.get("woman", 0),
        gender_disclosed=sum(count for gender, count in genders.items() if gender != "undisclosed"),
        languages=_languages(session, language_limit),
        accessibility=_accessibility(session),
    )


def _languages(session: Session, limit: int) -> list[LanguageRow]:
    rows = session.exec(
        select(ExpertLanguage.code, ExpertLanguage.level, func.count())
        .join(Expert)
        .where(Expert.roster_status == "rostered")
        .group_by(ExpertLanguage.code, ExpertLanguage.level)
    ).all()
    speakers: Counter[str] = Counter()
    working: Counter[str] = Counter()
    for code, level, count in rows:
        speakers[code] += count
        if level_rank(level) >= WORKING_LEVEL:
            working[code] += count
    official = [code for code in OFFICIAL_UN_LANGUAGES]
    others = sorted(
        (code for code in speakers if code not in official), key=lambda c: (-speakers[c], c)
    )
    return [
        LanguageRow(code, language_name(code), speakers[code], working[code], code in official)
        for code in official + others[:limit]
    ]


def _accessibility(session: Session) -> list[tuple[str, str, int]]:
    counts = dict(
        session.exec(
            select(ExpertAccessibility.code, func.count())
            .join(Expert)
            .where(Expert.roster_status == "rostered")
            .group_by(ExpertAccessibility.code)
        ).all()
    )
    return [(code, label, counts.get(code, 0)) for code, label in ACCESSIBILITY_EXPERTISE.items()]
