"""Roster-status decisions through the API: one expert's, or a search's result at once.

The vetting page's and the search page's services: ``roster.recruiting.vetting.decide``
for one expert (the status machine, which writes the history the expert reads, audits the
change and mails the expert), ``roster.recruiting.bulk`` for a search's result (a plan
shown first, then applied only if the result is still the one planned).
"""

from datetime import datetime
from typing import Literal

from flask import g
from pydantic import BaseModel, Field

from roster.api.experts import (
    SEARCH_QUERY,
    STAFF,
    STATUS_CODES,
    TAG,
    expert_etag,
    expert_or_404,
    moment,
    only_parameters,
    search_criteria,
)
from roster.api.kernel import Strict, answer, api, described, etag_of, parse, require_match
from roster.auth.access import token_required
from roster.db import get_session
from roster.i18n import translate
from roster.messages import Message
from roster.models import RosterStatus
from roster.policy.roster_status import ROSTER_STATUSES
from roster.recruiting import bulk, vetting

StatusCode = Literal[STATUS_CODES]  # type: ignore[valid-type]


class StatusDecision(Strict):
    """A decision on an expert's roster status, as the vetting page's form takes it."""

    to: StatusCode
    reason: str = Field(default="", max_length=ROSTER_STATUSES.max_reason)


class StatusChange(BaseModel):
    """A change of roster status as the expert's history keeps it."""

    public_id: str
    from_status: str | None
    to_status: str
    reason: str
    changed_at: datetime


@api.post("/experts/<public_id>/status")
@api.doc(tags=[TAG])
@token_required("roster:write", *STAFF)
@described(request=StatusDecision, responses={200: StatusChange}, if_match=True)
def decide_status(public_id: str):
    """Decide on an expert's roster status, through the status machine; the expert is mailed.

    The machine says which changes are open to the caller and which need a reason (the
    expert reads it in their history and in the mail). If-Match names the ETag of the
    expert as last read; a decision on a profile changed since gets 412 and changes
    nothing.
    """
    only_parameters(())
    session = get_session()
    expert = expert_or_404(session, public_id)
    decision = parse(StatusDecision)
    require_match(expert_etag(expert))
    change = vetting.decide(
        session=session,
        expert=expert,
        to=decision.to,
        by=g._login_user,
        reason=decision.reason,
        version=expert.version,
    )
    made = StatusChange(
        public_id=expert.public_id,
        from_status=change.from_status.value if change.from_status else None,
        to_status=RosterStatus(change.to_status).value,
        reason=change.reason or "",
        changed_at=moment(change.changed_at),
    )
    return answer(made.model_dump(mode="json"), etag=expert_etag(expert))


class OpenDecision(BaseModel):
    """A decision open to the caller on the expert's current status, as the vetting page
    offers it: where to, in words, and whether a reason must be given."""

    to: str
    words: str
    reason_required: bool


class OpenDecisions(BaseModel):
    """The expert's current status and the decisions open to the caller on it."""

    roster_status: str
    items: list[OpenDecision]


@api.get("/experts/<public_id>/status")
@api.doc(tags=[TAG])
@token_required("roster:read", *STAFF)
@described(responses={200: OpenDecisions}, etag=True)
def open_decisions(public_id: str):
    """The expert's roster status and the decisions the status machine offers the caller.

    As the vetting page's decision form lists them; an administrator is offered more
    than a recruiter. No profile is shown, so no purpose is asked. The ETag is the
    expert's, for If-Match on `POST /experts/{public_id}/status`.
    """
    only_parameters(())
    expert = expert_or_404(get_session(), public_id)
    offered = vetting.decisions_for(expert=expert, user=g._login_user)
    shown = OpenDecisions(
        roster_status=RosterStatus(expert.roster_status).value,
        items=[
            OpenDecision(
                to=decision.to.value,
                words=translate(Message(decision.words)),
                reason_required=decision.reason_required,
            )
            for decision in offered
        ],
    )
    return answer(shown.model_dump(mode="json"), etag=expert_etag(expert))


