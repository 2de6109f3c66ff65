"""Measure the matcher provider (``roster.matchers``): refits, snapshots, workers' memory.

On a database holding a roster (built from ``matching.synthetic.make_roster`` when it
holds fewer than ``--experts``), in this process:

* ``read_records`` (the rostered experts, Core queries) and ``Matcher.fit`` on them;
* **change to shortlist**: an expert at the top of a shortlist saves their languages
  without the role's required one (``roster.profiles.languages.save_languages``, one
  commit); shortlists are then asked for every 50 ms through ``current_matcher()``
  until one no longer holds the expert. Each request answers at once; the time is
  from the commit to the first shortlist showing the change.

Then two new worker processes are started at once, each from nothing (``python -c``)
to its first shortlist through ``current_matcher()``, from the snapshot the provider
saved: their start time, and their memory while both are alive (RSS, and PSS, which
splits shared pages between the processes that map them, and USS, their own).

``--snapshot-experts N`` measures only the workers, on a snapshot of a synthetic roster
of N fitted in this process and saved for an empty database (no database of N needed).

    python benchmarks/bench_provider.py --database-url sqlite:///bench100k.db --experts 100000
    .ci/with-postgres python benchmarks/bench_provider.py --experts 100000
    python benchmarks/bench_provider.py --snapshot-experts 1000000
"""

import argparse
import faulthandler
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from matching import Matcher  # noqa: E402
from matching.synthetic import make_needs, make_roster  # noqa: E402

# A change that never shows is a fault, not a slow figure.
GIVE_UP_S = 120

WORKER = """
import json, sys, time, psutil
process = psutil.Process()
from roster import create_app
from roster.matchers import current_matcher
app = create_app()
fitted = current_matcher(app)
fitted.matcher.shortlist(json.loads(sys.argv[1]), k=10)
started = time.time() - process.create_time()
print(json.dumps({"first_shortlist_s": round(started, 2), "revision": fitted.revision}), flush=True)
sys.stdin.readline()  # every worker is up: now measure the memory of each
memory = process.memory_full_info()
print(json.dumps({name: round(getattr(memory, name) / 2**20) for name in ("rss", "pss", "uss")}))
"""


def environment(url: str, instance: Path) -> dict[str, str]:
    """The environment a worker of this roster starts with."""
    return os.environ | {
        "DATABASE_URL": url,
        "ROSTER_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "bench",
        "ROSTER_BASE_URL": "http://127.0.0.1:8000",
    }


def workers(url: str, instance: Path, needs: dict, count: int = 2) -> list[dict]:
    """Start ``count`` workers at once; return each one's start time and memory."""
    started = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(needs)],
            cwd=ROOT,
            env=environment(url, instance),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    ready = [json.loads(worker.stdout.readline()) for worker in started]
    for worker in started:
        worker.stdin.write("\n")
        worker.stdin.flush()
    memory = [json.loads(worker.stdout.readline()) for worker in started]
    for worker in started:
        worker.wait()
    return [first | mem for first, mem in zip(ready, memory, strict=True)]


def app_for(url: str, instance: Path):
    """The app of the roster, as a worker builds it."""
    os.environ.update(environment(url, instance))
    from roster import create_app
    from roster.migrate import upgrade

    upgrade(url)
    return create_app()


def fill(app, experts: int) -> None:
    """Import a synthetic roster when the database holds fewer than ``experts``."""
    from roster.db import session_scope
    from roster.interchange.services import import_records
    from roster.models import Expert

    with session_scope(app, write=False) as session:
        held = session.scalar(select(func.count()).select_from(Expert))
    if held >= experts:
        return
    print(f"importing {experts - held} synthetic experts ...", flush=True)
    records = make_roster(experts - held, seed=held, prefix=f"P{held}-")
    with session_scope(app) as session:
        import_records(session=session, records=enumerate(records, 1), source="bench")


