"""Weights learned from what planners chose: the roster's institutional memory.

A history is a list of needs assessments, each with the decisions about its candidates
(``decisions.schema.json``: one record per candidate and role, at its furthest stage).
The decisions reveal preferences between two candidates of the same role:

- a candidate the planner chose (``proposed``, ``selected``, ``deployed``,
  ``completed``) over one not selected;
- of two deployments appraised (``completed`` with a rating), the better rated;
- an expert who said they were ``available`` over one ``unavailable``, only where the
  role allows partial availability: elsewhere every eligible expert is available for
  the whole period and availability earns everyone the same.

Other outcomes (``shortlisted``, ``contacted``, ``no_response``, ``withdrawn``) say
nothing about the planner's preference and are left out.

Each preference ``i`` over ``j`` is one example of a pairwise logistic model on the
difference of their criteria (computed on today's roster, as the score computes them):
``P(i over j) = sigmoid(v . (c_i - c_j))``. ``v`` is found by L-BFGS-B (SciPy) with
``v >= 0``, each role weighing the same, and a ridge penalty pulling ``v`` toward the
prior weights (the defaults, or the weights the matcher was given) at the scale that
fits them best. scikit-learn's ``LogisticRegression`` has neither bounds nor a prior
other than zero, hence SciPy's optimiser; the folds are scikit-learn's
(``GroupKFold``). The learned weights are ``v`` scaled to the sum of the prior weights,
so they remain weights of the same additive, explained score; a criterion no decision
tells about keeps its prior share.

The penalty's strength, and the shape of the criteria that have more than one
(``matching.scoring.SHAPES``), are chosen by holding out whole missions: every fold
learns on the other missions and ranks the decided candidates of the held-out ones.
The figure is nDCG@10 (``ndcg_rows``) of that ranking against the decisions: chosen
2, not selected 0, an appraised deployment 1 to 3 by its rating, and, where
availability is a criterion, available 1 and unavailable 0. The configuration kept is
the simplest (the prior first, then the default shapes before others, a strong pull
before a weak one) whose figure is within one standard error of the best: learned
weights replace the prior only when they rank the held-out missions clearly better,
not by chance. Below ``min_roles`` roles with a preference, the prior stays and
``learning_`` says why.

Everything is deterministic: the same roster and history give the same weights.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from sklearn.model_selection import GroupKFold
from threadpoolctl import threadpool_limits

from matching import messages, scoring, text
from matching.filters import coverage
from matching.query import RoleQuery, role_query
from matching.records import normalise_needs
from matching.schema import RecordError, decision_errors

__all__ = ["CHOSEN", "Learning", "learn"]

CHOSEN = frozenset({"proposed", "selected", "deployed", "completed"})
NOT_CHOSEN = "not_selected"
# Kinds of decision revealed preferred over another kind, within a role (see ``_grade``).
PREFERENCES = (("chosen", "not_chosen"), ("available", "unavailable"))
FOLDS = 5
STRENGTHS = (0.01, 0.1, 1.0, 10.0)  # ridge strengths tried, relative to the fitted scale
DIGITS = 4  # learned weights are rounded: the same history gives the same published weights
_K = 10


@dataclass
class _Role:
    """The decided candidates of one role and the preferences between them."""

    mission: str
    query: RoleQuery
    rows: np.ndarray  # roster rows of the decided candidates
    grades: np.ndarray  # relevance for validation, NaN where the outcome tells nothing
    pairs: np.ndarray  # (preferred, other) positions into ``rows``
    rated: np.ndarray  # per pair: whether it comes from two ratings (see ``_differences``)
    answered: np.ndarray  # per pair: whether it comes from two answers to a call-out
    own: np.ndarray  # per candidate: the role's own appraisal found on the roster, else 0


@dataclass
class Learning:
    """What ``learn`` found: the weights and shapes to use, and where they came from."""

    weights: dict[str, float]
    shapes: dict[str, str]
    report: dict[str, Any]


def learn(
    matcher,
    history: object,
    *,
    prior: Mapping[str, float],
    shapes: Mapping[str, str] | None,
    min_roles: int,
    records: list[dict] | None = None,
) -> Learning:
    """Learn weights (and shapes not fixed by ``shapes``) from ``history``.

    ``matcher`` is fitted (its index, text model and ratings are read); ``prior`` are
    the weights to fall back on and to pull toward; ``shapes`` fixes every criterion
    shape it names (None: every shape may be learned). ``records`` are the expert
    records fitted: a deployment among them that is a history role's own appraisal
    (same country, period and rating as a ``completed`` decision of that role, as the
    roster writes it) is left out of that candidate's ratings criterion for that role,
    so that the outcome never predicts itself.

    Raises:
        ValueError: the history is not a list of ``{"needs", "decisions"}``, or one of
            its records is invalid (the message names it: ``history[2].decisions[5]``).
    """
    roles, counts = _read(matcher, history, records or [])
    fixed = dict(shapes or {})
    defaults = {**scoring.DEFAULT_SHAPES, **fixed}
    prior = {name: float(prior[name]) for name in scoring.CRITERIA}
    report: dict[str, Any] = {
        **counts,
        "min_roles": int(min_roles),
        "default_weights": dict(prior),
        "default_shapes": dict(defaults),
        "validation": None,
        "regularisation": None,
    }
    informative = [role for role in roles if len(role.pairs)]
    report["roles"] = len(informative)
    report["missions"] = len({role.mission for role in informative})
    report["pairs"] = int(sum(len(role.pairs) for role in informative))
    report["decisions"] = int(sum(np.count_nonzero(~np.isnan(r.grades)) for r in informative))
    if not counts["decisions_total"]:
        return _kept(prior, defaults, report, "learning.none", {})
    if len(informative) < min_roles:
        params = {"roles": len(informative), "minimum": int(min_roles)}
        return _kept(prior, defaults, report, "learning.too_little", params)
    if report["missions"] < 2:  # nothing to hold out
        return _kept(prior, defaults, report, "learning.one_mission", {})
    folds = GroupKFold(n_splits=min(FOLDS, report["missions"]))
    missions = [role.mission for role in informative]
    splits = list(folds.split(np.zeros(len(informative)), groups=missions))
    choices = _shape_choices(defaults, fixed)
    tables = {choice: _tables(matcher, informative, dict(choice)) for choice in choices}
    # The candidates, simplest first: the prior, then each shape (the defaults first)
    # from the strongest pull toward the prior to the weakest.
    configurations = [(choices[0], None)] + [
        (choice, strength) for choice in choices for strength in sorted(STRENGTHS, reverse=True)
    ]
    # Small problems (7 weights, a few thousand pairs): BLAS threads only wait on each
    # other, several times slower than one.
    base = np.array([prior[name] for name in scoring.CRITERIA])
    with threadpool_limits(limits=1):
        # Each fold's pairs and fitted scale serve every strength tried on it.
        prepared = {
            choice: [_pairs(tables[choice], informative, train, base) for train, _ in splits]
            for choice in choices
        }
        figures = [
            _validate(tables[choice], informative, splits, prior, strength, prepared[choice])
            for choice, strength in configurations
        ]
    choice, strength = configurations[_simplest_close_to_best(figures)]
    baseline = float(np.mean(figures[0]))
    chosen = float(np.mean(figures[configurations.index((choice, strength))]))
    report["validation"] = {
        "metric": "nDCG@10",
        "folds": len(splits),
        "held_out_roles": len(figures[0]),
        "defaults": round(baseline, DIGITS),
        # The figure of the weights kept (the defaults' when they are kept), and the best
        # of every setting tried: an optimistic figure, since the same folds chose it.
        "learned": round(chosen, DIGITS),
        "best": round(float(max(np.mean(f) for f in figures)), DIGITS),
    }
    if strength is None:
        return _kept(prior, defaults, report, "learning.not_better", {})
    with threadpool_limits(limits=1):
        every = _pairs(tables[choice], informative, range(len(informative)), base)
        weights = _fit(every, prior, strength)
    report["regularisation"] = strength
    report["source"] = "learned"
    params = {"roles": len(informative), "missions": report["missions"]}
    reason = messages.Reason("learning.learned", params)
    report.update(reason_code=reason.code, reason_params=params, reason=str(reason))
    return Learning(weights=weights, shapes=dict(choice), report=report)


def _kept(
    prior: dict[str, float], shapes: dict[str, str], report: dict, code: str, params: dict
) -> Learning:
    """The prior weights and default shapes, with the reason they were kept."""
    reason = messages.Reason(code, params)
    report.update(source="defaults", reason_code=code, reason_params=params, reason=str(reason))
    return Learning(weights=dict(prior), shapes=dict(shapes), report=report)


# --- the history ------------------------------------------------------------------------


def _read(matcher, history: object, records: list[dict]) -> tuple[list[_Role], dict[str, int]]:
    """Check the history and compile each role's decided candidates on the fitted roster."""
    if isinstance(history, str | bytes | Mapping) or not isinstance(history, list | tuple):
        raise ValueError("history must be a list of {'needs': ..., 'decisions': [...]}")
    roles: list[_Role] = []
    counts = {"decisions_total": 0, "unknown_experts": 0}
    appraised = _appraised(history)
    deployments = {
        record["external_id"]: record.get("deployments") or []
        for record in records
        if isinstance(record, Mapping) and record.get("external_id") in appraised
    }
    first: dict[str, int] = {}
    for i, item in enumerate(history):
        where = f"history[{i}]"
        if not isinstance(item, Mapping) or set(item) != {"needs", "decisions"}:
            raise ValueError(f"{where} must be an object with 'needs' and 'decisions' only")
        try:
            needs, _ = normalise_needs(item["needs"])
        except RecordError as error:
            raise ValueError(f"{where}.needs: {error}") from None
        if needs["id"] in first:
            raise ValueError(
                f"{where}.needs: the assessment {needs['id']!r} is already in the history "
                f"(history[{first[needs['id']]}]); give each assessment once, with all its "
                "decisions"
            )
        first[needs["id"]] = i
        decisions = item["decisions"]
        if not isinstance(decisions, list):
            raise ValueError(f"{where}.decisions must be a list of decision records")
        by_role: dict[str, dict[str, dict]] = {role["id"]: {} for role in needs["roles"]}
        for j, decision in enumerate(decisions):
            place = f"{where}.decisions[{j}]"
            errors = decision_errors(decision)
            if errors:
                raise ValueError(f"{place}: {'; '.join(e.message for e in errors)}")
            if decision["needs_id"] != needs["id"]:
                raise ValueError(
                    f"{place}: needs_id {decision['needs_id']!r} is not the assessment's "
                    f"id {needs['id']!r}"
                )
            if decision["role_id"] not in by_role:
                raise ValueError(f"{place}: the assessment has no role {decision['role_id']!r}")
            seen = by_role[decision["role_id"]]
            if decision["external_id"] in seen:
                raise ValueError(
                    f"{place}: a second record for {decision['external_id']!r} in role "
                    f"{decision['role_id']!r} (one record per candidate and role)"
                )
            seen[decision["external_id"]] = decision
        counts["decisions_total"] += len(decisions)
        for role_id, decided in by_role.items():
            if decided:
                role, unknown = _role(matcher, needs, role_id, decided, deployments)
                counts["unknown_experts"] += unknown
                roles.append(role)
    return roles, counts


