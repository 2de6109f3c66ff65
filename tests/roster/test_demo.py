"""The synthetic demo roster: valid records, deterministic, realistic and diverse."""

import itertools
from collections import Counter
from datetime import date

import langcodes
import pytest

from roster.demo import DATA_FILE, demo_regions, generate_experts, reference_data, taxonomy
from tests.spec import assert_valid

SENSITIVE = ("gender", "disability", "birth_year")


@pytest.fixture(scope="module")
def roster() -> list[dict]:
    return list(generate_experts(2000, seed=2026))


@pytest.fixture(scope="module")
def small_roster() -> list[dict]:
    return list(generate_experts(500, seed=11))


def _windows(record: dict, field: str) -> list[tuple[date, date]]:
    return [(date.fromisoformat(w["from"]), date.fromisoformat(w["to"])) for w in record[field]]


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
        assert all(skill["years"] <= record["years_experience"] for skill in record["skills"])


def test_the_same_seed_gives_the_same_roster():
    assert list(generate_experts(300, seed=5)) == list(generate_experts(300, seed=5))


def test_different_seeds_give_different_rosters():
    first, second = list(generate_experts(50, seed=1)), list(generate_experts(50, seed=2))
    assert [r["full_name"] for r in first] != [r["full_name"] for r in second]


def test_records_are_streamed_one_at_a_time():
    stream = generate_experts(10**9, seed=3)
    first = next(stream)
    assert first["external_id"] == "DEMO-000001"
    assert next(stream)["external_id"] == "DEMO-000002"


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        list(generate_experts(-1, seed=0))


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
    dual = sum(len(record["nationalities"]) == 2 for record in roster) / len(roster)
    assert 0.02 <= dual <= 0.09
    at_home = sum(r["residence_country"] == r["nationalities"][0] for r in roster) / len(roster)
    assert 0.7 <= at_home <= 0.95


def test_gender_and_status_shares_are_plausible(roster):
    disclosed = [record["gender"] for record in roster if "gender" in record]
    women = disclosed.count("woman") / len(disclosed)
    assert 0.40 <= women <= 0.50
    assert 0.75 <= len(disclosed) / len(roster) <= 0.92
    statuses = Counter(record["roster_status"] for record in roster)
    assert 0.58 <= statuses["rostered"] / len(roster) <= 0.72
    assert set(statuses) == set(taxonomy()["roster_statuses"])


def test_no_sensitive_value_is_carried_without_consent(roster):
    for record in roster:
        for field in SENSITIVE:
            if not record["consent"].get(field, False):
                assert field not in record, (record["external_id"], field)
    disabled = sum(record.get("disability") is True for record in roster) / len(roster)
    assert 0.02 <= disabled <= 0.07


def test_seniority_follows_years_of_experience(roster):
    bounds = {"P2": (2, 5), "P3": (5, 9), "P4": (8, 14), "P5": (12, 22), "D1": (18, 35)}
    for record in roster:
        low, high = bounds[record["seniority"]]
        assert low <= record["years_experience"] <= high


def test_availability_and_deployments_are_ordered_and_do_not_overlap(roster):
    for record in roster:
        for field in ("availability", "deployments"):
            windows = _windows(record, field)
            assert all(start <= end for start, end in windows)
            assert all(a[1] < b[0] for a, b in itertools.pairwise(windows))
        assert all(
            date(2026, 12, 1) <= s and e <= date(2028, 12, 31)
            for s, e in _windows(record, "availability")
        )
        assert all(
            date(2005, 1, 1) <= s and e <= date(2026, 12, 31)
            for s, e in _windows(record, "deployments")
        )
        assert not {d["country"] for d in record["deployments"]} & set(record["nationalities"])
        assert len(record["deployments"]) <= 5 and len(record["availability"]) <= 3


def test_emails_are_unique_ascii_and_at_example_domains(roster):
    emails = [record["email"] for record in roster]
    assert len(set(emails)) == len(emails)
    assert all(email.isascii() for email in emails)
    assert all(
        email.split("@")[1] in {"example.org", "example.net", "example.com"} for email in emails
    )


def test_languages_and_expertise_are_diverse(roster):
    languages = Counter(lang["code"] for record in roster for lang in record["languages"])
    assert languages["en"] / len(roster) > 0.7
    assert len(languages) >= 40
    signing = sum(
        any(
            "Sign Language" in langcodes.Language.get(lang["code"]).display_name()
            for lang in record["languages"]
        )
        for record in roster
    ) / len(roster)
    assert 0.01 <= signing <= 0.06
    accessibility = sum(bool(r["accessibility_expertise"]) for r in roster) / len(roster)
    assert 0.10 <= accessibility <= 0.22
    assert all(2 <= len(record["skills"]) <= 6 for record in roster)


def test_summaries_are_one_to_three_sentences_without_placeholders(roster):
    for record in roster:
        summary = record["summary"]
        assert "{" not in summary and "lorem" not in summary.lower()
        assert 1 <= summary.count(". ") + 1 <= 3


def test_reference_data_covers_the_taxonomy_and_uses_valid_codes():
    data = reference_data()
    assert DATA_FILE.is_file()
    assert set(data["skills"]) == set(taxonomy()["expertise_areas"])
    for info in (c for group in data["regions"].values() for c in group["countries"].values()):
        codes = [lang[0] for lang in info["langs"]] + [info.get("sign", "ase")]
        codes += [code for src in info["names"] if isinstance(src, list) for code in src[1]]
        assert all(langcodes.tag_is_valid(code) for code in codes), codes