class BulkStatusPlanRequest(Strict):
    """A status for a search's experts (the search in the address): all, or those listed."""

    to: StatusCode
    experts: list[str] | None = Field(default=None, max_length=bulk.MAX_BULK)


class BulkStatusRequest(BulkStatusPlanRequest):
    """The change planned, with its one reason (each expert reads it)."""

    reason: str = Field(default="", max_length=ROSTER_STATUSES.max_reason)


class BulkGroupOut(BaseModel):
    """The experts of one current status; ``refusal`` says why they cannot move, if not."""

    from_status: str
    count: int
    names: list[str]
    refusal: str | None = None


class BulkPlanOut(BaseModel):
    """What a bulk change would do: who moves, who cannot and why. Nothing is written."""

    to: str
    will_move: int
    cannot_move: int
    movable: list[BulkGroupOut]
    blocked: list[BulkGroupOut]


class SkippedExpert(BaseModel):
    """An expert the bulk change skipped, and why."""

    full_name: str
    refusal: str


class BulkOutcomeOut(BaseModel):
    """What a bulk change did."""

    to: str
    moved: int
    skipped: list[SkippedExpert]


def _plan_etag(plan: bulk.BulkPlan) -> str:
    return etag_of("status-plan", plan.fingerprint, plan.to.value)


def _group(group: bulk.BulkGroup) -> BulkGroupOut:
    return BulkGroupOut(
        from_status=group.from_status.value,
        count=group.count,
        names=list(group.names),
        refusal=translate(group.refusal) if group.refusal is not None else None,
    )


def _planned(wanted: BulkStatusPlanRequest) -> bulk.BulkPlan:
    return bulk.plan_status_change(
        session=get_session(),
        criteria=search_criteria(),
        chosen=wanted.experts,
        to=wanted.to,
        by=g._login_user,
    )


@api.post("/experts/status/plan")
@api.doc(tags=[TAG])
@token_required("roster:write", *STAFF)
@described(
    request=BulkStatusPlanRequest, responses={200: BulkPlanOut}, etag=True, query=SEARCH_QUERY
)
def plan_bulk_status():
    """Show what moving a search's experts to a status would do; nothing is written.

    The search is in the address (the filters of `GET /experts`); `experts` narrows it to
    the public ids listed (the page's ticked rows). At most 1,000 experts at once. The
    ETag names this plan: send it in If-Match to `POST /experts/status`.
    """
    plan = _planned(parse(BulkStatusPlanRequest))
    shown = BulkPlanOut(
        to=plan.to.value,
        will_move=plan.will_move,
        cannot_move=plan.cannot_move,
        movable=[_group(group) for group in plan.movable],
        blocked=[_group(group) for group in plan.blocked],
    )
    return answer(shown.model_dump(mode="json"), etag=_plan_etag(plan))


@api.post("/experts/status")
@api.doc(tags=[TAG])
@token_required("roster:write", *STAFF)
@described(
    request=BulkStatusRequest, responses={200: BulkOutcomeOut}, if_match=True, query=SEARCH_QUERY
)
def apply_bulk_status():
    """Move a search's experts to a status with one reason, each through the status machine.

    If-Match names the plan shown (`POST /experts/status/plan`'s ETag): if the experts
    found or their statuses changed since, 412 and nothing is changed. Experts whose
    change the machine does not allow are skipped and named; each expert moved is mailed.
    """
    wanted = parse(BulkStatusRequest)
    plan = _planned(wanted)
    require_match(_plan_etag(plan))
    outcome = bulk.apply_status_change(
        session=get_session(),
        criteria=search_criteria(),
        chosen=wanted.experts,
        to=wanted.to,
        by=g._login_user,
        reason=wanted.reason,
        fingerprint=plan.fingerprint,
    )
    done = BulkOutcomeOut(
        to=outcome.to.value,
        moved=outcome.moved,
        skipped=[
            SkippedExpert(full_name=name, refusal=translate(refusal))
            for name, refusal in outcome.skipped
        ],
    )
    return answer(done.model_dump(mode="json"))