def _appraised(history: list | tuple) -> set[str]:
    """The external ids of the experts with an appraised ``completed`` decision."""
    return {
        decision.get("external_id")
        for item in history
        if isinstance(item, Mapping) and isinstance(item.get("decisions"), list)
        for decision in item["decisions"]
        if isinstance(decision, Mapping)
        and decision.get("outcome") == "completed"
        and decision.get("rating") is not None
    }


def _own_appraisal(deployments: list, needs: dict, role: dict, rating: int) -> int:
    """``rating`` if a deployment is the role's own appraisal (as the roster writes it), else 0."""
    start, end = role.get("start", needs["start"]), role.get("end", needs["end"])
    for deployment in deployments:
        if (
            isinstance(deployment, Mapping)
            and deployment.get("rating") == rating
            and deployment.get("from") == start
            and deployment.get("to") == end
            and str(deployment.get("country", "")).upper() == needs["country"]
        ):
            return rating
    return 0


def _role(
    matcher, needs: dict, role_id: str, decided: dict[str, dict], deployments: dict[str, list]
) -> tuple[_Role, int]:
    """One role's candidates on the roster, their grades and preference pairs.

    Only candidates whose outcome tells something are kept; pairs are made with numpy
    (a role may have hundreds of decided candidates).
    """
    query = role_query(needs, role_id)
    role = next(r for r in needs["roles"] if r["id"] == role_id)
    rows, grades, kinds, ratings, own = [], [], [], [], []
    unknown = 0
    for external_id in sorted(decided):
        row = matcher.index_.row_of(external_id)
        if row is None:
            unknown += 1
            continue
        decision = decided[external_id]
        kind, grade = _grade(decision, query.partial)
        if kind == "silent":
            continue
        rating = decision.get("rating") if decision["outcome"] == "completed" else None
        rows.append(row)
        grades.append(grade)
        kinds.append(kind)
        ratings.append(np.nan if rating is None else float(rating))
        appraisal = 0 if rating is None else rating
        own.append(_own_appraisal(deployments.get(external_id, []), needs, role, appraisal))
    kind = np.array(kinds, dtype=object)
    rating = np.array(ratings, dtype=np.float64)
    preferred = np.zeros((len(rows), len(rows)), dtype=bool)
    for better, worse in PREFERENCES:
        preferred |= (kind == better)[:, None] & (kind == worse)[None, :]
    answered = (kind == "available")[:, None] & (kind == "unavailable")[None, :]
    by_rating = (rating[:, None] > rating[None, :]) & ~preferred  # NaN compares False
    first, second = np.nonzero(preferred | by_rating)
    return (
        _Role(
            mission=needs["id"],
            query=query,
            rows=np.array(rows, dtype=np.int64),
            grades=np.array(grades, dtype=np.float64),
            pairs=np.stack([first, second], axis=1).astype(np.int64).reshape(-1, 2),
            rated=by_rating[first, second],
            answered=answered[first, second],
            own=np.array(own, dtype=np.float64),
        ),
        unknown,
    )


