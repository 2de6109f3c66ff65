"""Seeded synthetic rosters and needs assessments, for benchmarks and quality tests.

Every record is a valid ``expert.schema.json`` record. Random draws are made in bulk
with numpy; only the assembly of the dictionaries is a Python loop, so a million
records take well under a minute. Names are simple syllable pairs, not realistic people.
"""

import datetime as dt
import gc
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from matching.geography import territory_languages

_TAXONOMY = json.loads((Path(__file__).parent / "data" / "taxonomy.json").read_text())
SKILLS: tuple[str, ...] = tuple(_TAXONOMY["expertise_areas"])
SKILL_LABELS: dict[str, str] = dict(_TAXONOMY["expertise_areas"])
ACCESSIBILITY: tuple[str, ...] = tuple(_TAXONOMY["accessibility_expertise"])
LEVELS: tuple[str, ...] = tuple(_TAXONOMY["language_levels"])
SENIORITY: tuple[str, ...] = tuple(_TAXONOMY["seniority"])

# Countries drawn for nationalities, spread over the five UN regional groups.
COUNTRIES = (
    "SN ML NE GH NG KE ET TN MA EG ZA CD CM BF UG "
    "IN PK BD ID PH NP LK JO LB IQ AF MN FJ JP TH "
    "BG RO PL UA GE AM RS HR CZ MD "
    "PE BR MX CO AR CL BO GT HT DO "
    "FR DE GB ES IT SE NO CA AU NL"
).split()
# Second languages of the roster, by how often they are drawn.
SECOND_LANGUAGES = ("en", "fr", "es", "ar", "ru", "pt", "sw", "de", "zh", "ha")
SECOND_WEIGHTS = (0.40, 0.20, 0.12, 0.08, 0.06, 0.05, 0.03, 0.03, 0.02, 0.01)
SIGN_LANGUAGES = ("ase", "fsl", "bzs", "bfi")
# English names used to inject misspellings that the matcher must normalise.
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "es": "Spanish",
    "ar": "Arabic",
    "ru": "Russian",
    "pt": "Portuguese",
    "sw": "Swahili",
    "de": "German",
}
STATUSES = ("rostered", "applicant", "under_review", "inactive", "suspended")
STATUS_WEIGHTS = (0.70, 0.10, 0.10, 0.07, 0.03)
GENDERS = ("woman", "man", "non-binary", "self-described", "undisclosed")
GENDER_WEIGHTS = (0.45, 0.45, 0.02, 0.01, 0.07)
SYLLABLES = "ka lo mi na ri su te va zo be da fe gi ho ju ke la mo ne pa".split()
FILLER = (
    "Worked with national electoral commissions and civil society.",
    "Experienced in capacity building and advisory support.",
    "Coordinated donor-funded electoral assistance projects.",
    "Trained election officials at national and district level.",
)
ROLE_TITLES = ("Adviser", "Officer", "Specialist", "Coordinator", "Expert")
_EPOCH = dt.date(2027, 1, 1).toordinal()


@lru_cache(maxsize=256)
def _native_language(country: str) -> str:
    """Return the most spoken language of a country (CLDR), English if unknown."""
    languages = territory_languages(country)
    return languages[0][0] if languages else "en"


@lru_cache(maxsize=4096)
def _date(ordinal: int) -> str:
    """Return the ISO date of a day ordinal."""
    return dt.date.fromordinal(ordinal).isoformat()


def misspell(text: str, rng: np.random.Generator) -> str:
    """Return ``text`` with one typing error: a dropped, doubled or swapped letter."""
    i = int(rng.integers(1, max(len(text) - 2, 2)))
    kind = int(rng.integers(3))
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


