"""Planners asking for shortlists of new roles, over HTTP, on a large roster.

One command does everything on a fresh database: a temporary instance folder,
``roster init-db``, a synthetic roster imported with ``roster import`` (``--roster``
experts, 100,000 by default), ``--planners`` planner accounts and, for each planner, needs
assessments whose roles no one has asked for yet. Then:

1. **a new worker to its first shortlist**: gunicorn starts (the project's
   ``gunicorn.conf.py`` with ``--workers``), and the time from starting it to the first
   role page answered is taken, with the resident memory of each worker after it;
2. **concurrent planners**: each signs in, then opens the page of a role never asked for
   before (the role's live shortlist: hard filters, scores, balance, reasons, the binding
   requirement), thinks for ``--think`` seconds and opens the next, until ``--duration``;
   p50 / p95 / p99 and requests per second, and every error;
3. **a change to the roster shows**: the top candidate of a role is made unavailable for
   the role's period, through the profile service as a save would; the role page is asked
   for again until that candidate is gone; the seconds it took.

    python benchmarks/bench_planners.py                                # SQLite, 100,000
    .ci/with-postgres python benchmarks/bench_planners.py --database postgresql
"""

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's code

from bench_import import FLASK, ROOT, fresh_environment, write_roster  # noqa: E402
from bench_load import describe, free_port, stop  # noqa: E402
from load_users import PASSWORD, Recorder, form_fields  # noqa: E402

from matching.synthetic import make_needs  # noqa: E402

ROLE_PAGE = "GET /needs/<id>/roles/<role>"


def prepare(env: dict[str, str], *, planners: int, roles_each: int, seed: int) -> dict:
    """Planner accounts and their needs assessments; returns {email: [role paths]}."""
    from roster import create_app
    from roster.accounts.services import create_user
    from roster.db import session_scope
    from roster.missions.records import save_needs
    from roster.models import RoleName

    os.environ.update(env)  # configured as the served app is
    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "SECRET_KEY": "bench"})
    paths: dict[str, list[str]] = {}
    start = date.today() + timedelta(days=60)
    with app.app_context(), session_scope() as session:
        for number in range(planners):
            email = f"planner{number}@bench.example.org"
            user = create_user(
                session=session,
                email=email,
                password=PASSWORD,
                roles=[RoleName.PLANNER],
                display_name=f"Planner {number}",
                confirmed=True,
            )
            needs = make_needs(roles_each, seed=seed + number)
            needs |= {
                "id": f"BENCH-{number}",
                "start": start.isoformat(),
                "end": (start + timedelta(days=120)).isoformat(),
            }
            for role in needs["roles"]:
                role.pop("start", None)
                role.pop("end", None)
            saved, _ = save_needs(session=session, record=needs, by=user)
            session.flush()
            paths[email] = [
                f"/needs/{saved.public_id}/roles/{role.role_key}" for role in saved.roles
            ]
    return paths


def worker_memory(pid: int) -> list[float]:
    """Resident MiB of each gunicorn worker."""
    master = psutil.Process(pid)
    return [child.memory_info().rss / 2**20 for child in master.children()]


async def planner(
    client: httpx.AsyncClient,
    email: str,
    paths: list[str],
    recorder: Recorder,
    *,
    deadline: float,
    think: tuple[float, float],
    rng: random.Random,
) -> None:
    """Sign in, then open one new role page after another until the deadline."""
    page = await client.get("/login")
    data = form_fields(page.text) | {"email": email, "password": PASSWORD}
    signed = await client.post("/login", data=data)
    if signed.status_code != 302:
        recorder.error("POST /login", f"status {signed.status_code}")
        return
    for path in paths:
        await asyncio.sleep(rng.uniform(*think))
        if time.monotonic() >= deadline:
            return
        started = time.perf_counter()
        try:
            response = await client.get(path)
        except httpx.HTTPError as error:
            recorder.add(ROLE_PAGE, started, f"{type(error).__name__}: {error}")
            continue
        problem = "" if response.status_code == 200 else f"status {response.status_code}"
        recorder.add(ROLE_PAGE, started, problem)


async def load(url: str, accounts: dict[str, list[str]], args: argparse.Namespace) -> Recorder:
    """Every planner at once; the recorder of their role pages."""
    recorder = Recorder()
    deadline = time.monotonic() + args.duration
    # Each from its own loopback address, as people are: the sign-in limit is per address.
    clients = [
        httpx.AsyncClient(
            base_url=url,
            timeout=args.timeout,
            transport=httpx.AsyncHTTPTransport(
                local_address=f"127.0.1.{1 + index}", limits=httpx.Limits(keepalive_expiry=1.0)
            ),
        )
        for index in range(len(accounts))
    ]
    try:
        await asyncio.gather(
            *(
                planner(
                    client,
                    email,
                    paths,
                    recorder,
                    deadline=deadline,
                    think=tuple(args.think),
                    rng=random.Random(f"{args.seed}-{email}"),
                )
                for client, (email, paths) in zip(clients, accounts.items(), strict=True)
            )
        )
    finally:
        for client in clients:
            await client.aclose()
    recorder.elapsed = time.perf_counter() - recorder.origin
    return recorder