def _grade(decision: dict, partial: bool) -> tuple[str, float]:
    """What a decision says of the planner's preference: its kind and validation grade."""
    outcome = decision["outcome"]
    if outcome in CHOSEN:
        rating = decision.get("rating") if outcome == "completed" else None
        return "chosen", 2.0 if rating is None else 2.0 + (rating - 3) / 2
    if outcome == NOT_CHOSEN:
        return "not_chosen", 0.0
    if partial and outcome in ("available", "unavailable"):
        return outcome, 1.0 if outcome == "available" else 0.0
    return "silent", np.nan


# --- the criteria of the decided candidates --------------------------------------------


def _shape_choices(
    defaults: dict[str, str], fixed: dict[str, str]
) -> list[tuple[tuple[str, str], ...]]:
    """Every combination of shapes to try, the defaults first."""
    options = [
        [shape for shape in (defaults[name], *scoring.SHAPES[name]) if name not in fixed]
        or [fixed[name]]
        for name in scoring.SHAPES
    ]
    combos = [tuple(dict.fromkeys(option)) for option in options]
    return [tuple(zip(scoring.SHAPES, choice, strict=True)) for choice in product(*combos)]


def _tables(matcher, roles: list[_Role], shapes: dict[str, str]) -> list[np.ndarray]:
    """Per role, the criteria of its decided candidates: ``(len(CRITERIA), n)``."""
    return [criteria_of(matcher, role.query, role.rows, shapes, role.own) for role in roles]


