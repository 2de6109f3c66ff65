"""Team proposal: the best total fit for a whole needs assessment, solved exactly.

For each role the candidates are the top of its balanced shortlist
(``candidates_per_role`` long, so women are in the pool wherever the roster has
them). A binary variable ``x[r, e]`` says expert ``e`` fills a position of role ``r``;
``scipy.optimize.milp`` maximises the sum of the shortlist scores subject to these
constraint families:

positions
    each role gets exactly its number of positions;
distinct experts
    each expert fills at most one position;
gender
    at least ``ceil(gender_target * positions)`` consented women in the team;
region
    with ``max_region_share``, at most ``floor(share * positions)`` per UN regional group;
host language: <code>
    for each of the host country's main languages (``matching.geography.main_languages``),
    at least one member speaks it at ``host_language_level`` or above;
accessibility: <code>
    for each accessibility expertise any role asks for, at least one member has it.

A coverage family (host language, accessibility) that no candidate of any role can
meet would make every team impossible for a reason no choice of team can change: it
is left out, listed in ``uncovered`` and said in the notes, and the best team without
it is proposed.

The balance cost is the optimum without the gender and regional families minus the
optimum with them. A family is binding when dropping it alone raises the optimum.
When no team exists, each family is dropped in turn and those whose removal makes a
team possible are named.
"""

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from matching import messages
from matching import vocabulary as vocab
from matching.balance import region_cap, women_ceil
from matching.geography import main_languages
from matching.messages import Reason
from matching.query import role_query
from matching.records import normalise_needs

TOLERANCE = 1e-7


@dataclass
class Problem:
    """The candidate variables and the rows of every constraint family."""

    roles: list[tuple[str, int]]
    variables: list[tuple[str, int, float]] = field(default_factory=list)
    families: dict[str, list[tuple[np.ndarray, float, float]]] = field(default_factory=dict)
    # Coverage that no candidate of any role offers: no choice of team can give it.
    uncovered: list[str] = field(default_factory=list)

    def cover(self, family: str, members: list[int]) -> None:
        """Ask for at least one member from ``members``, or record that none exists."""
        if members:
            self.add(family, members, 1, np.inf)
        else:
            self.uncovered.append(family)

    def add(self, family: str, members: list[int], low: float, high: float) -> None:
        """Add one constraint ``low <= sum(x[members]) <= high`` to a family."""
        row = np.zeros(len(self.variables))
        row[members] = 1.0
        self.families.setdefault(family, []).append((row, low, high))


def _solve(problem: Problem, dropped: frozenset[str]) -> tuple[bool, float, np.ndarray | None]:
    """Solve without the ``dropped`` families; return (feasible, objective, solution)."""
    scores = np.array([score for _, _, score in problem.variables])
    rows = [r for name, family in problem.families.items() if name not in dropped for r in family]
    if not len(scores):
        return False, 0.0, None
    constraints = []
    if rows:
        matrix = coo_array(np.vstack([r for r, _, _ in rows])).tocsr()
        constraints = [
            LinearConstraint(matrix, [lo for _, lo, _ in rows], [hi for _, _, hi in rows])
        ]
    # A zero gap: "optimal" means proven optimal, not within HiGHS's default 0.01%.
    result = milp(
        -scores,
        constraints=constraints,
        integrality=np.ones(len(scores)),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},
    )
    if result.status != 0 or result.x is None:
        return False, 0.0, None
    chosen = np.round(result.x).astype(bool)
    return True, float(scores[chosen].sum()), chosen


def _pools(
    matcher,
    needs: dict,
    normalised: dict,
    k: int,
    weights: dict | None,
    exclude: Mapping[str, Iterable[str]],
):
    """Return the compiled roles and the balanced shortlist of each, without reasons.

    Each role's pool leaves out the experts ``exclude`` names for it, as if they were
    not on the roster: the shortlist of a role is then that of the roster without them.
    """
    queries = [role_query(normalised, role["id"]) for role in normalised["roles"]]
    return queries, [
        matcher.shortlist(
            needs,
            role_id=q.role_id,
            k=k,
            weights=weights,
            reasons=False,
            exclude=exclude.get(q.role_id),
        )
        for q in queries
    ]


def _checked_exclusions(
    exclude: Mapping[str, Iterable[str]] | None, normalised: dict
) -> Mapping[str, Iterable[str]]:
    """Return ``exclude``, refusing what is not a mapping of the needs' role ids."""
    if exclude is None:
        return {}
    if not isinstance(exclude, Mapping):
        raise ValueError(f"exclude must map role ids to external ids, got {exclude!r}")
    unknown = sorted(set(exclude) - {role["id"] for role in normalised["roles"]}, key=str)
    if unknown:
        raise ValueError(f"exclude names roles the needs do not have: {unknown!r}")
    return exclude


