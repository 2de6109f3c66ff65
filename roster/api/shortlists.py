"""Shortlists through the API: issue one for a role, read it as issued, act on its candidates.

The same services as the role's page (``roster.missions.shortlists``, ``candidates``) and
the team page (``roster.missions.teams``): a shortlist is issued by the fitted matcher and
kept as issued, its new candidates recorded as shortlisted; its document is the
contract's (``shortlist.schema.json``) as a planner may see it: reasons as the page gives
them (no moves by the gender balance), and on an assessment under blind review a hidden
candidate's ``external_id`` left empty ("Candidate <rank>" on the page).
"""

import re
from datetime import datetime
from typing import Any

from flask import g, request, url_for
from pydantic import BaseModel, Field, create_model
from sqlalchemy import and_, or_, select
from werkzeug.exceptions import Forbidden, NotFound

from matching.messages import TEMPLATES
from matching.scoring import CRITERIA
from roster.accounts.tokens import PLANNERS
from roster.api.kernel import (
    Strict,
    answer,
    api,
    cursor_moment,
    decode_cursor,
    described,
    digits,
    encode_cursor,
    idempotent,
    json_object,
    page_size,
    parse,
    require_match,
)
from roster.api.needs import _utc, needs_etag, needs_or_404
from roster.auth.access import token_required
from roster.db import get_session, writes
from roster.i18n import reason_text, translate
from roster.matchers import current_matcher
from roster.messages import N_, Message
from roster.missions import candidates as on_role
from roster.missions import shortlists as services
from roster.missions import teams
from roster.missions.records import needs_record
from roster.models import (
    CandidateOutcome,
    Expert,
    MissionRole,
    NeedsAssessment,
    Shortlist,
    ShortlistEntry,
)
from roster.refusal import Problem, Refused
from roster.web.files import cv_download

# --- what is taken and answered -----------------------------------------------------------


class WideningIn(Strict):
    """How to ask for the role more loosely than it is written (nothing of the role changes)."""

    partial: bool = False
    lower_languages: list[str] = Field(default_factory=list, max_length=50)
    optional_skills: list[str] = Field(default_factory=list, max_length=50)


WeightsIn = create_model(
    "WeightsIn",
    __base__=Strict,
    __doc__=(
        "The caller's weights for some or all criteria, laid on the roster's weights in use "
        f"for this request only: each a number from 0 to {services.MAX_WEIGHT} (only their "
        "ratios change the order), at least one above 0 once laid on."
    ),
    **{
        name: (
            float | None,
            Field(
                default=None,
                ge=0,
                le=services.MAX_WEIGHT,
                allow_inf_nan=False,
                description=services.CRITERION_HINTS.get(name),
            ),
        )
        for name in CRITERIA
    },
)


class ShortlistIn(WideningIn):
    """A shortlist to issue: widened and weighed for this request if asked (the role is not)."""

    weights: WeightsIn | None = Field(  # type: ignore[valid-type]
        default=None,
        description="Weights for this request; the shortlist keeps and publishes them.",
    )


class NextOutcome(BaseModel):
    """An outcome the caller may record next, and whether it needs a reason."""

    outcome: str
    reason_required: bool


class CandidateView(BaseModel):
    """A candidate of an issued shortlist as the role's page shows them."""

    rank: int
    score: float
    hidden: bool
    erased: bool
    expert: str | None = Field(description="The expert's public id (call-outs take it).")
    external_id: str | None
    full_name: str | None
    outcome: str | None
    call_out: str | None = Field(description="The call-out's public id, if one was sent.")
    call_out_state: str | None
    changed_since: bool
    left_roster: bool
    next_outcomes: list[NextOutcome]


class Candidates(BaseModel):
    """The candidates of a shortlist, in rank order."""

    shortlist: str
    items: list[CandidateView]


class ShortlistSummary(BaseModel):
    """A shortlist as the list of a role's shortlists names it."""

    id: str
    needs: str
    needs_id: str
    role_id: str
    issued_at: str
    eligible_count: int
    candidates: int