class _Draws:
    """All random draws for ``n`` experts, made at once with numpy."""

    def __init__(self, n: int, rng: np.random.Generator) -> None:
        self.country = rng.integers(len(COUNTRIES), size=n)
        self.second_country = np.where(
            rng.random(n) < 0.1, rng.integers(len(COUNTRIES), size=n), -1
        )
        self.gender = rng.choice(len(GENDERS), size=n, p=GENDER_WEIGHTS)
        self.consent = rng.random(n) < 0.9
        self.status = rng.choice(len(STATUSES), size=n, p=STATUS_WEIGHTS)
        self.seniority = rng.integers(len(SENIORITY), size=n)
        self.years = np.clip(self.seniority * 5 + rng.integers(2, 12, size=n), 0, 70)
        self.n_second = rng.integers(1, 4, size=n)
        self.second = rng.choice(len(SECOND_LANGUAGES), size=(n, 3), p=SECOND_WEIGHTS)
        self.second_level = rng.integers(1, 7, size=(n, 3))
        self.sign = np.where(rng.random(n) < 0.03, rng.integers(len(SIGN_LANGUAGES), size=n), -1)
        self.n_skills = rng.integers(2, 7, size=n)
        self.skills = np.argsort(rng.random((n, len(SKILLS))), axis=1)[:, :6]
        self.skill_years = rng.integers(0, 21, size=(n, 6))
        self.n_access = np.where(rng.random(n) < 0.15, rng.integers(1, 4, size=n), 0)
        self.access = np.argsort(rng.random((n, len(ACCESSIBILITY))), axis=1)[:, :3]
        self.avail_start = _EPOCH + rng.integers(-150, 120, size=n)
        self.avail_length = rng.integers(60, 600, size=n)
        self.second_window = rng.random(n) < 0.2
        self.n_deployments = rng.choice(4, size=n, p=(0.5, 0.25, 0.15, 0.10))
        self.ratings = rng.integers(2, 6, size=(n, 3))
        self.filler = rng.integers(len(FILLER), size=n)
        self.name = rng.integers(len(SYLLABLES), size=(n, 4))
        # Python lists index an order of magnitude faster than numpy scalars in the loop.
        for key, value in vars(self).items():
            setattr(self, key, value.tolist())


def _languages(d: _Draws, i: int, country: str) -> list[dict]:
    """Return the language list of expert ``i``: first language, second languages, sign."""
    native = _native_language(country)
    languages = [{"code": native, "level": "native"}]
    seen = {native}
    for j in range(int(d.n_second[i])):
        code = SECOND_LANGUAGES[int(d.second[i][j])]
        if code not in seen:
            seen.add(code)
            languages.append({"code": code, "level": LEVELS[int(d.second_level[i][j]) - 1]})
    if d.sign[i] >= 0:
        languages.append({"code": SIGN_LANGUAGES[int(d.sign[i])], "level": "C1"})
    return languages


def _availability(d: _Draws, i: int) -> list[dict]:
    """Return one or two availability windows of expert ``i``."""
    start = int(d.avail_start[i])
    end = start + int(d.avail_length[i])
    windows = [{"from": _date(start), "to": _date(end)}]
    if d.second_window[i]:
        windows.append({"from": _date(end + 30), "to": _date(end + 200)})
    return windows


def _record(d: _Draws, i: int, external_id: str) -> dict:
    """Assemble expert ``i`` as an ``expert.schema.json`` record."""
    country = COUNTRIES[int(d.country[i])]
    nationalities = [country]
    if d.second_country[i] >= 0 and COUNTRIES[int(d.second_country[i])] != country:
        nationalities.append(COUNTRIES[int(d.second_country[i])])
    skills = [
        {"code": SKILLS[int(s)], "years": int(y)}
        for s, y in zip(d.skills[i][: d.n_skills[i]], d.skill_years[i], strict=False)
    ]
    labels = " ".join(SKILL_LABELS[s["code"]].lower() + "." for s in skills[:3])
    first = SYLLABLES[int(d.name[i][0])] + SYLLABLES[int(d.name[i][1])]
    last = SYLLABLES[int(d.name[i][2])] + SYLLABLES[int(d.name[i][3])]
    record = {
        "external_id": external_id,
        "full_name": f"{first.title()} {last.title()}",
        "email": f"{first}.{last}.{i}@example.org",
        "nationalities": nationalities,
        "residence_country": country,
        "gender": GENDERS[int(d.gender[i])],
        "consent": {"gender": bool(d.consent[i])},
        "roster_status": STATUSES[int(d.status[i])],
        "seniority": SENIORITY[int(d.seniority[i])],
        "years_experience": int(d.years[i]),
        "languages": _languages(d, i, country),
        "skills": skills,
        "accessibility_expertise": [ACCESSIBILITY[int(a)] for a in d.access[i][: d.n_access[i]]],
        "summary": f"Expertise in {labels} {FILLER[int(d.filler[i])]}",
        "availability": _availability(d, i),
    }
    if d.n_deployments[i]:
        record["deployments"] = [
            {
                "country": COUNTRIES[(int(d.country[i]) + j + 1) % len(COUNTRIES)],
                "role": "Electoral Adviser",
                "from": "2022-01-01",
                "to": "2022-06-30",
                "rating": int(d.ratings[i][j]),
            }
            for j in range(int(d.n_deployments[i]))
        ]
    return record


