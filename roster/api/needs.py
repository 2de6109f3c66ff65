"""Needs assessments through the API: enter, read, list, replace, close and reopen; their roles.

The same services as the planner's pages (``roster.missions.assessments``, ``records``,
``progress``): the record is the contract's (``needs.schema.json``), checked by the
matcher's own validation, its problems at their paths; a role that already has
candidates cannot be dropped; closing is audited. Every planner (and administrator)
sees every needs assessment, as on the pages.
"""

from datetime import UTC, date, datetime
from typing import Any

from flask import g, request, url_for
from pydantic import BaseModel
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from roster.accounts.tokens import PLANNERS
from roster.api.kernel import (
    answer,
    api,
    decode_cursor,
    described,
    digits,
    encode_cursor,
    etag_of,
    idempotent,
    json_object,
    page_size,
    require_match,
)
from roster.auth.access import token_required
from roster.db import get_session
from roster.i18n import translate
from roster.messages import N_, Message
from roster.missions import assessments, progress
from roster.missions.records import NeedsInvalid, checked_needs, needs_record
from roster.models import CallOut, MissionRole, NeedsAssessment, Shortlist
from roster.refusal import Problem, Problems, Refused

KIND = "needs"
STATUSES = (assessments.OPEN, assessments.CLOSED)


# --- what is answered ---------------------------------------------------------------------


class NeedsSummary(BaseModel):
    """A needs assessment as the planners' list shows it."""

    public_id: str
    id: str
    title: str
    country: str
    start: str
    end: str
    status: str
    blind_review: bool
    reminder_days: int
    roles: int
    version: int
    updated_at: str


class NeedsPage(BaseModel):
    """A page of needs assessments and the cursor of the next, if any."""

    items: list[NeedsSummary]
    next_cursor: str | None


class RoleState(BaseModel):
    """A role of an assessment and where its candidates stand (the latest outcome of each)."""

    role_id: str
    title: str
    positions: int
    state: str
    candidates: int
    stages: dict[str, int]
    filled: int
    shortlists: int
    latest_shortlist: str | None
    call_outs: int


class RoleStates(BaseModel):
    """The roles of an assessment, in its order."""

    needs: str
    items: list[RoleState]


def summary(needs: NeedsAssessment) -> dict[str, Any]:
    """The list's view of ``needs``."""
    return NeedsSummary(
        public_id=needs.public_id,
        id=needs.external_id,
        title=needs.title,
        country=needs.country,
        start=needs.start.isoformat(),
        end=needs.end.isoformat(),
        status=needs.status,
        blind_review=needs.blind_review,
        reminder_days=needs.reminder_days,
        roles=len(needs.roles),
        version=needs.version,
        updated_at=_utc(needs.updated_at),
    ).model_dump(mode="json")


