"""``Matcher``: explained, balanced shortlists and a proposed team, as a scikit-learn estimator.

>>> matcher = Matcher().fit(experts)                       # doctest: +SKIP
>>> matcher.shortlist(needs, role_id="R1", k=10)           # doctest: +SKIP
>>> matcher.team(needs)                                    # doctest: +SKIP

``fit`` normalises and indexes the roster once; ``shortlist`` and ``team`` only read
the fitted state. See ``matching.filters`` (hard filters), ``matching.scoring``
(criteria and weights), ``matching.balance`` (re-ranking) and ``matching.team``.
"""

import gc
import json
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from matching import explain, learning, messages, scoring, text
from matching import vocabulary as vocab
from matching.balance import cells, fill, pool, region_cap
from matching.constraints import report
from matching.filters import eligible
from matching.index import build_index, check_verified, verified_skills
from matching.query import RoleQuery, role_query
from matching.records import normalise_needs
from matching.shortfall import requirements
from matching.team import propose
from matching.update import patched_index, patched_text, patched_verified

_TEXT = scoring.CRITERIA.index("text")
_NO_ROWS = np.zeros(0, dtype=np.int64)


@dataclass
class _Scored:
    """The scored contenders of a role (``Matcher._scored``), and eligibility counts."""

    rows: np.ndarray
    criteria: dict[str, np.ndarray]
    score: np.ndarray
    eligible_count: int
    eligible_women: int


@lru_cache(maxsize=256)
def _normalised_needs(key: str) -> tuple[dict, tuple[str, ...]]:
    """Return ``normalise_needs`` of a needs assessment given as sorted JSON (cached)."""
    normalised, notes = normalise_needs(json.loads(key))
    return normalised, tuple(notes)