def make_roster(n: int, *, seed: int = 0, prefix: str = "SYN") -> list[dict]:
    """Return ``n`` valid synthetic expert records, the same for the same seed.

    Parameters
    ----------
    n : int
        Number of experts.
    seed : int
        Seed of the numpy random generator.
    prefix : str
        Prefix of the external ids, ``f"{prefix}-{i:07d}"``.
    """
    rng = np.random.default_rng(seed)
    draws = _Draws(n, rng)
    # Millions of new dicts would trigger ever longer garbage collection passes, none of
    # which can free anything: the records are all alive.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return [_record(draws, i, f"{prefix}-{i:07d}") for i in range(n)]
    finally:
        if enabled:
            gc.enable()


def inject_misspellings(
    records: list[dict], *, rate: float, seed: int = 0
) -> list[tuple[str, str, str, str]]:
    """Replace some language and skill codes by misspelled names or labels, in place.

    Returns ``(external_id, field, written, expected code)`` for each injected error, so a
    test can check what the matcher made of it.
    """
    rng = np.random.default_rng(seed)
    injected = []
    for record in records:
        if rng.random() >= rate:
            continue
        languages = [lang for lang in record["languages"] if lang["code"] in LANGUAGE_NAMES]
        if languages and rng.random() < 0.5:
            entry = languages[int(rng.integers(len(languages)))]
            written, field = misspell(LANGUAGE_NAMES[entry["code"]], rng), "languages"
        else:
            entry = record["skills"][int(rng.integers(len(record["skills"])))]
            written, field = misspell(SKILL_LABELS[entry["code"]], rng), "skills"
        injected.append((record["external_id"], field, written, entry["code"]))
        entry["code"] = written
    return injected


def make_needs(
    n_roles: int, *, seed: int = 0, country: str = "ML", gender_target: float = 0.5
) -> dict:
    """Return a valid ``needs.schema.json`` assessment with ``n_roles`` varied roles."""
    rng = np.random.default_rng(seed)
    roles = []
    for r in range(n_roles):
        skills = [SKILLS[int(s)] for s in rng.permutation(len(SKILLS))[:3]]
        role = {
            "id": f"R{r + 1}",
            "title": f"{SKILL_LABELS[skills[0]]} {ROLE_TITLES[r % len(ROLE_TITLES)]}",
            "seniority": SENIORITY[int(rng.integers(1, 4))],
            "min_years": int(rng.integers(3, 15)),
            "required_skills": skills[:1],
            "desired_skills": skills[1:],
            "required_languages": [{"code": str(rng.choice(["en", "fr", "es"])), "level": "B2"}],
            "desired_languages": [{"code": "ar", "level": "B1"}],
            "description": f"Support the commission on {SKILL_LABELS[skills[0]].lower()} "
            f"and {SKILL_LABELS[skills[1]].lower()}.",
        }
        if rng.random() < 0.3:
            role["accessibility_expertise"] = [ACCESSIBILITY[int(rng.integers(len(ACCESSIBILITY)))]]
        roles.append(role)
    return {
        "id": f"NA-SYN-{seed}",
        "country": country,
        "start": "2027-03-01",
        "end": "2027-06-30",
        "gender_target": gender_target,
        "roles": roles,
    }


# Countries of the synthetic missions of a history, and their share of partial availability.
HISTORY_COUNTRIES = ("ML", "HT", "NP", "TN", "GT", "KE", "MD", "LB")
PARTIAL_SHARE = 0.3