def criteria_of(
    matcher,
    query: RoleQuery,
    rows: np.ndarray,
    shapes: dict[str, str],
    left_out: np.ndarray | None = None,
) -> np.ndarray:
    """Return the rounded criteria of any ``rows`` for ``query``, as a shortlist scores them.

    Unlike a shortlist, the rows need not be eligible: a decided candidate may no
    longer meet a requirement. Availability is the share of the period covered where
    the role allows partial availability, else 1 (it is no criterion there); the text
    criterion is the best of the summary's and the held labels' similarity.
    ``left_out`` gives, per row, an appraisal (1 to 5) to leave out of its ratings,
    0 for none.
    """
    index, model = matcher.index_, matcher.text_model_
    if query.partial:
        covered = np.clip(coverage(index, rows, query.start, query.end) / query.days, 0, 1)
    else:
        covered = np.ones(len(rows))
    vector = text.query_vector(model, query.text)
    similarity = np.maximum(
        text.label_similarity(model, index, vector, rows),
        text.summary_similarity(model, vector, rows),
    )
    raw = {
        "skills": scoring.skills(
            index, query, rows, matcher.skill_years_cap, matcher.verified_bonus
        ),
        "languages": scoring.languages(index, query, rows, shapes["languages"]),
        "accessibility": scoring.accessibility(index, query, rows),
        "experience": scoring.experience(
            index, query, rows, matcher.experience_years_cap, shapes["experience"]
        ),
        "availability": covered,
        "text": similarity,
        "ratings": (
            matcher.ratings_[rows] if left_out is None else _ratings(matcher, rows, left_out)
        ),
    }
    stacked = np.array([raw[name] for name in scoring.CRITERIA], dtype=np.float64)
    np.clip(stacked, 0.0, 1.0, out=stacked)
    return np.round(stacked, scoring.DECIMALS)