def _problem(matcher, queries, shortlists, host: list[str], level: int) -> Problem:
    """Build the variables and constraint families of the team problem."""
    index = matcher.index_
    problem = Problem(roles=[(q.role_id, q.positions) for q in queries])
    by_expert: dict[str, list[int]] = {}
    for query, shortlist in zip(queries, shortlists, strict=True):
        for candidate in shortlist["candidates"]:
            by_expert.setdefault(candidate["external_id"], []).append(len(problem.variables))
            problem.variables.append(
                (query.role_id, index.row_of(candidate["external_id"]), candidate["score"])
            )
    rows = np.array([row for _, row, _ in problem.variables], dtype=np.int64)
    for query in queries:
        members = [i for i, (role, _, _) in enumerate(problem.variables) if role == query.role_id]
        problem.add("positions", members, query.positions, query.positions)
    for members in by_expert.values():
        if len(members) > 1:
            problem.add("distinct experts", members, 0, 1)
    size = sum(q.positions for q in queries)
    target = queries[0].gender_target
    if women_ceil(target, size):
        problem.add(
            "gender", list(np.flatnonzero(index.woman[rows])), women_ceil(target, size), np.inf
        )
    cap = region_cap(queries[0].max_region_share, size)
    if cap is not None:
        for group in range(len(index.regions)):
            problem.add("region", list(np.flatnonzero(index.region[rows] == group)), 0, cap)
    for code in host:  # Each of the host country's main languages, by one member at least.
        speakers = (
            index.lang_levels[rows, index.languages[code]] >= level
            if code in index.languages
            else np.zeros(len(rows), dtype=bool)
        )
        problem.cover(f"host language: {code}", list(np.flatnonzero(speakers)))
    for code in dict.fromkeys(c for q in queries for c in q.accessibility):
        has = (
            index.access_has[rows, index.access[code]]
            if code in index.access
            else np.zeros(len(rows), dtype=bool)
        )
        problem.cover(f"accessibility: {code}", list(np.flatnonzero(has)))
    return problem


def propose(
    matcher,
    needs: dict,
    *,
    candidates_per_role: int = 50,
    weights: dict | None = None,
    host_languages: list[str] | None = None,
    structured: bool = False,
    exclude: Mapping[str, Iterable[str]] | None = None,
) -> dict:
    """Propose a team for a needs assessment.

    ``exclude`` maps a role id to experts (external ids) left out of that role's pool
    only (see ``Matcher.shortlist``); they stay candidates for the other roles.

    Returns
    -------
    dict
        ``needs_id``; ``status`` ("optimal" or "infeasible"); ``members`` (list of
        ``role_id``, ``external_id``, ``score``, ``rank`` in the role's shortlist);
        ``total_score``; ``unconstrained_total_score`` (optimum without the gender and
        regional families); ``balance_cost`` (their difference); ``women``,
        ``women_required``, ``gender_target``; ``region_counts``; ``host_languages``;
        ``binding_constraints`` (families whose removal alone raises the optimum);
        ``infeasible_because`` (families whose removal makes a team possible);
        ``uncovered`` (coverage no candidate offers, so left out); ``notes`` (plain
        sentences); ``seconds`` (time spent solving). With ``structured``, also
        ``note_codes``: each note as ``{"code", "params", "text"}``
        (``matching.messages``), in the order of ``notes``.
    """
    started = time.perf_counter()
    if (
        isinstance(candidates_per_role, bool)
        or not isinstance(candidates_per_role, int)
        or candidates_per_role < 1
    ):
        raise ValueError(
            f"candidates_per_role must be a positive integer, got {candidates_per_role!r}"
        )
    normalised, notes = normalise_needs(needs)
    excluded = _checked_exclusions(exclude, normalised)
    queries, shortlists = _pools(matcher, needs, normalised, candidates_per_role, weights, excluded)
    host = (
        list(host_languages)
        if host_languages is not None
        else list(main_languages(normalised["country"]))
    )
    level = vocab.level_rank(matcher.host_language_level)
    problem = _problem(matcher, queries, shortlists, host, level)
    feasible, objective, chosen = _solve(problem, frozenset())
    result = {
        "needs_id": normalised["id"],
        "gender_target": queries[0].gender_target,
        "women_required": women_ceil(queries[0].gender_target, sum(q.positions for q in queries)),
        "host_languages": host,
        "uncovered": problem.uncovered,
        "notes": messages.normalisation_notes(notes),
    }
    for family in problem.uncovered:
        result["notes"].append(_uncovered(family))
    details = (
        _optimal(matcher, problem, objective, chosen, shortlists)
        if feasible
        else _infeasible(problem, queries, shortlists)
    )
    result["notes"] += details.pop("notes")
    result.update(details)
    if structured:
        result["note_codes"] = messages.structured(result["notes"])
    result["notes"] = messages.texts(result["notes"])
    result["seconds"] = round(time.perf_counter() - started, 4)
    return result


