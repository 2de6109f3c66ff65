"""The search's in-memory index finds, counts and orders as its SQL does, and stays fresh."""

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from matching.vocabulary import ACCESSIBILITY_EXPERTISE, EXPERTISE_AREAS, SENIORITY
from roster.interchange.services import import_records
from roster.models import Expert, ExpertSkill, RosterStatus, utcnow
from roster.recruiting.search import (
    SORTS,
    SearchCriteria,
    facet_counts,
    ordered_statement,
    run_search,
    search_statement,
    sql_facet_counts,
)
from roster.recruiting.search_index import current_index
from roster.revisions import roster_revision
from tests.factories import expert_record

NAMES = [
    "Mohammed El-Sayed",
    "Muhammad al Sayyid",
    "José Núñez",
    "JOSÉ NÚÑEZ",
    "Awa Ndiaye",
    "Ólafur Þórsson",
    "Anna Schmidt",
    "Anna Schmidt",  # the same name twice: ties broken by id
    "Zoë O'Brien",
    "Lê Văn Thành",
]
COUNTRIES = ["EG", "SN", "MX", "ES", "FR", "DE", "VN", "IS", "BR", "IN", "KE", "RU", "US"]
LANGUAGES = ["ar", "fr", "es", "en", "pt-BR", "en-GB", "fsl", "ase", "ru", "vi"]
LEVELS = ["A2", "B1", "B2", "C1", "C2", "native"]
WORDS = ["Voter", "registration", "observer", "Électoral", "dispute", "gender", "RESULTS"]
STATUSES = ["applicant", "under_review", "rostered", "inactive"]


