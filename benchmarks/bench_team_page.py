"""Measure the proposed team page: a 20-role assessment on a 100,000-expert roster.

A fresh, migrated database is filled with a seeded synthetic roster (``flask roster
import`` of ``matching.synthetic.make_roster``) and a needs assessment of ``--roles``
varied roles (``make_needs``). A planner signs in through the app's test client and asks
for ``/needs/<id>/team``: the first request fits the process's matcher on the roster (the
provider does this once per process, so it is timed apart); the others are timed whole,
from the request to the rendered page (the matcher's team of ``--roles`` x 50 candidates,
the members' names and the reveals read from the database, the page rendered), for:

* the team as proposed, solved anew (the process's kept teams forgotten first) and again;
* one swap, coming from the team page (whose team the process keeps: one solve), and with
  nothing kept (two solves: the team before the swap, for its effect, and after it);
* a third swap, coming from the page of the first two.

    python benchmarks/bench_team_page.py                                # SQLite, 100,000
    .ci/with-postgres python benchmarks/bench_team_page.py --database postgresql
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import fresh_database, served_app  # noqa: E402

from matching.synthetic import make_needs, make_roster  # noqa: E402
from roster.missions.team_cache import forget  # noqa: E402

PASSWORD = "benchmark passphrase, long enough"


def fill(app, folder: Path, experts: int, roles: int, seed: int) -> tuple[str, float]:
    """Import the roster, save the assessment and a planner; return its public id and seconds."""
    from roster.accounts.services import create_user
    from roster.db import session_scope
    from roster.missions.records import save_needs

    path = folder / "roster.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for record in make_roster(experts, seed=seed):
            out.write(json.dumps(record) + "\n")
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["roster", "import", str(path)])
    imported = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(result.output)
    with session_scope(app) as session:
        needs, _ = save_needs(session=session, record=make_needs(roles, seed=seed + 2), by=None)
        public_id = needs.public_id
        create_user(
            session=session,
            email="planner@example.org",
            password=PASSWORD,
            roles=["planner"],
            display_name="Bench Planner",
            confirmed=True,
        )
    return public_id, imported


def signed_in(app):
    """A test client signed in as the planner, through the sign-in form."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = html.unescape(re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1))
    response = client.post(
        "/login",
        data={"email": "planner@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, response.status_code
    return client


def timed_page(client, url: str) -> tuple[float, str]:
    started = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return seconds, response.get_data(as_text=True)


def swap_tokens(page: str) -> list[str]:
    """The swap each member's "Swap for the next best" form adds, in page order."""
    forms = re.findall(r'<form method="get" action="[^"]+#effect">(.*?)</form>', page, re.S)
    return [html.unescape(re.findall(r'name="swap" value="([^"]+)"', f)[-1]) for f in forms]


def team_alone(app, public_id: str, repeats: int) -> list[float]:
    """The seconds of ``Matcher.team`` alone, in process, on the assessment the page shows."""
    from sqlalchemy import select

    from roster.db import session_scope
    from roster.matchers import current_matcher
    from roster.missions.records import needs_record
    from roster.models import NeedsAssessment

    with app.app_context(), session_scope(app, write=False) as session:
        needs = session.scalar(
            select(NeedsAssessment).where(NeedsAssessment.public_id == public_id)
        )
        record = needs_record(needs)
        matcher = current_matcher(app).matcher
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        matcher.team(record, candidates_per_role=50, structured=True)
        samples.append(time.perf_counter() - started)
    return samples


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--roles", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--profile", action="store_true", help="profile one team page")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = served_app(fresh_database(args.database, folder / "bench-team.db"), folder)
        public_id, imported = fill(app, folder, args.experts, args.roles, args.seed)
        client = signed_in(app)
        url = f"/needs/{public_id}/team"
        first, page = timed_page(client, url)
        members = len(swap_tokens(page))
        tokens = swap_tokens(page)
        one = [f"{url}?swap={token}" for token in tokens]
        two = f"{url}?" + "&".join(f"swap={t}" for t in tokens[:2])
        three = f"{url}?" + "&".join(f"swap={t}" for t in tokens[:3])
        n = args.repeats
        swaps = [one[i % len(one)] for i in range(n)]
        kinds = {
            # (the pages timed, the page asked for just before each, untimed; None: none)
            "team, solved anew": ([url] * n, None),
            "team, solved before": ([url] * n, url),
            "one swap, the team before it kept": (swaps, url),
            "one swap, nothing kept (two solves)": (swaps, None),
            "third swap, the two before kept": ([three] * n, two),
        }
        results = []
        for kind, (addresses, before) in kinds.items():
            samples = []
            for address in addresses:
                if before != address:
                    forget()
                if before is not None:
                    timed_page(client, before)
                samples.append(timed_page(client, address)[0])
            results.append({"page": kind} | summary(samples))
        results.append(
            {"page": "the matcher's team alone"} | summary(team_alone(app, public_id, args.repeats))
        )
        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            forget()
            profile.runcall(client.get, url)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        report = {
            "database": args.database,
            "experts": args.experts,
            "roles": args.roles,
            "members": members,
            "import_s": round(imported, 1),
            "first_request_s (fits the matcher)": round(first, 2),
            "results": results,
        }
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