def signed_in(url: str, email: str) -> httpx.Client:
    """A client signed in as ``email``."""
    client = httpx.Client(base_url=url, timeout=60)
    page = client.get("/login")
    client.post("/login", data=form_fields(page.text) | {"email": email, "password": PASSWORD})
    return client


def first_candidate(html: str) -> str | None:
    """The roster id (external id) of the first candidate on a role page."""
    found = re.search(r'id="candidate-1".*?Roster id <bdi dir="auto">([^<]+)</bdi>', html, re.S)
    return found.group(1) if found else None


def change_shows(env: dict[str, str], url: str, email: str, paths: list[str]) -> dict:
    """Make the top candidate of a role that has one unavailable; seconds until it shows."""
    from sqlalchemy import select

    from roster import create_app
    from roster.db import session_scope
    from roster.models import Expert
    from roster.profiles.availability import remove_availability

    client = signed_in(url, email)
    for path in paths:
        reference = first_candidate(client.get(path).text)
        if reference is not None:
            break
    else:
        return {"skipped": "no role page lists a candidate"}
    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "SECRET_KEY": "bench"})
    with app.app_context(), session_scope() as session:
        expert = session.scalars(select(Expert).where(Expert.external_id == reference)).one()
        for window in list(expert.availability):
            remove_availability(
                session=session, expert=expert, version=expert.version, window_id=window.id
            )
    saved = time.monotonic()
    while time.monotonic() - saved < 120:
        if first_candidate(client.get(path).text) != reference:
            return {"seconds": time.monotonic() - saved}
        time.sleep(0.1)
    return {"seconds": None, "note": "still shown after 120 s"}


def start_server(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """gunicorn, started in its own process group (stopped as a whole by ``stop``)."""
    with log.open("a") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def first_shortlist(url: str, email: str, path: str) -> tuple[float, int]:
    """Seconds from now (the server's start) to a role page answered, and its status."""
    started = time.monotonic()
    client = None
    while client is None:
        try:
            client = signed_in(url, email)
        except httpx.HTTPError:
            time.sleep(0.2)
    status = client.get(path).status_code
    return time.monotonic() - started, status


def run(kind: str, args: argparse.Namespace) -> dict:
    """Set up, start a server, measure the three things; return them."""
    with tempfile.TemporaryDirectory(prefix="roster-planners-") as scratch:
        folder = Path(scratch)
        env = fresh_environment(kind, folder) | {"ROSTER_ENV": "development"}
        roster = folder / "roster.jsonl"
        write_roster(roster, args.roster)
        subprocess.run(
            [*FLASK, "roster", "import", str(roster)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        accounts = prepare(env, planners=args.planners, roles_each=args.roles, seed=args.seed)
        port = free_port()
        log = folder / "gunicorn.log"
        command = [
            *(sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")),
            *("--workers", str(args.workers), "--bind", f"127.0.0.1:{port}"),
            *("--no-control-socket", "wsgi:app"),
        ]
        url = f"http://127.0.0.1:{port}"
        first_email, first_paths = next(iter(accounts.items()))
        result = {"experts": args.roster}
        # A new server twice: with no snapshot of the matcher yet (it fits from the
        # database and saves one), then as a new worker does once one exists.
        for start in ("without_snapshot", "from_snapshot"):
            server = start_server(command, env, log)
            try:
                seconds, status = first_shortlist(url, first_email, first_paths.pop())
                result[f"first_shortlist_{start}"] = {
                    "seconds": seconds,
                    "status": status,
                    "worker_mib": worker_memory(server.pid),
                }
                if start == "without_snapshot":
                    continue
                recorder = asyncio.run(load(url, accounts, args))
                result["role_pages"] = describe(
                    [s for s in recorder.samples if s.name == ROLE_PAGE], recorder.elapsed
                )
                result["errors"] = sum(recorder.errors.values())
                result["error_examples"] = recorder.examples
                result["worker_mib_after_load"] = worker_memory(server.pid)
                result["change"] = change_shows(env, url, first_email, first_paths)
            finally:
                stop(server)
        result["server_log_tail"] = log.read_text()[-1500:]
        return result


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--roster", type=int, default=100_000)
    parser.add_argument("--planners", type=int, default=20)
    parser.add_argument("--roles", type=int, default=40, help="roles per planner")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--think", type=float, nargs=2, default=[0.5, 1.5])
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


def main() -> None:
    args = arguments()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = {kind: run(kind, args) for kind in kinds}
    for kind, result in results.items():
        pages = result["role_pages"]
        print(
            f"{kind}, {result['experts']:,} experts, {args.planners} planners, "
            f"{args.workers} workers: role pages p50 {pages['p50_ms']:.0f} ms, "
            f"p95 {pages['p95_ms']:.0f} ms, p99 {pages['p99_ms']:.0f} ms, "
            f"{pages['per_second']:.1f}/s, {pages['count']} pages, {result['errors']} errors; "
            f"first shortlist {result['first_shortlist_without_snapshot']['seconds']:.1f} s "
            f"after start without a snapshot, "
            f"{result['first_shortlist_from_snapshot']['seconds']:.1f} s from one; "
            f"workers {', '.join(f'{m:.0f}' for m in result['worker_mib_after_load'])} MiB; "
            f"change shown after {result['change']}"
        )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