def _utc(moment: datetime) -> str:
    """A stored time (UTC; SQLite gives it back without its zone) in ISO 8601."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def needs_etag(needs: NeedsAssessment) -> str:
    """The ETag of the stored version of ``needs``."""
    return etag_of(KIND, needs.public_id, needs.version)


def needs_or_404(public_id: str) -> NeedsAssessment:
    """The assessment at ``public_id`` (every planner sees every one), or 404."""
    needs = assessments.needs_by_public_id(session=get_session(), public_id=public_id[:32])
    if needs is None:
        raise NotFound(translate(Message(N_("There is no needs assessment at this address."))))
    return needs


def needs_location(needs: NeedsAssessment) -> str:
    """The address of ``needs`` in the API."""
    return url_for("api.read_needs", public_id=needs.public_id)


# --- settings the format does not carry, as query parameters ---------------------------------

SETTINGS_QUERY = [
    {
        "name": "blind_review",
        "in": "query",
        "required": False,
        "description": "Shortlists hide who candidates are until a decision (kept if absent).",
        "schema": {"type": "string", "enum": ["true", "false"]},
    },
    {
        "name": "reminder_days",
        "in": "query",
        "required": False,
        "description": "Days before a call-out's reminder, 1 to 30 (kept if absent).",
        "schema": {"type": "string", "pattern": "^[0-9]{1,2}$"},
    },
]


def _settings() -> tuple[bool | None, int | None]:
    """``blind_review`` and ``reminder_days`` from the query (None: keep), refused with paths."""
    problems = Problems()
    blind = request.args.get("blind_review")
    days = request.args.get("reminder_days")
    if blind is not None and blind not in ("true", "false"):
        problems.add("blind_review", N_("Say true or false."))
    if days is not None and not (digits(days) and len(days) <= 2):
        low, high = assessments.REMINDER_DAYS
        problems.add(
            "reminder_days",
            N_("The reminder is sent from %(low)s to %(high)s days after a call-out."),
            low=low,
            high=high,
        )
    problems.raise_if_any()
    return (
        None if blind is None else blind == "true",
        None if days is None else int(days),
    )


# --- operations ----------------------------------------------------------------------------


@api.post("/needs")
@api.doc(tags=["Needs"])
@token_required("needs:write", *PLANNERS)
@described(request="needs", responses={201: "needs"}, etag=True, query=SETTINGS_QUERY)
@idempotent
def create_needs():
    """Enter a needs assessment (needs.schema.json), checked as the upload and the form are.

    An assessment with the same id already stored is refused at ``id``: change it with
    PUT on its address. Names are read as codes as the upload reads them.
    """
    blind, days = _settings()
    record, _notes = checked_needs(json_object())
    session = get_session()
    if session.scalar(
        select(NeedsAssessment.id).where(NeedsAssessment.external_id == record["id"])
    ):
        # Saved over, it would replace the stored one unseen: that is PUT, with If-Match.
        raise NeedsInvalid.at(
            "id",
            N_("Another needs assessment has the id %(id)s: change it at its own address."),
            id=record["id"],
        )
    needs, _notes = assessments.save_assessment(
        session=session,
        record=record,
        by=g._login_user,
        blind_review=blind,
        reminder_days=days,
    )
    return answer(needs_record(needs), 201, etag=needs_etag(needs), location=needs_location(needs))


LIST_QUERY = [
    {
        "name": "status",
        "in": "query",
        "required": False,
        "description": "open (in progress) or closed; both when absent.",
        "schema": {"type": "string", "enum": list(STATUSES)},
    },
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "limit", "in": "query", "required": False, "schema": {"type": "string"}},
]


@api.get("/needs")
@api.doc(tags=["Needs"])
@token_required("needs:read", *PLANNERS)
@described(responses={200: NeedsPage}, query=LIST_QUERY)
def list_needs():
    """The needs assessments, the soonest to start first, by pages (``status`` filters)."""
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        raise Refused(Problem("status", Message(N_("The status is open or closed."))))
    limit = page_size()
    position = decode_cursor(request.args.get("cursor"))
    query = select(NeedsAssessment).options(selectinload(NeedsAssessment.roles))
    if status == assessments.OPEN:
        query = query.where(NeedsAssessment.status == assessments.OPEN)
    elif status == assessments.CLOSED:
        query = query.where(NeedsAssessment.status != assessments.OPEN)
    if position is not None:
        start, after = _position(position)
        query = query.where(
            or_(
                NeedsAssessment.start > start,
                and_(NeedsAssessment.start == start, NeedsAssessment.public_id > after),
            )
        )
    query = query.order_by(NeedsAssessment.start, NeedsAssessment.public_id).limit(limit + 1)
    found = list(get_session().scalars(query))
    more = len(found) > limit
    found = found[:limit]
    cursor = (
        encode_cursor({"start": found[-1].start.isoformat(), "after": found[-1].public_id})
        if more
        else None
    )
    return answer(
        NeedsPage(items=[summary(n) for n in found], next_cursor=cursor).model_dump(mode="json")
    )


def _position(position: dict[str, Any]) -> tuple[date, str]:
    try:
        return date.fromisoformat(position["start"]), str(position["after"])
    except (KeyError, TypeError, ValueError):
        raise Refused(
            Problem(
                "cursor",
                Message(N_("This cursor was not given by the roster: start from the first page.")),
            )
        ) from None


@api.get("/needs/<public_id>")
@api.doc(tags=["Needs"])
@token_required("needs:read", *PLANNERS)
@described(responses={200: "needs"}, etag=True)
def read_needs(public_id: str):
    """One needs assessment as needs.schema.json has it, with its version's ETag."""
    needs = needs_or_404(public_id)
    return answer(needs_record(needs), etag=needs_etag(needs))


