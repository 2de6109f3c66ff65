"""A role's shortlists: matched live, widened, issued and kept as issued.

Their candidates, as planners see them and act on them, are in ``roster.missions.candidates``.

``match_role`` asks the fitted matcher (``roster.matchers.current_matcher``, passed in)
for the role's shortlist and, where the matcher can say it, which requirement binds;
``issue_shortlist`` keeps that answer as a ``Shortlist`` with its entries, shortlists
each candidate new to the role through ``roster.policy.candidacy.record_outcome`` and
logs a role whose pool is below its positions as ``UnmetDemand``. Nothing here ranks:
the page shows the matcher's order, scores and reasons exactly.

A widening (``Widening``) changes the request, never the role, unless the planner saves
its terms (``save_widened_terms``, through ``roster.missions.records.save_needs``).

A planner may also weigh the criteria for one request: ``check_weights`` refuses what is
not a weight, ``weigh`` lays the planner's override on the weights in use
(``base_weights``), and the shortlist issued keeps the weights it was ranked with.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from numbers import Real
from typing import Any, Protocol

from sqlalchemy import select
from sqlmodel import Session

from matching import vocabulary as vocab
from matching.balance import women_ceil
from matching.scoring import CRITERIA
from roster.messages import N_, Message
from roster.missions.records import needs_record, role_record, save_needs
from roster.models import (
    CandidateDecision,
    CandidateOutcome,
    Expert,
    MissionRole,
    NeedsAssessment,
    Shortlist,
    ShortlistEntry,
    UnmetDemand,
    User,
)
from roster.policy.candidacy import lock_role, record_outcome
from roster.refusal import Refused, problem

CO = CandidateOutcome
# Past these outcomes a candidate is known by name on a blind shortlist, and from
# "selected" on, the planner may see their contact details and CV (audited).


class FittedMatcher(Protocol):
    """What the services need of ``roster.matchers.Fitted``."""

    matcher: Any
    revision: int


class WideningInvalid(Refused):
    """A widening that does not fit the role (a language it does not require, say)."""


class WeightsInvalid(Refused):
    """A planner's weights that are not weights (a negative number, a word, all zero)."""


def default_k(positions: int) -> int:
    """How many candidates a role's shortlist holds: three per position, at least ten."""
    return max(10, 3 * positions)


# --- widening --------------------------------------------------------------------------


@dataclass(frozen=True)
class Widening:
    """A role asked for more loosely: partial availability, lower levels, fewer musts.

    Attributes:
        partial: experts available for part of the period count as available.
        lower_languages: codes of required languages asked for one level lower.
        optional_skills: codes of required expertise areas moved to the desired ones.
    """

    partial: bool = False
    lower_languages: tuple[str, ...] = ()
    optional_skills: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.partial or self.lower_languages or self.optional_skills)


def lower_level(level: str) -> str:
    """The level one step below ``level`` (native becomes C2); A1 stays A1."""
    index = vocab.LANGUAGE_LEVELS.index(level)
    return vocab.LANGUAGE_LEVELS[max(0, index - 1)]


def lowerable_languages(role: MissionRole) -> list[dict[str, Any]]:
    """The required languages of ``role`` whose level can still be lowered."""
    return [
        dict(language)
        for language in role.required_languages
        if vocab.LANGUAGE_LEVELS.index(language["level"]) > 0
    ]


def check_widening(role: MissionRole, widening: Widening) -> None:
    """Refuse a widening naming a language or an expertise area the role does not require.

    Raises:
        WideningInvalid: at ``lower_languages`` or ``optional_skills``.
    """
    languages = {language["code"] for language in lowerable_languages(role)}
    if set(widening.lower_languages) - languages:
        raise WideningInvalid.at(
            "lower_languages", N_("Choose among the languages this role requires.")
        )
    if set(widening.optional_skills) - set(role.required_skills):
        raise WideningInvalid.at(
            "optional_skills", N_("Choose among the expertise areas this role requires.")
        )


