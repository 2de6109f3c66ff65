"""A role's shortlists: matched live, widened, issued and kept as issued, with their candidates.

``match_role`` asks the fitted matcher (``roster.matchers.current_matcher``, passed in)
for the role's shortlist and, where the matcher can say it, which requirement binds;
``issue_shortlist`` keeps that answer as a ``Shortlist`` with its entries, shortlists
each candidate new to the role through ``roster.policy.candidacy.record_outcome`` and
logs a role whose pool is below its positions as ``UnmetDemand``. Nothing here ranks:
the page shows the matcher's order, scores and reasons exactly.

A widening (``Widening``) changes the request, never the role, unless the planner saves
its terms (``save_widened_terms``, through ``roster.missions.records.save_needs``).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from matching import vocabulary as vocab
from matching.balance import women_ceil
from roster.messages import N_, Message
from roster.missions.records import needs_record, role_record, save_needs
from roster.models import (
    AuditEvent,
    CallOut,
    CandidateDecision,
    CandidateOutcome,
    CandidateReveal,
    Expert,
    MissionRole,
    NeedsAssessment,
    RosterStatus,
    Shortlist,
    ShortlistEntry,
    UnmetDemand,
    User,
)
from roster.policy.candidacy import OUTCOME_RULES, current_outcome, record_outcome
from roster.policy.privacy import ViewPurpose
from roster.policy.standing import standing_of
from roster.policy.transitions import REQUIRED
from roster.refusal import Changed, Refused

CO = CandidateOutcome
# Past these outcomes a candidate is known by name on a blind shortlist, and from
# "selected" on, the planner may see their contact details and CV (audited).
BEYOND_SHORTLISTED = frozenset(set(CO) - {CO.SHORTLISTED})
CONTACT_OUTCOMES = frozenset({CO.SELECTED, CO.DEPLOYED, CO.COMPLETED})


class FittedMatcher(Protocol):
    """What the services need of ``roster.matchers.Fitted``."""

    matcher: Any
    revision: int


class WideningInvalid(Refused):
    """A widening that does not fit the role (a language it does not require, say)."""


class OutcomeChanged(Changed):
    """Someone recorded another outcome for the candidate since the page was shown."""


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
) -> Matched:
    """Ask the fitted matcher for the role's shortlist (and what binds, where it can say).

    Args:
        role: the role; its needs assessment gives the mission's terms.
        fitted: ``roster.matchers.current_matcher()``.
        k: the shortlist's length, ``default_k(role.positions)`` when None.
        widening: how to ask more loosely than the role does; nothing is saved.
    Raises:
        WideningInvalid: the widening does not fit the role.
    """
    request = role_request(role, widening)
    length = k or default_k(role.positions)
    matcher = fitted.matcher
    result = matcher.shortlist(request, role_id=role.role_key, k=length, structured=True)
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
    Returns:
        The shortlist written, its entries in rank order.
    Raises:
        WideningInvalid: the widening does not fit the role.
        roster.policy.transitions.TransitionRefused: a candidate cannot be shortlisted
            by ``by`` (their own profile, say). Nothing is written.
    """
    matched = match_role(role=role, fitted=fitted, k=k, widening=widen)
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
    experts = _experts_by_external_id(session, matched.external_ids)
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
    for entry in shortlist.entries:
        expert = experts.get(_external_id_of(result, entry.rank))
        if expert is None:
            continue
        if current_outcome(session=session, role_id=role.id, expert_id=expert.id) is None:
            record_outcome(
                session=session,
                role=role,
                expert=expert,
                to=CO.SHORTLISTED,
                by=by,
                shortlist_entry=entry,
            )
    if matched.eligible_count < role.positions:
        _log_short(session, role, matched)
    session.flush()
    return shortlist


# The lists of an expert's record a candidate's card shows.
CARD_LISTS = (
    "nationalities",
    "languages",
    "skills",
    "accessibility",
    "availability",
    "deployments",
)


def _external_id_of(result: dict[str, Any], rank: int) -> str:
    return result["candidates"][rank - 1]["external_id"]


def _experts_by_external_id(session: Session, external_ids: list[str]) -> dict[str, Expert]:
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


