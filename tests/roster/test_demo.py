"""The synthetic demo roster: valid records, realistic and diverse, with their histories."""

import itertools
from collections import Counter
from datetime import date, timedelta

import langcodes
import pytest
from rapidfuzz import fuzz, process, utils

from roster.demo import (
    DATA_FILE,
    HISTORY_FILE,
    demo_regions,
    generate_demo,
    generate_experts,
    history_data,
    reference_data,
    taxonomy,
)
from roster.demo.reference import start_of
from roster.reminders import STALE_AFTER
from tests.roster.conftest import DEMO_DAY
from tests.spec import assert_valid

SENSITIVE = ("gender", "disability", "birth_year")
NOW = start_of(DEMO_DAY)


@pytest.fixture(scope="module")
def experts(demo_roster) -> list:
    return demo_roster.experts


@pytest.fixture(scope="module")
def roster(experts) -> list[dict]:
    return [expert.record for expert in experts]


@pytest.fixture(scope="module")
def small_roster() -> list[dict]:
    return [e.record for e in generate_demo(500, seed=11, today=DEMO_DAY).experts]


def _windows(record: dict, field: str) -> list[tuple[date, date]]:
    return [(date.fromisoformat(w["from"]), date.fromisoformat(w["to"])) for w in record[field]]


def _share(items, condition) -> float:
    items = list(items)
    return sum(1 for item in items if condition(item)) / len(items)


def test_every_record_validates_against_the_expert_schema(small_roster):
    for record in small_roster:
        assert_valid(record, "expert.schema.json")


def test_codes_come_from_the_taxonomy_and_are_valid_language_tags(small_roster):
    areas = set(taxonomy()["expertise_areas"])
    accessibility = set(taxonomy()["accessibility_expertise"])
    for record in small_roster:
        assert {skill["code"] for skill in record["skills"]} <= areas
        assert set(record["accessibility_expertise"]) <= accessibility
        assert all(langcodes.tag_is_valid(lang["code"]) for lang in record["languages"])
        most = record.get("years_experience", 70)  # an applicant may not have said yet
        assert all(skill["years"] <= most for skill in record["skills"])


def test_the_same_seed_and_day_give_the_same_demo():
    assert generate_demo(300, seed=5, today=DEMO_DAY) == generate_demo(300, seed=5, today=DEMO_DAY)


def test_different_seeds_give_different_rosters():
    first = [e.record["full_name"] for e in generate_experts(50, seed=1, today=DEMO_DAY)]
    second = [e.record["full_name"] for e in generate_experts(50, seed=2, today=DEMO_DAY)]
    assert first != second


def test_dates_follow_the_demos_day():
    later = DEMO_DAY + timedelta(days=400)
    [before] = generate_experts(1, seed=4, today=DEMO_DAY)
    [after] = generate_experts(1, seed=4, today=later)
    assert after.story.created_at - before.story.created_at == timedelta(days=400)
    assert after.story.created_at < start_of(later)


def test_experts_are_streamed_one_at_a_time():
    stream = generate_experts(10**9, seed=3, today=DEMO_DAY)
    assert next(stream).record["external_id"] == "DEMO-000001"
    assert next(stream).record["external_id"] == "DEMO-000002"


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        list(generate_experts(-1, seed=0, today=DEMO_DAY))


def test_two_thousand_experts_are_generated_with_unique_ids(roster):
    assert len(roster) == 2000
    assert len({record["external_id"] for record in roster}) == 2000
    assert roster[-1]["external_id"] == "DEMO-002000"


def test_nationalities_span_the_regional_groups_with_a_realistic_skew(roster):
    regions = demo_regions()
    counts = Counter(regions[record["nationalities"][0]] for record in roster)
    assert len(counts) >= 5
    assert counts["African"] > counts["Eastern European"]
    assert counts["Western European and Others"] > counts["Eastern European"]
    assert len({code for record in roster for code in record["nationalities"]}) >= 60
    dual = _share(roster, lambda r: len(r["nationalities"]) == 2)
    assert 0.02 <= dual <= 0.09
    assert 0.7 <= _share(roster, lambda r: r["residence_country"] == r["nationalities"][0]) <= 0.95


def test_gender_is_disclosed_by_most_and_balanced_among_them(roster):
    disclosed = [record["gender"] for record in roster if "gender" in record]
    assert 0.40 <= disclosed.count("woman") / len(disclosed) <= 0.50
    assert 0.75 <= len(disclosed) / len(roster) <= 0.92


def test_every_roster_status_is_present_in_plausible_shares(roster):
    statuses = Counter(record["roster_status"] for record in roster)
    assert set(statuses) == set(taxonomy()["roster_statuses"])
    shares = {status: count / len(roster) for status, count in statuses.items()}
    assert 0.58 <= shares["rostered"] <= 0.72
    assert 0.08 <= shares["under_review"] <= 0.16
    assert 0.06 <= shares["applicant"] <= 0.14
    assert 0.04 <= shares["inactive"] <= 0.10
    assert all(0.002 <= shares[s] <= 0.05 for s in ("declined", "suspended", "withdrawn"))


