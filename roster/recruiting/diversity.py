"""Where the roster is thin: who is on it, how that changed, and supply against demand.

Every figure counts people, so all of them pass the small-count rule together
(``roster.policy.privacy.withhold_tables``): tables that publish the same figure (the
experts in each roster status, the rostered experts in each expertise area) share it,
and the figures the public home page shows are withheld here exactly as there. What an
administrator alone sees (disability, age) is computed for everyone, so that whether a
figure is withheld never depends on who reads the page.

Counting is done by the database (GROUP BY); Python only maps a few hundred codes
(countries to UN regional groups, birth years to bands) and the demand of needs
assessments, which are roles, not people. Merged records are never counted.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import langcodes
from sqlalchemy import Integer, String, and_, case, func, literal, or_, select, union_all
from sqlmodel import Session

from matching.vocabulary import (
    ACCESSIBILITY_EXPERTISE,
    EXPERTISE_AREAS,
    GENDERS,
    OFFICIAL_UN_LANGUAGES,
    UN_REGIONAL_GROUPS,
    is_sign_language,
    level_rank,
    un_region,
)
from roster.models import (
    Expert,
    ExpertAccessibility,
    ExpertLanguage,
    ExpertNationality,
    ExpertSkill,
    RosterStatus,
    RosterStatusChange,
)
from roster.policy.privacy import (
    CountTable,
    Figure,
    Key,
    Line,
    PublishedTable,
    withhold_tables,
)
from roster.recruiting.supply_demand import GapRow, months_before, supply_and_demand

STATUSES: tuple[str, ...] = tuple(status.value for status in RosterStatus)
NOT_RECORDED = "not-recorded"
NO_GROUP = "none"
GENDER_ROWS: tuple[str, ...] = (*GENDERS, NOT_RECORDED)
REGION_ROWS: tuple[str, ...] = (*UN_REGIONAL_GROUPS, NO_GROUP)
DISABILITY_ROWS: tuple[str, ...] = ("yes", "no", NOT_RECORDED)
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under-30", 0, 29),
    ("30-39", 30, 39),
    ("40-49", 40, 49),
    ("50-59", 50, 59),
    ("60-plus", 60, 200),
)
AGE_ROWS: tuple[str, ...] = (*(band for band, _, _ in AGE_BANDS), NOT_RECORDED)
QUARTERS = 8
DEMAND_MONTHS = 24
# A rostered expert supplies a language at C1 or above, the level missions work in.
WORKING_LEVEL = "C1"
DIMENSIONS = ("gender", "region", "language", "accessibility")

# Keys of the figures several tables publish.
STATUS_KEYS: tuple[Key, ...] = tuple(("experts in status", status) for status in STATUSES)
ALL_EXPERTS: Key = ("experts",)


def _area_key(area: str) -> Key:
    return ("rostered in area", area)


def _quarter_key(end: date) -> Key:
    return ("rostered at", end)


@dataclass(frozen=True)
class Trend:
    """Rostered experts at each quarter's end by one characteristic, and their shares."""

    table: PublishedTable
    totals: tuple[Figure, ...]
    shares: tuple[tuple[float | None, ...], ...]
    changes: tuple[tuple[float | None, ...], ...]


@dataclass(frozen=True)
class Diversity:
    """What the dashboard shows; ``sensitive`` is for administrators only."""

    statuses: tuple[str, ...]
    by_status: dict[str, PublishedTable]
    by_area: dict[str, PublishedTable]
    trends: dict[str, Trend]
    quarter_ends: tuple[date, ...]
    sensitive: dict[str, PublishedTable]
    gap: tuple[GapRow, ...]
    heatmap: tuple[tuple[GapRow, ...], ...]
    demand_since: date


