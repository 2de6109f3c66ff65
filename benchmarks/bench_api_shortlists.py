"""Scripts issuing shortlists through the API, concurrently, on a large roster.

The API's counterpart of ``bench_planners.py`` (which measures the role page), built the
same way on a fresh database: a temporary instance folder, ``roster init-db``, a synthetic
roster imported with ``roster import`` (``--experts``, 100,000 by default), ``--clients``
planner accounts each with a needs assessment of ``--roles`` roles nobody has asked for
(``bench_planners.prepare``) and a personal access token (``roster.accounts.tokens``).
gunicorn serves the app (``gunicorn.conf.py``, ``--workers``); once a first shortlist has
answered (the worker has its matcher), every client at once, for ``--duration`` seconds:

1. ``POST /api/v1/needs/<id>/roles/<role>/shortlists``: issue the shortlist of a role
   nobody has asked for (matched, kept as issued, each candidate recorded shortlisted and
   audited), with an ``Idempotency-Key``, then
2. ``GET /api/v1/shortlists/<id>``: read it back as issued;
3. on every other role, ``GET /api/v1/needs/<id>/roles/<role>/shortlist-preview``: the
   live shortlist of a role nobody has asked for, kept nowhere (what the role page that
   ``bench_planners.py`` measures shows);

with ``--think`` seconds before each. p50 / p95 / p99, requests per second and every
error, for each operation.

    python benchmarks/bench_api_shortlists.py                              # SQLite, 100,000
    .ci/with-postgres python benchmarks/bench_api_shortlists.py --database postgresql
    python benchmarks/bench_api_shortlists.py --experts 10000 --duration 20  # a quick check
"""

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's code

from bench_import import FLASK, ROOT, fresh_environment, write_roster  # noqa: E402
from bench_load import describe, free_port, stop  # noqa: E402
from bench_planners import prepare, start_server, worker_memory  # noqa: E402
from load_users import Recorder  # noqa: E402

ISSUE = "POST /api/v1/needs/<id>/roles/<role>/shortlists"
READ = "GET /api/v1/shortlists/<id>"
PREVIEW = "GET /api/v1/needs/<id>/roles/<role>/shortlist-preview"


def issue_tokens(env: dict[str, str], emails: list[str]) -> dict[str, str]:
    """A token with the planners' scopes for each account, as ``create-token`` makes one."""
    from sqlalchemy import select

    from roster import create_app
    from roster.accounts.tokens import create_token, scopes_for
    from roster.db import session_scope
    from roster.models import User

    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "SECRET_KEY": "bench"})
    tokens = {}
    with app.app_context(), session_scope() as session:
        for email in emails:
            user = session.scalar(select(User).where(User.email == email))
            made = create_token(
                session=session, user=user, name="benchmark", scopes=scopes_for(user), days=1
            )
            tokens[email] = made.secret
    return tokens


def api_path(role_page: str) -> str:
    """``/needs/<id>/roles/<role>`` (a role page) as the API's address to issue its shortlist."""
    return f"/api/v1{role_page}/shortlists"


async def script(
    client: httpx.AsyncClient,
    paths: list[str],
    recorder: Recorder,
    *,
    deadline: float,
    think: tuple[float, float],
    rng: random.Random,
) -> None:
    """Issue a new role's shortlist and read it back, or preview the next role's, until the
    deadline."""
    for index, path in enumerate(paths):
        await asyncio.sleep(rng.uniform(*think))
        if time.monotonic() >= deadline:
            return
        started = time.perf_counter()
        if index % 2:
            try:
                shown = await client.get(f"/api/v1{path}/shortlist-preview")
            except httpx.HTTPError as error:
                recorder.add(PREVIEW, started, f"{type(error).__name__}: {error}")
                continue
            problem = "" if shown.status_code == 200 else f"status {shown.status_code}"
            recorder.add(PREVIEW, started, problem)
            continue
        try:
            issued = await client.post(
                api_path(path), headers={"Idempotency-Key": uuid.uuid4().hex}
            )
        except httpx.HTTPError as error:
            recorder.add(ISSUE, started, f"{type(error).__name__}: {error}")
            continue
        if issued.status_code != 201:
            recorder.add(ISSUE, started, f"status {issued.status_code}: {issued.text[:200]}")
            continue
        recorder.add(ISSUE, started)
        started = time.perf_counter()
        try:
            read = await client.get(issued.headers["Location"])
        except httpx.HTTPError as error:
            recorder.add(READ, started, f"{type(error).__name__}: {error}")
            continue
        recorder.add(READ, started, "" if read.status_code == 200 else f"status {read.status_code}")