def varied_roster(count: int = 70, seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for n in range(count):
        start = 1 + rng.randrange(11)
        records.append(
            expert_record(
                n + 1,
                full_name=f"{NAMES[n % len(NAMES)]}" + ("" if n < 20 else f" {n}"),
                nationalities=rng.sample(COUNTRIES, rng.choice([1, 1, 2, 3])),
                languages=[
                    {"code": code, "level": rng.choice(LEVELS)}
                    for code in rng.sample(LANGUAGES, rng.randint(1, 4))
                ],
                skills=[
                    {"code": code} for code in rng.sample(list(EXPERTISE_AREAS), rng.randint(0, 3))
                ],
                accessibility_expertise=rng.sample(
                    list(ACCESSIBILITY_EXPERTISE), rng.randint(0, 2)
                ),
                summary=" ".join(rng.sample(WORDS, rng.randint(0, 4))),
                seniority=rng.choice([*SENIORITY, None]),
                years_experience=rng.choice([None, 0, 3, 8, 12, 20]),
                roster_status=rng.choice(STATUSES),
                availability=[{"from": f"2027-{start:02d}-01", "to": f"2027-{start + 1:02d}-15"}]
                if rng.random() < 0.7
                else [],
            )
        )
    return records


@pytest.fixture
def varied(app, db_session):
    """Seventy experts; some expertise verified, some profiles a year old, two merged."""
    with db_session() as session:
        import_records(session=session, records=enumerate(varied_roster(), 1), source="test")
    with db_session() as session:
        ids = sorted(session.scalars(select(Expert.id)))
        assert roster_revision(session)
        session.execute(
            update(ExpertSkill)
            .where(ExpertSkill.expert_id.in_(ids[::4]))
            .values(verified_at=utcnow())
        )
        for n, expert_id in enumerate(ids[::5]):
            session.execute(
                update(Expert)
                .where(Expert.id == expert_id)
                .values(profile_confirmed_at=utcnow() - timedelta(days=300 + 30 * n))
            )
        session.execute(update(Expert).where(Expert.id.in_(ids[-2:])).values(merged_into_id=ids[0]))
    return db_session


CRITERIA = [
    SearchCriteria(),
    SearchCriteria(skills=("voter-registration",)),
    SearchCriteria(skills=tuple(list(EXPERTISE_AREAS)[:3]), skills_match="any"),
    SearchCriteria(skills=tuple(list(EXPERTISE_AREAS)[:2])),
    SearchCriteria(expertise="verified"),
    SearchCriteria(
        expertise="self-declared", skills=tuple(list(EXPERTISE_AREAS)[:4]), skills_match="any"
    ),
    SearchCriteria(language="en"),
    SearchCriteria(language="pt", language_level="B2"),
    SearchCriteria(language="fr", language_level="C1"),
    SearchCriteria(sign_language=True),
    SearchCriteria(accessibility=tuple(list(ACCESSIBILITY_EXPERTISE)[:2])),
    SearchCriteria(regions=("African", "Western European and Others")),
    SearchCriteria(nationalities=("FR", "VN")),
    SearchCriteria(statuses=(RosterStatus.ROSTERED, RosterStatus.INACTIVE)),
    SearchCriteria(available_from=date(2027, 3, 2), available_to=date(2027, 3, 20)),
    SearchCriteria(seniority="P4", min_years=5),
    SearchCriteria(min_years=0),
    SearchCriteria(stale=True),
    SearchCriteria(text="voter"),
    SearchCriteria(text="électoral RESULTS"),  # É lower-cased by PostgreSQL, not SQLite
    SearchCriteria(text="results VOTER"),
    SearchCriteria(name="mohamed sayed"),
    SearchCriteria(name="nunez"),
    SearchCriteria(name="JOSÉ"),
    SearchCriteria(name="EXP-T-001"),
    SearchCriteria(name="anna", statuses=(RosterStatus.ROSTERED,), language="en"),
    SearchCriteria(name="nobody at all"),
]


@pytest.mark.parametrize("criteria", CRITERIA, ids=lambda c: c.to_query() or "everyone")
def test_the_index_finds_counts_and_orders_as_the_statement(varied, criteria):
    with varied(write=False) as session:
        index = current_index(session)
        mask = index.matching(criteria)
        in_memory = sorted(int(i) for i in index.ids[mask])
        assert in_memory == sorted(session.scalars(search_statement(criteria, session=session)))
        assert facet_counts(session=session, criteria=criteria) == sql_facet_counts(
            session=session, criteria=criteria
        )
        for sort in [*SORTS, *(f"-{s}" for s in SORTS)]:
            by_sql = [e.id for e in session.scalars(ordered_statement(criteria, sort))]
            assert [int(i) for i in index.ordered_ids(mask, sort)] == by_sql, sort
            page = run_search(session=session, criteria=criteria, sort=sort, per_page=7)
            assert [e.id for e in page.experts] == by_sql[:7]
            assert page.total == len(by_sql)


def test_the_varied_roster_finds_something_for_most_searches(varied):
    with varied(write=False) as session:
        found = [len(session.scalars(search_statement(c)).all()) for c in CRITERIA]
    assert sum(1 for n in found if n) >= len(CRITERIA) - 4
    assert found[0] == 68  # the two merged records are not found


def found_ids(session, criteria: SearchCriteria) -> set[int]:
    index = current_index(session)
    return {int(i) for i in index.ids[index.matching(criteria)]}


def test_verifying_confirming_and_moving_an_expert_move_the_revision_and_the_search(varied):
    verified = SearchCriteria(expertise="verified")
    stale = SearchCriteria(stale=True)
    inactive = SearchCriteria(statuses=(RosterStatus.INACTIVE,))
    with varied() as session:
        skill = session.scalars(
            select(ExpertSkill).where(ExpertSkill.verified_at.is_(None))
        ).first()
        expert_id = skill.expert_id
        assert expert_id not in found_ids(session, verified)
        assert expert_id not in found_ids(session, stale)
        revisions = [roster_revision(session)]
    with varied() as session:  # a recruiter verifies one expertise
        session.get(ExpertSkill, (expert_id, skill.code)).verified_at = utcnow()
    with varied() as session:
        revisions.append(roster_revision(session))
        assert expert_id in found_ids(session, verified)
    with varied() as session:  # the profile not confirmed for two years
        session.get(Expert, expert_id).profile_confirmed_at = utcnow() - timedelta(days=800)
    with varied() as session:
        revisions.append(roster_revision(session))
        assert expert_id in found_ids(session, stale)
        session.get(Expert, expert_id).roster_status = RosterStatus.INACTIVE
    with varied(write=False) as session:
        revisions.append(roster_revision(session))
        assert expert_id in found_ids(session, inactive)
        assert facet_counts(session=session, criteria=inactive) == sql_facet_counts(
            session=session, criteria=inactive
        )
    assert revisions == sorted(set(revisions))  # each change moved it


def test_a_session_sees_its_own_writes_without_keeping_them(varied):
    with varied(write=False) as session:
        everyone = found_ids(session, SearchCriteria())
    with varied() as session:
        expert = session.get(Expert, min(everyone))
        expert.roster_status = RosterStatus.INACTIVE
        session.flush()
        assert min(everyone) in found_ids(
            session, SearchCriteria(statuses=(RosterStatus.INACTIVE,))
        )
        session.rollback()
    with varied(write=False) as session:
        expert = session.get(Expert, min(everyone))
        wanted = SearchCriteria(statuses=(expert.roster_status,))
        assert min(everyone) in found_ids(session, wanted)