def _ratings(matcher, rows: np.ndarray, left_out: np.ndarray) -> np.ndarray:
    """The ratings criterion of ``rows`` without the appraisals ``left_out`` (0: none)."""
    index, strength = matcher.index_, float(matcher.rating_prior_strength)
    total = index.rating_sum[rows] - left_out
    count = index.rating_count[rows] - (left_out > 0)
    shrunk = (total + strength * matcher.rating_mean_) / (count + strength)
    return (shrunk - 1.0) / 4.0


# --- fitting and validation -------------------------------------------------------------


def _differences(tables: list[np.ndarray], roles: list[_Role], chosen) -> tuple:
    """The criteria differences of every preference pair and each pair's weight.

    Every role weighs the same, however many pairs it has. A pair that comes from two
    appraisals leaves out the ratings criterion: the expert's ratings include that very
    appraisal, so it would only teach that a good rating predicts itself. A pair of
    answers to a call-out (available over unavailable) keeps the availability criterion
    alone: an answer tells how free the expert was, nothing of what the planner wants,
    and the candidates on a shortlist who cover less of the period are there because
    they are stronger on the rest, so the rest would be learned backwards.
    """
    blocks, weights = [], []
    ratings = scoring.CRITERIA.index("ratings")
    others = [i for i, name in enumerate(scoring.CRITERIA) if name != "availability"]
    for i in chosen:
        pairs = roles[i].pairs
        if len(pairs):
            table = tables[i]
            block = (table[:, pairs[:, 0]] - table[:, pairs[:, 1]]).T
            block[roles[i].rated, ratings] = 0.0
            block[np.ix_(roles[i].answered, others)] = 0.0
            blocks.append(block)
            weights.append(np.full(len(pairs), 1.0 / len(pairs)))
    x, w = np.vstack(blocks), np.concatenate(weights)
    return x, w / w.sum()


def _loss(v: np.ndarray, x: np.ndarray, w: np.ndarray) -> tuple[float, np.ndarray]:
    """Weighted logistic loss of preferring each pair's first and its gradient."""
    margin = x @ v
    loss = float(w @ np.logaddexp(0.0, -margin))
    gradient = -(x.T @ (w * np.exp(-np.logaddexp(0.0, margin))))
    return loss, gradient


@dataclass
class _Pairs:
    """The preference pairs of some roles, and the scale at which the prior fits them."""

    x: np.ndarray  # criteria differences, one row a pair
    w: np.ndarray  # each pair's weight (each role weighs the same)
    scale: float  # the multiple of the prior weights that fits the pairs best, at least 1


def _pairs(tables: list[np.ndarray], roles: list[_Role], chosen, base: np.ndarray) -> _Pairs:
    """The pairs of the ``chosen`` roles, and the prior's best scale on them."""
    x, w = _differences(tables, roles, chosen)
    fitted = minimize_scalar(
        lambda s: _loss(s * base, x, w)[0], bounds=(0.0, 1000.0), method="bounded"
    )
    return _Pairs(x, w, max(float(fitted.x), 1.0))


