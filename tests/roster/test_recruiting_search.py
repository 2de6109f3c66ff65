"""The recruiter's search: each filter, the facet counts, names across spellings, bad input."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update
from werkzeug.datastructures import MultiDict

from roster.interchange.services import import_records
from roster.models import Expert, ExpertSkill, RosterStatus, utcnow
from roster.recruiting.search import (
    SearchCriteria,
    SearchRefused,
    facet_counts,
    parse_criteria,
    parse_page,
    parse_sort,
    run_search,
    search_statement,
)
from tests.factories import expert_record

ROSTER = [
    expert_record(
        "A",
        full_name="Mohammed El-Sayed",
        nationalities=["EG"],
        languages=[{"code": "ar", "level": "native"}, {"code": "fr", "level": "B2"}],
        skills=[{"code": "voter-registration", "years": 6}, {"code": "electoral-management"}],
        summary="Led voter registration in three provinces.",
        seniority="P3",
        years_experience=6,
        availability=[{"from": "2027-01-01", "to": "2027-06-30"}],
    ),
    expert_record(
        "B",
        full_name="José Núñez",
        nationalities=["MX", "ES"],
        languages=[{"code": "es", "level": "native"}, {"code": "fr", "level": "C1"}],
        skills=[{"code": "electoral-management"}],
        accessibility_expertise=["sign-language"],
        summary="Electoral management adviser; French speaker.",
        seniority="P5",
        years_experience=15,
        roster_status="under_review",
        availability=[{"from": "2027-03-01", "to": "2027-03-31"}],
    ),
    expert_record(
        "C",
        full_name="Awa Ndiaye",
        nationalities=["SN"],
        languages=[{"code": "fr", "level": "native"}, {"code": "fsl", "level": "B1"}],
        skills=[{"code": "voter-registration"}],
        accessibility_expertise=["sign-language", "easy-read"],
        summary="Voter education and easy-read material.",
        seniority="P4",
        years_experience=9,
        roster_status="inactive",
        availability=[],
    ),
]


@pytest.fixture
def roster(app, db_session):
    """Three experts (A, B, C); A's voter registration verified, C's profile a year old."""
    with db_session() as session:
        import_records(session=session, records=enumerate(ROSTER, 1), source="test")
    with db_session() as session:
        ids = dict(session.execute(select(Expert.external_id, Expert.id)).all())
        session.execute(
            update(ExpertSkill)
            .where(ExpertSkill.expert_id == ids["A"], ExpertSkill.code == "voter-registration")
            .values(verified_at=utcnow())
        )
        session.execute(
            update(Expert)
            .where(Expert.id == ids["C"])
            .values(profile_confirmed_at=utcnow() - timedelta(days=400))
        )
    return db_session


def found(db_session, **args) -> list[str]:
    """The external ids found for the address's arguments ``args``, sorted."""
    criteria = parse_criteria(MultiDict(args))
    with db_session(write=False) as session:
        ids = session.scalars(search_statement(criteria, session=session)).all()
        return sorted(session.scalars(select(Expert.external_id).where(Expert.id.in_(ids))).all())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, ["A", "B", "C"]),
        ({"skill": ["voter-registration", "electoral-management"]}, ["A"]),
        (
            {"skill": ["voter-registration", "electoral-management"], "match": "any"},
            ["A", "B", "C"],
        ),
        ({"skill": "voter-registration", "expertise": "verified"}, ["A"]),
        ({"skill": "voter-registration", "expertise": "self-declared"}, ["C"]),
        ({"expertise": "verified"}, ["A"]),
        ({"lang": "fr"}, ["A", "B", "C"]),
        ({"lang": "fr", "level": "C1"}, ["B", "C"]),
        ({"lang": "ar", "level": "native"}, ["A"]),
        ({"sign": "1"}, ["C"]),
        ({"access": "sign-language"}, ["B", "C"]),
        ({"access": ["easy-read", "tactile-ballots"]}, ["C"]),
        ({"region": "African"}, ["A", "C"]),
        ({"region": "Western European and Others"}, ["B"]),
        ({"nationality": "es"}, ["B"]),
        ({"status": ["rostered", "inactive"]}, ["A", "C"]),
        ({"from": "2027-03-05", "to": "2027-03-20"}, ["A", "B"]),
        ({"from": "2027-03-05", "to": "2027-04-20"}, ["A"]),
        ({"seniority": "P4"}, ["B", "C"]),
        ({"years": "9"}, ["B", "C"]),
        ({"stale": "1"}, ["C"]),
        ({"text": "voter"}, ["A", "C"]),
        ({"text": "FRENCH adviser"}, ["B"]),
        ({"q": "ndiaye"}, ["C"]),
        ({"q": "b"}, ["B"]),  # the reference
    ],
)
def test_each_filter_finds_exactly_its_experts(roster, args, expected):
    assert found(roster, **args) == expected


