"""Shortlists, teams and requirements on a seeded synthetic roster; their sentences are golden.

The ``verified/*`` shortlists are of the same roster fitted with some expertise areas
verified (``Matcher.fit(..., verified=...)``); the others are fitted without.

``tests/data/reason_sentences.json`` holds the reasons and notes these cases gave before
the reasons became structured (``matching.messages``), and the sentences of what each
hard requirement excludes (``Matcher.requirements``); the default output must keep them
byte for byte. After a deliberate change of wording or scoring, write it again:

    .venv/bin/python -m tests.matching.reason_cases
"""

import json
from functools import cache
from pathlib import Path

from matching import Matcher
from matching.synthetic import make_needs, make_roster

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "reason_sentences.json"


@cache
def matcher() -> Matcher:
    """A matcher fitted on a small seeded synthetic roster."""
    return Matcher().fit(make_roster(1500, seed=21))


@cache
def verified_matcher() -> Matcher:
    """The same roster fitted with every third expert's first two expertise areas verified."""
    roster = make_roster(1500, seed=21)
    verified = {
        record["external_id"]: [skill["code"] for skill in record.get("skills", [])[:2]]
        for number, record in enumerate(roster)
        if number % 3 == 0
    }
    return Matcher().fit(roster, verified=verified)


def needs_cases() -> list[tuple[str, dict, int]]:
    """Needs assessments and lengths that reach every kind of reason and note."""
    plain = make_needs(6, seed=21)
    capped = dict(make_needs(4, seed=22, gender_target=0.6), id="NA-CAPPED", max_region_share=0.2)
    strict = make_needs(2, seed=23, gender_target=1.0)
    strict["id"] = "NA-STRICT"
    for role in strict["roles"]:
        role["min_years"] = 14
        role["required_languages"] = [{"code": "ar", "level": "C2"}]
    nobody = make_needs(1, seed=24)
    nobody["id"] = "NA-NOBODY"
    nobody["roles"][0]["required_languages"] = [{"code": "zu", "level": "C2"}]
    untexted = make_needs(2, seed=25, gender_target=0.0)
    untexted["id"] = "NA-UNTEXTED"
    for role in untexted["roles"]:
        role.pop("description")
        role.pop("seniority")
        role.pop("min_years")
    return [
        ("plain", plain, 10),
        ("plain-long", plain, 40),
        ("capped", capped, 10),
        ("strict", strict, 10),
        ("nobody", nobody, 10),
        ("untexted", untexted, 5),
    ]


def shortlists(**options) -> dict[str, dict]:
    """Every role's shortlist of every case, by ``case/role``."""
    found = {}
    for name, needs, k in needs_cases():
        for role in needs["roles"]:
            key = f"{name}/{role['id']}"
            found[key] = matcher().shortlist(needs, role_id=role["id"], k=k, **options)
    plain = needs_cases()[0][1]
    for role in plain["roles"]:  # verified areas named (skills.verified)
        key = f"verified/{role['id']}"
        found[key] = verified_matcher().shortlist(plain, role_id=role["id"], k=10, **options)
    return found


def teams(**options) -> dict[str, dict]:
    """The team of every case with several roles, by case."""
    found = {}
    for name, needs, _ in needs_cases():
        if name.endswith("-long"):
            continue
        team = matcher().team(needs, candidates_per_role=20, **options)
        team.pop("seconds")
        found[name] = team
    return found


def requirement_cases() -> list[tuple[str, dict]]:
    """The needs above, and roles short of experts, of women, or that no single change fills."""
    short = make_needs(1, seed=26, gender_target=0.5)
    short.update(id="NA-SHORT", allow_partial_availability=True)
    short["roles"][0].update(positions=20, required_languages=[{"code": "ar", "level": "C2"}])
    several = make_needs(1, seed=27)
    several["id"] = "NA-SEVERAL"
    several["roles"][0]["required_languages"] = [
        {"code": "zu", "level": "C2"},
        {"code": "ig", "level": "C1"},
    ]
    cases = [(name, needs) for name, needs, _ in needs_cases() if not name.endswith("-long")]
    return [*cases, ("short", short), ("several", several)]


def requirements(**options) -> dict[str, dict]:
    """What each hard requirement of every role of every case excludes, by ``case/role``."""
    return {
        f"{name}/{role['id']}": matcher().requirements(needs, role_id=role["id"], **options)
        for name, needs in requirement_cases()
        for role in needs["roles"]
    }


def sentences() -> dict:
    """The reasons and notes of every case: what the golden file keeps."""
    return {
        "shortlists": {
            key: {
                "reasons": [c["reasons"] for c in s["candidates"]],
                "constraint_notes": s["constraints"]["notes"],
                "notes": s["notes"],
            }
            for key, s in shortlists().items()
        },
        "teams": {name: team["notes"] for name, team in teams().items()},
        "requirements": {
            key: {
                "requirements": [r["text"] for r in found["requirements"]],
                "notes": found["notes"],
            }
            for key, found in requirements().items()
        },
    }


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(sentences(), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {GOLDEN}")