class ShortlistPage(BaseModel):
    """A page of shortlists and the cursor of the next, if any."""

    items: list[ShortlistSummary]
    next_cursor: str | None


class OutcomeIn(Strict):
    """A candidate's next outcome, recorded only if the candidacy still stands at ``current``."""

    to: str = Field(max_length=32)
    current: str | None = Field(
        description="The outcome you last saw (null for none): someone else's since is 412."
    )
    reason: str = Field(default="", max_length=2000)
    rating: int | None = None


class Contact(BaseModel):
    """A selected candidate's contact details (the view is audited; the expert sees it)."""

    expert: str
    external_id: str
    full_name: str
    email: str


class Member(BaseModel):
    """A member of the proposed team: never gender, disability or birth year."""

    role_id: str
    rank: int
    score: float
    hidden: bool
    expert: str | None
    external_id: str | None
    full_name: str | None
    nationalities: list[str]


class RoleMembers(BaseModel):
    """A role and its members in the proposed team."""

    role_id: str
    title: str
    positions: int
    members: list[Member]


class Coverage(BaseModel):
    """A host language or accessibility expertise the team should have, and whether it does."""

    kind: str
    code: str | None
    covered: bool


class Family(BaseModel):
    """A constraint family: gender, region, positions, distinct experts, or a coverage."""

    kind: str
    code: str | None


class SwapEffect(BaseModel):
    """What the last swap changed."""

    swap: str
    out: Member | None
    came_in: list[Member]
    left: list[Member]
    score_change: float | None
    women_before: int
    women_after: int
    coverage_lost: list[Family]
    coverage_kept: list[Family]
    feasible_before: bool
    feasible_after: bool


class TeamView(BaseModel):
    """The team the matcher proposes for the whole assessment, and why it is so."""

    needs: str
    status: str
    feasible: bool
    roles: list[RoleMembers]
    total_score: float | None
    unconstrained_total_score: float | None
    balance_cost: float | None
    balance_share: float | None
    women: int
    women_required: int
    gender_target: float
    positions: int
    region_counts: dict[str, int]
    coverage: list[Coverage]
    binding: list[Family]
    infeasible_because: list[Family]
    notes: list[str]
    swaps: list[str]
    effect: SwapEffect | None


# --- reading ------------------------------------------------------------------------------


def said(reason: dict[str, Any]) -> str:
    """A matcher's reason in the request's language; its own sentence where its code is unknown."""
    if reason.get("code") in TEMPLATES:
        return reason_text(reason)
    return str(reason.get("text", ""))


def role_or_404(public_id: str, role_key: str) -> MissionRole:
    """The role ``role_key`` of the assessment at ``public_id``, or 404."""
    role = on_role.role_by_key(session=get_session(), public_id=public_id, role_key=role_key)
    if role is None:
        raise NotFound(translate(Message(N_("There is no such role of a needs assessment."))))
    return role


def shortlist_or_404(shortlist_id: str) -> Shortlist:
    """The shortlist at ``shortlist_id`` (every planner sees every one), or 404."""
    found = on_role.shortlist_by_public_id(session=get_session(), public_id=shortlist_id)
    if found is None:
        raise NotFound(translate(Message(N_("There is no shortlist at this address."))))
    return found


def entry_or_404(shortlist: Shortlist, rank: str) -> ShortlistEntry:
    """The shortlist's entry at ``rank``, or 404."""
    wanted = int(rank) if digits(rank) and len(rank) < 6 else None
    entry = next((e for e in shortlist.entries if e.rank == wanted), None)
    if entry is None:
        raise NotFound(
            translate(Message(N_("There is no candidate at that rank on this shortlist.")))
        )
    return entry