def quarter_ends(today: date, count: int = QUARTERS) -> tuple[date, ...]:
    """The last ``count`` quarter ends before ``today``, oldest first."""
    year, quarter = today.year, (today.month - 1) // 3  # quarters completed this year
    ends = []
    for _ in range(count):
        if quarter == 0:
            year, quarter = year - 1, 4
        ends.append(date(year, quarter * 3, 31 if quarter in (1, 4) else 30))
        quarter -= 1
    return tuple(reversed(ends))


def diversity_dashboard(
    *,
    session: Session,
    today: date | None = None,
) -> Diversity:
    """Count the roster for the dashboard and apply the small-count rule to every figure.

    Args:
        session: an open database session.
        today: the day the figures are for (quarters end before it; demand is counted
            over the ``DEMAND_MONTHS`` before it); today in UTC by default.
    Returns:
        A ``Diversity``: tables by roster status (all experts) and by expertise area
        (rostered experts), quarterly trends of the rostered population, administrators'
        tables, and supply against demand.
    """
    today = today or datetime.now(UTC).date()
    ends = quarter_ends(today)
    languages = _language_rows(session)
    areas = tuple(EXPERTISE_AREAS)
    access = tuple(ACCESSIBILITY_EXPERTISE)
    tables = [
        *_status_tables(session, languages, access),
        *_area_tables(session, languages, access, areas),
        *_trend_tables(session, languages, access, ends),
    ]
    tables.append(_language_supply(session, languages))
    home = _home_figures(tables[0], tables[1])
    published = withhold_tables(
        tables,
        extra=home.extra,
        keep_shown=home.shown,
        keep_hidden=home.hidden,
    )
    since = months_before(today, DEMAND_MONTHS)
    gap, heatmap = supply_and_demand(
        session=session,
        by_area=published["gender-area"],
        by_language=published["language-supply"],
        pairs=published["area-language-supply"],
        since=since,
    )
    return Diversity(
        statuses=STATUSES,
        by_status={dim: published[f"{dim}-status"] for dim in DIMENSIONS},
        by_area={dim: published[f"{dim}-area"] for dim in DIMENSIONS},
        trends={dim: _trend(published[f"{dim}-trend"], published) for dim in DIMENSIONS},
        quarter_ends=ends,
        sensitive={dim: published[f"{dim}-status"] for dim in ("disability", "age")},
        gap=gap,
        heatmap=heatmap,
        demand_since=since,
    )


# --- by roster status (every expert) -------------------------------------------------


def _current() -> object:
    return Expert.merged_into_id.is_(None)


def _gender_column():
    consented = and_(Expert.gender.is_not(None), Expert.gender_consent_at.is_not(None))
    return case((consented, Expert.gender), else_=literal(NOT_RECORDED))


def _counts(rows: Iterable, row_keys: tuple[str, ...], column_keys: tuple[str, ...], mapper=None):
    """A count matrix from (row value, column value, count) rows."""
    index = {key: i for i, key in enumerate(row_keys)}
    column = {key: j for j, key in enumerate(column_keys)}
    matrix = [[0] * len(column_keys) for _ in row_keys]
    for row_value, column_value, count in rows:
        row_value = mapper(row_value) if mapper else row_value
        column_value = getattr(column_value, "value", column_value)
        if row_value in index and column_value in column:
            matrix[index[row_value]][column[column_value]] += count
    return tuple(tuple(row) for row in matrix)


def _region(country: str | None) -> str:
    return (un_region(country) if country else None) or NO_GROUP


def _age_band(birth_year: int | None, year: int) -> str:
    if birth_year is None:
        return NOT_RECORDED
    age = year - birth_year
    return next((band for band, low, high in AGE_BANDS if low <= age <= high), NOT_RECORDED)


def _status_table(name: str, rows: tuple[str, ...], counts, *, partition: bool) -> CountTable:
    return CountTable(
        name=name,
        rows=rows,
        columns=STATUSES,
        counts=counts,
        row_totals=True,
        column_totals=partition,
        column_keys=STATUS_KEYS if partition else None,
        total_key=ALL_EXPERTS if partition else None,
    )


