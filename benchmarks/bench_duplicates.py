"""Measure the duplicate check: speed at 100,000 experts, precision and recall on planted pairs.

The roster is the demo's (``roster.demo.generate_experts``: realistic names from many
countries, with the demo's own second registrations, about one person in 200), and on top
of it, drawn from its records with a fixed seed, planted duplicates of five kinds:

* ``typo``: one letter of one word changed (not the first);
* ``transliteration``: another common romanisation (the demo's spelling pairs:
  Mohammed/Muhammad, Yusuf/Youssef ...);
* ``swapped``: the family name written first;
* ``accents``: accents dropped;
* ``email``: the same name with a new address;

each with a new email (a new address at another provider) and an overlapping profile:
the same nationality and languages (sometimes one dropped), most of the expertise; and
**look-alikes**, different people with the same name as a record on the roster: a
different year of birth (both consented) or a different nationality, and their own
languages and expertise.

Reported: the pairs found by a sweep over the whole roster in memory (``find_all``) and
through the database (``sweep``: read, compare, store every key and the new pairs; then
again, as the nightly job finds it, keys and pairs stored already); the
candidates of one record among the roster (``candidates_for``: its keys looked up, the
records sharing them read and scored) for planted records, p50 and p95; recall per kind,
look-alikes flagged, and precision over every pair found (a pair of two demo people who
are not planted counts as a false positive, although many are two people of the same
name and country with nothing else to tell them apart).

    .venv/bin/python benchmarks/bench_duplicates.py                      # 100,000, SQLite
    .venv/bin/python benchmarks/bench_duplicates.py --experts 20000 --no-database
    .ci/with-postgres .venv/bin/python benchmarks/bench_duplicates.py --database postgresql
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from datetime import date
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchdb import fresh_database  # noqa: E402

from roster.demo import generate_experts, history_data  # noqa: E402
from roster.recruiting import duplicates  # noqa: E402

KINDS = ("typo", "transliteration", "swapped", "accents", "email")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _latin(name: str) -> bool:
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in name)


def _without_accents(name: str) -> str:
    text_ = unicodedata.normalize("NFKD", name)
    return unicodedata.normalize("NFC", "".join(c for c in text_ if not unicodedata.combining(c)))


def variant_name(kind: str, name: str, rng: random.Random, spellings) -> str | None:
    """The name written another way, of the kind asked, or None where it does not apply."""
    words = name.split()
    if len(words) < 2:
        return None
    if kind == "typo":
        if not _latin(name):
            return None
        i = rng.randrange(len(words))
        word = words[i]
        if len(word) < 4:
            return None
        at = rng.randrange(1, len(word))
        words[i] = word[:at] + rng.choice(LETTERS.replace(word[at].lower(), "")) + word[at + 1 :]
        return " ".join(words)
    if kind == "transliteration":
        found = [(old, new) for old, new in spellings if old in name]
        if not found:
            return None
        old, new = rng.choice(found)
        return name.replace(old, new, 1)
    if kind == "swapped":
        return " ".join(words[-1:] + words[:-1])
    if kind == "accents":
        plain = _without_accents(name)
        return plain if plain != name and _latin(name) else None
    return name  # "email": the same name, a new address


def plant(records: list[dict], per_kind: int, seed: int) -> tuple[list[dict], dict, set]:
    """Plant duplicates and look-alikes: (records, planted pairs by kind, look-alike pairs)."""
    rng = random.Random(seed)
    spellings = history_data()["spellings"]
    originals = [r for r in records if len(r["full_name"].split()) >= 2 and r["languages"]]
    truth: dict[str, set] = {kind: set() for kind in KINDS}
    look_alikes: set = set()
    number = len(records)
    used: set[str] = set()
    for kind in KINDS:
        made = 0
        while made < per_kind:
            original = rng.choice(originals)
            if original["external_id"] in used:
                continue
            name = variant_name(kind, original["full_name"], rng, spellings)
            if name is None or (kind != "email" and name == original["full_name"]):
                continue
            used.add(original["external_id"])
            number += 1
            twin = json.loads(json.dumps(original))
            twin["external_id"] = f"PLANT-{number:06d}"
            twin["full_name"] = name
            twin["email"] = f"user{number}@mail{rng.randrange(9)}.example.net"
            if len(twin["languages"]) > 2 and rng.random() < 0.3:
                twin["languages"].pop()
            if len(twin["skills"]) > 2:
                twin["skills"] = twin["skills"][:-1]
            twin["deployments"] = []
            records.append(twin)
            truth[kind].add((original["external_id"], twin["external_id"]))
            made += 1
    for flavour in ("birth_year", "nationality"):
        made = 0
        while made < per_kind:
            original = rng.choice(originals)
            other = rng.choice(originals)
            if other["nationalities"] == original["nationalities"]:
                continue
            number += 1
            stranger = json.loads(json.dumps(other))
            stranger["external_id"] = f"ALIKE-{number:06d}"
            stranger["full_name"] = original["full_name"]
            stranger["email"] = f"alike{number}@mail.example.net"
            stranger["deployments"] = []
            if flavour == "birth_year":
                if "birth_year" not in original:
                    continue
                stranger["nationalities"] = original["nationalities"]
                stranger["residence_country"] = original.get("residence_country")
                stranger["birth_year"] = original["birth_year"] + rng.choice((-9, -5, 4, 7, 12))
                stranger["consent"] = stranger.get("consent", {}) | {"birth_year": True}
            else:
                stranger.pop("birth_year", None)
                stranger.get("consent", {}).pop("birth_year", None)
            if stranger.get("residence_country") is None:
                stranger.pop("residence_country", None)
            records.append(stranger)
            look_alikes.add((original["external_id"], stranger["external_id"]))
            made += 1
    return records, truth, look_alikes


def as_person(index: int, record: dict) -> duplicates.Person:
    """A record as the duplicate check reads it (id: its position + 1)."""
    consent = record.get("consent", {})
    return duplicates.person(
        id=index,
        full_name=record["full_name"],
        email=record["email"],
        birth_year=record.get("birth_year") if consent.get("birth_year") else None,
        nationalities=record["nationalities"],
        residence=record.get("residence_country"),
        languages=[lang["code"] for lang in record["languages"]],
        skills=[s["code"] for s in record["skills"]],
    )


def quality(found: set, truth: dict, demo_truth: set, look_alikes: set) -> dict:
    """Recall per kind, look-alikes flagged, precision over every pair found."""
    truth = {kind: {frozenset(p) for p in pairs} for kind, pairs in truth.items()}
    demo_truth = {frozenset(p) for p in demo_truth}
    look_alikes = {frozenset(p) for p in look_alikes}
    every = set().union(*truth.values()) | demo_truth
    result = {
        "recall": {kind: len(pairs & found) / len(pairs) for kind, pairs in truth.items()},
        "recall_demo_second_registrations": len(demo_truth & found) / max(1, len(demo_truth)),
        "look_alikes_flagged": len(look_alikes & found) / len(look_alikes),
        "found": len(found),
        "true_found": len(found & every),
        "precision": len(found & every) / max(1, len(found)),
    }
    planted = set().union(*truth.values())
    result["recall_planted"] = len(planted & found) / len(planted)
    return result


def through_database(kind: str, records: list[dict], probes: list[str], folder: Path) -> dict:
    """Import, sweep through the database, then time ``candidates_for`` on ``probes``."""
    os.environ.setdefault("ROSTER_BASE_URL", "http://localhost")
    os.environ["ROSTER_INSTANCE_PATH"] = str(folder / "instance")
    from roster import create_app
    from roster.db import session_scope
    from roster.interchange.services import import_records
    from roster.models import Expert

    url = fresh_database(kind, folder / "bench-duplicates.db")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    started = time.perf_counter()
    with app.app_context(), session_scope(app) as session:
        import_records(session=session, records=enumerate(records, 1), source="bench")
    imported = time.perf_counter() - started
    started = time.perf_counter()
    with app.app_context(), session_scope(app) as session:
        report = duplicates.sweep(session=session)
    swept = time.perf_counter() - started
    started = time.perf_counter()
    with app.app_context(), session_scope(app) as session:
        duplicates.sweep(session=session)
    again = time.perf_counter() - started
    samples = []
    with app.app_context(), session_scope(app, write=False) as session:
        ids = dict(
            session.execute(
                select(Expert.external_id, Expert.id).where(Expert.external_id.in_(probes))
            ).all()
        )
        for external_id in probes:
            started = time.perf_counter()
            duplicates.candidates_for(session=session, expert_id=ids[external_id])
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "database": kind,
        "import_s": round(imported, 1),
        "sweep_s": round(swept, 1),
        "sweep_again_s": round(again, 1),
        "sweep_keys": report.keys,
        "sweep_pairs": len(report.found),
        "candidates_ms_p50": round(statistics.median(samples), 1),
        "candidates_ms_p95": round(samples[int(len(samples) * 0.95) - 1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--no-database", action="store_true")
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    started = time.perf_counter()
    demo = list(generate_experts(args.experts, seed=args.seed, today=date(2026, 12, 1)))
    records = [d.record for d in demo]
    demo_truth = {
        (d.duplicate_of, d.record["external_id"]) for d in demo if d.duplicate_of is not None
    }
    records, truth, look_alikes = plant(records, args.per_kind, args.seed)
    print(f"{len(records)} records generated in {time.perf_counter() - started:.1f} s", flush=True)

    index = {r["external_id"]: i for i, r in enumerate(records, 1)}
    people = [as_person(i, r) for i, r in enumerate(records, 1)]
    started = time.perf_counter()
    report = duplicates.find_all(people)
    in_memory = time.perf_counter() - started
    by_id = {i: r["external_id"] for r, i in ((r, index[r["external_id"]]) for r in records)}
    found = set()
    for pair in report.found:
        one, two = by_id[pair.first_id], by_id[pair.second_id]
        found.add(frozenset((one, two)))
    result = {
        "experts": len(records),
        "threshold": duplicates.THRESHOLD,
        "sweep_in_memory_s": round(in_memory, 1),
        "comparisons": report.comparisons,
        "all_pairs": len(records) * (len(records) - 1) // 2,
        "scored": report.scored,
        "skipped_blocks": report.skipped_blocks,
        **quality(found, truth, demo_truth, look_alikes),
    }
    print(json.dumps(result, indent=2), flush=True)
    if not args.no_database:
        rng = random.Random(args.seed)
        planted = sorted(twin for pairs in truth.values() for _, twin in pairs)
        probes = rng.sample(planted, min(args.probes, len(planted)))
        with tempfile.TemporaryDirectory() as folder:
            result["database"] = through_database(args.database, records, probes, Path(folder))
        print(json.dumps(result["database"], indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