def shortlist_document(shortlist: Shortlist) -> dict[str, Any]:
    """The shortlist as issued, in shortlist.schema.json, as a planner may see it."""
    role = shortlist.role
    found = on_role.issued_candidates(
        session=get_session(), role=role, shortlist=shortlist, viewer=g._login_user, cards=False
    )
    return {
        "id": shortlist.public_id,
        "issued_at": _utc(shortlist.created_at),
        "needs_id": role.needs.external_id,
        "role_id": role.role_key,
        "weights": dict(shortlist.weights),
        "eligible_count": shortlist.eligible_count,
        "candidates": [
            {
                "external_id": "" if c.hidden or c.expert is None else c.expert.external_id,
                "rank": c.rank,
                "score": c.score,
                "criteria": dict(c.criteria),
                "reasons": [said(reason) for reason in c.reasons],
            }
            for c in found
        ],
        "constraints": dict(shortlist.constraints),
    }


def candidate_view(candidate: on_role.Candidate) -> CandidateView:
    """A candidate as the role's page shows them: no name nor id while hidden."""
    shown = candidate.expert if candidate.expert is not None and not candidate.hidden else None
    return CandidateView(
        rank=candidate.rank,
        score=candidate.score,
        hidden=candidate.hidden,
        erased=candidate.erased,
        expert=candidate.expert.public_id if candidate.expert is not None else None,
        external_id=shown.external_id if shown else None,
        full_name=shown.full_name if shown else None,
        outcome=candidate.outcome.value if candidate.outcome else None,
        call_out=candidate.call_out.public_id if candidate.call_out else None,
        call_out_state=on_role.call_out_state(candidate.call_out),
        changed_since=candidate.changed_since,
        left_roster=candidate.left_roster,
        next_outcomes=[
            NextOutcome(outcome=outcome.value, reason_required=required)
            for outcome, required in candidate.next_outcomes
        ],
    )


def _candidates(shortlist: Shortlist) -> list[on_role.Candidate]:
    return on_role.issued_candidates(
        session=get_session(),
        role=shortlist.role,
        shortlist=shortlist,
        viewer=g._login_user,
        cards=False,
    )


def _candidate(shortlist: Shortlist, rank: int) -> dict[str, Any]:
    found = next(c for c in _candidates(shortlist) if c.rank == rank)
    return candidate_view(found).model_dump(mode="json")


# --- issuing and reading shortlists --------------------------------------------------------


def _asked() -> tuple[services.Widening, dict[str, float] | None]:
    """The body's widening and weights; no body at all is neither."""
    if not request.get_data(cache=True) and not request.mimetype:
        return services.Widening(), None
    asked = parse(ShortlistIn, json_object())
    widening = services.Widening(
        partial=asked.partial,
        lower_languages=tuple(asked.lower_languages),
        optional_skills=tuple(asked.optional_skills),
    )
    weights = asked.weights.model_dump(exclude_none=True) if asked.weights else None
    return widening, weights


@api.post("/needs/<public_id>/roles/<role_key>/shortlists")
@api.doc(tags=["Shortlists"])
@token_required("shortlists:write", *PLANNERS)
@described(request=ShortlistIn, responses={201: "shortlist"})
@idempotent
def issue_shortlist(public_id: str, role_key: str):
    """Issue the role's shortlist (widened and weighed if asked): kept as issued, with the
    weights it was ranked with, candidates shortlisted.

    The body may be empty (no widening, the roster's weights). ``weights`` names some or
    all criteria, each from 0 to 10; the others keep the roster's weights in use. Earlier
    shortlists of the role stay.
    """
    role = role_or_404(public_id, role_key)
    widening, weights = _asked()
    shortlist = services.issue_shortlist(
        session=get_session(),
        role=role,
        by=g._login_user,
        fitted=current_matcher(),
        widen=widening,
        weights=weights,
    )
    return answer(
        shortlist_document(shortlist),
        201,
        location=url_for("api.read_shortlist", shortlist_id=shortlist.public_id),
    )