def make_history(
    matcher,
    *,
    preference: dict[str, float],
    shapes: dict[str, str] | None = None,
    missions: int = 20,
    roles_per_mission: int = 5,
    seed: int = 0,
    noise: float = 0.05,
    pool: int = 20,
    partial_share: float = PARTIAL_SHARE,
) -> list[dict]:
    """Return a seeded history of planners choosing by a hidden preference, with noise.

    For each role of ``missions`` synthetic needs assessments, the planner sees the
    shortlist of ``pool`` that ``matcher`` (fitted on the roster) issues with its own
    weights, and contacts everyone on it. Each answers ``available``, ``unavailable``
    (likelier the less of the role period they cover, where the mission allows partial
    availability) or not at all. The planner ranks those available by a hidden utility,
    ``preference`` applied to the criteria under ``shapes`` (``matching.learning.
    criteria_of``), plus Gumbel noise of scale ``noise``: the best ``positions`` are
    selected and deployed, and their appraisal (1 to 5) rises with the utility; the next
    ``2 * positions`` are not selected; the rest stay ``available``. A share
    ``partial_share`` of the missions allows partial availability.

    Returns ``[{"needs": ..., "decisions": [...]}, ...]`` as ``Matcher.fit(history=...)``
    takes it, every record valid against its schema.
    """
    from matching.learning import criteria_of  # noqa: PLC0415  (synthetic data only)
    from matching.query import role_query  # noqa: PLC0415
    from matching.records import normalise_needs  # noqa: PLC0415
    from matching.scoring import CRITERIA, DEFAULT_SHAPES  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    hidden = {**DEFAULT_SHAPES, **(shapes or {})}
    weights = np.array([preference.get(name, 0.0) for name in CRITERIA])
    history = []
    for m in range(missions):
        needs = make_needs(
            roles_per_mission,
            seed=seed * 10_000 + m,
            country=HISTORY_COUNTRIES[m % len(HISTORY_COUNTRIES)],
            gender_target=0.5,
        )
        needs["id"] = f"NA-HIST-{seed}-{m:04d}"
        needs["allow_partial_availability"] = bool(rng.random() < partial_share)
        for role in needs["roles"]:
            role["positions"] = int(rng.integers(1, 3))
        normalised, _ = normalise_needs(needs)
        decisions = []
        for role in needs["roles"]:
            shortlist = matcher.shortlist(needs, role_id=role["id"], k=pool, reasons=False)
            ids = [c["external_id"] for c in shortlist["candidates"]]
            if not ids:
                continue
            query = role_query(normalised, role["id"])
            rows = np.array([matcher.index_.row_of(e) for e in ids], dtype=np.int64)
            criteria = criteria_of(matcher, query, rows, hidden)
            utility = weights @ criteria
            covered = criteria[CRITERIA.index("availability")]
            answer = rng.random(len(ids))
            unavailable = answer < 0.1 + 0.6 * (1 - covered)
            silent = ~unavailable & (answer > 0.92)
            noisy = utility + noise * rng.gumbel(size=len(ids))
            available = np.flatnonzero(~unavailable & ~silent)
            ranked = available[np.argsort(-noisy[available], kind="stable")]
            chosen = ranked[: role["positions"]]
            passed = ranked[role["positions"] : 3 * role["positions"]]
            spread = float(utility.std()) or 1.0
            for i, external_id in enumerate(ids):
                record = {
                    "needs_id": needs["id"],
                    "role_id": role["id"],
                    "external_id": external_id,
                }
                record["rank"] = i + 1
                if i in chosen:
                    z = (utility[i] - utility.mean()) / spread
                    rating = int(np.clip(np.rint(3 + z + rng.normal(0, 0.5)), 1, 5))
                    record.update(outcome="completed", rating=rating)
                elif i in passed:
                    record.update(outcome="not_selected", reason="Another candidate fitted better.")
                elif unavailable[i]:
                    record["outcome"] = "unavailable"
                elif silent[i]:
                    record["outcome"] = "no_response"
                else:
                    record["outcome"] = "available"
                decisions.append(record)
        history.append({"needs": needs, "decisions": decisions})
    return history


def preference_ndcg(
    matcher,
    reference,
    needs: dict,
    role_id: str,
    *,
    preference: dict[str, float],
    shapes: dict[str, str] | None = None,
    k: int = 10,
    min_pool: int = 20,
) -> float | None:
    """nDCG@k of ``matcher``'s shortlist against a hidden preference, as planners would judge.

    The gain of an eligible expert is the ``preference`` applied to their criteria under
    ``shapes`` (``make_history``'s hidden utility), computed on ``reference`` (a matcher
    fitted on the same roster); the ideal is the best ``k`` of the whole eligible pool
    by that gain. None when fewer than ``min_pool`` experts are eligible.
    """
    from matching.learning import criteria_of  # noqa: PLC0415  (synthetic data only)
    from matching.query import role_query  # noqa: PLC0415
    from matching.records import normalise_needs  # noqa: PLC0415
    from matching.scoring import CRITERIA, DEFAULT_SHAPES  # noqa: PLC0415

    pool = reference.shortlist(needs, role_id=role_id, k=reference.n_experts_, reasons=False)
    everyone = [c["external_id"] for c in pool["candidates"]]
    if len(everyone) < min_pool:
        return None
    query = role_query(normalise_needs(needs)[0], role_id)
    rows = np.array([reference.index_.row_of(e) for e in everyone], dtype=np.int64)
    criteria = criteria_of(reference, query, rows, {**DEFAULT_SHAPES, **(shapes or {})})
    gains = np.array([preference.get(c, 0.0) for c in CRITERIA]) @ criteria
    gain = dict(zip(everyone, gains.tolist(), strict=True))
    shortlist = matcher.shortlist(needs, role_id=role_id, k=k, reasons=False)
    discount = 1 / np.log2(np.arange(2, k + 2))
    ranked = [gain.get(c["external_id"], 0.0) for c in shortlist["candidates"]]
    ideal = np.sort(gains)[::-1][:k]
    return float(np.dot(ranked, discount[: len(ranked)]) / np.dot(ideal, discount[: len(ideal)]))
