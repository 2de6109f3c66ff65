"""Measure the watched searches' daily digest on a large roster.

Fills a fresh, migrated database with ``--experts`` synthetic experts
(``matching.synthetic.make_roster``, imported as ``roster import`` does), opens 10
recruiters who each save and watch two searches of differing reach (a fifth of the
roster down to a few dozen), then imports a day's new experts (``--new``, 1% by
default) and times ``roster.jobs.digest`` (what the worker runs daily and
``flask roster digest`` runs now): every watched search's news found and its set made
current, and the digests queued, in one transaction. Then a second run, with nothing
new. Also the time to start watching each search (its set filled).

    python benchmarks/bench_digest.py                               # SQLite, 100,000 experts
    .ci/with-postgres python benchmarks/bench_digest.py --database postgresql
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl

from sqlalchemy import func, select, text
from werkzeug.datastructures import MultiDict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import fresh_database  # noqa: E402

from matching.synthetic import make_roster  # noqa: E402
from roster import create_app  # noqa: E402
from roster.db import session_scope  # noqa: E402

QUERIES = [
    "lang=fr",
    "lang=en&level=C1",
    "lang=ar",
    "lang=es&status=rostered",
    "status=rostered",
    "status=under_review",
    "region=African",
    "region=Latin+American+and+Caribbean&lang=es",
    "skill=voter-registration",
    "skill=electoral-management&skill=mediation",
    "skill=electoral-management&skill=mediation&match=any",
    "sign=1",
    "years=20",
    "seniority=P5",
    "lang=ru&level=B2",
    "lang=zh",
    "region=Eastern+European&status=rostered",
    "access=sign-language",
    "text=election",
    "lang=fr&skill=voter-registration&status=rostered",
]


def load(app, records: list[dict], source: str) -> float:
    """Import records as ``roster import`` does; return the seconds it took."""
    from roster.interchange.services import import_records

    started = time.perf_counter()
    with app.app_context(), session_scope(app) as session:
        import_records(session=session, records=enumerate(records, 1), source=source)
    return time.perf_counter() - started


def analyse(app) -> None:
    """Give the planner its statistics, as a served database has them (autovacuum, or
    SQLite's ``PRAGMA optimize``), rather than those of empty tables."""
    with app.app_context(), session_scope(app) as session:
        session.execute(text("ANALYZE"))


def watchers(app) -> list[float]:
    """Ten recruiters saving and watching two searches each; seconds to start each watch."""
    from roster.accounts.services import create_user
    from roster.recruiting.saved import save_search, set_watched
    from roster.recruiting.search import parse_criteria

    took = []
    with app.app_context():
        for number in range(10):
            with session_scope(app) as session:
                user = create_user(
                    session=session,
                    email=f"recruiter{number}@bench.example.org",
                    password=None,
                    roles=["recruiter"],
                    display_name=f"Recruiter {number}",
                    confirmed=True,
                )
                for query in QUERIES[2 * number : 2 * number + 2]:
                    criteria = parse_criteria(MultiDict(parse_qsl(query)))
                    saved = save_search(
                        session=session, owner_id=user.id, name=query, criteria=criteria
                    )
                    started = time.perf_counter()
                    set_watched(session=session, saved=saved, watched=True)
                    session.flush()
                    took.append(time.perf_counter() - started)
    return took


def run(args: argparse.Namespace) -> dict:
    from roster.jobs import digest
    from roster.models import OutboxMessage, SavedSearchMatch

    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database(args.database, Path(folder) / "bench-digest.db")
        os.environ["ROSTER_INSTANCE_PATH"] = folder
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "ROSTER_BASE_URL": "http://localhost",
                "JOBS_URL": f"sqlite:///{folder}/jobs.db",
            }
        )
        imported = load(app, make_roster(args.experts, seed=1), "bench")
        analyse(app)
        watch = watchers(app)
        with app.app_context(), session_scope(app, write=False) as session:
            kept = session.scalar(select(func.count()).select_from(SavedSearchMatch))
        new = load(app, make_roster(args.new, seed=2, prefix="NEW"), "bench-new")
        analyse(app)
        runs = []
        for _day in (1, 2):
            started = time.perf_counter()
            mailed = digest(app)
            runs.append({"seconds": round(time.perf_counter() - started, 3), "mails": mailed})
        with app.app_context(), session_scope(app, write=False) as session:
            queued = session.scalar(select(func.count()).select_from(OutboxMessage))
            kept_after = session.scalar(select(func.count()).select_from(SavedSearchMatch))
        return {
            "database": args.database,
            "experts": args.experts,
            "new_experts": args.new,
            "import_s": round(imported, 1),
            "import_new_s": round(new, 1),
            "watched_searches": len(watch),
            "watch_start_ms_median": round(statistics.median(watch) * 1000, 1),
            "watch_start_ms_max": round(max(watch) * 1000, 1),
            "set_rows_at_start": kept,
            "set_rows_after": kept_after,
            "digest_with_news": runs[0],
            "digest_without_news": runs[1],
            "mails_queued": queued,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1_000)
    print(json.dumps(run(parser.parse_args()), indent=1))


if __name__ == "__main__":
    main()
