"""Candidates' outcomes and call-outs through the API.

Outcomes come in as ``decisions.schema.json`` records and go through the candidacy's
state machine (``roster.policy.candidacy.record_outcome``), as the role page's outcome
form does: all of a request's records, or none. A record whose candidacy already stands
at its outcome changes nothing, so a request sent twice records once. They go out as
``flask roster decisions export`` writes them. Call-outs are sent and withdrawn through
``roster.missions.callouts``; their mails wait in the outbox until the request commits.
"""

import json
from contextlib import closing
from functools import cache
from typing import Any

from flask import current_app, g, request
from jsonschema import Draft202012Validator
from pydantic import BaseModel, Field
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from roster.accounts.tokens import PLANNERS
from roster.api.kernel import (
    Strict,
    answer,
    api,
    decode_cursor,
    described,
    encode_cursor,
    idempotent,
    json_body,
    page_size,
    parse,
)
from roster.api.needs import _utc, needs_or_404
from roster.api.shortlists import role_or_404
from roster.api.spec import CONTRACT
from roster.auth.access import token_required
from roster.db import get_session
from roster.i18n import translate
from roster.messages import N_, Message
from roster.missions import callouts
from roster.missions.candidates import BEYOND_SHORTLISTED, call_out_state
from roster.missions.decisions import decision_records
from roster.models import (
    CallOut,
    CandidateReveal,
    Expert,
    MissionRole,
    NeedsAssessment,
    Shortlist,
    ShortlistEntry,
)
from roster.policy.candidacy import current_outcome
from roster.policy.candidacy import record_outcome as move_candidacy
from roster.policy.transitions import TransitionRefused
from roster.refusal import Problem, Problems, Refused, join_path

MOST_RECORDS = 500
DECISION = {"$ref": "#/components/schemas/Decisions"}
DECISIONS_IN = {
    "description": "One decisions.schema.json record, or a list of them (at most 500).",
    "oneOf": [
        DECISION,
        {"type": "array", "items": DECISION, "minItems": 1, "maxItems": MOST_RECORDS},
    ],
}
DECISIONS_OUT = {
    "type": "object",
    "required": ["recorded", "unchanged", "items"],
    "properties": {
        "recorded": {"type": "integer", "minimum": 0},
        "unchanged": {"type": "integer", "minimum": 0},
        "items": {"type": "array", "items": DECISION},
    },
}
DECISIONS_PAGE = {
    "type": "object",
    "required": ["items", "next_cursor"],
    "properties": {
        "items": {"type": "array", "items": DECISION},
        "next_cursor": {"type": ["string", "null"]},
    },
}
# What a refusal of the state machine names, in the record's terms.
FIELDS = {"to": "outcome", "shortlist_entry": "rank", "reason": "reason", "rating": "rating"}


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads((CONTRACT / "decisions.schema.json").read_text())
    return Draft202012Validator(schema)


def _schema_problems(record: Any, path: str) -> list[Problem]:
    found = []
    for error in sorted(_validator().iter_errors(record), key=lambda e: list(e.absolute_path)):
        where = path
        for part in error.absolute_path:
            where = join_path(where, part)
        if error.validator == "additionalProperties":
            extra = sorted(set(record) - set(_validator().schema["properties"]))
            for name in extra:
                found.append(
                    Problem(join_path(path, name), Message(N_("This field is not known here.")))
                )
            continue
        found.append(Problem(where, Message(N_("%(error)s"), {"error": error.message})))
    if isinstance(record, dict) and "decided_at" in record:
        found.append(
            Problem(
                join_path(path, "decided_at"),
                Message(N_("The roster keeps the time a decision is recorded: leave it out.")),
            )
        )
    return found


# --- recording outcomes -------------------------------------------------------------------


def _entry(session, role: MissionRole, expert: Expert, rank: int | None) -> ShortlistEntry | None:
    """The expert's entry on the role's shortlists: at ``rank`` if given, else the newest."""
    query = (
        select(ShortlistEntry)
        .join(Shortlist, ShortlistEntry.shortlist_id == Shortlist.id)
        .where(Shortlist.role_id == role.id, ShortlistEntry.expert_id == expert.id)
        .order_by(Shortlist.created_at.desc(), Shortlist.id.desc())
    )
    if rank is not None:
        query = query.where(ShortlistEntry.rank == rank)
    return session.scalars(query.limit(1)).first()


