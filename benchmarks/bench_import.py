"""Measure `flask roster import` (JSON Lines) and `flask roster demo` end to end.

Each run is a fresh process on a fresh database, timed from the outside, with the
peak resident memory of that process. Peak memory is compared across file sizes:
a streamed import keeps it flat as the file grows.

    python benchmarks/bench_import.py                        # SQLite, 10k and 100k experts
    .ci/with-postgres python benchmarks/bench_import.py      # also PostgreSQL (TEST_DATABASE_URL)
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from matching.synthetic import make_roster

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


def write_roster(path: Path, n: int) -> None:
    """Write ``n`` synthetic expert records as JSON Lines."""
    with path.open("w", encoding="utf-8") as out:
        for start in range(0, n, 50_000):
            for record in make_roster(min(50_000, n - start), seed=start, prefix=f"B{start}-"):
                out.write(json.dumps(record) + "\n")


def measured(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command in a child that reports its own peak memory; return (seconds, MiB)."""
    probe = (
        "import resource, subprocess, sys;"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
        "sys.exit(r.returncode)"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    return elapsed, int(done.stdout.strip()) / 1024


def fresh_database(kind: str, folder: Path) -> str:
    """Return the URL of an empty, migrated database of the given kind."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'bench.db'}"
        (folder / "bench.db").unlink(missing_ok=True)
    else:
        url = os.environ["TEST_DATABASE_URL"]
        from sqlalchemy import create_engine, text

        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    return url


def fresh_environment(kind: str, folder: Path) -> dict[str, str]:
    """Return the environment of a command on a fresh, migrated database."""
    env = os.environ | {
        "DATABASE_URL": fresh_database(kind, folder),
        "ROSTER_INSTANCE_PATH": str(folder),
        "SECRET_KEY": "bench",
        "ROSTER_BASE_URL": "http://127.0.0.1:8000",
    }
    subprocess.run(
        [*FLASK, "roster", "init-db"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )
    return env


def main() -> None:
    """Run the measurements and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--demo", type=int, default=2000)
    args = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for n in args.sizes:
            source = folder / f"roster-{n}.jsonl"
            write_roster(source, n)
            size = source.stat().st_size / 2**20
            for kind in kinds:
                env = fresh_environment(kind, folder)
                seconds, peak = measured([*FLASK, "roster", "import", str(source)], env)
                rows.append((f"import {n:,} ({size:.0f} MiB)", kind, seconds, n / seconds, peak))
            source.unlink()
        for kind in kinds:
            env = fresh_environment(kind, folder)
            seconds, peak = measured([*FLASK, "roster", "demo", "--experts", str(args.demo)], env)
            rows.append((f"demo {args.demo:,}", kind, seconds, args.demo / seconds, peak))
    print("| command | database | seconds | records/s | peak RSS (MiB) |")
    print("| --- | --- | ---: | ---: | ---: |")
    for what, kind, seconds, rate, peak in rows:
        print(f"| {what} | {kind} | {seconds:.1f} | {rate:,.0f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