def _fit(pairs: _Pairs, prior: dict[str, float], strength: float) -> dict[str, float]:
    """Fit non-negative weights on ``pairs``, pulled toward ``prior`` by ``strength``."""
    x, w, scale = pairs.x, pairs.w, pairs.scale
    base = np.array([prior[name] for name in scoring.CRITERIA])
    target = scale * base

    def objective(v: np.ndarray) -> tuple[float, np.ndarray]:
        loss, gradient = _loss(v, x, w)
        gap = (v - target) / scale
        return loss + strength * float(gap @ gap), gradient + 2 * strength * gap / scale

    found = minimize(
        objective,
        target,
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, None)] * len(base),
        options={"maxiter": 500},
    )
    v = np.maximum(found.x, 0.0)
    if not np.isfinite(v).all() or v.sum() <= 0:
        return dict(prior)
    learned = np.round(v / v.sum() * base.sum(), DIGITS)
    return {name: float(value) for name, value in zip(scoring.CRITERIA, learned, strict=True)}


def _simplest_close_to_best(figures: list[np.ndarray]) -> int:
    """The first (simplest) configuration within one standard error of the best.

    ``figures`` are the per-role validation figures of each configuration, the same
    roles in the same order. The standard error is that of the per-role differences from
    the best, so a configuration no better than noise never wins over a simpler one:
    the prior (the first) stays unless something beats it clearly.
    """
    means = [float(np.mean(f)) if len(f) else 0.0 for f in figures]
    best = int(np.argmax(means))
    for i, found in enumerate(figures):
        gap = figures[best] - found
        error = float(np.std(gap, ddof=1) / np.sqrt(len(gap))) if len(gap) > 1 else 0.0
        if means[best] - means[i] <= error:
            return i
    return best


def _validate(
    tables: list[np.ndarray],
    roles: list[_Role],
    splits: list[tuple[np.ndarray, np.ndarray]],
    prior: dict[str, float],
    strength: float | None,
    prepared: list[_Pairs],
) -> np.ndarray:
    """nDCG@10 of each held-out role of every fold (``strength`` None: the prior's).

    ``prepared`` holds the pairs of each fold's training roles.

    Roles whose decisions all grade the same rank nothing and are left out. The roles
    of a fold are ranked at once: their candidates padded to the same length with gain
    0 and the lowest score, which changes no role's figure.
    """
    figures = []
    for (_, test), pairs in zip(splits, prepared, strict=True):
        weights = prior if strength is None else _fit(pairs, prior, strength)
        vector = np.array([weights[name] for name in scoring.CRITERIA])
        gains, scores = [], []
        for i in test:
            graded = ~np.isnan(roles[i].grades)
            grades = roles[i].grades[graded]
            if len(grades) > 1 and grades.min() < grades.max():
                gains.append(grades)
                scores.append(vector @ tables[i][:, graded])
        if gains:
            width = max(len(g) for g in gains)
            y_true = np.zeros((len(gains), width))
            y_score = np.full((len(gains), width), -1.0)
            for row, (g, s) in enumerate(zip(gains, scores, strict=True)):
                y_true[row, : len(g)], y_score[row, : len(s)] = g, s
            figures.append(ndcg_rows(y_true, y_score))
    return np.concatenate(figures) if figures else np.zeros(0)


def ndcg_rows(y_true: np.ndarray, y_score: np.ndarray, k: int = _K) -> np.ndarray:
    """nDCG@k of each row: ``y_true`` the gains, ranked by ``y_score`` (ties by position).

    The figure of ``sklearn.metrics.ndcg_score`` (linear gains, log2 discount), row by
    row: scikit-learn gives only the mean over the rows, and asking it a row at a time
    costs a millisecond a call in argument checks, most of a learning's time.
    """
    order = np.argsort(-y_score, axis=1, kind="stable")[:, :k]
    gains = np.take_along_axis(y_true, order, axis=1)
    discount = 1 / np.log2(np.arange(2, gains.shape[1] + 2))
    ideal = -np.sort(-y_true, axis=1)[:, : gains.shape[1]] @ discount
    return (gains @ discount) / ideal