def role_request(role: MissionRole, widening: Widening | None = None) -> dict[str, Any]:
    """The needs record the role is matched with: the mission's terms and this role alone.

    A valid ``needs.schema.json`` record, widened by ``widening``; it is stored on the
    shortlist as its request, so the same request can be matched again.
    """
    widening = widening or Widening()
    check_widening(role, widening)
    record = needs_record(role.needs)
    wanted = role_record(role)
    if widening.lower_languages:
        wanted["required_languages"] = [
            {**language, "level": lower_level(language["level"])}
            if language["code"] in widening.lower_languages
            else language
            for language in wanted["required_languages"]
        ]
    if widening.optional_skills:
        kept = [s for s in wanted["required_skills"] if s not in widening.optional_skills]
        desired = list(wanted.get("desired_skills", []))
        desired += [s for s in wanted["required_skills"] if s in widening.optional_skills]
        if kept:
            wanted["required_skills"] = kept
        else:
            del wanted["required_skills"]
        wanted["desired_skills"] = list(dict.fromkeys(desired))
    if widening.partial:
        record["allow_partial_availability"] = True
    record["roles"] = [wanted]
    return record


def save_widened_terms(
    *, session: Session, role: MissionRole, by: User, widening: Widening, version: int
) -> NeedsAssessment:
    """Save the widened terms to the role (and the mission's partial availability).

    Raises:
        WideningInvalid: the widening does not fit the role.
        roster.missions.records.NeedsChanged: the assessment was saved since ``version``.
        roster.missions.records.NeedsInvalid: the widened assessment is not valid.
    """
    request = role_request(role, widening)
    record = needs_record(role.needs)
    record["allow_partial_availability"] = request["allow_partial_availability"]
    record["roles"] = [
        request["roles"][0] if r["id"] == role.role_key else r for r in record["roles"]
    ]
    needs, _notes = save_needs(
        session=session, record=record, by=by, needs=role.needs, version=version
    )
    return needs


# --- weighing ----------------------------------------------------------------------------

# The score adds up criterion times weight, so only the ratios between weights change an
# order: the weights in use add up to 1, the smallest is 0.05. Up to 10 lets a planner
# make one criterion count two hundred times that much (more than any order needs) while
# a slip of the finger (100 for 1.00, 1e9) is refused rather than silently ranked by.
MAX_WEIGHT = 10
# The criteria of the score as planners name them, and what each rewards in their words
# (the page's labels and hints, the API's descriptions and messages).
CRITERION_NAMES = {
    "skills": N_("Expertise"),
    "languages": N_("Languages"),
    "accessibility": N_("Accessibility expertise"),
    "experience": N_("Experience"),
    "availability": N_("Availability"),
    "text": N_("Terms of reference"),
    "ratings": N_("Past ratings"),
}
CRITERION_HINTS = {
    "skills": N_("Holding the expertise areas the role asks for, and years of practice in each."),
    "languages": N_("Speaking the role's languages at or above the level it asks for."),
    "accessibility": N_("Having the accessibility expertise the role asks for."),
    "experience": N_("Years of experience beyond the role's minimum, and a grade close to its."),
    "availability": N_("Being available for more of the role's period."),
    "text": N_("A summary or expertise worded like the role's title and terms of reference."),
    "ratings": N_("Good ratings on past deployments."),
}


def base_weights(fitted: FittedMatcher) -> dict[str, float]:
    """The weights a request is ranked with unless a planner overrides them.

    The fitted matcher's today; where the roster adopts learned weights, these are them.
    """
    return {name: float(value) for name, value in fitted.matcher.weights_.items()}


def check_weights(override: Mapping[str, Any] | None) -> dict[str, float]:
    """A planner's weights for some or all criteria, refused at ``weights.<criterion>``.

    Each is a number from 0 to ``MAX_WEIGHT``; a name that is not a criterion of
    ``matching.scoring.CRITERIA`` is refused at its own path.

    Raises:
        WeightsInvalid: every problem found, one per criterion.
    """
    problems = []
    weights: dict[str, float] = {}
    for name, value in (override or {}).items():
        path = f"weights.{name}"
        if name not in CRITERIA:
            problems.append(
                problem(
                    path,
                    N_("This is not a criterion of the score: choose among %(names)s."),
                    names=", ".join(CRITERIA),
                )
            )
        elif (
            isinstance(value, bool)
            or not isinstance(value, Real)
            or not math.isfinite(value)
            or not 0 <= value <= MAX_WEIGHT
        ):
            criterion = Message(CRITERION_NAMES.get(name, name))
            problems.append(
                problem(
                    path,
                    N_("The weight of %(criterion)s must be a number from 0 to %(most)s."),
                    criterion=criterion,
                    most=MAX_WEIGHT,
                )
            )
        else:
            weights[name] = float(value)
    if problems:
        raise WeightsInvalid(problems)
    return weights


