"""The roster at a glance: aggregate counts only, with small counts withheld."""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlmodel import Session

from matching.vocabulary import (
    ACCESSIBILITY_EXPERTISE,
    OFFICIAL_UN_LANGUAGES,
    UN_REGIONAL_GROUPS,
    is_sign_language,
    language_name,
    level_rank,
    un_region,
)
from roster.messages import N_
from roster.models import (
    Expert,
    ExpertAccessibility,
    ExpertLanguage,
    ExpertNationality,
    RosterStatus,
)
from roster.policy.privacy import SMALL_COUNT

# Counts below this are shown as "fewer than 5": a count of one or two can point at a person.
WORKING_LEVEL = level_rank("C1")

# How the page names each roster status and regional group; translated where shown.
STATUS_LABELS: dict[str, str] = {
    RosterStatus.APPLICANT.value: N_("Applicant"),
    RosterStatus.UNDER_REVIEW.value: N_("Under review"),
    RosterStatus.ROSTERED.value: N_("Rostered"),
    RosterStatus.DECLINED.value: N_("Declined"),
    RosterStatus.INACTIVE.value: N_("Inactive"),
    RosterStatus.SUSPENDED.value: N_("Suspended"),
    RosterStatus.WITHDRAWN.value: N_("Withdrawn"),
}
NO_REGIONAL_GROUP = N_("Not in a UN regional group")
REGION_LABELS: dict[str, str] = {
    "African": N_("African"),
    "Asia-Pacific": N_("Asia-Pacific"),
    "Eastern European": N_("Eastern European"),
    "Latin American and Caribbean": N_("Latin American and Caribbean"),
    "Western European and Others": N_("Western European and Others"),
    NO_REGIONAL_GROUP: NO_REGIONAL_GROUP,
}


def withhold_complement(counts: list[int]) -> list[int | None]:
    """Return ``counts`` with one more count withheld (None) where a total would betray one.

    Counts under ``SMALL_COUNT`` are withheld when shown. When the parts of a published
    total have exactly one such count, the total minus the others gives it away, so the
    smallest other non-zero count is withheld too.
    """
    shown: list[int | None] = list(counts)
    if sum(1 for count in counts if 0 < count < SMALL_COUNT) == 1:
        others = [i for i, count in enumerate(counts) if count >= SMALL_COUNT]
        if others:
            shown[min(others, key=lambda i: (counts[i], i))] = None
    return shown


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
    by_region: list[tuple[str, int | None]]
    women: int
    gender_disclosed: int
    languages: list[LanguageRow] = field(default_factory=list)
    languages_unlisted: int = 0
    accessibility: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def women_shown(self) -> int | None:
        """The count of women as published: withheld where it or its complement is small."""
        others = self.gender_disclosed - self.women
        if 0 < others < SMALL_COUNT:
            return None
        return self.women

    @property
    def women_share(self) -> float | None:
        """Share of women among rostered experts who disclosed their gender with consent.

        None where either the women or the others are too few to show: a percentage of
        a known total gives the count away.
        """
        if not self.gender_disclosed or self.women_shown is None or 0 < self.women < SMALL_COUNT:
            return None
        return self.women / self.gender_disclosed


def roster_overview(*, session: Session, language_limit: int = 20) -> RosterOverview:
    """Aggregate the roster: status, and for rostered experts region, gender, languages, access.

    Args:
        session: an open database session.
        language_limit: how many spoken languages to list after the six UN official
            languages and the sign languages.
    Returns:
        A ``RosterOverview``. Counts are exact, and small ones are withheld when shown;
        the regional groups, whose total (the rostered experts) is published, also
        withhold a complement (``withhold_complement``). The status counts have no
        published total, and the gender counts withhold through ``women_shown``.
    """
    statuses = dict(
        session.exec(
            select(Expert.roster_status, func.count())
            .where(Expert.merged_into_id.is_(None))
            .group_by(Expert.roster_status)
        ).all()
    )
    # Records merged into another are counted once, as their survivor.
    rostered = (Expert.roster_status == RosterStatus.ROSTERED) & Expert.merged_into_id.is_(None)
    regions: Counter[str] = Counter()
    primary = (
        select(ExpertNationality.country, func.count())
        .join(Expert)
        .where(rostered, ExpertNationality.position == 0)
        .group_by(ExpertNationality.country)
    )
    for country, count in session.exec(primary).all():
        regions[un_region(country) or NO_REGIONAL_GROUP] += count
    genders = dict(
        session.exec(
            select(Expert.gender, func.count())
            .where(rostered, Expert.gender.is_not(None))
            .group_by(Expert.gender)
        ).all()
    )
    languages, unlisted = _languages(session, language_limit)
    by_region = [(group, regions.pop(group, 0)) for group in UN_REGIONAL_GROUPS]
    by_region += sorted(regions.items())
    return RosterOverview(
        total=sum(statuses.values()),
        by_status=[(status.value, statuses.get(status, 0)) for status in RosterStatus],
        rostered=statuses.get(RosterStatus.ROSTERED, 0),
        by_region=_published(by_region),
        women=genders.get("woman", 0),
        gender_disclosed=sum(count for gender, count in genders.items() if gender != "undisclosed"),
        languages=languages,
        languages_unlisted=unlisted,
        accessibility=_accessibility(session),
    )


def _published(rows: list[tuple[str, int]]) -> list[tuple[str, int | None]]:
    counts = withhold_complement([count for _, count in rows])
    return [(name, count) for (name, _), count in zip(rows, counts, strict=True)]


def _languages(session: Session, limit: int) -> tuple[list[LanguageRow], int]:
    """The six UN official languages, every sign language spoken, then the ``limit`` most
    spoken others; and how many languages that leaves out."""
    rows = session.exec(
        select(ExpertLanguage.code, ExpertLanguage.level, func.count())
        .join(Expert)
        .where(Expert.roster_status == RosterStatus.ROSTERED, Expert.merged_into_id.is_(None))
        .group_by(ExpertLanguage.code, ExpertLanguage.level)
    ).all()
    speakers: Counter[str] = Counter()
    working: Counter[str] = Counter()
    for code, level, count in rows:
        speakers[code] += count
        if level_rank(level) >= WORKING_LEVEL:
            working[code] += count
    official = list(OFFICIAL_UN_LANGUAGES)
    by_speakers = sorted(
        (code for code in speakers if code not in official), key=lambda c: (-speakers[c], c)
    )
    sign = [code for code in by_speakers if is_sign_language(code)]
    others = [code for code in by_speakers if code not in sign]
    listed = official + sign + others[:limit]
    return [
        LanguageRow(code, language_name(code), speakers[code], working[code], code in official)
        for code in listed
    ], len(others[limit:])


def _accessibility(session: Session) -> list[tuple[str, str, int]]:
    counts = dict(
        session.exec(
            select(ExpertAccessibility.code, func.count())
            .join(Expert)
            .where(Expert.roster_status == RosterStatus.ROSTERED, Expert.merged_into_id.is_(None))
            .group_by(ExpertAccessibility.code)
        ).all()
    )
    return [(code, label, counts.get(code, 0)) for code, label in ACCESSIBILITY_EXPERTISE.items()]