def _status_tables(session: Session, languages: dict[str, list[str]], access: tuple[str, ...]):
    status = Expert.roster_status
    gender = _gender_column()
    region_rows = session.exec(
        select(ExpertNationality.country, status, func.count())
        .select_from(Expert)
        .outerjoin(
            ExpertNationality,
            and_(ExpertNationality.expert_id == Expert.id, ExpertNationality.position == 0),
        )
        .where(_current())
        .group_by(ExpertNationality.country, status)
    ).all()
    consented_disability = and_(
        Expert.disability.is_not(None), Expert.disability_consent_at.is_not(None)
    )
    disability = case(
        (and_(consented_disability, Expert.disability.is_(True)), literal("yes")),
        (consented_disability, literal("no")),
        else_=literal(NOT_RECORDED),
    )
    birth_year = case(
        (Expert.birth_year_consent_at.is_not(None), Expert.birth_year), else_=literal(None)
    )
    people = session.exec(
        select(gender, disability, birth_year, status, func.count())
        .where(_current())
        .group_by(gender, disability, birth_year, status)
    ).all()
    year = datetime.now(UTC).year
    spoken = _by_language(
        session,
        languages,
        lambda key, counter, codes, grouped: (
            select(key, status, counter)
            .join(Expert, Expert.id == ExpertLanguage.expert_id)
            .where(_current(), ExpertLanguage.code.in_(codes))
            .group_by(*((key,) if grouped else ()), status)
        ),
    )
    expertise = session.exec(
        select(ExpertAccessibility.code, status, func.count())
        .join(Expert, Expert.id == ExpertAccessibility.expert_id)
        .where(_current())
        .group_by(ExpertAccessibility.code, status)
    ).all()
    by = defaultdict(Counter)
    for g, d, b, s, n in people:
        by["gender"][(g, s)] += n
        by["disability"][(d, s)] += n
        by["age"][(_age_band(b, year), s)] += n
    return [
        _status_table(
            "gender-status", GENDER_ROWS, _from(by["gender"], GENDER_ROWS), partition=True
        ),
        _status_table(
            "region-status",
            REGION_ROWS,
            _counts(region_rows, REGION_ROWS, STATUSES, _region),
            partition=True,
        ),
        _status_table(
            "language-status",
            tuple(languages),
            _counts(spoken, tuple(languages), STATUSES),
            partition=False,
        ),
        _status_table(
            "accessibility-status", access, _counts(expertise, access, STATUSES), partition=False
        ),
        _status_table(
            "disability-status",
            DISABILITY_ROWS,
            _from(by["disability"], DISABILITY_ROWS),
            partition=True,
        ),
        _status_table("age-status", AGE_ROWS, _from(by["age"], AGE_ROWS), partition=True),
    ]


def _from(counter: Counter, rows: tuple[str, ...]):
    return _counts(((r, s, n) for (r, s), n in counter.items()), rows, STATUSES)


# --- languages ---------------------------------------------------------------------


def _language_rows(session: Session) -> dict[str, list[str]]:
    """The six UN official languages, then every sign language spoken: each with its codes.

    A code counts for an official language when that is its base language (``fr-CA``
    for ``fr``), so an expert listing both is counted once.
    """
    rows: dict[str, list[str]] = {code: [code] for code in OFFICIAL_UN_LANGUAGES}
    sign: dict[str, list[str]] = {}
    for code in session.exec(select(ExpertLanguage.code).distinct()).scalars().all():
        try:
            base = langcodes.Language.get(code).language
        except ValueError:
            continue
        if base in rows:
            if code not in rows[base]:
                rows[base].append(code)
        elif is_sign_language(code):
            sign.setdefault(code, [code])
    return rows | dict(sorted(sign.items()))