@pytest.mark.parametrize(
    "spelling",
    ["Muhammad al Sayyid", "mohamed sayed", "SAYYID", "Mohammed El-Sayed", "el sayed mohamad"],
)
def test_names_are_found_across_accents_transliterations_and_order(roster, spelling):
    assert found(roster, q=spelling) == ["A"]


@pytest.mark.parametrize("spelling", ["jose nunez", "Núñez", "NUNEZ JOSÉ"])
def test_names_are_found_without_their_accents(roster, spelling):
    assert found(roster, q=spelling) == ["B"]


def test_the_facets_count_the_current_result(roster):
    criteria = parse_criteria(MultiDict({"lang": "fr"}))
    with roster(write=False) as session:
        facets = facet_counts(session=session, criteria=criteria)
    assert dict(facets.status) == {"rostered": 1, "under_review": 1, "inactive": 1}
    # B is Mexican and Spanish: one expert in each of two groups; A and C African.
    assert dict(facets.region) == {
        "African": 2,
        "Latin American and Caribbean": 1,
        "Western European and Others": 1,
    }
    assert dict(facets.expertise) == {"electoral-management": 2, "voter-registration": 2}
    assert dict(facets.language) == {"fr": 3, "ar": 1, "es": 1, "fsl": 1}
    assert dict(facets.accessibility) == {"sign-language": 2, "easy-read": 1}
    assert dict(facets.seniority) == {"P3": 1, "P4": 1, "P5": 1}
    assert dict(facets.verified) == {"verified": 1, "self-declared": 2}
    narrowed = parse_criteria(MultiDict({"status": "inactive"}))
    with roster(write=False) as session:
        facets = facet_counts(session=session, criteria=narrowed)
    assert dict(facets.status) == {"inactive": 1} and dict(facets.region) == {"African": 1}


def test_results_are_sorted_and_paged(roster):
    criteria = SearchCriteria()
    with roster(write=False) as session:
        by_name = run_search(session=session, criteria=criteria, sort="name", per_page=2)
        by_years = run_search(session=session, criteria=criteria, sort="-years", per_page=2, page=2)
        oldest = run_search(session=session, criteria=criteria, sort="confirmed")
        assert [e.full_name for e in by_name.experts] == ["Awa Ndiaye", "José Núñez"]
        assert (by_name.total, by_name.pages) == (3, 2)
        assert [e.external_id for e in by_years.experts] == ["A"]
        assert oldest.experts[0].external_id == "C"


def test_merged_records_are_never_found(roster):
    with roster() as session:
        ids = dict(session.execute(select(Expert.external_id, Expert.id)).all())
        session.execute(update(Expert).where(Expert.id == ids["B"]).values(merged_into_id=ids["A"]))
    assert found(roster) == ["A", "C"]


