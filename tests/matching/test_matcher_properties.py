"""Properties that hold for any roster and request (Hypothesis)."""

import datetime as dt
import math
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import Matcher
from matching.vocabulary import level_rank
from tests.factories import expert_record, needs_record, role_record
from tests.matching.conftest import ids, recomputed

SKILLS = ("electoral-management", "voter-registration", "mediation", "voter-education")
LANGUAGES = ("fr", "en", "bm")
LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2", "native")
EPOCH = dt.date(2027, 1, 1)
PROPERTY_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _day(offset: int) -> str:
    """Return the ISO date ``offset`` days after 2027-01-01."""
    return (EPOCH + dt.timedelta(days=offset)).isoformat()


@st.composite
def experts(draw: st.DrawFn, eid: str) -> dict:
    """Draw one valid expert record with small, colliding vocabularies."""
    start = draw(st.integers(0, 120))
    languages = draw(st.lists(st.sampled_from(LANGUAGES), unique=True, max_size=3))
    skills = draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=3))
    return expert_record(
        eid,
        nationalities=[draw(st.sampled_from(["FR", "ML", "SN", "BR", "JP"]))],
        gender=draw(st.sampled_from(["woman", "man", "non-binary", "undisclosed"])),
        consent={"gender": draw(st.booleans())},
        roster_status=draw(st.sampled_from(["rostered", "rostered", "applicant", "suspended"])),
        years_experience=draw(st.integers(0, 30)),
        seniority=draw(st.sampled_from(["P2", "P3", "P4", "P5", "D1"])),
        languages=[{"code": c, "level": draw(st.sampled_from(LEVELS))} for c in languages],
        skills=[{"code": c, "years": draw(st.integers(0, 15))} for c in skills],
        accessibility_expertise=draw(
            st.lists(st.sampled_from(["sign-language", "easy-read"]), unique=True)
        ),
        summary=draw(
            st.sampled_from(
                [
                    "Electoral operations.",
                    "Voter education campaigns.",
                    "Mediation between parties.",
                    "",
                ]
            )
        ),
        availability=[{"from": _day(start), "to": _day(start + draw(st.integers(0, 300)))}],
    )


@st.composite
def rosters(draw: st.DrawFn) -> list[dict]:
    """Draw a roster of 1 to 12 experts with distinct ids."""
    size = draw(st.integers(1, 12))
    return [draw(experts(f"E{i:02d}")) for i in range(size)]


@st.composite
def requests(draw: st.DrawFn) -> tuple[dict, int]:
    """Draw a one-role needs assessment and a shortlist length."""
    required = draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=1))
    languages = draw(st.lists(st.sampled_from(LANGUAGES), unique=True, max_size=1))
    the_role = role_record(
        required_skills=required,
        desired_skills=draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=2)),
        required_languages=[{"code": c, "level": draw(st.sampled_from(LEVELS))} for c in languages],
        desired_languages=[{"code": "bm", "level": "B1"}],
        accessibility_expertise=draw(st.lists(st.just("sign-language"), max_size=1)),
    )
    the_needs = needs_record(
        the_role,
        exclude_nationals=draw(st.booleans()),
        allow_partial_availability=draw(st.booleans()),
        gender_target=draw(st.sampled_from([0.0, 0.3, 0.5, 0.7])),
    )
    return the_needs, draw(st.integers(1, 8))


def is_eligible(record: dict, the_needs: dict) -> bool:
    """Decide eligibility independently of the matcher, record by record."""
    the_role = the_needs["roles"][0]
    start, end = the_needs["start"], the_needs["end"]
    windows = [(w["from"], w["to"]) for w in record["availability"]]
    available = (
        any(f <= end and t >= start for f, t in windows)
        if the_needs.get("allow_partial_availability")
        else any(f <= start and t >= end for f, t in windows)
    )
    levels = {entry["code"]: level_rank(entry["level"]) for entry in record["languages"]}
    held = {entry["code"] for entry in record["skills"]}
    return (
        record["roster_status"] == "rostered"
        and available
        and not (
            the_needs.get("exclude_nationals", True)
            and the_needs["country"] in record["nationalities"]
        )
        and all(
            levels.get(lang["code"], 0) >= level_rank(lang["level"])
            for lang in the_role["required_languages"]
        )
        and all(skill in held for skill in the_role["required_skills"])
    )


def counts_as_woman(record: dict) -> bool:
    """Return whether a record counts toward the gender target."""
    return record["gender"] == "woman" and record.get("consent", {}).get("gender") is True


def full_scores(roster: list[dict], the_needs: dict) -> dict[str, float]:
    """Return the score of every eligible expert."""
    result = Matcher().fit(roster).shortlist(the_needs, role_id="R1", k=len(roster))
    return {c["external_id"]: c["score"] for c in result["candidates"]}


