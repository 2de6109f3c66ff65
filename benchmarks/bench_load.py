"""Load the served app with simulated experts and recruiters; report speed and errors.

One command does everything on a fresh database: a temporary instance folder,
``roster init-db``, a demo roster, the accounts (experts with a profile, recruiters),
gunicorn on 127.0.0.1 with the project's serving configuration, then concurrent users
(``load_users.py``) for a fixed time, and a report per request type: count, errors,
p50 / p95 / p99. The server is stopped at the end, on Ctrl-C and on failure too.

    python benchmarks/bench_load.py                                  # SQLite, 50 users, 3 min
    .ci/with-postgres python benchmarks/bench_load.py --database both --out load.json
"""

import argparse
import asyncio
import json
import math
import os
import random
import resource
import runpy
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's code

from bench_import import FLASK, ROOT, fresh_environment  # noqa: E402
from load_users import PASSWORD, SIGN_IN, Recorder, Sample, run_users  # noqa: E402

GUNICORN_DEFAULTS = {"worker_class": "sync", "workers": 1, "threads": 1}
READY_SECONDS = 60


def prepare_accounts(env: dict[str, str], *, experts: int, recruiters: int, seed: int):
    """Create the accounts (experts with a profile), and search terms from the roster.

    Returns ``([(email, role), ...], [query, ...])``.
    """
    from sqlalchemy import select

    from roster import create_app
    from roster.accounts.services import create_user
    from roster.db import engines, session_scope
    from roster.models import Expert
    from roster.profiles.identity import save_identity
    from roster.profiles.languages import save_languages
    from roster.profiles.summary import save_summary

    os.environ["ROSTER_INSTANCE_PATH"] = env["ROSTER_INSTANCE_PATH"]
    # Configured as the served app is: a development instance (it serves plain HTTP).
    app = create_app(
        {
            "DATABASE_URL": env["DATABASE_URL"],
            "SECRET_KEY": env["SECRET_KEY"],
            "ROSTER_ENV": env.get("ROSTER_ENV", "development"),
            "ROSTER_BASE_URL": env.get("ROSTER_BASE_URL", "http://127.0.0.1:8000"),
        }
    )
    rng = random.Random(seed)
    accounts = []
    with session_scope(app) as session:
        for number in range(experts):
            email = f"expert{number:03d}@example.org"
            user = create_user(
                session=session, email=email, password=PASSWORD, roles=["expert"], confirmed=True
            )
            profile, _ = save_identity(
                session=session,
                user=user,
                expert=None,
                version=0,
                full_name=f"Load Expert {number:03d}",
                nationalities=[rng.choice(["Senegal", "Peru", "Nepal", "Canada", "Fiji"])],
                residence="France",
                years_experience=rng.randint(3, 30),
                seniority="P4",
            )
            session.flush()
            save_languages(
                session=session,
                expert=profile,
                version=profile.version,
                rows=[("English", "C2"), ("French", "B2"), ("Spanish", "B1")],
            )
            save_summary(
                session=session, expert=profile, version=profile.version, summary="Elections."
            )
            accounts.append((email, "expert"))
        for number in range(recruiters):
            email = f"recruiter{number:03d}@example.org"
            create_user(
                session=session, email=email, password=PASSWORD, roles=["recruiter"], confirmed=True
            )
            accounts.append((email, "recruiter"))
        rows = session.execute(select(Expert.full_name, Expert.external_id)).all()
    for engine in {engines(app).read, engines(app).write}:
        engine.dispose()
    rng.shuffle(accounts)  # experts and recruiters arrive mixed
    return accounts, search_terms(rows, rng)


def search_terms(rows: list, rng: random.Random, count: int = 200) -> list[str]:
    """What recruiters type: surnames, first names, a few letters, references, nothing."""
    terms = []
    for full_name, external_id in rng.sample(rows, min(count, len(rows))):
        words = full_name.split()
        kind = rng.random()
        if kind < 0.45:
            terms.append(words[-1])
        elif kind < 0.65:
            terms.append(words[0])
        elif kind < 0.85:
            start = rng.randrange(max(1, len(full_name) - 3))
            terms.append(full_name[start : start + 3].lower())
        elif kind < 0.95:
            terms.append(external_id)
        else:
            terms.append("")
    return terms


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_settings(config: Path | None) -> dict:
    """Worker class, workers and threads of the serving configuration."""
    if config is None:
        return GUNICORN_DEFAULTS | {"workers": 2, "config": None}
    read = runpy.run_path(str(config))
    return {key: read.get(key, value) for key, value in GUNICORN_DEFAULTS.items()} | {
        "config": str(config)
    }