async def load(
    url: str, accounts: dict[str, list[str]], tokens: dict[str, str], args: argparse.Namespace
) -> Recorder:
    """Every client at once; the recorder of their requests."""
    recorder = Recorder()
    deadline = time.monotonic() + args.duration
    clients = [
        httpx.AsyncClient(
            base_url=url,
            timeout=args.timeout,
            headers={"Authorization": f"Bearer {tokens[email]}"},
            transport=httpx.AsyncHTTPTransport(limits=httpx.Limits(keepalive_expiry=1.0)),
        )
        for email in accounts
    ]
    try:
        await asyncio.gather(
            *(
                script(
                    client,
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


def first_shortlist(url: str, token: str, path: str) -> tuple[float, int]:
    """Seconds from now (the server's start) to a first shortlist issued, and its status."""
    started = time.monotonic()
    with httpx.Client(
        base_url=url, timeout=120, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        while True:
            try:
                status = client.post(api_path(path)).status_code
                return time.monotonic() - started, status
            except httpx.HTTPError:
                time.sleep(0.2)


def run(kind: str, args: argparse.Namespace) -> dict:
    """Set up, serve, measure; return the figures."""
    with tempfile.TemporaryDirectory(prefix="roster-api-shortlists-") as scratch:
        folder = Path(scratch)
        env = fresh_environment(kind, folder) | {
            "ROSTER_ENV": "development",
            # One script may issue as fast as it likes here: the limit is not measured.
            "API_RATE_LIMIT": "100000 per minute",
        }
        roster = folder / "roster.jsonl"
        write_roster(roster, args.experts)
        subprocess.run(
            [*FLASK, "roster", "import", str(roster)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        accounts = prepare(env, planners=args.clients, roles_each=args.roles, seed=args.seed)
        tokens = issue_tokens(env, list(accounts))
        port = free_port()
        log = folder / "gunicorn.log"
        command = [
            *(sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")),
            *("--workers", str(args.workers), "--bind", f"127.0.0.1:{port}"),
            *("--no-control-socket", "wsgi:app"),
        ]
        url = f"http://127.0.0.1:{port}"
        first_email, first_paths = next(iter(accounts.items()))
        result: dict = {"experts": args.experts, "clients": args.clients}
        server = start_server(command, env, log)
        try:
            seconds, status = first_shortlist(url, tokens[first_email], first_paths.pop())
            result["first_shortlist"] = {"seconds": seconds, "status": status}
            recorder = asyncio.run(load(url, accounts, tokens, args))
            for name, key in ((ISSUE, "issue"), (READ, "read"), (PREVIEW, "preview")):
                result[key] = describe(
                    [s for s in recorder.samples if s.name == name], recorder.elapsed
                )
            result["errors"] = sum(recorder.errors.values())
            result["error_examples"] = recorder.examples
            result["worker_mib_after_load"] = worker_memory(server.pid)
        finally:
            stop(server)
        result["server_log_tail"] = log.read_text()[-1500:]
        return result


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--roles", type=int, default=40, help="roles per client")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--think", type=float, nargs=2, default=[1.0, 3.0])
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


def main() -> None:
    args = arguments()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = {kind: run(kind, args) for kind in kinds}
    for kind, result in results.items():
        for key in ("issue", "read", "preview"):
            figures = result[key]
            print(
                f"{kind}, {result['experts']:,} experts, {args.clients} clients, "
                f"{args.workers} workers, think {args.think[0]:g} to {args.think[1]:g} s: "
                f"{key} p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms, "
                f"p99 {figures['p99_ms']:.0f} ms, {figures['per_second']:.1f}/s, "
                f"{figures['count']} requests, {figures['errors']} errors"
            )
        print(
            f"{kind}: first shortlist {result['first_shortlist']['seconds']:.1f} s after start "
            f"(status {result['first_shortlist']['status']}); workers "
            f"{', '.join(f'{m:.0f}' for m in result['worker_mib_after_load'])} MiB; "
            f"errors {result['errors']} {result['error_examples'][:3]}"
        )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