@PROPERTY_SETTINGS
@given(rosters())
def test_the_fitted_roster_holds_every_record_as_given(roster):
    index = Matcher().fit(roster).index_
    assert index.ids == sorted(record["external_id"] for record in roster)
    for record in roster:
        row = index.row_of(record["external_id"])
        assert row is not None
        assert index.rostered[row] == (record["roster_status"] == "rostered")
        assert index.woman[row] == counts_as_woman(record)
        assert index.years[row] == record["years_experience"]
        held = {code: int(index.lang_levels[row, col]) for code, col in index.languages.items()}
        assert {code: rank for code, rank in held.items() if rank} == {
            entry["code"]: level_rank(entry["level"]) for entry in record["languages"]
        }
        years = {code: int(index.skill_years[row, col]) for code, col in index.skills.items()}
        assert {code: stored - 1 for code, stored in years.items() if stored} == {
            entry["code"]: entry["years"] for entry in record["skills"]
        }
        access = {code for code, col in index.access.items() if index.access_has[row, col]}
        assert access == set(record["accessibility_expertise"])
        start, stop = index.avail_ptr[row], index.avail_ptr[row + 1]
        assert list(zip(index.avail_from[start:stop], index.avail_to[start:stop], strict=True)) == [
            (
                dt.date.fromisoformat(w["from"]).toordinal(),
                dt.date.fromisoformat(w["to"]).toordinal(),
            )
            for w in record["availability"]
        ]


@PROPERTY_SETTINGS
@given(rosters(), requests())
def test_no_hard_filter_is_ever_violated(roster, request):
    the_needs, k = request
    result = Matcher().fit(roster).shortlist(the_needs, role_id="R1", k=k)
    assert (result["needs_id"], result["role_id"]) == (the_needs["id"], "R1")
    by_id = {record["external_id"]: record for record in roster}
    eligible = [r for r in roster if is_eligible(r, the_needs)]
    assert all(is_eligible(by_id[eid], the_needs) for eid in ids(result))
    assert result["eligible_count"] == len(eligible)
    assert len(result["candidates"]) == min(k, len(eligible))
    for candidate in result["candidates"]:
        assert candidate["score"] == recomputed(candidate, result["weights"])


@PROPERTY_SETTINGS
@given(rosters(), requests())
def test_the_balance_rule_holds_whenever_the_pool_allows(roster, request):
    the_needs, k = request
    result = Matcher().fit(roster).shortlist(the_needs, role_id="R1", k=k)
    by_id = {record["external_id"]: record for record in roster}
    target, length = the_needs["gender_target"], len(result["candidates"])
    pool_women = sum(counts_as_woman(r) for r in roster if is_eligible(r, the_needs))
    flags = [counts_as_woman(by_id[eid]) for eid in ids(result)]
    assert result["constraints"]["women"] == sum(flags)
    if pool_women >= math.ceil(target * length - 1e-9):
        assert result["constraints"]["satisfied"] is True
        assert sum(flags) >= math.ceil(target * length - 1e-9)
        for i in range(1, length + 1):
            assert sum(flags[:i]) >= math.floor(target * i + 1e-9)
    else:
        assert result["constraints"]["satisfied"] is False
        assert sum(flags) == pool_women


@PROPERTY_SETTINGS
@given(rosters(), requests(), st.data())
def test_a_higher_language_level_or_an_extra_skill_never_lowers_a_score(roster, request, data):
    the_needs, _ = request
    before = full_scores(roster, the_needs)
    if not before:
        return
    eid = data.draw(st.sampled_from(sorted(before)))
    better = [dict(r) for r in roster]
    record = next(r for r in better if r["external_id"] == eid)
    if data.draw(st.booleans()) and record["languages"]:
        raised = [dict(entry) for entry in record["languages"]]
        entry = data.draw(st.sampled_from(raised))
        entry["level"] = LEVELS[min(LEVELS.index(entry["level"]) + 1, len(LEVELS) - 1)]
        record["languages"] = raised
    else:
        missing = [s for s in SKILLS if s not in {x["code"] for x in record["skills"]}]
        if not missing:
            return
        record["skills"] = [
            *record["skills"],
            {"code": data.draw(st.sampled_from(missing)), "years": 3},
        ]
    assert full_scores(better, the_needs)[eid] >= before[eid]


@PROPERTY_SETTINGS
@given(rosters(), requests(), st.data())
def test_gender_never_changes_a_score(roster, request, data):
    the_needs, _ = request
    before = full_scores(roster, the_needs)
    if not before:
        return
    eid = data.draw(st.sampled_from(sorted(before)))
    changed = [
        dict(r, gender="man" if r["gender"] == "woman" else "woman")
        if r["external_id"] == eid
        else r
        for r in roster
    ]
    assert full_scores(changed, the_needs) == before


@PROPERTY_SETTINGS
@given(rosters(), requests(), st.randoms(use_true_random=False))
def test_input_order_never_changes_the_output(roster, request, rng: random.Random):
    the_needs, k = request
    shuffled = list(roster)
    rng.shuffle(shuffled)
    first = Matcher().fit(roster).shortlist(the_needs, role_id="R1", k=k)
    assert Matcher().fit(shuffled).shortlist(the_needs, role_id="R1", k=k) == first


@PROPERTY_SETTINGS
@given(rosters(), requests())
def test_ties_are_broken_by_external_id_within_each_group(roster, request):
    the_needs, k = request
    result = Matcher().fit(roster).shortlist(the_needs, role_id="R1", k=k)
    by_id = {record["external_id"]: record for record in roster}
    for group in (True, False):
        chosen = [
            c for c in result["candidates"] if counts_as_woman(by_id[c["external_id"]]) is group
        ]
        keys = [(-c["score"], c["external_id"]) for c in chosen]
        assert keys == sorted(keys)
