"""What each hard requirement of a role excludes (``Matcher.requirements``), against a loop."""

import datetime as dt
import json

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from matching import Matcher
from matching.balance import women_ceil
from matching.messages import english
from matching.synthetic import COUNTRIES, SKILLS, make_needs, make_roster
from matching.vocabulary import LANGUAGE_LEVELS, level_rank

LANGUAGES = ("en", "fr", "es", "ar", "ru", "sw", "pt")
NOBODY_SPEAKS = ("zu", "ig")
SEEDS = range(12)


@pytest.fixture(scope="module")
def roster() -> list[dict]:
    return make_roster(2500, seed=31)


@pytest.fixture(scope="module")
def matcher(roster) -> Matcher:
    return Matcher().fit(roster)


def random_needs(seed: int) -> dict:
    """A one-role needs assessment with random hard requirements; some nobody can fill."""
    rng = np.random.default_rng(seed)
    needs = make_needs(1, seed=seed, country=str(rng.choice(COUNTRIES)))
    start = dt.date(2026, 10, 1) + dt.timedelta(days=int(rng.integers(0, 400)))
    needs.update(
        start=start.isoformat(),
        end=(start + dt.timedelta(days=int(rng.integers(0, 200)))).isoformat(),
        exclude_nationals=bool(rng.random() < 0.7),
        allow_partial_availability=bool(rng.random() < 0.4),
        gender_target=float(rng.choice([0.0, 0.3, 0.5, 1.0])),
    )
    languages = list(rng.choice(LANGUAGES, size=int(rng.integers(0, 3)), replace=False))
    if seed % 4 == 3:
        languages += list(NOBODY_SPEAKS[: 1 + seed % 8 // 4])  # one, or two nobody speaks
    needs["roles"][0].update(
        positions=int(rng.integers(1, 60)),
        required_skills=list(rng.choice(SKILLS, size=int(rng.integers(0, 3)), replace=False)),
        required_languages=[
            {"code": str(code), "level": str(rng.choice(LANGUAGE_LEVELS))} for code in languages
        ],
    )
    needs["roles"][0]["desired_skills"] = [
        s
        for s in needs["roles"][0]["desired_skills"]
        if s not in needs["roles"][0]["required_skills"]
    ]
    return needs


def _windows(record: dict) -> list[tuple[dt.date, dt.date]]:
    """An expert's availability windows, overlapping and adjacent ones merged."""
    merged: list[list[dt.date]] = []
    spans = sorted(
        (dt.date.fromisoformat(w["from"]), dt.date.fromisoformat(w["to"]))
        for w in record["availability"]
    )
    for start, end in spans:
        if merged and start <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _level(record: dict, code: str) -> int:
    return max(
        (level_rank(x["level"]) for x in record["languages"] if x["code"] == code), default=0
    )


def brute_force(records: list[dict], needs: dict) -> dict:
    """The requirements' counts by a loop over every expert record, one check at a time."""
    role = needs["roles"][0]
    start, end = (dt.date.fromisoformat(needs[k]) for k in ("start", "end"))
    full = lambda r: any(a <= start and b >= end for a, b in _windows(r))  # noqa: E731
    some = lambda r: any(a <= end and b >= start for a, b in _windows(r))  # noqa: E731
    checks = [
        (("shortfall.requirement.skill", code), lambda r, c=code: any(
            s["code"] == c for s in r["skills"]
        ))
        for code in dict.fromkeys(role["required_skills"])
    ]  # fmt: skip
    for entry in role["required_languages"]:
        rank = level_rank(entry["level"])
        check = lambda r, c=entry["code"], k=rank: _level(r, c) >= k  # noqa: E731
        checks.append((("shortfall.requirement.language", entry["code"]), check))
    if needs["exclude_nationals"]:
        host = needs["country"]
        checks.append(
            (("shortfall.requirement.nationals",), lambda r: host not in r["nationalities"])
        )
    if needs["allow_partial_availability"]:
        checks.append((("shortfall.requirement.availability.partial",), some))
    else:
        checks.append((("shortfall.requirement.availability",), full))
    rostered = [r for r in records if r["roster_status"] == "rostered"]
    wanted = {e["code"]: level_rank(e["level"]) for e in role["required_languages"]}
    found = {key: {"meet": 0, "widened": {}} for key, _ in checks}
    for key, counts in found.items():
        if key[0] == "shortfall.requirement.language":
            counts["widened"] = {
                LANGUAGE_LEVELS[k - 1]: 0 for k in range(wanted[key[1]] - 1, 0, -1)
            }
        elif key[0] == "shortfall.requirement.availability":
            counts["widened"] = {"partial": 0}
    eligible = women = 0
    for record in rostered:
        passed = [check(record) for _, check in checks]
        if all(passed):
            eligible += 1
            women += record["gender"] == "woman" and record["consent"]["gender"]
        for i, (key, _) in enumerate(checks):
            if not all(passed[:i] + passed[i + 1 :]):
                continue
            found[key]["meet"] += 1
            widened = found[key]["widened"]
            if key[0] == "shortfall.requirement.language":
                for rank in range(1, wanted[key[1]]):
                    widened[LANGUAGE_LEVELS[rank - 1]] += _level(record, key[1]) >= rank
            elif key[0] == "shortfall.requirement.availability":
                widened["partial"] += some(record)
    return {"eligible": eligible, "women": women, "order": [k for k, _ in checks], "found": found}


def _key(requirement: dict) -> tuple:
    params = requirement["params"]
    return (requirement["code"], *[params[k] for k in ("skill", "language") if k in params])


@pytest.mark.parametrize("seed", SEEDS)
def test_the_counts_equal_a_loop_over_every_expert(matcher, roster, seed):
    needs = random_needs(seed)
    found = matcher.requirements(needs)
    expected = brute_force(roster, needs)
    assert found["eligible_count"] == expected["eligible"]
    assert found["eligible_count"] == matcher.shortlist(needs, reasons=False)["eligible_count"]
    assert found["eligible_women"] == expected["women"]
    assert found["rostered_count"] == sum(r["roster_status"] == "rostered" for r in roster)
    assert len(found["requirements"]) == len(expected["order"])
    for requirement in found["requirements"]:
        counts = expected["found"][_key(requirement)]
        assert requirement["meet_everything_else"] == counts["meet"]
        assert requirement["excluded"] == counts["meet"] - expected["eligible"]
        assert requirement["widened"] == counts["widened"]
    # Most excluded first; ties in the role's order (skills, languages, nationals, availability).
    by_excluded = sorted(
        expected["order"], key=lambda k: expected["eligible"] - expected["found"][k]["meet"]
    )
    assert [_key(r) for r in found["requirements"]] == by_excluded


@pytest.mark.parametrize("seed", SEEDS)
def test_the_notes_say_where_the_pool_falls_short(matcher, seed):
    needs = random_needs(seed)
    found = matcher.requirements(needs, structured=True)
    codes = [note["code"] for note in found["note_codes"]]
    first = found["requirements"][0]
    assert found["binding"] == (first if first["excluded"] > 0 else None)
    eligible, positions = found["eligible_count"], found["positions"]
    if eligible == 0:
        if found["binding"] is None:
            assert codes == ["shortfall.nobody.several"]
        else:
            assert codes == ["shortfall.nobody", found["binding"]["code"]]
            assert found["notes"][1] == found["binding"]["text"]
        return
    assert ("shortfall.positions" in codes) == (eligible < positions)
    short_of_women = needs["gender_target"] > 0 and found["eligible_women"] < women_ceil(
        needs["gender_target"], positions
    )
    assert ("shortfall.gender" in codes) == short_of_women


def test_a_role_nobody_can_fill_names_the_requirement_that_excludes_them_all(matcher):
    needs = random_needs(3)  # requires Zulu, which nobody in the roster speaks
    found = matcher.requirements(needs)
    assert found["eligible_count"] == 0
    assert found["binding"]["params"]["language"] == "zu"
    assert found["binding"]["excluded"] == found["binding"]["meet_everything_else"] > 0
    assert found["notes"] == [
        "No expert meets every hard requirement of this role.",
        found["binding"]["text"],
    ]
    assert found["binding"]["text"].startswith("Zulu ")


def test_a_role_two_unmet_requirements_block_has_no_binding_requirement(matcher):
    needs = random_needs(7)  # requires Zulu and Igbo
    found = matcher.requirements(needs)
    assert found["eligible_count"] == 0 and found["binding"] is None
    assert all(r["excluded"] == 0 for r in found["requirements"])
    assert found["notes"] == [english("shortfall.nobody.several")]


def test_the_structured_output_reads_as_the_english_text(matcher):
    for seed in SEEDS:
        needs = random_needs(seed)
        found = matcher.requirements(needs, structured=True)
        for requirement in found["requirements"]:
            assert requirement["text"] == english(requirement["code"], requirement["params"])
            assert requirement["params"]["excluded"] == requirement["excluded"]
        assert [n["text"] for n in found["note_codes"]] == found["notes"]
        assert [english(n["code"], n["params"]) for n in found["note_codes"]] == found["notes"]
        plain = matcher.requirements(needs)
        assert "note_codes" not in plain
        assert plain == {k: v for k, v in found.items() if k != "note_codes"}


def test_the_answer_is_the_same_every_time_and_for_any_order_of_the_roster(matcher, roster):
    reversed_matcher = Matcher().fit(list(reversed(roster)))
    for seed in SEEDS:
        needs = random_needs(seed)
        found = matcher.requirements(needs, structured=True)
        assert matcher.requirements(needs, structured=True) == found
        assert reversed_matcher.requirements(needs, structured=True) == found
        assert json.loads(json.dumps(found)) == found


def test_a_lower_level_or_partial_availability_says_what_it_would_gain(matcher):
    needs = random_needs(0)
    role = needs["roles"][0]
    role["required_languages"] = [{"code": "fr", "level": "C1"}]
    needs["allow_partial_availability"] = False
    found = matcher.requirements(needs)
    french = next(r for r in found["requirements"] if r["params"].get("language") == "fr")
    availability = next(r for r in found["requirements"] if "availability" in r["code"])
    assert list(french["widened"]) == ["B2", "B1", "A2", "A1"]
    # The gain of a lower level is the shortlist of the widened role, without making it.
    role["required_languages"] = [{"code": "fr", "level": "B1"}]
    assert french["widened"]["B1"] == matcher.requirements(needs)["eligible_count"]
    role["required_languages"] = [{"code": "fr", "level": "C1"}]
    needs["allow_partial_availability"] = True
    assert availability["widened"]["partial"] == matcher.requirements(needs)["eligible_count"]


def test_requirements_refuse_before_fit_and_for_an_unknown_role(matcher):
    with pytest.raises(NotFittedError):
        Matcher().requirements(random_needs(0))
    with pytest.raises(ValueError, match="no role"):
        matcher.requirements(random_needs(0), role_id="R9")