def _by_language(session: Session, languages: dict[str, list[str]], build, position: int = 0):
    """Counts by language row: grouped by the stored code in SQL, each code then credited
    to its row (the codes are a few hundred; the experts never leave the database).

    ``build(key, counter, codes, grouped)`` returns the SELECT with ``key`` at
    ``position`` and ``counter`` last. A row of several codes (``fr`` and ``fr-CA``) is
    counted apart with COUNT(DISTINCT), so that an expert listing both counts once.
    """
    single = {codes[0]: row for row, codes in languages.items() if len(codes) == 1}
    result: Counter = Counter()

    def credit(rows, row_of):
        for found in rows:
            found = list(found)
            found[position] = row_of(found[position])
            result[tuple(found[:-1])] += found[-1]

    if single:
        credit(
            session.exec(build(ExpertLanguage.code, func.count(), list(single), True)).all(),
            single.get,
        )
    for row, codes in languages.items():
        if len(codes) > 1:
            distinct = func.count(func.distinct(ExpertLanguage.expert_id))
            credit(
                session.exec(build(literal(row), distinct, codes, False)).all(),
                lambda _, row=row: row,
            )
    return [(*key, count) for key, count in result.items()]


def _working_levels() -> list[str]:
    return [
        level for level in ("C1", "C2", "native") if level_rank(level) >= level_rank(WORKING_LEVEL)
    ]


def _pair_supply(session: Session, languages: dict[str, list[str]]) -> list[tuple]:
    """(area, language row, rostered experts with the area working in it): for the official
    languages among ``languages``, each counted once however many codes it has."""
    official = {row: codes for row, codes in languages.items() if row in OFFICIAL_UN_LANGUAGES}
    return _by_language(
        session,
        official,
        lambda key, counter, codes, grouped: (
            select(ExpertSkill.code, key, counter)
            .select_from(ExpertLanguage)
            .join(Expert, Expert.id == ExpertLanguage.expert_id)
            .join(ExpertSkill, ExpertSkill.expert_id == ExpertLanguage.expert_id)
            .where(
                _current(),
                Expert.roster_status == RosterStatus.ROSTERED,
                ExpertLanguage.code.in_(codes),
                ExpertLanguage.level.in_(_working_levels()),
            )
            .group_by(ExpertSkill.code, *((key,) if grouped else ()))
        ),
        position=1,
    )


def _language_supply(session: Session, languages: dict[str, list[str]]) -> CountTable:
    """Rostered experts working in each UN official language (at C1 or above)."""
    official = {row: codes for row, codes in languages.items() if row in OFFICIAL_UN_LANGUAGES}
    levels = _working_levels()
    counted = _by_language(
        session,
        official,
        lambda key, counter, codes, grouped: (
            select(key, counter)
            .join(Expert, Expert.id == ExpertLanguage.expert_id)
            .where(
                _current(),
                Expert.roster_status == RosterStatus.ROSTERED,
                ExpertLanguage.code.in_(codes),
                ExpertLanguage.level.in_(levels),
            )
            .group_by(*((key,) if grouped else ()))
        ),
    )
    rows = [(row, "working", count) for row, count in counted]
    return CountTable(
        name="language-supply",
        rows=OFFICIAL_UN_LANGUAGES,
        columns=("working",),
        counts=_counts(rows, OFFICIAL_UN_LANGUAGES, ("working",)),
    )


# --- by expertise area (rostered experts) -------------------------------------------


def _area_table(name, areas, columns, rows, *, partition: bool) -> CountTable:
    return CountTable(
        name=name,
        rows=areas,
        columns=columns,
        counts=_counts(rows, areas, columns),
        row_totals=partition,
        row_keys=tuple(_area_key(area) for area in areas) if partition else None,
    )