@api.put("/needs/<public_id>")
@api.doc(tags=["Needs"])
@token_required("needs:write", *PLANNERS)
@described(
    request="needs", responses={200: "needs"}, if_match=True, etag=True, query=SETTINGS_QUERY
)
def replace_needs(public_id: str):
    """Replace a needs assessment, as its form does: a role with candidates cannot be dropped.

    Send the ETag of your last read in If-Match; a stale one changes nothing (412).
    """
    needs = needs_or_404(public_id)
    require_match(needs_etag(needs))
    record = json_object()
    blind, days = _settings()
    needs, _notes = assessments.save_assessment(
        session=get_session(),
        record=record,
        by=g._login_user,
        needs=needs,
        version=needs.version,
        blind_review=blind,
        reminder_days=days,
    )
    return answer(needs_record(needs), etag=needs_etag(needs))


def _set_status(public_id: str, status: str):
    needs = needs_or_404(public_id)
    require_match(needs_etag(needs))
    assessments.set_status(session=get_session(), needs=needs, status=status, by=g._login_user)
    return answer(summary(needs), etag=needs_etag(needs))


@api.post("/needs/<public_id>/close")
@api.doc(tags=["Needs"])
@token_required("needs:write", *PLANNERS)
@described(responses={200: NeedsSummary}, if_match=True, etag=True)
def close_needs(public_id: str):
    """Close a needs assessment (audited; unfilled roles go to the unmet-demand log)."""
    return _set_status(public_id, assessments.CLOSED)


@api.post("/needs/<public_id>/reopen")
@api.doc(tags=["Needs"])
@token_required("needs:write", *PLANNERS)
@described(responses={200: NeedsSummary}, if_match=True, etag=True)
def reopen_needs(public_id: str):
    """Reopen a closed needs assessment (audited)."""
    return _set_status(public_id, assessments.OPEN)


@api.get("/needs/<public_id>/roles")
@api.doc(tags=["Needs"])
@token_required("needs:read", *PLANNERS)
@described(responses={200: RoleStates})
def needs_roles(public_id: str):
    """The assessment's roles and where each stands: shortlisted, called out, filled."""
    needs = needs_or_404(public_id)
    session = get_session()
    ids = [role.id for role in needs.roles]
    counted = progress.role_progress(session=session, role_ids=ids)
    shortlists: dict[int, list[str]] = {}
    call_outs: dict[int, int] = {}
    if ids:
        for role_id, shortlist_id in session.execute(
            select(Shortlist.role_id, Shortlist.public_id)
            .where(Shortlist.role_id.in_(ids))
            .order_by(Shortlist.created_at.desc(), Shortlist.id.desc())
        ):
            shortlists.setdefault(role_id, []).append(shortlist_id)
        call_outs = dict(
            session.execute(
                select(CallOut.role_id, func.count())
                .where(CallOut.role_id.in_(ids))
                .group_by(CallOut.role_id)
            ).all()
        )
    items = [
        _role_state(role, counted[role.id], shortlists.get(role.id, []), call_outs.get(role.id, 0))
        for role in needs.roles
    ]
    return answer(RoleStates(needs=needs.public_id, items=items).model_dump(mode="json"))


def _role_state(
    role: MissionRole, found: progress.Progress, shortlists: list[str], call_outs: int
) -> RoleState:
    filled = found.stages["selected"] + found.stages["deployed"]
    if filled >= role.positions:
        state = "filled"
    elif call_outs:
        state = "called_out"
    elif shortlists:
        state = "shortlisted"
    else:
        state = "open"
    return RoleState(
        role_id=role.role_key,
        title=role.title,
        positions=role.positions,
        state=state,
        candidates=found.candidates,
        stages=dict(found.stages),
        filled=filled,
        shortlists=len(shortlists),
        latest_shortlist=shortlists[0] if shortlists else None,
        call_outs=call_outs,
    )