def change_to_shortlist(app, rounds: int) -> list[float]:
    """Seconds from a profile saved to the first shortlist that shows it, per round."""
    from roster.db import session_scope
    from roster.matchers import current_matcher, up_to_date_matcher
    from roster.models import Expert
    from roster.profiles.languages import save_languages

    up_to_date_matcher(app)
    seconds = []
    for round_ in range(rounds):
        needs = make_needs(1, seed=100 + round_)
        required = needs["roles"][0]["required_languages"][0]["code"]
        top = current_matcher(app).matcher.shortlist(needs, k=10, reasons=False)
        chosen = top["candidates"][0]["external_id"]
        with session_scope(app) as session:
            expert = session.scalars(select(Expert).where(Expert.external_id == chosen)).one()
            rows = [(lang.code, lang.level) for lang in expert.languages if lang.code != required]
            save_languages(session=session, expert=expert, version=expert.version, rows=rows)
        saved = time.perf_counter()
        print(f"round {round_}: {chosen} saved", file=sys.stderr, flush=True)
        while time.perf_counter() - saved < GIVE_UP_S:
            shortlist = current_matcher(app).matcher.shortlist(needs, k=10, reasons=False)
            if chosen not in {c["external_id"] for c in shortlist["candidates"]}:
                break
            time.sleep(0.05)
        else:
            raise SystemExit(f"the change did not show within {GIVE_UP_S} s")
        seconds.append(time.perf_counter() - saved)
    return seconds


def measure_database(args: argparse.Namespace) -> dict:
    from roster.db import session_scope
    from roster.matchers import read_records, snapshot_folder, stop_matcher

    instance = Path(tempfile.mkdtemp(prefix="bench-provider-"))
    app = app_for(args.database_url, instance)
    fill(app, args.experts)
    out: dict = {"database": app.config["DATABASE_URL"].split(":")[0]}
    reads, fits = [], []
    for _ in range(args.repeats):
        started = time.perf_counter()
        with session_scope(app, write=False) as session:
            records = read_records(session)
        reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        Matcher().fit(records)
        fits.append(time.perf_counter() - started)
    out |= {
        "rostered": len(records),
        "read_records_s": round(statistics.median(reads), 2),
        "fit_s": round(statistics.median(fits), 2),
    }
    del records
    print(f"read and fit: {out}", file=sys.stderr, flush=True)
    latencies = change_to_shortlist(app, args.rounds)
    out["change_to_shortlist_s"] = [round(s, 2) for s in latencies]
    stop_matcher(app)
    out["snapshot_mib"] = round(
        sum(p.stat().st_size for p in snapshot_folder(app).glob("*.joblib")) / 2**20
    )
    out["workers"] = workers(app.config["DATABASE_URL"], instance, make_needs(1, seed=7))
    return out


def measure_snapshot(args: argparse.Namespace) -> dict:
    """Workers' memory on a snapshot of a synthetic roster, for an empty database."""
    from roster.matchers import Fitted, _provider

    instance = Path(tempfile.mkdtemp(prefix="bench-provider-"))
    url = f"sqlite:///{instance / 'empty.db'}"
    app = app_for(url, instance)
    started = time.perf_counter()
    matcher = Matcher().fit(make_roster(args.snapshot_experts, seed=1))
    fit_s = time.perf_counter() - started
    path = _provider(app)._save(Fitted(matcher, 0), (0, 0))
    del matcher
    return {
        "experts": args.snapshot_experts,
        "fit_s": round(fit_s, 1),
        "snapshot_mib": round(path.stat().st_size / 2**20),
        "workers": workers(url, instance, make_needs(1, seed=7)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL") or "sqlite:///bench-provider.db",
    )
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--snapshot-experts", type=int)
    args = parser.parse_args()
    if args.database_url.startswith("postgresql://"):
        args.database_url = "postgresql+psycopg://" + args.database_url.removeprefix(
            "postgresql://"
        )
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    result = measure_snapshot(args) if args.snapshot_experts else measure_database(args)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