def test_no_sensitive_value_is_carried_without_consent(roster):
    for record in roster:
        for field in SENSITIVE:
            if not record["consent"].get(field, False):
                assert field not in record, (record["external_id"], field)
    assert 0.02 <= _share(roster, lambda r: r.get("disability") is True) <= 0.07


def test_seniority_follows_years_of_experience(roster):
    bounds = {"P2": (2, 5), "P3": (5, 9), "P4": (8, 14), "P5": (12, 22), "D1": (18, 35)}
    for record in roster:
        if "seniority" in record:
            low, high = bounds[record["seniority"]]
            assert low <= record["years_experience"] <= high


def test_availability_and_deployments_are_ordered_and_do_not_overlap(roster):
    for record in roster:
        for field in ("availability", "deployments"):
            windows = _windows(record, field)
            assert all(start <= end for start, end in windows)
            assert all(a[1] < b[0] for a, b in itertools.pairwise(windows)), record["external_id"]
        assert all(
            DEMO_DAY <= s and e <= date(DEMO_DAY.year + 2, 12, 31)
            for s, e in _windows(record, "availability")
        )
        assert all(
            date(DEMO_DAY.year - 21, 1, 1) <= s and e < DEMO_DAY
            for s, e in _windows(record, "deployments")
        )
        assert not {d["country"] for d in record["deployments"]} & set(record["nationalities"])
        assert len(record["availability"]) <= 3


def test_emails_are_ascii_at_example_domains_and_shared_only_by_duplicates(experts):
    by_email: dict[str, set[str]] = {}
    for expert in experts:
        by_email.setdefault(expert.record["email"], set()).add(expert.record["external_id"])
    duplicates = {e.record["external_id"]: e.duplicate_of for e in experts if e.duplicate_of}
    for email, owners in by_email.items():
        assert email.isascii() and email.split("@")[1] in {
            "example.org",
            "example.net",
            "example.com",
        }
        if len(owners) > 1:
            assert len(owners) == 2 and any(duplicates.get(o) in owners for o in owners), email


def test_languages_and_expertise_are_diverse(roster):
    languages = Counter(lang["code"] for record in roster for lang in record["languages"])
    assert languages["en"] / len(roster) > 0.7
    assert len(languages) >= 40

    def signs(record: dict) -> bool:
        return any(
            "Sign Language" in langcodes.Language.get(lang["code"]).display_name()
            for lang in record["languages"]
        )

    assert 0.01 <= _share(roster, signs) <= 0.06
    assert 0.10 <= _share(roster, lambda r: bool(r["accessibility_expertise"])) <= 0.22
    filled = [record for record in roster if record["skills"]]
    assert all(2 <= len(record["skills"]) <= 6 for record in filled)


def test_summaries_are_one_to_three_sentences_without_placeholders(roster):
    for record in roster:
        summary = record["summary"]
        assert "{" not in summary and "lorem" not in summary.lower()
        if summary:
            assert 1 <= summary.count(". ") + 1 <= 3


def test_reference_data_covers_the_taxonomy_and_uses_valid_codes():
    data = reference_data()
    assert DATA_FILE.is_file() and HISTORY_FILE.is_file()
    assert set(data["skills"]) == set(taxonomy()["expertise_areas"])
    for info in (c for group in data["regions"].values() for c in group["countries"].values()):
        codes = [lang[0] for lang in info["langs"]] + [info.get("sign", "ase")]
        codes += [code for src in info["names"] if isinstance(src, list) for code in src[1]]
        assert all(langcodes.tag_is_valid(code) for code in codes), codes
    roles = history_data()["mission_roles"]
    assert set(roles["lead"]) | set(roles["team"]) <= set(taxonomy()["expertise_areas"])
    assert set(roles["inclusion_accessibility"]) <= set(taxonomy()["accessibility_expertise"])


# Histories: registration, vetting, confirmation, reminders, status changes.


def test_profiles_were_registered_and_confirmed_over_the_years(experts):
    created_years = Counter(e.story.created_at.year for e in experts)
    assert len(created_years) >= 8
    assert max(created_years.values()) / len(experts) < 0.3
    confirmed_days = {e.story.confirmed_at.date() for e in experts}
    assert len(confirmed_days) > len(experts) / 3
    for expert in experts:
        story = expert.story
        for moment in (story.updated_at, story.confirmed_at, story.consent_at):
            assert story.created_at <= moment < NOW, expert.record["external_id"]
        assert story.updated_at >= story.changes[-1].at