def test_the_criteria_go_to_the_address_and_back_unchanged():
    args = MultiDict(
        [
            ("status", "rostered"),
            ("skill", "voter-registration"),
            ("skill", "mediation"),
            ("match", "any"),
            ("lang", "fr"),
            ("level", "B2"),
            ("from", "2027-01-01"),
            ("to", "2027-02-01"),
            ("q", "Núñez"),
            ("nationality", "sn"),
            ("stale", "1"),
            ("page", "3"),
        ]
    )
    criteria = parse_criteria(args)
    assert criteria.nationalities == ("SN",) and criteria.statuses == (RosterStatus.ROSTERED,)
    assert criteria.available_from == date(2027, 1, 1)
    query = criteria.to_query()
    assert query.startswith("q=N%C3%BA%C3%B1ez&skill=voter-registration&skill=mediation&match=any")
    from urllib.parse import parse_qsl

    assert parse_criteria(MultiDict(parse_qsl(query))) == criteria
    assert SearchCriteria().to_query() == "" and SearchCriteria().is_empty()


@pytest.mark.parametrize(
    ("args", "path", "words"),
    [
        ({"skill": "fishing"}, "skill", "The filter “skill” has no value “fishing”."),
        ({"status": "retired"}, "status", "The filter “status” has no value “retired”."),
        ({"region": "Atlantis"}, "region", "The filter “region” has no value “Atlantis”."),
        ({"nationality": "XX"}, "nationality", "has no value “XX”"),
        ({"access": "x"}, "access", "The filter “access” has no value “x”."),
        ({"lang": "klingon!"}, "lang", "The filter “lang” has no language “klingon!”."),
        ({"lang": "fr", "level": "C3"}, "level", "has no level “C3”: use one of A1, A2"),
        ({"level": "C1"}, "level", "Choose the language that the level is for."),
        ({"seniority": "P9"}, "seniority", "has no grade “P9”"),
        ({"from": "2027-05-01", "to": "2027-04-01"}, "to", "The period ends (1 April 2027)"),
        ({"from": "2027-05-01"}, "to", "Give both the first and the last day"),
        ({"from": "tomorrow", "to": "2027-04-01"}, "from", "must be a day written as"),
        ({"years": "-3"}, "years", "is a whole number from 0 to 80"),
        ({"years": "many"}, "years", "is a whole number from 0 to 80"),
        ({"match": "some"}, "match", "is “all” or “any”"),
        ({"expertise": "rumoured"}, "expertise", "is “verified” or “self-declared”"),
        ({"sign": "yes"}, "sign", "is on (1) or off (0)"),
        ({"text": "a" * 5_000}, "text", "is 5,000 characters long; it can be at most 200"),
        ({"q": "a" * 201}, "q", "is 201 characters long"),
        ({"q": ["one", "two"]}, "q", "can have one value only"),
        ({"skill": ["mediation"] * 51}, "skill", "can have at most 50 values"),
    ],
)
def test_bad_arguments_are_refused_naming_the_filter(args, path, words):
    with pytest.raises(SearchRefused) as refused:
        parse_criteria(MultiDict(args))
    [problem] = refused.value.problems
    assert problem.path == path
    assert words in str(problem.message)


def test_every_bad_argument_is_named_at_once():
    with pytest.raises(SearchRefused) as refused:
        parse_criteria(MultiDict({"skill": "fishing", "status": "retired", "years": "x"}))
    assert [p.path for p in refused.value.problems] == ["skill", "status", "years"]


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5", "9" * 10])
def test_a_page_before_the_first_or_not_a_number_is_refused(page):
    with pytest.raises(SearchRefused, match="whole number from 1"):
        parse_page(page)


def test_a_page_past_the_end_is_refused_but_an_empty_result_has_its_first(roster):
    with roster(write=False) as session:
        with pytest.raises(SearchRefused, match="There is no page 2: the result has 1 page"):
            run_search(session=session, criteria=SearchCriteria(), page=2)
        empty = run_search(session=session, criteria=SearchCriteria(name="nobody"), page=1)
        assert (empty.total, empty.pages, empty.experts) == (0, 1, [])


def test_an_unknown_sort_is_refused():
    assert parse_sort("-years") == "-years" and parse_sort(None) == "name"
    with pytest.raises(SearchRefused, match="sorted by name, years, confirmed, registered"):
        parse_sort("salary")
