"""Measure learning from a history: ``Matcher().fit(experts, history=...)``.

A seeded synthetic roster is fitted without history (timed, the median of
``--repeats``), then a synthetic history of past roles (``matching.synthetic.
make_history``: planners who choose by a hidden preference, with noise) is made on it,
and the fit with that history is timed the same way. The quality figures are the
validation of ``learning_`` (nDCG@10 of the decided candidates of held-out missions)
and, on missions no history holds, nDCG@10 of the default and the learned shortlists
against the planners' hidden preference, with the balance rule on.

    python benchmarks/bench_learning.py --experts 100000 --missions 50 --roles-per-mission 4
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching import Matcher  # noqa: E402
from matching.synthetic import make_history, make_needs, make_roster, preference_ndcg  # noqa: E402

# The planners' hidden preference: languages and past appraisals weigh more than the
# defaults say, the summary's wording less.
PREFERENCE = {
    "skills": 0.2,
    "languages": 0.35,
    "accessibility": 0.05,
    "experience": 0.15,
    "availability": 0.0,
    "text": 0.05,
    "ratings": 0.2,
}


def timed(call, repeats: int) -> tuple[float, object]:
    """The median time of ``repeats`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--missions", type=int, default=50)
    parser.add_argument("--roles-per-mission", type=int, default=4)
    parser.add_argument("--unseen", type=int, default=20, help="missions of the quality check")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--noise", type=float, default=0.01, help="scale of the planners' noise")
    parser.add_argument("--pool", type=int, default=20, help="shortlist length planners see")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    roster = make_roster(args.experts, seed=args.seed)
    plain_seconds, base = timed(lambda: Matcher().fit(roster), args.repeats)
    start = time.perf_counter()
    history = make_history(
        base,
        preference=PREFERENCE,
        missions=args.missions,
        roles_per_mission=args.roles_per_mission,
        seed=args.seed,
        noise=args.noise,
        pool=args.pool,
    )
    history_seconds = time.perf_counter() - start
    learn_seconds, learned = timed(lambda: Matcher().fit(roster, history=history), args.repeats)

    figures: dict[str, list[float]] = {"defaults": [], "learned": []}
    for m in range(args.unseen):
        needs = make_needs(3, seed=700_000 + m, country="NP", gender_target=0.5)
        needs["id"] = f"NA-UNSEEN-{m}"
        for role in needs["roles"]:
            before = preference_ndcg(base, base, needs, role["id"], preference=PREFERENCE)
            if before is None:
                continue
            after = preference_ndcg(learned, base, needs, role["id"], preference=PREFERENCE)
            figures["defaults"].append(before)
            figures["learned"].append(after)
    report = {
        "experts": args.experts,
        "history_roles": sum(len(item["needs"]["roles"]) for item in history),
        "history_decisions": sum(len(item["decisions"]) for item in history),
        "fit_without_history_s": round(plain_seconds, 2),
        "fit_with_history_s": round(learn_seconds, 2),
        "learning_s": round(learn_seconds - plain_seconds, 2),
        "making_the_history_s": round(history_seconds, 2),
        "noise": args.noise,
        "pool": args.pool,
        "learning": learned.learning_,
        "weights": learned.weights_,
        "shapes": learned.shapes_,
        "unseen_roles": len(figures["learned"]),
        "unseen_ndcg10_defaults": round(statistics.fmean(figures["defaults"]), 3),
        "unseen_ndcg10_learned": round(statistics.fmean(figures["learned"]), 3),
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