# --- reading a role's shortlists ----------------------------------------------------------


def role_by_key(*, session: Session, public_id: str, role_key: str) -> MissionRole | None:
    """The role ``role_key`` of the needs assessment with this public id, if there is one."""
    if len(public_id) > 32 or len(role_key) > 64:
        return None
    return session.scalar(
        select(MissionRole)
        .join(NeedsAssessment)
        .where(NeedsAssessment.public_id == public_id, MissionRole.role_key == role_key)
    )


def shortlists_of(*, session: Session, role: MissionRole) -> list[Shortlist]:
    """The role's shortlists as issued, the newest first."""
    return list(
        session.scalars(
            select(Shortlist)
            .where(Shortlist.role_id == role.id)
            .order_by(Shortlist.created_at.desc(), Shortlist.id.desc())
        )
    )


def shortlist_of(*, session: Session, role: MissionRole, public_id: str) -> Shortlist | None:
    """The role's shortlist with this public id, if there is one."""
    if len(public_id) > 32:
        return None
    return session.scalar(
        select(Shortlist).where(Shortlist.role_id == role.id, Shortlist.public_id == public_id)
    )


@dataclass
class Candidate:
    """One candidate as a role's page shows them.

    ``hidden``: a blind review keeps who they are behind "Candidate <rank>" (no name, id,
    nationality or contact is given to the page). ``expert`` is None once erased.
    """

    rank: int
    score: float
    criteria: dict[str, float]
    reasons: list[dict[str, Any]]
    expert: Expert | None
    entry: ShortlistEntry | None = None
    hidden: bool = False
    outcome: CandidateOutcome | None = None
    call_out: CallOut | None = None
    changed_since: bool = False
    left_roster: bool = False
    next_outcomes: list[tuple[CandidateOutcome, bool]] = field(default_factory=list)

    @property
    def erased(self) -> bool:
        """The candidate is no longer on the roster at all (the entry lost its expert)."""
        return self.entry is not None and self.expert is None

    @property
    def may_see_contact(self) -> bool:
        """Contact details and the CV are for candidates selected or beyond."""
        return self.expert is not None and self.outcome in CONTACT_OUTCOMES


# Reasons that tell a planner one person's place was moved by the gender balance: from
# them and the totals, anyone could tell who counts as a woman. Planners see gender only
# as totals; the shortlist as issued keeps these reasons (the contract's output).
GENDER_MOVES = ("rank.raised.balance", "rank.lowered")
GENDER_MOVE_TEXTS = ("raised by the balance rule", "moved down to position")


def planner_reasons(codes: list[dict[str, Any]], texts: list[str]) -> list[dict[str, Any]]:
    """A candidate's reasons as a planner sees them: without moves by the gender balance."""
    if codes:
        return [c for c in codes if not str(c.get("code", "")).startswith(GENDER_MOVES)]
    return [{"text": t} for t in texts if not t.startswith(GENDER_MOVE_TEXTS)]


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) if moment.tzinfo else moment


def _blind(role: MissionRole, expert_id: int | None, outcome, revealed: set[int]) -> bool:
    if not role.needs.blind_review or expert_id is None:
        return False
    return expert_id not in revealed and outcome not in BEYOND_SHORTLISTED


def next_outcomes(
    *, role: MissionRole, expert: Expert, current: CandidateOutcome | None, by: User
) -> list[tuple[CandidateOutcome, bool]]:
    """The outcomes ``by`` may record next for the candidacy, and whether each needs a reason."""
    standing = standing_of(user=by, expert=expert)
    found = []
    for (start, to), allowed in OUTCOME_RULES.items():
        if start != current or to in {o for o, _ in found}:
            continue
        makers = standing & allowed.keys()
        if makers:
            found.append((to, any(allowed[m] is REQUIRED for m in makers)))
    order = list(CO)
    return sorted(found, key=lambda pair: order.index(pair[0]))