def weigh(
    base: Mapping[str, float] | None, override: Mapping[str, Any] | None
) -> dict[str, float] | None:
    """The weights a request is ranked with: ``override`` (checked) laid on ``base``.

    None when neither says anything (the matcher then ranks with its fitted weights).

    Raises:
        WeightsInvalid: an override that is not weights, or that leaves every weight at 0
            (nothing would rank anybody above anybody).
    """
    asked = check_weights(override)
    if not asked and not base:
        return None
    merged = {**(base or {}), **asked}
    if asked and base is not None and not any(merged.get(name, 0) > 0 for name in CRITERIA):
        raise WeightsInvalid.at("weights", N_("Give at least one criterion a weight above 0."))
    return merged


def weights_differ(weights: Mapping[str, float], base: Mapping[str, float]) -> list[str]:
    """The criteria whose weight in ``weights`` is not the one in ``base``, in order."""
    return [name for name in CRITERIA if float(weights.get(name, 0)) != float(base.get(name, 0))]


# --- matching ----------------------------------------------------------------------------


@dataclass
class Matched:
    """The matcher's answer for a role: its shortlist and, if it can say, what binds.

    ``result`` is ``Matcher.shortlist(..., structured=True)``; ``requirements`` is
    ``Matcher.requirements(..., structured=True)`` or None where the matcher has none.
    """

    request: dict[str, Any]
    k: int
    result: dict[str, Any]
    requirements: dict[str, Any] | None

    @property
    def eligible_count(self) -> int:
        """How many rostered experts meet every hard requirement of the request."""
        return int(self.result["eligible_count"])

    @property
    def external_ids(self) -> list[str]:
        """The candidates' external ids, in rank order."""
        return [c["external_id"] for c in self.result["candidates"]]

    @property
    def binding(self) -> dict[str, Any] | None:
        """The requirement excluding the most otherwise-eligible experts, as a reason."""
        found = (self.requirements or {}).get("binding")
        if not found:
            return None
        return {key: found[key] for key in ("code", "params", "text") if key in found}

    @property
    def shortfall_notes(self) -> list[dict[str, Any]]:
        """The matcher's sentences on where the pool falls short, as reasons."""
        requirements = self.requirements or {}
        return list(requirements.get("note_codes") or [])


def match_role(
    *,
    role: MissionRole,
    fitted: FittedMatcher,
    k: int | None = None,
    widening: Widening | None = None,
    weights: Mapping[str, Any] | None = None,
) -> Matched:
    """Ask the fitted matcher for the role's shortlist (and what binds, where it can say).

    Args:
        role: the role; its needs assessment gives the mission's terms.
        fitted: ``roster.matchers.current_matcher()``.
        k: the shortlist's length, ``default_k(role.positions)`` when None.
        widening: how to ask more loosely than the role does; nothing is saved.
        weights: the planner's weights for some or all criteria, laid on the weights in
            use (``base_weights``) for this request only.
    Raises:
        WideningInvalid: the widening does not fit the role.
        WeightsInvalid: the weights are not weights (``check_weights``), or all zero.
    """
    request = role_request(role, widening)
    asked = weigh(base_weights(fitted), weights) if weights else None
    length = k or default_k(role.positions)
    matcher = fitted.matcher
    result = matcher.shortlist(
        request, role_id=role.role_key, k=length, structured=True, weights=asked
    )
    requirements = None
    if hasattr(matcher, "requirements"):
        requirements = matcher.requirements(request, role_id=role.role_key, structured=True)
    return Matched(request=request, k=length, result=result, requirements=requirements)