def _area_tables(session, languages, access, areas) -> list[CountTable]:
    rostered = and_(_current(), Expert.roster_status == RosterStatus.ROSTERED)
    skill = ExpertSkill.code
    gender = _gender_column()
    genders = session.exec(
        select(skill, gender, func.count())
        .join(Expert, Expert.id == ExpertSkill.expert_id)
        .where(rostered)
        .group_by(skill, gender)
    ).all()
    countries = session.exec(
        select(skill, ExpertNationality.country, func.count())
        .join(Expert, Expert.id == ExpertSkill.expert_id)
        .outerjoin(
            ExpertNationality,
            and_(ExpertNationality.expert_id == Expert.id, ExpertNationality.position == 0),
        )
        .where(rostered)
        .group_by(skill, ExpertNationality.country)
    ).all()
    # One pass over expertise by language gives both the table by expertise area (any
    # level) and the supply of each area in each official language (C1 or above).
    working = case((ExpertLanguage.level.in_(_working_levels()), 1), else_=0)
    single = {row: codes for row, codes in languages.items() if len(codes) == 1}
    several = {row: codes for row, codes in languages.items() if len(codes) > 1}
    split = _by_language(
        session,
        single,
        lambda key, counter, codes, grouped: (
            select(skill, key, working, counter)
            .select_from(ExpertLanguage)
            .join(Expert, Expert.id == ExpertLanguage.expert_id)
            .join(ExpertSkill, ExpertSkill.expert_id == ExpertLanguage.expert_id)
            .where(rostered, ExpertLanguage.code.in_(codes))
            .group_by(skill, key, working)
        ),
        position=1,
    )
    spoken = [(area, row, count) for area, row, _, count in split]
    pairs = [
        (area, row, count)
        for area, row, works, count in split
        if works and row in OFFICIAL_UN_LANGUAGES
    ]
    if several:
        spoken += _by_language(
            session,
            several,
            lambda key, counter, codes, grouped: (
                select(skill, key, counter)
                .select_from(ExpertLanguage)
                .join(Expert, Expert.id == ExpertLanguage.expert_id)
                .join(ExpertSkill, ExpertSkill.expert_id == ExpertLanguage.expert_id)
                .where(rostered, ExpertLanguage.code.in_(codes))
                .group_by(skill)
            ),
            position=1,
        )
        pairs += _pair_supply(session, several)
    expertise = session.exec(
        select(skill, ExpertAccessibility.code, func.count())
        .join(Expert, Expert.id == ExpertSkill.expert_id)
        .join(ExpertAccessibility, ExpertAccessibility.expert_id == ExpertSkill.expert_id)
        .where(rostered)
        .group_by(skill, ExpertAccessibility.code)
    ).all()
    regions = Counter()
    for area, country, count in countries:
        regions[(area, _region(country))] += count
    return [
        _area_table("gender-area", areas, GENDER_ROWS, genders, partition=True),
        _area_table(
            "region-area",
            areas,
            REGION_ROWS,
            ((a, r, n) for (a, r), n in regions.items()),
            partition=True,
        ),
        _area_table("language-area", areas, tuple(languages), spoken, partition=False),
        _area_table("accessibility-area", areas, access, expertise, partition=False),
        CountTable(
            name="area-language-supply",
            rows=areas,
            columns=OFFICIAL_UN_LANGUAGES,
            counts=_counts(pairs, areas, OFFICIAL_UN_LANGUAGES),
        ),
    ]


# --- quarter by quarter (the rostered population rebuilt from the status history) ----