def issued_candidates(
    *, session: Session, role: MissionRole, shortlist: Shortlist, viewer: User
) -> list[Candidate]:
    """The candidates of an issued shortlist as it was, with where each stands now."""
    entries = list(shortlist.entries)
    ids = [e.expert_id for e in entries if e.expert_id is not None]
    state = _RoleState.read(session, role, ids)
    issued_at = _naive(shortlist.created_at)
    candidates = []
    for entry in entries:
        expert = state.experts.get(entry.expert_id) if entry.expert_id else None
        outcome = state.outcomes.get(entry.expert_id)
        candidate = Candidate(
            rank=entry.rank,
            score=entry.score,
            criteria=dict(entry.criteria),
            reasons=planner_reasons(entry.reason_codes, entry.reasons),
            expert=expert,
            entry=entry,
            hidden=_blind(role, entry.expert_id, outcome, state.revealed),
            outcome=outcome,
            call_out=state.call_outs.get(entry.expert_id),
        )
        if expert is not None:
            candidate.changed_since = _naive(expert.updated_at) > issued_at
            candidate.left_roster = expert.roster_status != RosterStatus.ROSTERED
            candidate.next_outcomes = next_outcomes(
                role=role, expert=expert, current=outcome, by=viewer
            )
        candidates.append(candidate)
    return candidates


def preview_candidates(*, session: Session, role: MissionRole, matched: Matched) -> list[Candidate]:
    """The candidates of a live (not issued) shortlist, with where each stands on the role."""
    experts = _experts_by_external_id(session, matched.external_ids)
    state = _RoleState.read(session, role, [e.id for e in experts.values()])
    candidates = []
    for found in matched.result["candidates"]:
        expert = experts.get(found["external_id"])
        expert_id = expert.id if expert else None
        outcome = state.outcomes.get(expert_id)
        candidates.append(
            Candidate(
                rank=found["rank"],
                score=found["score"],
                criteria=dict(found["criteria"]),
                reasons=planner_reasons(found.get("reason_codes", []), found.get("reasons", [])),
                expert=expert,
                hidden=_blind(role, expert_id, outcome, state.revealed),
                outcome=outcome,
                call_out=state.call_outs.get(expert_id),
            )
        )
    return candidates


@dataclass
class _RoleState:
    """Where the role's candidacies stand: outcomes, call-outs and reveals, by expert id."""

    experts: dict[int, Expert]
    outcomes: dict[int, CandidateOutcome]
    call_outs: dict[int, CallOut]
    revealed: set[int]

    @classmethod
    def read(cls, session: Session, role: MissionRole, expert_ids: list[int]) -> "_RoleState":
        if not expert_ids:
            return cls({}, {}, {}, set())
        # What a card shows of each candidate, read in one query a list rather than a
        # query a list a candidate (60 queries on a page of ten).
        shown = (
            select(Expert)
            .where(Expert.id.in_(expert_ids))
            .options(*(selectinload(getattr(Expert, name)) for name in CARD_LISTS))
        )
        experts = {e.id: e for e in session.scalars(shown)}
        outcomes: dict[int, CandidateOutcome] = {}
        decisions = session.execute(
            select(CandidateDecision.expert_id, CandidateDecision.outcome)
            .where(
                CandidateDecision.role_id == role.id,
                CandidateDecision.expert_id.in_(expert_ids),
            )
            .order_by(CandidateDecision.decided_at, CandidateDecision.id)
        )
        for expert_id, outcome in decisions:
            outcomes[expert_id] = outcome  # the latest wins
        call_outs = {
            c.expert_id: c
            for c in session.scalars(
                select(CallOut).where(CallOut.role_id == role.id, CallOut.expert_id.in_(expert_ids))
            )
        }
        revealed = set(
            session.scalars(
                select(CandidateReveal.expert_id).where(
                    CandidateReveal.role_id == role.id, CandidateReveal.expert_id.in_(expert_ids)
                )
            )
        )
        return cls(experts, outcomes, call_outs, revealed)


def call_out_state(call_out: CallOut | None, now: datetime | None = None) -> str | None:
    """Where a call-out stands: awaiting, reminded, available, unavailable, withdrawn, expired."""
    if call_out is None:
        return None
    if call_out.withdrawn_at is not None:
        return "withdrawn"
    if call_out.answer in ("available", "unavailable"):
        return call_out.answer
    moment = _naive(now or datetime.now(UTC))
    if _naive(call_out.expires_at) < moment:
        return "expired"
    return "reminded" if call_out.reminded_at is not None else "awaiting"