class Matcher(BaseEstimator):
    """Rank rostered experts for the roles of a needs assessment.

    Parameters
    ----------
    weights : dict of str to float, optional
        Weight of each criterion (``matching.scoring.CRITERIA``); missing criteria keep
        their default (``matching.scoring.DEFAULT_WEIGHTS``). A request may override them.
    skill_years_cap : int, default 10
        Years of a skill at which its credit saturates.
    experience_years_cap : int, default 20
        Years of experience at which the experience credit saturates, for a role
        without a minimum.
    rating_prior_strength : float, default 3.0
        Number of pseudo-ratings at the roster mean added to an expert's ratings.
    strict : bool, default True
        Unknown language, skill or accessibility names in the roster raise in ``fit``;
        if False they are dropped and listed in ``notes_``.
    host_language_level : str, default "B2"
        Level at which a team member counts as speaking the host country's language.
    text_max_features : int, default 50000
        Vocabulary size of the TF-IDF text model.
    verified_bonus : float, default 0.5
        For a roster fitted with ``verified``: how much more a verified expertise area
        counts in the skills criterion than a self-declared one (a verified area counts
        ``1 + verified_bonus`` times as much; the criterion stays in [0, 1], see
        ``matching.scoring``). Unused without ``verified``.
    shapes : dict of str to str, optional
        How the criteria with more than one defensible shape earn credit
        (``matching.scoring.SHAPES``: ``languages`` "met" or "margin", ``experience``
        "linear" or "concave"); missing ones keep their default
        (``matching.scoring.DEFAULT_SHAPES``) or, fitted with a history, are chosen by it.
    min_history_roles : int, default 8
        Fewest roles with a revealed preference (see ``matching.learning``) a history
        needs before weights are learned from it; below it the weights stay.

    Attributes
    ----------
    index_ : matching.index.RosterIndex
        The roster as sparse and dense arrays, rows sorted by external id.
    text_model_ : matching.text.TextModel or None
        TF-IDF model of the experts' summaries and the expertise labels.
    ratings_ : ndarray
        Ratings criterion of every expert.
    rating_mean_ : float
        Mean deployment rating of the roster.
    weights_ : dict
        The weights in use, in ``CRITERIA`` order: learned from the history, or
        else the defaults (``weights`` over ``matching.scoring.DEFAULT_WEIGHTS``).
    shapes_ : dict
        The shape of each criterion that has several (``matching.scoring.SHAPES``).
    learning_ : dict
        Where ``weights_`` and ``shapes_`` came from (JSON-able): ``source``
        ("learned", or "defaults" without a history, when it was too small or when its
        weights ranked no better; the defaults are then ``weights`` over the
        defaults), ``reason`` (an English sentence; ``reason_code`` and
        ``reason_params`` for ``matching.messages``), ``roles``, ``missions``,
        ``decisions`` and ``pairs`` used, ``decisions_total`` and ``unknown_experts`` of
        the history, ``min_roles``, ``default_weights`` and ``default_shapes`` (the
        prior), ``validation`` (``metric`` "nDCG@10", ``folds``, ``defaults`` and
        ``learned``: ranking quality on held-out missions) and ``regularisation`` (the
        ridge strength chosen). See ``matching.learning``.
    notes_ : list of str
        What normalisation did to the roster ("'Frnech' read as fr").
    n_experts_ : int
        Number of experts fitted.
    verified_ : bool
        Whether the roster was fitted with ``verified`` (which areas a recruiter
        verified): then verified areas count for more and shortlists name them.

    Notes
    -----
    ``requirements(needs, role_id=...)`` says where a role's pool falls short: for each
    hard requirement (a required expertise area, a required language at its level, the
    exclusion of nationals, availability), how many rostered experts meet every *other*
    hard requirement and how many of those this one excludes, sorted by that number; the
    first is the binding requirement ("Arabic C1 excludes 212 of the 260 who meet
    everything else"). Each requirement is one boolean mask over the rostered rows, made
    once; "all the others" is the AND of a running prefix and a running suffix of the
    masks, so ``m`` requirements cost ``O(m * n)`` (see ``matching.shortfall``). Relaxing
    a requirement alone makes exactly those who meet everything else eligible, and the
    counts at each lower language level or with partial availability come from the same
    rows, so what a widened role would gain is known without another shortlist.
    """

    def __init__(
        self,
        weights=None,
        *,
        skill_years_cap=10,
        experience_years_cap=20,
        rating_prior_strength=3.0,
        strict=True,
        host_language_level="B2",
        text_max_features=50000,
        verified_bonus=0.5,
        shapes=None,
        min_history_roles=8,
    ):
        self.weights = weights
        self.skill_years_cap = skill_years_cap
        self.experience_years_cap = experience_years_cap
        self.rating_prior_strength = rating_prior_strength
        self.strict = strict
        self.host_language_level = host_language_level
        self.text_max_features = text_max_features
        self.verified_bonus = verified_bonus
        self.shapes = shapes
        self.min_history_roles = min_history_roles

    def _check_params(self) -> None:
        """Validate the constructor arguments (scikit-learn validates in ``fit``)."""
        for name in ("skill_years_cap", "experience_years_cap", "text_max_features"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not isinstance(self.rating_prior_strength, numbers.Real) or not (
            self.rating_prior_strength > 0
        ):
            raise ValueError("rating_prior_strength must be a positive number")
        if self.host_language_level not in vocab.LANGUAGE_LEVELS:
            raise ValueError(f"host_language_level must be one of {vocab.LANGUAGE_LEVELS}")
        bonus = self.verified_bonus
        if (
            not isinstance(bonus, numbers.Real)
            or isinstance(bonus, bool)
            or not np.isfinite(bonus)
            or bonus < 0
        ):
            raise ValueError(f"verified_bonus must be a non-negative number, got {bonus!r}")
        minimum = self.min_history_roles
        if isinstance(minimum, bool) or not isinstance(minimum, numbers.Integral) or minimum < 2:
            raise ValueError(f"min_history_roles must be an integer of 2 or more, got {minimum!r}")
        shapes = self.shapes
        if shapes is not None and not isinstance(shapes, Mapping):
            raise ValueError(f"shapes must be a mapping of criterion to shape, got {shapes!r}")
        for name, shape in (shapes or {}).items():
            if name not in scoring.SHAPES:
                raise ValueError(
                    f"no shape to choose for {name!r}; criteria with shapes: "
                    f"{', '.join(scoring.SHAPES)}"
                )
            if shape not in scoring.SHAPES[name]:
                raise ValueError(
                    f"shape of {name} must be one of {', '.join(scoring.SHAPES[name])}, "
                    f"got {shape!r}"
                )

    def fit(self, experts, y=None, *, verified=None, history=None):
        """Normalise and index the roster.

        Parameters
        ----------
        experts : iterable of dict
            Expert records as in ``expert.schema.json``.
        y : None
            Ignored.
        verified : mapping of str to collection of str, optional
            External id to the codes of the expertise areas a recruiter verified for that
            expert. The interchange records stay as the schema has them (it has no room
            for a verified mark); this says it beside them. A verified area then counts
            ``1 + verified_bonus`` times a self-declared one in the skills criterion, and
            each candidate's reasons name the role's verified areas (``skills.verified``).
            Ids not in ``experts`` and areas their expert does not hold are passed over;
            an unknown area raises (or, when not ``strict``, is noted in ``notes_``).
            None (the default): nobody's areas are known to be verified, and the output
            is exactly that of a matcher without this parameter. An empty mapping means
            "verified areas are known, and there are none".
        history : list of dict, optional
            The roster's institutional memory: needs assessments with the decisions
            about their candidates, ``[{"needs": <needs.schema.json>, "decisions":
            [<decisions.schema.json>, ...]}, ...]``. The weights (and the shapes not
            given in ``shapes``) are then learned from the preferences the decisions
            reveal, validated on held-out missions (``matching.learning``); with too
            little history, or no gain on the held-out missions, they stay as given.
            ``learning_`` says which. Decisions about experts not in ``experts`` are
            counted and passed over.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            On bad parameters, records, or history (naming the record at fault).
        """
        self._check_params()
        verified = check_verified(verified)
        weights = _merge_weights(scoring.DEFAULT_WEIGHTS, self.weights)
        # The loops below make millions of short-lived objects while millions of records
        # are alive: garbage collection passes would walk the records again and again.
        enabled = gc.isenabled()
        gc.disable()
        try:
            records: list | None = list(experts)
            index = build_index(records, strict=self.strict)
            if history is None:  # only learning reads them again: free them now
                records = None
            self.text_model_ = text.fit_text(index.documents, index.skills, self.text_max_features)
        finally:
            if enabled:
                gc.enable()
        index.documents = []
        if verified is not None:
            index.skill_verified, notes = verified_skills(index, verified, strict=self.strict)
            index.notes = index.notes + notes
        self.ratings_, self.rating_mean_ = scoring.ratings_criterion(
            index.rating_sum, index.rating_count, float(self.rating_prior_strength)
        )
        self.index_ = index
        self.weights_ = weights
        self.shapes_ = {**scoring.DEFAULT_SHAPES, **(self.shapes or {})}
        self.notes_ = index.notes
        self.n_experts_ = index.n
        self.verified_ = verified is not None
        found = learning.learn(
            self,
            [] if history is None else history,
            prior=weights,
            shapes=self.shapes,
            min_roles=int(self.min_history_roles),
            records=records,
        )
        del records
        self.weights_, self.shapes_, self.learning_ = found.weights, found.shapes, found.report
        return self

    def update(self, experts, removed_ids=(), *, verified=None):
        """Take experts out of the fitted roster and put new or changed ones in.

        The result ranks as a ``fit`` on the changed roster would, but for the text
        criterion: the TF-IDF model keeps the vocabulary and idf weights of the last
        ``fit`` (a new summary's words that the roster never used count for nothing
        until the next ``fit``). Every array is replaced, never written: a matcher
        shared with readers (or memory-mapped) can be copied (``copy.copy``) and the
        copy updated while they read the original.

        Parameters
        ----------
        experts : iterable of dict
            New or changed expert records as in ``expert.schema.json``; a record whose
            ``external_id`` is fitted replaces it.
        removed_ids : iterable of str, default ()
            External ids to take out; ids not fitted are ignored.
        verified : mapping of str to collection of str, optional
            The verified expertise areas of the experts in ``experts`` (see ``fit``); the
            experts kept keep theirs. On a matcher fitted with ``verified``, None means
            none of the new records' areas is verified; on one fitted without, giving it
            starts counting verified areas (the kept experts having none).

        Returns
        -------
        self
        """
        check_is_fitted(self)
        verified = check_verified(verified)
        experts = list(experts)
        old_verified = self.index_.skill_verified
        index, splice = patched_index(self.index_, experts, set(removed_ids), strict=self.strict)
        if verified is not None or old_verified is not None:
            new_ids = [record["external_id"] for record in experts]
            index.skill_verified, notes = patched_verified(
                old_verified, splice, index, new_ids, verified or {}, strict=self.strict
            )
            index.notes = index.notes + notes
        self.text_model_ = patched_text(self.text_model_, splice, index.documents, index.skills)
        index.documents = []
        self.ratings_, self.rating_mean_ = scoring.ratings_criterion(
            index.rating_sum, index.rating_count, float(self.rating_prior_strength)
        )
        self.index_ = index
        self.notes_ = index.notes
        self.n_experts_ = index.n
        self.verified_ = index.skill_verified is not None
        return self

    def _normalise(self, needs: dict) -> tuple[dict, list[str]]:
        """Validate and normalise a needs assessment: bad input raises ``RecordError``.

        Validation costs about a millisecond per role, more than a shortlist at 100k
        experts, so the answer is cached on the needs' JSON text: asking for each role
        of one assessment in turn validates it once.
        """
        try:
            key = json.dumps(needs, sort_keys=True)
        except (TypeError, ValueError):  # not JSON: let the validator say what is wrong
            normalised, notes = normalise_needs(needs)
            return normalised, list(notes)
        normalised, notes = _normalised_needs(key)
        return normalised, list(notes)

    def _merge(self, weights: dict | None) -> dict[str, float]:
        """Return the fitted weights overridden by a request's."""
        if not weights:  # the fitted weights were validated in fit
            return dict(self.weights_)
        return _merge_weights(self.weights_, weights)

    def _query(self, needs: dict, role_id: str | None) -> tuple[RoleQuery, list[str], dict]:
        """Normalise the needs (clear errors for bad input) and compile one role."""
        normalised, notes = self._normalise(needs)
        if role_id is None:
            if len(normalised["roles"]) != 1:
                raise ValueError("the needs assessment has several roles: name one with role_id")
            role_id = normalised["roles"][0]["id"]
        return role_query(normalised, role_id), list(notes), normalised

    def _scored(
        self, query: RoleQuery, weights: dict[str, float], k: int, excluded: np.ndarray = _NO_ROWS
    ) -> _Scored:
        """Score the eligible rows that could reach the balanced shortlist of ``k``.

        ``excluded`` (sorted rows) are left out of the eligible rows, as if they were not
        on the roster for this role: counts, balance and ranks are then those of the
        roster without them.

        Every criterion but the summary's text similarity is cheap and made for all the
        eligible rows, the text criterion at its lower bound (the best held label); the
        summaries are then compared only for the rows whose score, with a perfect text
        similarity, would still reach the best ``k`` of their cell of ``balance.pool``
        (``scoring.contenders``, cells by ``balance.cells``). Usually a few dozen rows of thousands.
        """
        index, model = self.index_, self.text_model_
        rows, covered = eligible(index, query)
        if len(excluded):
            kept = ~np.isin(rows, excluded, assume_unique=True)
            rows, covered = rows[kept], covered[kept]
        counts = len(rows), int(index.woman[rows].sum())
        vector = text.query_vector(model, query.text)
        label = text.label_similarity(model, index, vector, rows)
        stacked = self._criteria(query, rows, covered, label)
        score = scoring.total(stacked, weights)
        length = min(k, len(rows))
        if len(rows) > length:
            upper = stacked.copy()
            upper[_TEXT] = 1.0  # the text criterion's upper bound
            by_region = query.max_region_share is not None
            groups = cells(index.woman[rows], index.region[rows], by_region)
            keep = scoring.contenders(score, scoring.total(upper, weights), groups, length)
            rows, label, stacked, score = rows[keep], label[keep], stacked[:, keep], score[keep]
        if vector is not None and len(rows):
            best = np.maximum(text.summary_similarity(model, vector, rows), label)
            stacked[_TEXT] = np.round(np.clip(best, 0.0, 1.0), scoring.DECIMALS)
            score = scoring.total(stacked, weights)
        criteria = dict(zip(scoring.CRITERIA, stacked, strict=True))
        return _Scored(rows, criteria, score, *counts)

    def _criteria(self, query, rows, covered, label) -> np.ndarray:
        """Return the rounded criteria of ``rows``, one row each, text at its lower bound.

        One ``(len(CRITERIA), n)`` array: clipping, rounding and weighting take one numpy
        call each rather than one per criterion.
        """
        index = self.index_
        raw = {
            "skills": scoring.skills(index, query, rows, self.skill_years_cap, self.verified_bonus),
            "languages": scoring.languages(index, query, rows, self.shapes_["languages"]),
            "accessibility": scoring.accessibility(index, query, rows),
            "experience": scoring.experience(
                index, query, rows, self.experience_years_cap, self.shapes_["experience"]
            ),
            "availability": covered,
            "text": label,
            "ratings": self.ratings_[rows],
        }
        stacked = np.empty((len(scoring.CRITERIA), len(rows)))
        for i, name in enumerate(scoring.CRITERIA):
            stacked[i] = raw[name]
        np.clip(stacked, 0.0, 1.0, out=stacked)
        return np.round(stacked, scoring.DECIMALS, out=stacked)

    def shortlist(
        self,
        needs: dict,
        *,
        role_id: str | None = None,
        k: int = 10,
        weights: dict | None = None,
        reasons: bool = True,
        structured: bool = False,
        exclude: Iterable[str] | None = None,
    ) -> dict:
        """Return the explained, balanced shortlist of one role.

        Parameters
        ----------
        needs : dict
            A needs assessment as in ``needs.schema.json``; names are normalised.
        role_id : str, optional
            The role; may be omitted when the assessment has a single role.
        k : int, default 10
            Length of the shortlist.
        weights : dict, optional
            Criterion weights overriding the fitted ones for this request.
        reasons : bool, default True
            Write each candidate's ``reasons`` (plain sentences). False leaves them
            out (they are optional in ``shortlist.schema.json``) for a caller that
            reads only the ranks and scores, such as the team's optimiser; the ranking
            is the same.
        structured : bool, default False
            Also give every sentence in structured form, beside the sentences: each
            candidate's ``reason_codes``, the constraints' ``note_codes`` and the
            top-level ``note_codes``, lists in the order of ``reasons`` and ``notes``
            of ``{"code", "params", "text"}``. ``code`` is one of
            ``matching.messages.CODES`` (``skill.required``, ``language.desired`` ...),
            ``params`` holds codes and numbers (``{"language": "fr", "wanted": "C1",
            "level": "C2"}``) and ``text`` is the English sentence, the same as in
            ``reasons``. A page translates the code's template
            (``matching.messages.TEMPLATES``) and fills in the parameters. The
            contract's schema allows these extra keys; without ``structured`` the
            output is exactly the contract's.
        exclude : iterable of str, optional
            External ids of experts to leave out of this role's pool, as if they were
            not on the roster: the shortlist, its counts and its balance are those of
            the roster without them (the fitted text model and rating mean, which the
            whole roster shapes, stay as fitted). Ids not on the roster are ignored.

        Returns
        -------
        dict
            As in ``shortlist.schema.json``: ``needs_id``, ``role_id``, ``weights``,
            ``eligible_count``, ``candidates`` (``external_id``, ``rank``, ``score``,
            ``criteria``, ``reasons``), ``constraints`` (``gender_target``, ``women``,
            ``satisfied``, ``region_counts``, ``notes``) and ``notes`` (what the
            normalisation of the needs did); with ``structured``, the ``reason_codes``
            and ``note_codes`` above.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        ValueError
            On an invalid needs assessment (``matching.records.RecordError``), an unknown
            role, bad weights, ``k`` below 1 or ``exclude`` not a collection of ids.
        """
        check_is_fitted(self)
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        excluded = self._excluded_rows(exclude)
        query, notes, _ = self._query(needs, role_id)
        return self._shortlist(
            query,
            int(k),
            self._merge(weights),
            explain_moves=bool(reasons),
            notes=notes,
            structured=bool(structured),
            excluded=excluded,
        )

    def _excluded_rows(self, exclude: Iterable[str] | None) -> np.ndarray:
        """Return the sorted rows of the external ids in ``exclude`` (absent ids dropped)."""
        if exclude is None:
            return _NO_ROWS
        if isinstance(exclude, str | bytes) or not isinstance(exclude, Iterable):
            raise ValueError(f"exclude must be a collection of external ids, got {exclude!r}")
        found = set()
        for external_id in exclude:
            if not isinstance(external_id, str):
                raise ValueError(f"exclude must hold external ids (strings), got {external_id!r}")
            row = self.index_.row_of(external_id)
            if row is not None:
                found.add(row)
        return np.array(sorted(found), dtype=np.int64)

    def _shortlist(
        self,
        query: RoleQuery,
        k: int,
        weights: dict[str, float],
        *,
        explain_moves: bool,
        notes: list[str],
        structured: bool = False,
        excluded: np.ndarray | None = None,
    ) -> dict:
        """Rank one compiled role; reasons are written only when ``explain_moves``.

        With ``structured`` the reasons and notes are also given as
        ``{"code", "params", "text"}`` objects (``reason_codes``, ``note_codes``).
        """
        index = self.index_
        scored = self._scored(query, weights, k, _NO_ROWS if excluded is None else excluded)
        rows, criteria, score = scored.rows, scored.criteria, scored.score
        woman, region = index.woman[rows], index.region[rows]
        length = min(k, scored.eligible_count)
        ordered = pool(score, woman, region, length, query.max_region_share is not None)
        placement = fill(
            ordered,
            woman,
            region,
            length,
            query.gender_target,
            region_cap(query.max_region_share, length),
        )
        candidates = []
        for rank, position in enumerate(placement.positions, start=1):
            row = int(rows[position])
            candidate = {
                "external_id": index.ids[row],
                "rank": rank,
                "score": float(score[position]),
                "criteria": {name: float(criteria[name][position]) for name in scoring.CRITERIA},
            }
            if explain_moves and structured:
                explained = self._reasons(
                    query, row, position, criteria, placement, rank, length, messages.Reason
                )
                candidate["reasons"] = [str(reason) for reason in explained]
                candidate["reason_codes"] = messages.structured(explained)
            elif explain_moves:
                candidate["reasons"] = self._reasons(
                    query, row, position, criteria, placement, rank, length
                )
            candidates.append(candidate)
        constraints = report(
            placement=placement,
            woman=woman,
            region=region,
            regions=index.regions,
            k=k,
            eligible_women=scored.eligible_women,
            target=query.gender_target,
            share=query.max_region_share,
        )
        if structured:
            constraints["note_codes"] = messages.structured(constraints["notes"])
        constraints["notes"] = messages.texts(constraints["notes"])
        result = {
            "needs_id": query.needs_id,
            "role_id": query.role_id,
            "weights": dict(weights),
            "eligible_count": scored.eligible_count,
            "candidates": candidates,
            "constraints": constraints,
            "notes": notes,
        }
        if structured:
            result["note_codes"] = messages.structured(messages.normalisation_notes(notes))
        return result

    def _reasons(
        self, query, row, position, criteria, placement, rank, length, make=messages.english
    ) -> list:
        """Return the reasons explaining one candidate, each made by ``make(code, params)``.

        ``messages.english`` (the default) makes the English sentences straight away,
        ``messages.Reason`` the structured reasons: a shortlist has about a hundred, and
        making a ``Reason`` of each would cost a tenth of its time when only the
        sentences are asked for.
        """
        reasons = explain.skill_reasons(self.index_, query, row, make)
        reasons += explain.language_reasons(self.index_, query, row, make)
        reasons += explain.other_reasons(
            self.index_,
            query,
            row,
            covered=float(criteria["availability"][position]),
            text=float(criteria["text"][position]),
            rating_mean=self.rating_mean_,
            make=make,
        )
        moved = explain.move_reason(placement, position, rank, length, make)
        return reasons + ([moved] if moved else [])

    def requirements(
        self, needs: dict, *, role_id: str | None = None, structured: bool = False
    ) -> dict:
        """Return what each hard requirement of one role excludes, and where its pool falls short.

        Parameters
        ----------
        needs : dict
            A needs assessment as in ``needs.schema.json``; names are normalised.
        role_id : str, optional
            The role; may be omitted when the assessment has a single role.
        structured : bool, default False
            Also give each note as ``{"code", "params", "text"}`` in ``note_codes``, in
            the order of ``notes`` (see ``shortlist``).

        Returns
        -------
        dict
            ``needs_id``, ``role_id``, ``positions``, ``rostered_count``,
            ``eligible_count`` (as the role's shortlist counts it), ``eligible_women``
            (a total), and ``requirements``: one per hard requirement,
            ``{"code", "params", "text", "excluded", "meet_everything_else",
            "widened"}``, sorted by ``excluded`` (most first; ties in the order expertise
            areas, languages, nationals, availability, each as the role lists them).
            ``meet_everything_else`` counts the rostered experts meeting every other hard
            requirement (those eligible were this one dropped) and ``excluded`` how many
            of them this one removes; ``code`` is a ``shortfall.requirement.*`` code of
            ``matching.messages`` and ``text`` its English sentence. ``widened`` gives the
            eligible count under each lesser form of the requirement: a language at each
            lower level (``{"B2": 250, "B1": 258, ...}``), availability for the whole
            period as partial availability (``{"partial": 240}``), else ``{}``.
            ``binding`` is the first requirement, None when it excludes nobody; ``notes``
            the English sentences saying where the pool falls short (nobody eligible,
            fewer eligible than positions, too few eligible women for the gender target,
            each naming the binding requirement where there is one), empty when it does
            not. Minimum years, seniority and desired expertise are scored, not filtered,
            and are not requirements here.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        ValueError
            On an invalid needs assessment or an unknown role.
        """
        check_is_fitted(self)
        query, _, _ = self._query(needs, role_id)
        return requirements(self.index_, query, structured=bool(structured))

    def team(
        self,
        needs: dict,
        *,
        candidates_per_role: int = 50,
        weights: dict | None = None,
        host_languages: list[str] | None = None,
        structured: bool = False,
        exclude: Mapping[str, Iterable[str]] | None = None,
    ) -> dict:
        """Propose one distinct expert per position of every role, solved exactly.

        Parameters
        ----------
        needs : dict
            A needs assessment as in ``needs.schema.json``.
        candidates_per_role : int, default 50
            Length of each role's balanced shortlist offered to the optimiser.
        weights : dict, optional
            Criterion weights overriding the fitted ones for this request.
        host_languages : list of str, optional
            Languages each to be spoken by one member at least, at
            ``host_language_level``; by default the host country's main languages
            (``matching.geography.main_languages``).
        structured : bool, default False
            Also give each note as ``{"code", "params", "text"}`` in ``note_codes``, in
            the order of ``notes`` (see ``shortlist``).
        exclude : mapping of str to iterable of str, optional
            Role id to the external ids of experts left out of that role's pool (see
            ``shortlist``): the team is the one proposed on a roster without them for
            that role, while they stay candidates for the other roles. "Swap this
            member for the next best" is the same team with the member excluded from
            the member's role.

        Returns
        -------
        dict
            JSON-able: ``needs_id``, ``status`` ("optimal" or "infeasible"), ``members``
            (``role_id``, ``external_id``, ``score``, ``rank``), ``total_score``,
            ``unconstrained_total_score``, ``balance_cost``, ``women``,
            ``women_required``, ``gender_target``, ``region_counts``,
            ``host_languages``, ``binding_constraints``, ``infeasible_because``,
            ``notes``, ``seconds``, and with ``structured`` ``note_codes``. See
            ``matching.team``.
        """
        check_is_fitted(self)
        return propose(
            self,
            needs,
            candidates_per_role=candidates_per_role,
            weights=weights,
            host_languages=host_languages,
            structured=bool(structured),
            exclude=exclude,
        )


def _merge_weights(base: dict[str, float], override: dict | None) -> dict[str, float]:
    """Return ``base`` updated by ``override``, validated, in ``CRITERIA`` order."""
    override = dict(override or {})
    unknown = sorted(set(override) - set(scoring.CRITERIA))
    if unknown:
        raise ValueError(
            f"unknown criteria in weights: {', '.join(unknown)}; "
            f"known: {', '.join(scoring.CRITERIA)}"
        )
    merged = {name: override.get(name, base[name]) for name in scoring.CRITERIA}
    for name, value in merged.items():
        if (
            not isinstance(value, numbers.Real)
            or isinstance(value, bool)
            or not np.isfinite(value)
            or value < 0
        ):
            raise ValueError(f"weight of {name} must be a non-negative number, got {value!r}")
    return {name: float(value) for name, value in merged.items()}