@api.put("/needs/<public_id>/roles/<role_key>/terms")
@api.doc(tags=["Shortlists"])
@token_required("needs:write", *PLANNERS)
@described(request=WideningIn, responses={200: "needs"}, if_match=True, etag=True)
def save_role_terms(public_id: str, role_key: str):
    """Save a widening to the role's own terms, as the role's page does: the assessment is
    saved again (audited), and later shortlists of the role follow the new terms.

    Send the assessment's ETag in If-Match (a stale one changes nothing: 412). A widening
    that asks for nothing, or does not fit the role (a language it does not require), is
    refused (422).
    """
    needs = needs_or_404(public_id)
    role = role_or_404(public_id, role_key)
    require_match(needs_etag(needs))
    asked = parse(WideningIn)
    widening = services.Widening(
        partial=asked.partial,
        lower_languages=tuple(asked.lower_languages),
        optional_skills=tuple(asked.optional_skills),
    )
    if not widening:
        raise Refused(Problem("", Message(N_("Choose how to widen the role first."))))
    needs = services.save_widened_terms(
        session=get_session(), role=role, by=g._login_user, widening=widening, version=needs.version
    )
    return answer(needs_record(needs), etag=needs_etag(needs))


PREVIEW_QUERY = [
    {
        "name": "partial",
        "in": "query",
        "required": False,
        "description": "true: experts available for part of the period count as available.",
        "schema": {"type": "string", "enum": ["true", "false"]},
    },
    {
        "name": "lower",
        "in": "query",
        "required": False,
        "description": "A required language asked for one level lower (repeatable).",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
    },
    {
        "name": "optional",
        "in": "query",
        "required": False,
        "description": "A required expertise area moved to the desired ones (repeatable).",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
    },
    {
        "name": "weights",
        "in": "query",
        "required": False,
        "description": (
            "Weights for this request, as weights[criterion]=number (0 to 10): the criteria "
            "named are laid on the roster's weights in use, at least one must stay above 0."
        ),
        "schema": {
            "type": "object",
            "properties": {
                name: {
                    "type": "number",
                    "minimum": 0,
                    "maximum": services.MAX_WEIGHT,
                    "description": hint,
                }
                for name, hint in services.CRITERION_HINTS.items()
            },
            "additionalProperties": False,
        },
        "style": "deepObject",
        "explode": True,
    },
]
WEIGHT_PARAMETER = re.compile(r"weights\[([^\]]*)\]")


def _query_weights() -> dict[str, Any] | None:
    """The query's ``weights[criterion]`` as numbers (or the text sent, refused by the
    service at ``weights.<criterion>``); None where it names none."""
    found: dict[str, Any] = {}
    for key, text in request.args.items():
        named = WEIGHT_PARAMETER.fullmatch(key)
        if named is None:
            if key == "weights":
                raise Refused(
                    Problem(
                        "weights", Message(N_("Give each weight as weights[criterion]=number."))
                    )
                )
            continue
        try:
            found[named.group(1)] = float(text)
        except ValueError:
            found[named.group(1)] = text
    return found or None


@api.get("/needs/<public_id>/roles/<role_key>/shortlist-preview")
@api.doc(tags=["Shortlists"])
@token_required("needs:read", *PLANNERS)
@described(responses={200: "shortlist"}, query=PREVIEW_QUERY)
def preview_shortlist(public_id: str, role_key: str):
    """The role's shortlist as the roster gives it now (widened and weighed if asked), not issued.

    What the role's page shows before its shortlist is issued: nothing is kept. Issue it
    with the same widening and ``weights`` to keep this order.
    """
    role = role_or_404(public_id, role_key)
    partial = request.args.get("partial", "false")
    if partial not in ("true", "false"):
        raise Refused(Problem("partial", Message(N_("Say true or false."))))
    widening = services.Widening(
        partial=partial == "true",
        lower_languages=tuple(request.args.getlist("lower")),
        optional_skills=tuple(request.args.getlist("optional")),
    )
    weights = _query_weights()
    try:
        matched = services.match_role(
            role=role, fitted=current_matcher(), widening=widening, weights=weights
        )
    except services.WideningInvalid as refusal:
        # The query names them ``lower`` and ``optional``, as the page's form does.
        names = {"lower_languages": "lower", "optional_skills": "optional"}
        raise Refused(
            Problem(names.get(found.path, found.path), found.message) for found in refusal.problems
        ) from None
    found = on_role.preview_candidates(
        session=get_session(), role=role, matched=matched, cards=False
    )
    result = matched.result
    return answer(
        {
            "needs_id": role.needs.external_id,
            "role_id": role.role_key,
            "weights": dict(result["weights"]),
            "eligible_count": matched.eligible_count,
            "candidates": [_entry(c) for c in found],
            "constraints": dict(result["constraints"]),
        }
    )