@contextmanager
def serving(env: dict[str, str], config: Path | None, log: Path) -> Iterator[tuple[str, int]]:
    """Run gunicorn on 127.0.0.1 until the block ends; yield its URL and process id."""
    port = free_port()
    settings = ["--config", str(config)] if config else ["--workers", "2"]
    # No control socket: its default path is shared by every gunicorn of the account.
    command = [
        *(sys.executable, "-m", "gunicorn", *settings),
        *("--bind", f"127.0.0.1:{port}", "--no-control-socket"),
    ]
    with log.open("w") as output:
        server = subprocess.Popen(
            [*command, "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as a whole below
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(url, server, log)
        yield url, server.pid
    finally:
        stop(server)


def wait_until_ready(url: str, server: subprocess.Popen, log: Path) -> None:
    """Return once the home page answers; fail with the server's log if it never does."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url + "/", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(
        f"gunicorn did not answer within {READY_SECONDS} s:\n{log.read_text()[-3000:]}"
    )


def stop(server: subprocess.Popen) -> None:
    """Stop gunicorn and its workers: TERM, then KILL after 20 s."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def server_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by gunicorn's master and its live workers."""
    master = psutil.Process(pid)
    total = 0.0
    for process in [master, *master.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def machine_busy_seconds() -> float:
    """CPU seconds that all the machine's cores have spent busy since boot."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted values (0 when there are none)."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def describe(samples: list[Sample], elapsed: float) -> dict:
    """Count, errors, rate and p50 / p95 / p99 / max in milliseconds."""
    ordered = sorted(sample.seconds for sample in samples)
    return {
        "count": len(ordered),
        "errors": sum(not sample.ok for sample in samples),
        "per_second": len(ordered) / elapsed if elapsed else 0.0,
        **{
            f"p{int(share * 100)}_ms": percentile(ordered, share) * 1000
            for share in (0.5, 0.95, 0.99)
        },
        "max_ms": (ordered[-1] if ordered else 0.0) * 1000,
    }


def summarise(recorder: Recorder) -> dict:
    """Per request type and overall: with and without the sign-in, and once all signed in."""
    elapsed = recorder.elapsed
    by_name: dict[str, list[Sample]] = defaultdict(list)
    for sample in recorder.samples:
        by_name[sample.name].append(sample)
    rows = {name: describe(samples, elapsed) for name, samples in sorted(by_name.items())}
    browsing = [sample for sample in recorder.samples if sample.name not in SIGN_IN]
    rows["all but sign-in"] = describe(browsing, elapsed)
    # Once the last sign-in is answered, no Argon2 hash competes with the pages.
    signed_in = max((s.at + s.seconds for s in recorder.samples if s.name in SIGN_IN), default=0.0)
    later = [sample for sample in browsing if sample.at >= signed_in]
    rows["all but sign-in, after the last sign-in"] = describe(
        later, max(elapsed - signed_in, 1e-9)
    )
    rows["all"] = describe(recorder.samples, elapsed)
    return {
        "seconds": elapsed,
        "last_sign_in_at": signed_in,
        "requests": len(recorder.samples),
        "requests_per_second": len(recorder.samples) / elapsed if elapsed else 0.0,
        "errors": sum(recorder.errors.values()),  # the run's own stop included
        "error_examples": recorder.examples,
        "by_request": rows,
    }


def run_database(kind: str, args: argparse.Namespace, config: Path | None) -> dict:
    """Set up a fresh database of ``kind``, serve it, load it; return the summary."""
    with tempfile.TemporaryDirectory(prefix="roster-load-") as scratch:
        folder = Path(scratch)
        env = fresh_environment(kind, folder) | {"ROSTER_ENV": "development"}
        demo = ["roster", "demo", "--experts", str(args.roster), "--seed", str(args.seed)]
        subprocess.run([*FLASK, *demo], env=env, cwd=ROOT, check=True, capture_output=True)
        accounts, queries = prepare_accounts(
            env, experts=args.users - args.recruiters, recruiters=args.recruiters, seed=args.seed
        )
        with serving(env, config, folder / "gunicorn.log") as (url, pid):
            print(
                f"{kind}: {url} serves {args.roster:,} demo experts to {len(accounts)} users "
                f"for {args.duration:.0f} s",
                file=sys.stderr,
                flush=True,
            )
            cpu_before = server_cpu_seconds(pid)
            client_before = resource.getrusage(resource.RUSAGE_SELF)
            machine_before = machine_busy_seconds()
            recorder = asyncio.run(
                run_users(
                    base_url=url,
                    accounts=accounts,
                    queries=queries,
                    duration=args.duration,
                    ramp=args.ramp,
                    think=tuple(args.think),
                    timeout=args.timeout,
                    seed=args.seed,
                )
            )
            cpu = server_cpu_seconds(pid) - cpu_before
            client = resource.getrusage(resource.RUSAGE_SELF)
            machine = machine_busy_seconds() - machine_before
        summary = summarise(recorder)
        summary["url"] = url
        summary["server_cpu_seconds"] = cpu
        summary["client_cpu_seconds"] = (
            client.ru_utime - client_before.ru_utime + client.ru_stime - client_before.ru_stime
        )
        # The machine is shared: what else ran (PostgreSQL included) says how far to trust it.
        summary["machine_busy_cpu_seconds"] = machine
        summary["machine_cpu_seconds"] = summary["seconds"] * (os.cpu_count() or 1)
        summary["server_log_tail"] = (folder / "gunicorn.log").read_text()[-2000:]
        return summary


def print_table(kind: str, summary: dict, settings: dict) -> None:
    """The summary as a Markdown table on standard output."""
    serving_line = (
        f"gunicorn {settings['worker_class']}, {settings['workers']} worker(s) x "
        f"{settings['threads']} thread(s)"
    )
    print(
        f"\n{kind}: {summary['requests']:,} requests in {summary['seconds']:.0f} s, "
        f"{summary['requests_per_second']:.1f} requests/s, {summary['errors']} error(s); "
        f"{serving_line}; CPU: server {summary['server_cpu_seconds']:.0f} s, "
        f"load generator {summary['client_cpu_seconds']:.0f} s, "
        f"whole machine {summary['machine_busy_cpu_seconds']:.0f} of "
        f"{summary['machine_cpu_seconds']:.0f} s; "
        f"last sign-in answered at {summary['last_sign_in_at']:.0f} s\n"
    )
    print("| request | count | errors | per s | p50 ms | p95 ms | p99 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, row in summary["by_request"].items():
        print(
            f"| `{name}` | {row['count']:,} | {row['errors']} | {row['per_second']:.1f} | "
            f"{row['p50_ms']:.0f} | {row['p95_ms']:.0f} | {row['p99_ms']:.0f} | "
            f"{row['max_ms']:.0f} |"
        )
    for example in summary["error_examples"][:5]:
        print(f"  error: {example}")


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--recruiters", type=int, default=10, help="of the users (default 10)")
    parser.add_argument("--duration", type=float, default=180, help="seconds (default 180)")
    parser.add_argument("--ramp", type=float, default=10, help="arrivals spread over (s)")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=[1.0, 3.0],
        metavar=("MIN", "MAX"),
        help="think time between requests, uniform, in seconds (default 1 3)",
    )
    parser.add_argument("--timeout", type=float, default=30, help="per request (s)")
    parser.add_argument("--roster", type=int, default=2000, help="demo experts (default 2000)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--gunicorn-config", type=Path, help="default: the project's, if any")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    if not 0 <= args.recruiters <= args.users or args.users > 60_000:
        parser.error("--recruiters must be between 0 and --users (at most 60,000)")
    if args.database != "sqlite" and not os.environ.get("TEST_DATABASE_URL"):
        parser.error("PostgreSQL needs TEST_DATABASE_URL: run under .ci/with-postgres")
    return args


def main() -> None:
    """Run the load on each database asked for; print the tables, write the JSON."""
    args = arguments()
    config = args.gunicorn_config
    if config is None and (ROOT / "gunicorn.conf.py").is_file():
        config = ROOT / "gunicorn.conf.py"
    settings = gunicorn_settings(config)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    report = {
        "settings": {
            "users": args.users,
            "recruiters": args.recruiters,
            "duration": args.duration,
            "ramp": args.ramp,
            "think": args.think,
            "timeout": args.timeout,
            "roster": args.roster,
            "seed": args.seed,
            "cpus": os.cpu_count(),
            "gunicorn": settings,
        },
        "runs": {},
    }
    for kind in kinds:
        report["runs"][kind] = run_database(kind, args, config)
        print_table(kind, report["runs"][kind], settings)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("Stopped; the server is stopped too.")