# --- acting on a candidate ------------------------------------------------------------------


def record_candidate_outcome(
    *,
    session: Session,
    role: MissionRole,
    entry: ShortlistEntry,
    by: User,
    to: str,
    shown_at: str,
    reason: str = "",
    rating: int | None = None,
) -> CandidateDecision:
    """Record what happened to a shortlist's candidate, if it still stands where it was shown.

    Args:
        shown_at: the outcome the planner saw (its code, "" for none).
    Raises:
        OutcomeChanged: someone recorded another outcome meanwhile; nothing is written.
        roster.policy.transitions.TransitionRefused: the machine refuses the change.
    """
    if entry.expert_id is None:
        raise Refused.at("", N_("This candidate is no longer on the roster."))
    expert = session.get(Expert, entry.expert_id)
    session.execute(select(MissionRole.id).where(MissionRole.id == role.id).with_for_update())
    current = current_outcome(session=session, role_id=role.id, expert_id=expert.id)
    if (current.value if current else "") != (shown_at or ""):
        raise OutcomeChanged(
            Message(
                N_(
                    "Someone else recorded “%(outcome)s” for this candidate first. "
                    "Nothing you entered was lost: check it and record again."
                ),
                {"outcome": Message(OUTCOME_WORDS[current]) if current else ""},
            )
        )
    return record_outcome(
        session=session,
        role=role,
        expert=expert,
        to=to,
        by=by,
        reason=reason,
        rating=rating,
        shortlist_entry=entry,
    )


OUTCOME_WORDS: dict[CandidateOutcome, str] = {
    CO.SHORTLISTED: N_("shortlisted"),
    CO.CONTACTED: N_("contacted"),
    CO.AVAILABLE: N_("available"),
    CO.UNAVAILABLE: N_("unavailable"),
    CO.NO_RESPONSE: N_("no response"),
    CO.PROPOSED: N_("proposed"),
    CO.SELECTED: N_("selected"),
    CO.NOT_SELECTED: N_("not selected"),
    CO.DEPLOYED: N_("deployed"),
    CO.COMPLETED: N_("completed"),
    CO.WITHDRAWN: N_("withdrawn"),
}


def reveal(*, session: Session, role: MissionRole, entry: ShortlistEntry, by: User) -> None:
    """Reveal who a candidate of a blind shortlist is, to every planner of the role; audited.

    Revealing one already revealed changes nothing.
    """
    if entry.expert_id is None:
        raise Refused.at("", N_("This candidate is no longer on the roster."))
    known = session.scalar(
        select(CandidateReveal).where(
            CandidateReveal.role_id == role.id, CandidateReveal.expert_id == entry.expert_id
        )
    )
    if known is not None:
        return
    session.add(CandidateReveal(role_id=role.id, expert_id=entry.expert_id, revealed_by_id=by.id))
    session.add(
        AuditEvent(
            actor_id=by.id,
            action="candidate.revealed",
            subject_expert_id=entry.expert_id,
            detail={"needs": role.needs.external_id, "role": role.role_key, "rank": entry.rank},
        )
    )


def record_contact_view(
    *, session: Session, role: MissionRole, expert: Expert, by: User, what: str
) -> None:
    """Audit a planner's look at a selected candidate's contact details or CV.

    Written as staff's views are (``profile.view`` or ``cv.download``, purpose "deployment
    follow-up"), so the expert reads it among the views of their profile.

    Raises:
        Refused: the candidate is not selected (or beyond) for the role.
    """
    outcome = current_outcome(session=session, role_id=role.id, expert_id=expert.id)
    if outcome not in CONTACT_OUTCOMES:
        raise Refused.at(
            "", N_("Contact details and the CV are shown once a candidate is selected.")
        )
    mission = role.needs.title or role.needs.external_id
    session.add(
        AuditEvent(
            actor_id=by.id,
            action="cv.download" if what == "cv" else "profile.view",
            subject_expert_id=expert.id,
            reason=f"{role.title} ({mission})"[:500],
            detail={"purpose": ViewPurpose.DEPLOYMENT_FOLLOW_UP.value},
        )
    )
