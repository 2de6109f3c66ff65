"""Measure the admins' audit trail page queries on a large trail, with their query plans.

Fills a fresh, migrated database with ``--events`` audit rows (two years of sign-ins,
failed sign-ins, profile views, CV downloads, account changes, imports and exports, by
300 accounts about 5,000 experts), then times ``roster.administration.queries.audit_page`` for
each kind of page an admin asks for (median and slowest of ``--repeats``), and prints
the plan of its main query: SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN ANALYZE.

    python benchmarks/bench_audit.py                                # SQLite, 100,000 events
    .ci/with-postgres python benchmarks/bench_audit.py --database postgresql
    python benchmarks/bench_audit.py --compare    # then again with revision 0003's indexes
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, func, insert, select, text
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import fresh_database  # noqa: E402

from roster.administration.queries import TrailFilters, audit_page  # noqa: E402
from roster.db import make_engines  # noqa: E402
from roster.migrate import alembic_config  # noqa: E402
from roster.models import AuditEvent, Expert, User, UserRole  # noqa: E402

START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=730)
# (action, share of the trail, whether it concerns an expert)
MIX = [
    ("auth.login", 0.50, False),
    ("auth.login_failed", 0.08, False),
    ("profile.view", 0.25, True),
    ("cv.download", 0.08, True),
    ("account.access_changed", 0.03, False),
    ("account.create", 0.03, False),
    ("auth.password_changed", 0.02, False),
    ("roster.export", 0.005, False),
    ("roster.import", 0.005, False),
]


def fill(url: str, events: int, seed: int) -> None:
    """Write the accounts, experts and audit rows, in batches, in one transaction."""
    rng = random.Random(seed)
    engine = make_engines(url).write
    with Session(engine) as session:
        session.execute(
            insert(User),
            [
                {
                    "public_id": f"acct{n:05d}",
                    "email": f"user{n}@example.org",
                    "display_name": f"User {n}",
                    "password_hash": "x",
                    "session_token": f"token{n}",
                }
                for n in range(300)
            ],
        )
        users = list(session.scalars(select(User.id).order_by(User.id)))
        session.execute(insert(UserRole), [{"user_id": u, "role": "recruiter"} for u in users])
        session.execute(
            insert(Expert),
            [
                {
                    "public_id": f"exp{n:05d}",
                    "external_id": f"EXP-{n:05d}",
                    "full_name": f"Expert {n}",
                    "email": f"expert{n}@example.org",
                }
                for n in range(5000)
            ],
        )
        experts = list(session.scalars(select(Expert.id).order_by(Expert.id)))
        actions, weights = [m[0] for m in MIX], [m[1] for m in MIX]
        about = {m[0]: m[2] for m in MIX}
        seconds = int(SPAN.total_seconds())
        for batch in range(0, events, 10_000):
            rows = []
            for _ in range(min(10_000, events - batch)):
                action = rng.choices(actions, weights)[0]
                rows.append(
                    {
                        "at": START + timedelta(seconds=rng.randrange(seconds)),
                        # Zipf-like: a few accounts do most of the work, as in an office.
                        "actor_id": users[min(int(rng.paretovariate(1.2)) - 1, len(users) - 1)],
                        "action": action,
                        "subject_expert_id": rng.choice(experts) if about[action] else None,
                        "reason": "",
                        "detail": {"purpose": "vetting"} if about[action] else {},
                    }
                )
            session.execute(insert(AuditEvent), rows)
        session.commit()
        if engine.dialect.name == "postgresql":
            session.execute(text("ANALYZE"))
            session.commit()
    engine.dispose()


def scenarios(session: Session) -> list[tuple[str, TrailFilters, dict]]:
    """The pages timed: (name, filters, cursor)."""
    ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.at, AuditEvent.id)))
    middle = ids[len(ids) // 2]
    by_count = (
        select(AuditEvent.actor_id)
        .group_by(AuditEvent.actor_id)
        .order_by(func.count(), AuditEvent.actor_id)
    )
    quiet = session.scalar(select(User.public_id).where(User.id == session.scalar(by_count)))
    busy = session.scalar(by_count.order_by(None).order_by(func.count().desc()))
    busiest = session.scalar(select(User.public_id).where(User.id == busy))
    viewed = session.scalar(
        select(AuditEvent.subject_expert_id).where(AuditEvent.subject_expert_id.is_not(None))
    )
    expert = session.scalar(select(Expert.public_id).where(Expert.id == viewed))
    week = TrailFilters(since=date(2026, 3, 2), until=date(2026, 3, 8))
    return [
        ("first page", TrailFilters(), {}),
        ("a page half-way down (keyset)", TrailFilters(), {"before": middle}),
        ("newer page from half-way (keyset)", TrailFilters(), {"after": middle}),
        ("action: sign-ins (half the trail)", TrailFilters(action="auth.login"), {}),
        ("action: password changes (2%)", TrailFilters(action="auth.password_changed"), {}),
        ("action: removals (none)", TrailFilters(action="account.removed"), {}),
        ("busiest account", TrailFilters(actor=busiest), {}),
        ("a quiet account", TrailFilters(actor=quiet), {}),
        ("one expert", TrailFilters(expert=expert), {}),
        ("one week", week, {}),
        ("one week, profile views", TrailFilters(**(vars(week) | {"action": "profile.view"})), {}),
        ("busiest account, one week", TrailFilters(**(vars(week) | {"actor": busiest})), {}),
    ]


class Statements:
    """Keep the SQL an engine runs, to explain the page's main query afterwards."""

    def __init__(self, engine) -> None:
        self.seen: list[tuple[str, object]] = []
        event.listen(engine, "before_cursor_execute", self._keep)

    def _keep(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.seen.append((statement, parameters))

    def main_query(self) -> tuple[str, object]:
        return next(s for s in self.seen if "ORDER BY audit_event.at" in s[0])


def explain(engine, statement: str, parameters) -> list[str]:
    """The database's plan of one statement, as lines."""
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters)
        return [row[0] for row in cursor.fetchall()]