def _record_one(session, record: dict[str, Any], path: str, problems: Problems) -> str | None:
    """Move one candidacy as ``record`` says: "recorded", "unchanged", or None (refused)."""
    needs = session.scalar(
        select(NeedsAssessment).where(NeedsAssessment.external_id == record["needs_id"])
    )
    if needs is None:
        problems.add(join_path(path, "needs_id"), N_("There is no needs assessment with this id."))
        return None
    role = next((r for r in needs.roles if r.role_key == record["role_id"]), None)
    if role is None:
        problems.add(
            join_path(path, "role_id"), N_("The needs assessment has no role with this id.")
        )
        return None
    expert = session.scalar(select(Expert).where(Expert.external_id == record["external_id"]))
    entry = _entry(session, role, expert, record.get("rank")) if expert is not None else None
    if entry is None:
        where = "rank" if expert is not None and "rank" in record else "external_id"
        problems.add(
            join_path(path, where),
            N_("No candidate with this id is on the role's shortlists (at this rank)."),
        )
        return None
    if current_outcome(session=session, role_id=role.id, expert_id=expert.id) == record["outcome"]:
        return "unchanged"
    try:
        move_candidacy(
            session=session,
            role=role,
            expert=expert,
            to=record["outcome"],
            by=g._login_user,
            reason=record.get("reason", ""),
            rating=record.get("rating"),
            shortlist_entry=entry,
        )
    except TransitionRefused as refused:
        where = join_path(path, FIELDS.get(refused.field, refused.field))
        problems.extend(Refused(Problem(where, refused.message)))
        return None
    session.flush()
    return "recorded"


@api.post("/decisions")
@api.doc(tags=["Decisions"])
@token_required("shortlists:write", *PLANNERS)
@described(request=DECISIONS_IN, responses={200: DECISIONS_OUT})
@idempotent
def record_decisions():
    """Record candidates' outcomes (decisions.schema.json), all or none, through their rules.

    Each record moves one candidacy (a candidate on one of the role's shortlists) to its
    ``outcome``, as the role page's form does, with the ``reason`` the rules ask for and
    a ``rating`` for a completed deployment; ``rank`` names the shortlist entry. A
    candidacy already at its outcome is left as it is. A refused change is 422 at its
    record's path (``[2].outcome``) and nothing is written. The answer holds each
    candidacy's record as it now stands.
    """
    document = json_body()
    many = isinstance(document, list)
    records = document if many else [document]
    problems = Problems()
    if many and not 1 <= len(records) <= MOST_RECORDS:
        problems.add("", N_("Send from 1 to %(most)s records."), most=MOST_RECORDS)
    for index, record in enumerate(records):
        if found := _schema_problems(record, f"[{index}]" if many else ""):
            problems.extend(Refused(found))
    problems.raise_if_any()
    session = get_session()
    counted = {"recorded": 0, "unchanged": 0}
    for index, record in enumerate(records):
        done = _record_one(session, record, f"[{index}]" if many else "", problems)
        if done:
            counted[done] += 1
    problems.raise_if_any()
    touched = {(r["needs_id"], r["role_id"], r["external_id"]) for r in records}
    shown = _shown_to_planners(session, {r["needs_id"] for r in records})
    items = [
        found
        for needs_id in sorted({r["needs_id"] for r in records})
        for found in decision_records(session, needs_id=needs_id)
        if (found["needs_id"], found["role_id"], found["external_id"]) in touched and shown(found)
    ]
    return answer({**counted, "items": items})


def _shown_to_planners(session, needs_ids: set[str]):
    """A test of records: False for a candidate a blind review still hides.

    Under blind review the role's page names a shortlisted candidate only once revealed
    (``CandidateReveal``, audited) or moved on past shortlisted; the API names no more.
    """
    blind = set(
        session.scalars(
            select(NeedsAssessment.external_id).where(
                NeedsAssessment.external_id.in_(needs_ids), NeedsAssessment.blind_review
            )
        )
    )
    if not blind:
        return lambda record: True
    revealed = {
        tuple(row)
        for row in session.execute(
            select(NeedsAssessment.external_id, MissionRole.role_key, Expert.external_id)
            .select_from(CandidateReveal)
            .join(MissionRole, MissionRole.id == CandidateReveal.role_id)
            .join(NeedsAssessment, NeedsAssessment.id == MissionRole.needs_id)
            .join(Expert, Expert.id == CandidateReveal.expert_id)
            .where(NeedsAssessment.external_id.in_(blind))
        )
    }
    beyond = {str(outcome) for outcome in BEYOND_SHORTLISTED}

    def shown(record: dict[str, Any]) -> bool:
        key = (record["needs_id"], record["role_id"], record["external_id"])
        return record["needs_id"] not in blind or record["outcome"] in beyond or key in revealed

    return shown


DECISIONS_QUERY = [
    {
        "name": "needs",
        "in": "query",
        "required": True,
        "description": "The needs assessment's public id.",
        "schema": {"type": "string"},
    },
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "limit", "in": "query", "required": False, "schema": {"type": "string"}},
]


