"""Measure ``Matcher.requirements``: what each hard requirement of a role excludes.

For each roster size, a seeded synthetic roster is fitted and ``requirements`` timed over
varied single-role needs (half of them allowing partial availability), each validated
once beforehand, as the median of repeated calls per request; the role's shortlist
(``reasons=False``) is timed beside it for scale.

    python benchmarks/bench_requirements.py --sizes 10000 100000
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
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    for size in args.sizes:
        matcher = Matcher().fit(make_roster(size, seed=7))
        analysed, shortlisted = [], []
        for seed in range(args.requests):
            needs = make_needs(1, seed=seed)
            needs["allow_partial_availability"] = bool(seed % 2)
            matcher.requirements(needs)
            analysed.append(median_ms(partial(matcher.requirements, needs), args.repeat))
            shortlisted.append(
                median_ms(partial(matcher.shortlist, needs, reasons=False), args.repeat)
            )
        print(
            f"{size:>9,} experts: requirements p50 {np.percentile(analysed, 50):.2f} ms, "
            f"p95 {np.percentile(analysed, 95):.2f} ms; shortlist p50 "
            f"{np.percentile(shortlisted, 50):.2f} ms"
        )


if __name__ == "__main__":
    main()
