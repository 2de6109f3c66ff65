"""The recruiter's faceted search over HTTP on a large roster, and an export of all of it.

One command does everything on a fresh database: a temporary instance folder,
``roster init-db``, a synthetic roster imported with ``roster import`` (``--experts``,
100,000 by default), a seventh of the profiles made a year old and a fifth of the experts'
expertise verified (so that those filters find some), and a recruiter account. Then
gunicorn (the project's ``gunicorn.conf.py``) serves it and one signed-in recruiter asks
for ``--requests`` search pages one after another, each a mix of filters drawn from the
taxonomy and the roster (names spelt as stored and transliterated, words of summaries,
periods, sorts and pages); every page carries its facet counts. p50 / p95 / p99 and the
slowest kinds are reported. Last, the whole roster is exported to CSV (one POST, streamed)
while the workers' resident memory is sampled.

    python benchmarks/bench_search.py                                   # SQLite, 100,000
    .ci/with-postgres python benchmarks/bench_search.py --database postgresql
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's code

from bench_import import FLASK, ROOT, fresh_environment, write_roster  # noqa: E402
from bench_load import percentile, serving  # noqa: E402
from load_users import PASSWORD, form_fields  # noqa: E402

from matching.vocabulary import (  # noqa: E402
    ACCESSIBILITY_EXPERTISE,
    EXPERTISE_AREAS,
    LANGUAGE_LEVELS,
    SENIORITY,
    UN_REGIONAL_GROUPS,
)

RECRUITER = "recruiter@bench.example.org"
STATUSES = ("applicant", "under_review", "rostered", "inactive")
WORDS = ("voter", "registration", "dispute", "procurement", "observer", "gender", "results")
LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh", "pt", "de")


def prepare(env: dict[str, str]) -> list[str]:
    """Stale profiles, verified expertise and the recruiter; returns names of the roster."""
    from sqlalchemy import func, select, text, update

    from roster import create_app
    from roster.accounts.services import create_user
    from roster.db import engines, session_scope
    from roster.models import Expert, RoleName

    os.environ.update(env)
    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "SECRET_KEY": "bench"})
    with session_scope(app) as session:
        session.execute(
            update(Expert)
            .where(Expert.id % 7 == 0)
            .values(profile_confirmed_at=func.current_timestamp() - text("INTERVAL '400 days'"))
            if session.bind.dialect.name == "postgresql"
            else update(Expert)
            .where(Expert.id % 7 == 0)
            .values(profile_confirmed_at=func.datetime("now", "-400 days"))
        )
        session.execute(
            text("UPDATE expert_skill SET verified_at = CURRENT_TIMESTAMP WHERE expert_id % 5 = 0")
        )
        create_user(
            session=session,
            email=RECRUITER,
            password=PASSWORD,
            roles=[RoleName.RECRUITER],
            display_name="Bench Recruiter",
            confirmed=True,
        )
        names = list(
            session.scalars(select(Expert.full_name).where(Expert.id % 997 == 0).limit(100))
        )
    for engine in {engines(app).read, engines(app).write}:
        engine.dispose()
    return names


def transliterated(name: str, rng: random.Random) -> str:
    """The name as another recruiter might type it: lower case, a letter doubled, reordered."""
    words = name.lower().split()
    rng.shuffle(words)
    word = words[0]
    if len(word) > 3:
        at = rng.randrange(1, len(word) - 1)
        words[0] = word[:at] + word[at] + word[at:]
    return " ".join(words)


def searches(names: list[str], count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, address) of ``count`` searches, a seeded mix of what recruiters ask."""
    rng = random.Random(seed)
    skills, access = list(EXPERTISE_AREAS), list(ACCESSIBILITY_EXPERTISE)

    def one() -> tuple[str, list[tuple[str, str]]]:
        kind = rng.choice(
            ["all", "status", "skills-all", "skills-any", "language", "region", "name",
             "name-variant", "text", "period", "combined", "stale", "verified", "sign",
             "access", "seniority"]
        )  # fmt: skip
        args: list[tuple[str, str]] = []
        if kind == "status":
            args = [("status", rng.choice(STATUSES))]
        elif kind in ("skills-all", "skills-any"):
            args = [("skill", code) for code in rng.sample(skills, rng.randint(1, 3))]
            args += [("match", "any")] if kind == "skills-any" else []
        elif kind == "language":
            args = [("lang", rng.choice(LANGUAGES)), ("level", rng.choice(LANGUAGE_LEVELS[2:]))]
        elif kind == "region":
            args = [("region", rng.choice(UN_REGIONAL_GROUPS))]
        elif kind == "name":
            args = [("q", rng.choice(names))]
        elif kind == "name-variant":
            args = [("q", transliterated(rng.choice(names), rng))]
        elif kind == "text":
            args = [("text", rng.choice(WORDS))]
        elif kind == "period":
            start = 60 + rng.randrange(300)
            args = [
                ("from", f"2027-{1 + start // 31 % 12:02d}-01"),
                ("to", f"2027-{1 + start // 31 % 12:02d}-28"),
            ]
        elif kind == "combined":
            args = [
                ("skill", rng.choice(skills)),
                ("lang", rng.choice(LANGUAGES[:4])),
                ("level", "B2"),
                ("region", rng.choice(UN_REGIONAL_GROUPS)),
                ("status", "rostered"),
                ("years", str(rng.choice([5, 10, 15]))),
            ]
        elif kind == "stale":
            args = [("stale", "1"), ("status", "rostered")]
        elif kind == "verified":
            args = [("expertise", "verified"), ("skill", rng.choice(skills))]
        elif kind == "sign":
            args = [("sign", "1")]
        elif kind == "access":
            args = [("access", rng.choice(access))]
        elif kind == "seniority":
            args = [("seniority", rng.choice(SENIORITY)), ("years", "10")]
        extra = rng.random()
        if extra < 0.3:
            args.append(("sort", rng.choice(["years", "-years", "confirmed", "-registered"])))
        elif extra < 0.4 and kind in ("all", "status", "region"):
            args.append(("page", str(rng.randint(2, 20))))
        return kind, args

    made = []
    for _ in range(count):
        kind, args = one()
        made.append((kind, "/experts" + (f"?{urlencode(args)}" if args else "")))
    return made