def issue_shortlist(
    *,
    session: Session,
    role: MissionRole,
    by: User,
    fitted: FittedMatcher,
    k: int | None = None,
    widen: Widening | None = None,
    weights: Mapping[str, Any] | None = None,
) -> Shortlist:
    """Match the role and keep the answer as issued: the shortlist, its entries, its terms.

    Every candidate new to the role is recorded as shortlisted (``record_outcome``,
    audited); a pool below the role's positions is logged as ``UnmetDemand`` ("short"),
    with the binding requirement where the matcher names it. Earlier shortlists stay.

    Args:
        session: the session to write in; the caller commits.
        role: the role to shortlist.
        by: the planner (or administrator) issuing it.
        fitted: ``roster.matchers.current_matcher()``.
        k: the shortlist's length, ``default_k(role.positions)`` when None.
        widen: the widening the planner previewed, if any.
        weights: the planner's weights as previewed, if any; kept on the shortlist.
    Returns:
        The shortlist written, its entries in rank order.
    Raises:
        WideningInvalid: the widening does not fit the role.
        WeightsInvalid: the weights are not weights. Nothing is written.
        roster.policy.transitions.TransitionRefused: a candidate cannot be shortlisted
            by ``by`` (their own profile, say). Nothing is written.
    """
    matched = match_role(role=role, fitted=fitted, k=k, widening=widen, weights=weights)
    result = matched.result
    constraints = dict(result["constraints"])
    if matched.requirements is not None:
        constraints["shortfall"] = {
            "binding": matched.binding,
            "note_codes": matched.shortfall_notes,
        }
    shortlist = Shortlist(
        role_id=role.id,
        requested_k=matched.k,
        weights=dict(result["weights"]),
        eligible_count=matched.eligible_count,
        constraints=constraints,
        request=matched.request,
        roster_revision=fitted.revision,
        created_by_id=by.id,
    )
    session.add(shortlist)
    experts = experts_by_external_id(session, matched.external_ids)
    for candidate in result["candidates"]:
        expert = experts.get(candidate["external_id"])
        entry = ShortlistEntry(
            rank=candidate["rank"],
            score=candidate["score"],
            criteria=dict(candidate["criteria"]),
            reasons=list(candidate.get("reasons", [])),
            reason_codes=list(candidate.get("reason_codes", [])),
            expert_id=expert.id if expert else None,
        )
        shortlist.entries.append(entry)
    session.flush()
    # Locked once for the whole shortlist; a candidacy without any decision has no
    # outcome yet: one query for the shortlist, none for each candidate.
    lock_role(session=session, role=role)
    known = set(
        session.scalars(
            select(CandidateDecision.expert_id).where(
                CandidateDecision.role_id == role.id,
                CandidateDecision.expert_id.in_([e.id for e in experts.values()]),
            )
        )
    )
    for entry in shortlist.entries:
        expert = experts.get(_external_id_of(result, entry.rank))
        if expert is None:
            continue
        if expert.id not in known:
            known.add(expert.id)
            record_outcome(
                session=session,
                role=role,
                expert=expert,
                to=CO.SHORTLISTED,
                by=by,
                shortlist_entry=entry,
                first=True,
            )
    if matched.eligible_count < role.positions:
        _log_short(session, role, matched)
    session.flush()
    return shortlist


def _external_id_of(result: dict[str, Any], rank: int) -> str:
    return result["candidates"][rank - 1]["external_id"]


def experts_by_external_id(session: Session, external_ids: list[str]) -> dict[str, Expert]:
    if not external_ids:
        return {}
    found = session.scalars(select(Expert).where(Expert.external_id.in_(external_ids)))
    return {expert.external_id: expert for expert in found}


def _log_short(session: Session, role: MissionRole, matched: Matched) -> None:
    row = session.scalar(
        select(UnmetDemand).where(UnmetDemand.role_id == role.id, UnmetDemand.kind == "short")
    )
    if row is None:
        row = UnmetDemand(role_id=role.id, kind="short", positions=role.positions, eligible_count=0)
        session.add(row)
    row.positions = role.positions
    row.eligible_count = matched.eligible_count
    row.binding = matched.binding
    row.recorded_at = datetime.now(UTC)


def women_needed(target: float, length: int) -> int:
    """How many women a shortlist of ``length`` holds to meet the gender ``target``."""
    return women_ceil(float(target or 0), length)


@dataclass(frozen=True)
class Terms:
    """What a shortlist was asked for: the mission's terms and the role's, as matched."""

    needs: dict[str, Any]
    role: dict[str, Any]
    differs: bool  # from the role's (and mission's) terms as they stand now


def terms_of(*, request: dict[str, Any] | None, role: MissionRole) -> Terms:
    """The terms a request asked for; a shortlist kept without its request, the role's own."""
    now = role_request(role)
    asked = request if request and request.get("roles") else now
    differs = asked["roles"][0] != now["roles"][0] or asked.get(
        "allow_partial_availability"
    ) != now.get("allow_partial_availability")
    return Terms(needs=asked, role=asked["roles"][0], differs=differs)