def test_a_share_of_profiles_is_stale_by_the_rosters_rule_and_some_were_reminded(experts):
    def stale(expert) -> bool:
        return expert.story.confirmed_at < NOW - STALE_AFTER

    assert 0.2 <= _share(experts, stale) <= 0.4
    rostered = [e for e in experts if e.record["roster_status"] == "rostered"]
    assert 0.15 <= _share(rostered, stale) <= 0.35
    reminded = [e for e in experts if e.story.reminded_at is not None]
    assert 0.3 <= len(reminded) / sum(map(stale, experts)) <= 0.8
    for expert in reminded:
        # Sent once the profile went stale, and not cleared since: it is still stale.
        assert expert.story.confirmed_at + STALE_AFTER < expert.story.reminded_at < NOW
        assert stale(expert)


def test_status_histories_start_at_registration_and_lead_to_the_status(experts):
    reasons = history_data()["status_reasons"]
    told = {"declined": reasons["declined"], "suspended": reasons["suspended"]}
    for expert in experts:
        changes = expert.story.changes
        assert changes[0].from_status is None and changes[0].to_status == "applicant"
        assert changes[0].at == expert.story.created_at
        for before, after in itertools.pairwise(changes):
            assert before.to_status == after.from_status
            assert before.at <= after.at
        assert changes[-1].to_status == expert.record["roster_status"]
        assert all(change.reason for change in changes)
        for change in changes:
            if change.to_status in told:
                assert change.reason in told[change.to_status]
            if change.to_status in ("rostered", "declined"):
                assert change.from_status in ("under_review", "inactive")
            if change.to_status in ("inactive", "suspended"):
                assert change.from_status == "rostered"


def test_inactive_experts_went_stale_or_asked_and_some_came_back(experts):
    reasons = history_data()["status_reasons"]
    inactive = [e for e in experts if e.record["roster_status"] == "inactive"]
    why = Counter(e.story.changes[-1].reason == reasons["inactive_stale"] for e in inactive)
    assert why[True] > why[False] > 0
    for expert in inactive:
        if expert.story.changes[-1].reason == reasons["inactive_stale"]:
            assert expert.story.reminded_at < expert.story.changes[-1].at
    back = [e for e in experts if any(c.reason == reasons["reactivated"] for c in e.story.changes)]
    assert back and all(e.record["roster_status"] == "rostered" for e in back)


def test_profiles_under_review_are_complete_and_wait_for_a_recruiter(experts):
    waiting = [e for e in experts if e.record["roster_status"] == "under_review"]
    for expert in waiting:
        record = expert.record
        assert record["languages"] and record["skills"] and record["availability"]
        assert record["summary"] and "seniority" in record and "years_experience" in record
        submitted = expert.story.changes[-1]
        assert submitted.from_status == "applicant" and NOW - submitted.at <= timedelta(days=121)
        assert expert.story.confirmed_at == submitted.at
    assert _share(waiting, lambda e: NOW - e.story.changes[-1].at > timedelta(days=30)) > 0.2


def test_some_applicants_left_sections_of_their_profile_empty(experts):
    applicants = [e.record for e in experts if e.record["roster_status"] == "applicant"]

    def complete(record: dict) -> bool:
        sections = ("languages", "skills", "availability", "summary")
        return all(record[s] for s in sections) and "seniority" in record

    assert 0.35 <= _share(applicants, lambda r: not complete(r)) <= 0.8
    assert any(not r["languages"] for r in applicants) and any(not r["skills"] for r in applicants)


# Duplicates: the same person registered twice.


def test_likely_duplicates_are_found_by_a_search_on_names(experts):
    by_id = {e.record["external_id"]: e for e in experts}
    pairs = [(by_id[e.duplicate_of], e) for e in experts if e.duplicate_of]
    assert 5 <= len(pairs) <= 25
    names = {e.record["external_id"]: e.record["full_name"] for e in experts}
    for first, second in pairs:
        one, two = first.record, second.record
        assert one["full_name"] != two["full_name"]
        found = process.extract(
            two["full_name"],
            {k: v for k, v in names.items() if k != two["external_id"]},
            scorer=fuzz.token_sort_ratio,
            processor=utils.default_process,
            limit=5,
        )
        assert one["external_id"] in [key for _, _, key in found], (two["full_name"], found)
        assert one["nationalities"][0] == two["nationalities"][0]
        assert {s["code"] for s in one["skills"]} & {s["code"] for s in two["skills"]}
        assert {lang["code"] for lang in one["languages"]} & {
            lang["code"] for lang in two["languages"]
        }
        assert second.story.created_at > first.story.created_at
    emails = Counter(one.record["email"] == two.record["email"] for one, two in pairs)
    assert emails[True] and emails[False]
    assert {two.record["roster_status"] for _, two in pairs} <= {
        "applicant",
        "under_review",
        "rostered",
    }