def signed_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=120)
    page = client.get("/login")
    response = client.post(
        "/login", data=form_fields(page.text) | {"email": RECRUITER, "password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code
    return client


def worker_rss(pid: int) -> float:
    """Resident MiB of the largest gunicorn worker."""
    children = psutil.Process(pid).children()
    return max((child.memory_info().rss for child in children), default=0) / 2**20


def export_all(client: httpx.Client, pid: int) -> dict:
    """POST the export of the whole roster; time, size, rows and the workers' memory."""
    page = client.get("/experts").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    before = worker_rss(pid)
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak.append(worker_rss(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    size = rows = 0
    with client.stream(
        "POST",
        "/experts/export",
        data={"csrf_token": token, "query": "", "sort": "name", "reason": "Benchmark"},
    ) as response:
        status = response.status_code
        for chunk in response.iter_bytes():
            size += len(chunk)
            rows += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return {
        "status": status,
        "seconds": elapsed,
        "mib": size / 2**20,
        "lines": rows,
        "worker_rss_before_mib": before,
        "worker_rss_peak_mib": max(peak),
    }


def run(kind: str, args: argparse.Namespace) -> dict:
    """Set up, serve, search, export; return the figures."""
    with tempfile.TemporaryDirectory(prefix="roster-search-") as scratch:
        folder = Path(scratch)
        env = fresh_environment(kind, folder) | {"ROSTER_ENV": "development"}
        roster = folder / "roster.jsonl"
        write_roster(roster, args.experts)
        subprocess.run(
            [*FLASK, "roster", "import", str(roster)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        names = prepare(env)
        plan = searches(names, args.requests + args.warmup, args.seed)
        config = ROOT / "gunicorn.conf.py"
        with serving(env, config, folder / "gunicorn.log") as (url, pid):
            client = signed_in(url)
            timings: dict[str, list[float]] = {}
            statuses: dict[int, int] = {}
            for number, (search, path) in enumerate(plan):
                started = time.perf_counter()
                response = client.get(path)
                if response.status_code == 302:  # to the search's canonical address
                    response = client.get(response.headers["Location"])
                seconds = time.perf_counter() - started
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if number >= args.warmup:
                    timings.setdefault(search, []).append(seconds)
            export = export_all(client, pid)
            client.close()
    every = sorted(t for values in timings.values() for t in values)
    return {
        "experts": args.experts,
        "requests": len(every),
        "statuses": statuses,
        "p50_ms": percentile(every, 0.5) * 1000,
        "p95_ms": percentile(every, 0.95) * 1000,
        "p99_ms": percentile(every, 0.99) * 1000,
        "max_ms": every[-1] * 1000,
        "by_kind_median_ms": {
            search: statistics.median(values) * 1000 for search, values in sorted(timings.items())
        },
        "by_kind_p95_ms": {
            search: percentile(sorted(values), 0.95) * 1000
            for search, values in sorted(timings.items())
        },
        "export": export,
        "load_average": os.getloadavg(),
    }


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


def main() -> None:
    args = arguments()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = {kind: run(kind, args) for kind in kinds}
    for kind, result in results.items():
        export = result["export"]
        slowest = sorted(result["by_kind_p95_ms"].items(), key=lambda pair: -pair[1])[:4]
        print(
            f"{kind}, {result['experts']:,} experts, {result['requests']} searches "
            f"(statuses {result['statuses']}): p50 {result['p50_ms']:.0f} ms, "
            f"p95 {result['p95_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
            f"max {result['max_ms']:.0f} ms; slowest kinds (p95) "
            + ", ".join(f"{name} {ms:.0f}" for name, ms in slowest)
            + f"; export of {export['lines'] - 1:,} rows ({export['mib']:.1f} MiB) in "
            f"{export['seconds']:.1f} s, worker {export['worker_rss_before_mib']:.0f} -> "
            f"{export['worker_rss_peak_mib']:.0f} MiB; load average {result['load_average']}"
        )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
