"""Measure the dashboard (/dashboard) on a demo roster of 100,000 experts with its history.

A fresh, migrated database is filled by ``flask roster demo --experts N`` (registrations
over nine years, a status history for every expert, past missions with their needs
assessments): the quarterly figures rebuild the rostered population from that history.
Some unmet-demand entries are added to the missions of the last two years. A recruiter
and an admin sign in through the app's test client and ask for ``/dashboard``; each
request is timed whole, from the request to the rendered page (every GROUP BY, the
small-count rule over all the tables, the charts and the template). The first request of
the process, which also imports scipy's solver, is timed apart.

    python benchmarks/bench_dashboard.py                                   # SQLite, 100,000
    .ci/with-postgres python benchmarks/bench_dashboard.py --database postgresql
"""

import argparse
import html
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import fresh_database, served_app  # noqa: E402

PASSWORD = "benchmark passphrase, long enough"


def fill(app, experts: int, seed: int) -> dict:
    """Load the demo roster, log unmet demand for recent roles, open two staff accounts."""
    from roster.accounts.services import create_user
    from roster.db import session_scope
    from roster.models import (
        Expert,
        MissionRole,
        NeedsAssessment,
        RosterStatusChange,
        UnmetDemand,
        utcnow,
    )

    started = time.perf_counter()
    result = app.test_cli_runner().invoke(
        args=["roster", "demo", "--experts", str(experts), "--seed", str(seed)]
    )
    loaded = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(result.output)
    with session_scope(app) as session:
        since = utcnow().replace(year=utcnow().year - 2)
        roles = session.scalars(
            select(MissionRole)
            .join(NeedsAssessment)
            .where(NeedsAssessment.created_at >= since)
            .order_by(MissionRole.id)
        ).all()
        for role in roles[::3]:
            session.add(
                UnmetDemand(
                    role_id=role.id, kind="short", positions=role.positions + 1, eligible_count=1
                )
            )
        for email, role in (("recruiter@example.org", "recruiter"), ("admin@example.org", "admin")):
            create_user(
                session=session,
                email=email,
                password=PASSWORD,
                roles=[role],
                display_name=f"Bench {role}",
                confirmed=True,
            )
        counts = {
            "experts": session.scalar(select(func.count()).select_from(Expert)),
            "status_changes": session.scalar(select(func.count()).select_from(RosterStatusChange)),
            "needs_assessments": session.scalar(select(func.count()).select_from(NeedsAssessment)),
            "unmet_demand_entries": len(roles[::3]),
        }
    return {"demo_s": round(loaded, 1)} | counts


def signed_in(app, email: str):
    """A test client signed in through the sign-in form."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = html.unescape(re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1))
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code
    return client


def timed_page(client, url: str) -> tuple[float, str]:
    started = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return seconds, response.get_data(as_text=True)


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def service_alone(app, repeats: int) -> dict:
    """The figures without the page: the queries and the small-count rule."""
    from roster.db import session_scope
    from roster.recruiting.diversity import diversity_dashboard

    samples = []
    with app.app_context(), session_scope(app, write=False) as session:
        for _ in range(repeats):
            started = time.perf_counter()
            diversity_dashboard(session=session)
            samples.append(time.perf_counter() - started)
    return summary(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--profile", action="store_true", help="profile one page")
    parser.add_argument(
        "--keep",
        type=Path,
        help="SQLite file to fill once and measure again on later runs (skips the demo load)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        reuse = args.keep is not None and args.keep.exists()
        app = served_app(
            fresh_database(args.database, args.keep or folder / "bench-dashboard.db"), folder
        )
        filled = {"reused": str(args.keep)} if reuse else fill(app, args.experts, args.seed)
        recruiter = signed_in(app, "recruiter@example.org")
        admin = signed_in(app, "admin@example.org")
        first, page = timed_page(recruiter, "/dashboard")
        withheld = page.count(">fewer than 5<") + page.count(">withheld<")
        results = []
        for who, client in (("recruiter", recruiter), ("admin", admin)):
            samples = []
            for _ in range(args.repeats):
                app.extensions.pop("dashboard", None)  # nothing kept: every figure anew
                samples.append(timed_page(client, "/dashboard")[0])
            results.append({"page": f"/dashboard as {who}, figures computed"} | summary(samples))
            samples = [timed_page(client, "/dashboard")[0] for _ in range(args.repeats)]
            results.append({"page": f"/dashboard as {who}, figures kept"} | summary(samples))
        results.append({"page": "diversity_dashboard alone"} | service_alone(app, args.repeats))
        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(admin.get, "/dashboard")
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        report = {
            "database": args.database,
            **filled,
            "page_kb": round(len(page.encode()) / 1024),
            "cells_withheld_on_the_page": withheld,
            "first_request_s (imports the solver)": round(first, 2),
            "results": results,
        }
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