def measure(url: str, repeats: int) -> list[dict]:
    """Time every scenario on a reading engine, as the page reads."""
    engine = make_engines(url).read
    results = []
    with Session(engine) as session:
        for name, filters, cursor in scenarios(session):
            times, page = [], None
            for _ in range(repeats):
                session.expunge_all()
                started = time.perf_counter()
                page = audit_page(session=session, filters=filters, **cursor)
                times.append((time.perf_counter() - started) * 1000)
            recorder = Statements(engine)
            session.expunge_all()
            audit_page(session=session, filters=filters, **cursor)
            event.remove(engine, "before_cursor_execute", recorder._keep)
            statement, parameters = recorder.main_query()
            results.append(
                {
                    "page": name,
                    "rows": len(page.rows),
                    "queries": len(recorder.seen),
                    "median_ms": round(statistics.median(times), 2),
                    "max_ms": round(max(times), 2),
                    "plan": explain(engine, statement, parameters),
                }
            )
    engine.dispose()
    return results


def single_column_indexes(url: str) -> None:
    """Go back to revision 0003: one index per filtered column, as before 0004."""
    from alembic import command

    command.downgrade(alembic_config(url), "0003")
    engine = make_engines(url).write
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE audit_event"))
    engine.dispose()


def report(title: str, results: list[dict]) -> None:
    """Print the timings as a Markdown table, then each main query's plan."""
    print(f"\n| page ({title}) | rows | median ms | max ms |")
    print("| --- | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['page']} | {r['rows']} | {r['median_ms']} | {r['max_ms']} |")
    for r in results:
        print(f"\n{r['page']} ({r['queries']} queries); main query plan:")
        print("\n".join(f"    {line}" for line in r["plan"]))


def main() -> None:
    """Fill, measure, print a table and the plans; write JSON with --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--compare", action="store_true", help="measure again with revision 0003's indexes"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    document: dict = {"database": args.database, "events": args.events}
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database(args.database, Path(folder) / "bench-audit.db")
        started = time.perf_counter()
        fill(url, args.events, args.seed)
        print(f"{args.events:,} events written in {time.perf_counter() - started:.1f} s")
        document["results"] = measure(url, args.repeats)
        report(f"{args.database}, {args.events:,} events", document["results"])
        if args.compare:
            single_column_indexes(url)
            document["single_column_indexes"] = measure(url, args.repeats)
            report("single-column indexes", document["single_column_indexes"])
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