def _rostered_masks(ends: tuple[date, ...]):
    """Each expert rostered at the end of any of the quarters, with a bit set per quarter.

    Each status change holds from its time until the expert's next change; an expert
    was rostered at a quarter's end when the change holding then was to ``rostered``.
    An expert's spans never overlap, so the sum of their bits is the set of quarters.
    """
    change = RosterStatusChange
    spans = select(
        change.expert_id,
        change.to_status,
        change.changed_at,
        func.lead(change.changed_at)
        .over(partition_by=change.expert_id, order_by=(change.changed_at, change.id))
        .label("until"),
    ).subquery("spans")
    instants = [datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC) for end in ends]
    bits = [
        case(
            (
                and_(
                    spans.c.changed_at < at,
                    or_(spans.c.until.is_(None), spans.c.until >= at),
                ),
                literal(1 << i, Integer),
            ),
            else_=literal(0, Integer),
        )
        for i, at in enumerate(instants)
    ]
    return (
        select(spans.c.expert_id, func.sum(sum(bits[1:], bits[0])).label("mask"))
        .where(
            spans.c.to_status == RosterStatus.ROSTERED.value,
            spans.c.changed_at < instants[-1],
            or_(spans.c.until.is_(None), spans.c.until >= instants[0]),
        )
        .group_by(spans.c.expert_id)
        .subquery("masks")
    )


def _by_quarter(rows, quarters: int, columns: tuple[str, ...]):
    """(mask, a, b, count) rows as (quarter's column, a, b) counts: a few hundred masks."""
    counts: Counter = Counter()
    for mask, *keys, count in rows:
        for q in range(quarters):
            if int(mask) >> q & 1:
                counts[(columns[q], *keys)] += count
    return counts


def _trend_tables(session, languages, access, ends) -> list[CountTable]:
    # One statement, so that the masks are computed once (a CTE read three times).
    masks = _rostered_masks(ends).element.cte("masks")
    columns = tuple(end.isoformat() for end in ends)
    gender = _gender_column()
    single = {codes[0]: row for row, codes in languages.items() if len(codes) == 1}
    people = (
        select(
            literal("p").label("kind"),
            masks.c.mask,
            gender.label("a"),
            ExpertNationality.country.label("b"),
            func.count().label("n"),
        )
        .select_from(masks)
        .join(Expert, Expert.id == masks.c.expert_id)
        .outerjoin(
            ExpertNationality,
            and_(ExpertNationality.expert_id == Expert.id, ExpertNationality.position == 0),
        )
        .where(_current())
        .group_by(masks.c.mask, gender, ExpertNationality.country)
    )
    spoken = (
        select(literal("l"), masks.c.mask, ExpertLanguage.code, literal(None, String), func.count())
        .select_from(masks)
        .join(Expert, Expert.id == masks.c.expert_id)
        .join(ExpertLanguage, ExpertLanguage.expert_id == masks.c.expert_id)
        .where(_current(), ExpertLanguage.code.in_(list(single)))
        .group_by(masks.c.mask, ExpertLanguage.code)
    )
    expertise = (
        select(
            literal("x"),
            masks.c.mask,
            ExpertAccessibility.code,
            literal(None, String),
            func.count(),
        )
        .select_from(masks)
        .join(Expert, Expert.id == masks.c.expert_id)
        .join(ExpertAccessibility, ExpertAccessibility.expert_id == masks.c.expert_id)
        .where(_current())
        .group_by(masks.c.mask, ExpertAccessibility.code)
    )
    by_kind: dict[str, list] = {"p": [], "l": [], "x": []}
    for kind, mask, a, b, count in session.exec(union_all(people, spoken, expertise)).all():
        by_kind[kind].append((mask, a, b, count) if kind == "p" else (mask, a, count))
    people = by_kind["p"]
    spoken = [(mask, single[code], count) for mask, code, count in by_kind["l"]]
    expertise = by_kind["x"]
    several = {row: codes for row, codes in languages.items() if len(codes) > 1}
    if several:
        fresh = _rostered_masks(ends)
        spoken += _by_language(
            session,
            several,
            lambda key, counter, codes, grouped: (
                select(fresh.c.mask, key, counter)
                .select_from(fresh)
                .join(Expert, Expert.id == fresh.c.expert_id)
                .join(ExpertLanguage, ExpertLanguage.expert_id == fresh.c.expert_id)
                .where(_current(), ExpertLanguage.code.in_(codes))
                .group_by(fresh.c.mask, *((key,) if grouped else ()))
            ),
            position=1,
        )
    n = len(ends)
    genders, regions = Counter(), Counter()
    for (column, g, country), count in _by_quarter(people, n, columns).items():
        genders[(g, column)] += count
        regions[(_region(country), column)] += count
    keys = tuple(_quarter_key(end) for end in ends)

    def table(name, rows, counts, *, partition):
        return CountTable(
            name=name,
            rows=rows,
            columns=columns,
            counts=counts,
            column_totals=partition,
            column_keys=keys if partition else None,
        )

    def flipped(counter: Counter):
        return ((row, column, count) for (column, row), count in counter.items())

    def by_row(counter: Counter, rows):
        return _counts(((r, c, n) for (r, c), n in counter.items()), rows, columns)

    return [
        table("gender-trend", GENDER_ROWS, by_row(genders, GENDER_ROWS), partition=True),
        table("region-trend", REGION_ROWS, by_row(regions, REGION_ROWS), partition=True),
        table(
            "language-trend",
            tuple(languages),
            _counts(flipped(_by_quarter(spoken, n, columns)), tuple(languages), columns),
            partition=False,
        ),
        table(
            "accessibility-trend",
            access,
            _counts(flipped(_by_quarter(expertise, n, columns)), access, columns),
            partition=False,
        ),
    ]