@api.get("/decisions")
@api.doc(tags=["Decisions"])
@token_required("needs:read", *PLANNERS)
@described(responses={200: DECISIONS_PAGE}, query=DECISIONS_QUERY)
def export_decisions():
    """A needs assessment's candidacies as ``roster decisions export`` writes them, by pages.

    Under blind review, a shortlisted candidate not yet revealed is left out, as the role's
    page names them only "Candidate <rank>".
    """
    wanted = request.args.get("needs")
    if not wanted:
        raise Refused(Problem("needs", Message(N_("Name the needs assessment (its public id)."))))
    needs = needs_or_404(wanted)
    limit = page_size()
    position = decode_cursor(request.args.get("cursor"))
    order = {role.role_key: index for index, role in enumerate(needs.roles)}
    after = None
    if position is not None:
        try:
            after = (int(position["role"]), str(position["expert"]))
        except (KeyError, TypeError, ValueError):
            raise Refused(
                Problem(
                    "cursor",
                    Message(
                        N_("This cursor was not given by the roster: start from the first page.")
                    ),
                )
            ) from None
    items: list[dict[str, Any]] = []
    more = False
    shown = _shown_to_planners(get_session(), {needs.external_id})
    with closing(decision_records(get_session(), needs_id=needs.external_id)) as records:
        for found in records:
            key = (order.get(found["role_id"], -1), found["external_id"])
            if not shown(found) or (after is not None and key <= after):
                continue
            if len(items) == limit:
                more = True
                break
            items.append(found)
    cursor = None
    if more:
        last = items[-1]
        cursor = encode_cursor({"role": order[last["role_id"]], "expert": last["external_id"]})
    return answer({"items": items, "next_cursor": cursor})


# --- call-outs ------------------------------------------------------------------------------


class CallOutIn(Strict):
    """The candidates to call out, by their experts' public ids (as the shortlist gives them)."""

    candidates: list[str] = Field(min_length=1, max_length=200)


class CallOutView(BaseModel):
    """A call-out: whom it asked, and where it stands."""

    id: str
    needs: str
    role_id: str
    expert: str | None
    state: str | None
    sent_at: str
    expires_at: str
    reminded_at: str | None
    answered_at: str | None
    answer: str | None
    withdrawn_at: str | None


class CallOuts(BaseModel):
    """The call-outs made."""

    items: list[CallOutView]


def call_out_view(made: CallOut, role: MissionRole, expert: Expert | None) -> CallOutView:
    """A call-out as the API shows it."""
    return CallOutView(
        id=made.public_id,
        needs=role.needs.public_id,
        role_id=role.role_key,
        expert=expert.public_id if expert is not None else None,
        state=call_out_state(made),
        sent_at=_utc(made.sent_at),
        expires_at=_utc(made.expires_at),
        reminded_at=_utc(made.reminded_at) if made.reminded_at else None,
        answered_at=_utc(made.answered_at) if made.answered_at else None,
        answer=made.answer,
        withdrawn_at=_utc(made.withdrawn_at) if made.withdrawn_at else None,
    )


@api.post("/needs/<public_id>/roles/<role_key>/call-outs")
@api.doc(tags=["Decisions"])
@token_required("shortlists:write", *PLANNERS)
@described(request=CallOutIn, responses={201: CallOuts})
@idempotent
def send_call_outs(public_id: str, role_key: str):
    """Call out shortlisted candidates: all or none; each gets a mail once this commits.

    Each candidacy moves to ``contacted``; a candidate not shortlisted, or called out
    before, is refused at ``candidates[i]``.
    """
    role = role_or_404(public_id, role_key)
    asked = parse(CallOutIn)
    session = get_session()
    experts = callouts.experts_by_public_id(session=session, public_ids=asked.candidates)
    made = callouts.call_out(
        session=session,
        role=role,
        experts=experts,
        by=g._login_user,
        links=callouts.reply_links(current_app.config),
    )
    session.flush()
    by_id = {expert.id: expert for expert in experts}
    items = [call_out_view(one, role, by_id.get(one.expert_id)) for one in made]
    return answer(CallOuts(items=items).model_dump(mode="json"), 201)


@api.post("/call-outs/<callout_id>/withdraw")
@api.doc(tags=["Decisions"])
@token_required("shortlists:write", *PLANNERS)
@described(responses={200: CallOutView})
def withdraw_call_out(callout_id: str):
    """Withdraw an unanswered call-out: its links stop working (audited)."""
    session = get_session()
    found = callouts.call_out_by_public_id(session=session, public_id=callout_id[:32])
    if found is None:
        raise NotFound(translate(Message(N_("There is no call-out at this address."))))
    callouts.withdraw_call_out(session=session, call_out=found, by=g._login_user)
    session.flush()
    role = session.get(MissionRole, found.role_id)
    expert = session.get(Expert, found.expert_id) if found.expert_id else None
    return answer(call_out_view(found, role, expert).model_dump(mode="json"))
