"""The expert's candidacies and call-outs under /api/v1/me, as their candidacies page shows
them: only their own, never who else was considered, nor how many, nor their rank; and
their answer to a call-out, once, while it is open, as its mailed links record it.
"""

from typing import Any, Literal

from pydantic import BaseModel, Field
from werkzeug.exceptions import NotFound

from roster.api.kernel import Strict, answer, api, described, idempotent, parse
from roster.api.me import EXPERT, TAG, moment, owner, owners_profile
from roster.auth.access import token_required
from roster.db import get_session
from roster.errors import problem_response
from roster.i18n import reason_text, translate
from roster.messages import N_, Message
from roster.missions import callouts
from roster.missions.candidacies import candidacies_of, own_call_out
from roster.models import CallOut
from roster.profiles.candidacies import OUTCOME_WORDS


class OpenCallOut(BaseModel):
    """A call-out waiting for your answer."""

    public_id: str
    answer_by: str = Field(description="the last day an answer is taken")


class LackedRequirement(BaseModel):
    """A requirement of the role your shortlist entry says you lacked, in your language."""

    code: str
    params: dict[str, Any]
    text: str


class OwnCandidacy(BaseModel):
    """A role you were considered for, as your candidacies page shows it.

    Never who else was considered, nor how many, nor your rank among them.
    """

    needs_id: str
    mission: str
    country: str
    role_id: str
    role: str
    start: str
    end: str
    outcome: str | None
    outcome_words: str
    decided_at: str | None
    call_out: OpenCallOut | None
    lacking: list[LackedRequirement]
    reason: str | None


class OwnCandidacies(BaseModel):
    """Your candidacies, the latest mission first (one page: an expert's are few)."""

    items: list[OwnCandidacy]
    next_cursor: str | None


def _candidacy(found) -> OwnCandidacy:
    role, needs = found.role, found.role.needs
    start, end = found.period
    code = found.outcome.value if found.outcome else None
    return OwnCandidacy(
        needs_id=needs.external_id,
        mission=needs.title or needs.external_id,
        country=needs.country,
        role_id=role.role_key,
        role=role.title,
        start=start.isoformat(),
        end=end.isoformat(),
        outcome=code,
        outcome_words=translate(Message(OUTCOME_WORDS.get(code, code or ""))),
        decided_at=moment(found.decided_at),
        call_out=OpenCallOut(
            public_id=found.call_out.public_id, answer_by=found.last_day.isoformat()
        )
        if found.call_out
        else None,
        lacking=[
            LackedRequirement(code=r["code"], params=r.get("params") or {}, text=reason_text(r))
            for r in found.lacking
        ],
        reason=found.reason or None,
    )


@api.get("/me/candidacies")
@api.doc(tags=[TAG])
@token_required("profile:read", EXPERT)
@described(responses={200: OwnCandidacies})
def list_candidacies():
    """The roles you were considered for, where each stands, and call-outs to answer."""
    expert = owners_profile()
    found = [] if expert is None else candidacies_of(session=get_session(), expert_id=expert.id)
    return answer(
        OwnCandidacies(items=[_candidacy(c) for c in found], next_cursor=None).model_dump(
            mode="json"
        )
    )


class OwnCallOut(BaseModel):
    """One of your call-outs: the role it asks you for and your answer."""

    public_id: str
    needs_id: str
    mission: str
    role_id: str
    role: str
    start: str
    end: str
    sent_at: str
    answer_by: str
    open: bool
    answer: Literal["available", "unavailable"] | None
    answered_at: str | None
    withdrawn_at: str | None


class CallOutReply(Strict):
    """Your answer: available or not."""

    answer: Literal["available", "unavailable"]


def _own_call_out(public_id: str) -> CallOut:
    """The token's owner's call-out, or 404 for anyone else's (its existence unsaid)."""
    expert = owners_profile()
    found = (
        None
        if expert is None
        else own_call_out(session=get_session(), expert_id=expert.id, public_id=public_id)
    )
    if found is None:
        raise NotFound(translate(Message(N_("There is no call-out of yours at this address."))))
    return found


def _call_out(call_out: CallOut):
    shown = callouts.reply_of(session=get_session(), call_out=call_out)
    start, end = shown.period
    return answer(
        OwnCallOut(
            public_id=call_out.public_id,
            needs_id=shown.needs.external_id,
            mission=shown.needs.title or shown.needs.external_id,
            role_id=shown.role.role_key,
            role=shown.role.title,
            start=start.isoformat(),
            end=end.isoformat(),
            sent_at=moment(call_out.sent_at),
            answer_by=shown.last_day.isoformat(),
            open=callouts.is_open(call_out),
            answer=call_out.answer,
            answered_at=moment(call_out.answered_at),
            withdrawn_at=moment(call_out.withdrawn_at),
        ).model_dump(mode="json")
    )


@api.get("/me/call-outs/<public_id>")
@api.doc(tags=[TAG])
@token_required("profile:read", EXPERT)
@described(responses={200: OwnCallOut})
def read_call_out(public_id: str):
    """One of your call-outs: the role, the last day to answer, and your answer."""
    return _call_out(_own_call_out(public_id))


@api.post("/me/call-outs/<public_id>/reply")
@api.doc(tags=[TAG])
@token_required("profile:write", EXPERT)
@described(request=CallOutReply, responses={200: OwnCallOut}, problems={410: "Withdrawn, closed."})
@idempotent
def reply_to_call_out(public_id: str):
    """Answer one of your call-outs, as its mailed links do: once, while it is open.

    409 when it is answered already (or the candidacy moved on), 410 when it is
    withdrawn or closed.
    """
    found = _own_call_out(public_id)
    body = parse(CallOutReply)
    try:
        callouts.answer_call_out(
            session=get_session(), call_out=found, answer=body.answer, by=owner()
        )
    except callouts.ReplyRefused as refusal:
        status = 409 if refusal.why in ("reused", "not_allowed") else 410
        return problem_response(status, translate(refusal.message))
    return _call_out(found)