def _uncovered(family: str) -> Reason:
    """The note saying a coverage family is left out: no candidate offers it."""
    code = family.split(": ", 1)[1]
    if family.startswith("host language"):
        return Reason("team.uncovered.language", {"language": code})
    return Reason("team.uncovered.accessibility", {"expertise": code})


def _optimal(
    matcher, problem: Problem, objective: float, chosen: np.ndarray, shortlists: list[dict]
) -> dict:
    """Describe an optimal team: members, balance cost and binding families."""
    index = matcher.index_
    ranks = {
        (s["role_id"], c["external_id"]): c["rank"] for s in shortlists for c in s["candidates"]
    }
    members = []
    for i in np.flatnonzero(chosen):
        role, row, score = problem.variables[i]
        members.append(
            {
                "role_id": role,
                "external_id": index.ids[row],
                "score": score,
                "rank": ranks[(role, index.ids[row])],
            }
        )
    free, binding = _binding(problem, objective)
    rows = [index.row_of(m["external_id"]) for m in members]
    regions: dict[str, int] = {}
    for row in rows:
        name = index.regions[index.region[row]] if index.region[row] >= 0 else "unknown"
        regions[name] = regions.get(name, 0) + 1
    cost = max(free - objective, 0.0)
    notes = [Reason("team.optimal", {"members": len(members), "total": objective})]
    notes.append(
        Reason("team.cost", {"cost": cost}) if cost > TOLERANCE else Reason("team.cost.none")
    )
    if binding:
        notes.append(Reason("team.binding", {"families": list(binding)}))
    return {
        "status": "optimal",
        "members": members,
        "total_score": round(objective, 6),
        "unconstrained_total_score": round(free, 6),
        "balance_cost": round(cost, 6),
        "women": int(sum(index.woman[r] for r in rows)),
        "region_counts": dict(sorted(regions.items())),
        "binding_constraints": binding,
        "infeasible_because": [],
        "notes": notes,
    }


def _satisfies(problem: Problem, chosen: np.ndarray, family: str) -> bool:
    """Return whether a solution meets every constraint of a family."""
    return all(
        low - TOLERANCE <= row @ chosen <= high + TOLERANCE
        for row, low, high in problem.families.get(family, [])
    )


def _binding(problem: Problem, objective: float) -> tuple[float, list[str]]:
    """Return the optimum without the balance families, and the binding families.

    One solve without any optional family (gender, region, host language, accessibility)
    settles most questions exactly: its optimum bounds every relaxation from above, and
    when its team already meets every family but one, it is also the optimum without
    that one. Only the remaining cases are re-solved.
    """
    optional = frozenset(
        name for name in problem.families if name not in ("positions", "distinct experts")
    )
    _, relaxed, chosen = _solve(problem, optional)
    meets = {name: _satisfies(problem, chosen.astype(float), name) for name in optional}

    def without(dropped: frozenset[str]) -> float:
        if all(meets[name] for name in optional - dropped):
            return relaxed
        return _solve(problem, dropped)[1]

    if relaxed <= objective + TOLERANCE:
        return without(frozenset({"gender", "region"})), []
    binding = [
        name
        for name in sorted(optional, key=list(problem.families).index)
        if without(frozenset({name})) > objective + TOLERANCE
    ]
    return without(frozenset({"gender", "region"})), binding


def _infeasible(problem: Problem, queries, shortlists: list[dict]) -> dict:
    """Name the constraint families that make the team impossible."""
    notes = []
    for query, shortlist in zip(queries, shortlists, strict=True):
        if len(shortlist["candidates"]) < query.positions:
            notes.append(
                Reason(
                    "team.role.short",
                    {
                        "role": query.role_id,
                        "eligible": shortlist["eligible_count"],
                        "positions": query.positions,
                    },
                )
            )
    if notes:  # a role short of candidates: no other family can help
        culprits = ["positions"]
    else:
        culprits = [
            name
            for name in problem.families
            if name != "positions" and _solve(problem, frozenset({name}))[0]
        ]
    for name in culprits:
        if name != "positions" and all(not row.any() for row, _, _ in problem.families[name]):
            notes.append(Reason("team.family.unmet", {"family": name}))
    if culprits:
        notes.append(Reason("team.infeasible", {"alternatives": list(culprits)}))
    else:
        notes.append(Reason("team.infeasible.any"))
    return {
        "status": "infeasible",
        "members": [],
        "total_score": None,
        "unconstrained_total_score": None,
        "balance_cost": None,
        "women": 0,
        "region_counts": {},
        "binding_constraints": [],
        "infeasible_because": culprits,
        "notes": notes,
    }