def _entry(candidate: on_role.Candidate) -> dict[str, Any]:
    """A candidate in shortlist.schema.json as a planner may see them."""
    hidden = candidate.hidden or candidate.expert is None
    return {
        "external_id": "" if hidden else candidate.expert.external_id,
        "rank": candidate.rank,
        "score": candidate.score,
        "criteria": dict(candidate.criteria),
        "reasons": [said(reason) for reason in candidate.reasons],
    }


SHORTLISTS_QUERY = [
    {
        "name": "needs",
        "in": "query",
        "required": True,
        "description": "The needs assessment's public id.",
        "schema": {"type": "string"},
    },
    {
        "name": "role",
        "in": "query",
        "required": False,
        "description": "Only this role's shortlists (its id in the assessment).",
        "schema": {"type": "string"},
    },
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "limit", "in": "query", "required": False, "schema": {"type": "string"}},
]


@api.get("/shortlists")
@api.doc(tags=["Shortlists"])
@token_required("needs:read", *PLANNERS)
@described(responses={200: ShortlistPage}, query=SHORTLISTS_QUERY)
def list_shortlists():
    """A needs assessment's shortlists, the newest first, by pages (``role`` filters)."""
    wanted = request.args.get("needs")
    if not wanted:
        raise Refused(Problem("needs", Message(N_("Name the needs assessment (its public id)."))))
    needs = needs_or_404(wanted)
    limit = page_size()
    position = decode_cursor(request.args.get("cursor"))
    query = (
        select(Shortlist, MissionRole.role_key)
        .join(MissionRole, MissionRole.id == Shortlist.role_id)
        .where(MissionRole.needs_id == needs.id)
    )
    if (role_key := request.args.get("role")) is not None:
        query = query.where(MissionRole.role_key == role_key)
    if position is not None:
        issued, after = _after(position)
        query = query.where(
            or_(
                Shortlist.created_at < issued,
                and_(Shortlist.created_at == issued, Shortlist.public_id < after),
            )
        )
    query = query.order_by(Shortlist.created_at.desc(), Shortlist.public_id.desc())
    rows = get_session().execute(query.limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = None
    if more:
        last = rows[-1][0]
        cursor = encode_cursor({"issued": last.created_at.isoformat(), "after": last.public_id})
    items = [_summary(needs, shortlist, key) for shortlist, key in rows]
    return answer(ShortlistPage(items=items, next_cursor=cursor).model_dump(mode="json"))


def _after(position: dict[str, Any]) -> tuple[datetime, str]:
    try:
        return cursor_moment(position["issued"]), str(position["after"])
    except (KeyError, TypeError, ValueError):
        raise Refused(
            Problem(
                "cursor",
                Message(N_("This cursor was not given by the roster: start from the first page.")),
            )
        ) from None


def _summary(needs: NeedsAssessment, shortlist: Shortlist, role_key: str) -> ShortlistSummary:
    return ShortlistSummary(
        id=shortlist.public_id,
        needs=needs.public_id,
        needs_id=needs.external_id,
        role_id=role_key,
        issued_at=_utc(shortlist.created_at),
        eligible_count=shortlist.eligible_count,
        candidates=len(shortlist.entries),
    )


@api.get("/shortlists/<shortlist_id>")
@api.doc(tags=["Shortlists"])
@token_required("needs:read", *PLANNERS)
@described(responses={200: "shortlist"})
def read_shortlist(shortlist_id: str):
    """A shortlist as it was issued (shortlist.schema.json), as the role's page shows it."""
    return answer(shortlist_document(shortlist_or_404(shortlist_id)))


@api.get("/shortlists/<shortlist_id>/candidates")
@api.doc(tags=["Shortlists"])
@token_required("needs:read", *PLANNERS)
@described(responses={200: Candidates})
def shortlist_candidates(shortlist_id: str):
    """A shortlist's candidates with where each stands now: outcome, call-out, what may follow."""
    shortlist = shortlist_or_404(shortlist_id)
    items = [candidate_view(c) for c in _candidates(shortlist)]
    return answer(Candidates(shortlist=shortlist.public_id, items=items).model_dump(mode="json"))


# --- acting on a candidate ----------------------------------------------------------------

CANDIDATE = "/shortlists/<shortlist_id>/candidates/<rank>"


@api.post(f"{CANDIDATE}/reveal")
@api.doc(tags=["Shortlists"])
@token_required("shortlists:write", *PLANNERS)
@described(responses={200: CandidateView})
def reveal_candidate(shortlist_id: str, rank: str):
    """Reveal who a candidate of a blind shortlist is, to every planner of the role (audited)."""
    shortlist = shortlist_or_404(shortlist_id)
    entry = entry_or_404(shortlist, rank)
    on_role.reveal(session=get_session(), role=shortlist.role, entry=entry, by=g._login_user)
    get_session().flush()
    return answer(_candidate(shortlist, entry.rank))


@api.post(f"{CANDIDATE}/contact")
@api.doc(tags=["Shortlists"])
@token_required("shortlists:write", *PLANNERS)
@described(responses={200: Contact})
def candidate_contact(shortlist_id: str, rank: str):
    """A selected candidate's contact details (audited as a staff view; the expert sees it)."""
    expert = _selected_expert(shortlist_or_404(shortlist_id), rank, "contact")
    return answer(
        Contact(
            expert=expert.public_id,
            external_id=expert.external_id,
            full_name=expert.full_name,
            email=expert.email,
        ).model_dump(mode="json")
    )


def _selected_expert(shortlist: Shortlist, rank: str, what: str) -> Expert:
    """The expert of a selected candidate, their look audited as the role's page does."""
    entry = entry_or_404(shortlist, rank)
    if entry.expert_id is None:
        raise NotFound(translate(Message(N_("This candidate is no longer on the roster."))))
    session = get_session()
    expert = session.get(Expert, entry.expert_id)
    on_role.record_contact_view(
        session=session, role=shortlist.role, expert=expert, by=g._login_user, what=what
    )
    return expert


@api.get(f"{CANDIDATE}/cv")
@api.doc(tags=["Shortlists"])
@token_required("shortlists:write", *PLANNERS)
@described(responses={200: "application/pdf"})
@writes
def candidate_cv(shortlist_id: str, rank: str):
    """A selected candidate's CV as a PDF (audited as a staff download; the expert sees it).

    Only once the candidate is selected (or beyond) for the role, as on the role's page:
    before, 403 (a problem saying so) and nothing recorded. No CV on the profile: 404,
    nothing recorded. The scope is that of the contact details, which the same rule opens.
    """
    shortlist = shortlist_or_404(shortlist_id)
    try:
        expert = _selected_expert(shortlist, rank, "cv")
    except Refused as refusal:  # the role's page's answer: 403, with the rule's words
        raise Forbidden(translate(refusal.problems[0].message)) from None
    return cv_download(expert)


@api.post(f"{CANDIDATE}/outcome")
@api.doc(tags=["Shortlists"])
@token_required("shortlists:write", *PLANNERS)
@described(request=OutcomeIn, responses={200: CandidateView})
def record_outcome(shortlist_id: str, rank: str):
    """Record a candidate's next outcome through the candidacy's rules, as the role's page does.

    ``current`` is the outcome you last saw: if someone recorded another since, nothing is
    written (412). A refused change is 422 with the field to correct (``to``, ``reason``,
    ``rating``).
    """
    shortlist = shortlist_or_404(shortlist_id)
    entry = entry_or_404(shortlist, rank)
    asked = parse(OutcomeIn)
    if asked.current is not None and asked.current not in {o.value for o in CandidateOutcome}:
        raise Refused(Problem("current", Message(N_("This is not an outcome of a candidacy."))))
    on_role.record_candidate_outcome(
        session=get_session(),
        role=shortlist.role,
        entry=entry,
        by=g._login_user,
        to=asked.to,
        shown_at=asked.current or "",
        reason=asked.reason,
        rating=asked.rating,
    )
    get_session().flush()
    return answer(_candidate(shortlist, entry.rank))


# --- the team -------------------------------------------------------------------------------

TEAM_QUERY = [
    {
        "name": "swap",
        "in": "query",
        "required": False,
        "description": "A member taken out of a role's pool, as role:expert (repeatable).",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
    }
]


def _member(member: teams.Member) -> Member:
    return Member(
        role_id=member.role_key,
        rank=member.rank,
        score=member.score,
        hidden=member.hidden,
        expert=member.public_id,
        external_id=None if member.hidden else member.external_id,
        full_name=member.name,
        nationalities=list(member.nationalities),
    )


def _family(family: teams.Family) -> Family:
    return Family(kind=family.kind, code=family.code)


def _effect(effect: teams.SwapEffect | None) -> SwapEffect | None:
    if effect is None:
        return None
    return SwapEffect(
        swap=effect.swap.token,
        out=_member(effect.out) if effect.out else None,
        came_in=[_member(m) for m in effect.came_in],
        left=[_member(m) for m in effect.left],
        score_change=effect.score_change,
        women_before=effect.women_before,
        women_after=effect.women_after,
        coverage_lost=[_family(f) for f in effect.coverage_lost],
        coverage_kept=[_family(f) for f in effect.coverage_kept],
        feasible_before=effect.feasible_before,
        feasible_after=effect.feasible_after,
    )


@api.get("/needs/<public_id>/team")
@api.doc(tags=["Shortlists"])
@token_required("needs:read", *PLANNERS)
@described(responses={200: TeamView}, query=TEAM_QUERY)
def proposed_team(public_id: str):
    """The team the roster proposes for the whole assessment, as the team page computes it.

    Each ``swap`` takes a member out of a role's pool (nothing is stored); ``effect`` says
    what the last one changed.
    """
    needs = needs_or_404(public_id)
    swaps = teams.parse_swaps(request.args.getlist("swap"))
    fitted = current_matcher()
    team, effect = teams.team_with_effect(
        session=get_session(),
        needs=needs,
        matcher=fitted.matcher,
        revision=fitted.revision,
        swaps=swaps,
    )
    return answer(
        TeamView(
            needs=needs.public_id,
            status=team.status,
            feasible=team.feasible,
            roles=[
                RoleMembers(
                    role_id=role.key,
                    title=role.title,
                    positions=role.positions,
                    members=[_member(m) for m in role.members],
                )
                for role in team.roles
            ],
            total_score=team.total_score,
            unconstrained_total_score=team.unconstrained_total_score,
            balance_cost=team.balance_cost,
            balance_share=team.balance_share,
            women=team.women,
            women_required=team.women_required,
            gender_target=team.gender_target,
            positions=team.positions,
            region_counts=dict(team.region_counts),
            coverage=[
                Coverage(kind=c.family.kind, code=c.family.code, covered=c.covered)
                for c in team.coverage
            ],
            binding=[_family(f) for f in team.binding],
            infeasible_because=[_family(f) for f in team.infeasible_because],
            notes=[said(note) for note in team.note_codes],
            swaps=[swap.token for swap in team.swaps],
            effect=_effect(effect),
        ).model_dump(mode="json")
    )