def _trend(table: PublishedTable, published: dict[str, PublishedTable]) -> Trend:
    """Shares of the rostered population at each quarter's end, and their changes."""
    totals = published["gender-trend"].column_totals
    shares = tuple(
        tuple(
            cell / total if isinstance(cell, int) and isinstance(total, int) and total else None
            for cell, total in zip(row, totals, strict=True)
        )
        for row in table.cells
    )
    changes = tuple(
        (
            None,
            *(
                b - a if a is not None and b is not None else None
                for a, b in zip(row, row[1:], strict=False)
            ),
        )
        for row in shares
    )
    return Trend(table=table, totals=totals, shares=shares, changes=changes)


# --- the home page's figures ---------------------------------------------------------


@dataclass(frozen=True)
class _Home:
    extra: tuple[dict[Key, int], list[Line]]
    shown: list[Key]
    hidden: list[Key]


def _home_figures(gender: CountTable, region: CountTable) -> _Home:
    """The figures the public home page publishes, as it shows or withholds them.

    The home page (``roster/home/services.py``) shows the experts in each status, the
    rostered experts by regional group (``withhold_complement``), the rostered women
    and the rostered experts who disclosed a gender. Withheld there, they are withheld
    here; shown there, they are not chosen to be withheld here.
    """
    from roster.policy.privacy import SMALL_COUNT, withhold_complement

    rostered = STATUSES.index(RosterStatus.ROSTERED.value)
    shown: list[Key] = list(STATUS_KEYS)
    hidden: list[Key] = []
    regions = [row[rostered] for row in region.counts]
    for i, figure in enumerate(withhold_complement(regions)):
        (hidden if figure is None else shown).append(region.cell_key(i, rostered))
    disclosed_rows = [
        i for i, g in enumerate(GENDER_ROWS) if g not in ("undisclosed", NOT_RECORDED)
    ]
    parts = tuple(gender.cell_key(i, rostered) for i in disclosed_rows)
    disclosed = sum(gender.counts[i][rostered] for i in disclosed_rows)
    women = gender.counts[GENDER_ROWS.index("woman")][rostered]
    women_key = gender.cell_key(GENDER_ROWS.index("woman"), rostered)
    (hidden if 0 < disclosed - women < SMALL_COUNT else shown).append(women_key)
    shown.append(("home", "disclosed"))
    extra = ({("home", "disclosed"): disclosed}, [Line(parts, ("home", "disclosed"))])
    return _Home(extra=extra, shown=shown, hidden=hidden)
