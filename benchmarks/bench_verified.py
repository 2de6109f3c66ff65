"""Measure what verified expertise costs the matcher: ``fit`` and shortlists, with and without.

For each roster size, a seeded synthetic roster is fitted twice, without ``verified`` and
with half the experts' areas verified, and the same one-role needs are shortlisted by
both (structured reasons, as the app asks), each validated once beforehand; each request
is the median of repeated calls.

    python benchmarks/bench_verified.py --sizes 10000 100000
"""

import argparse
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching import Matcher  # noqa: E402
from matching.synthetic import make_needs, make_roster  # noqa: E402


def median_ms(call, repeat: int) -> float:
    """Return the median time of ``repeat`` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    for size in args.sizes:
        roster = make_roster(size, seed=7)
        verified = {r["external_id"]: [s["code"] for s in r["skills"]] for r in roster[::2]}
        for label, options in (("without", {}), ("with", {"verified": verified})):
            start = time.perf_counter()
            matcher = Matcher().fit(roster, **options)
            fitted = time.perf_counter() - start
            shortlisted = []
            for seed in range(args.requests):
                needs = make_needs(1, seed=seed)
                matcher.shortlist(needs, structured=True)
                call = partial(matcher.shortlist, needs, structured=True)
                shortlisted.append(median_ms(call, args.repeat))
            print(
                f"{size:>9,} experts, {label:>7} verified: fit {fitted:.1f} s; shortlist "
                f"p50 {np.percentile(shortlisted, 50):.2f} ms, "
                f"p95 {np.percentile(shortlisted, 95):.2f} ms"
            )


if __name__ == "__main__":
    main()
