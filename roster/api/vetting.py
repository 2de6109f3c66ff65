"""Vetting (``/vetting``, ``/experts/{public_id}/expertise``): the queue and verified expertise.

The vetting page's services (``roster.recruiting.vetting``): the queue of profiles under
review, the longest waiting first, and the mark of an expertise area as verified with
the evidence seen (or self-declared again). The page asks for a reason before it shows
a profile; here a verification names in If-Match the ETag of the expert as read with a
purpose (``GET /experts/{public_id}``, audited), so it follows an opening as there.
Decisions are ``POST /experts/{public_id}/status``.
"""

from datetime import datetime

from flask import g, request
from pydantic import BaseModel, Field

from roster.api.experts import (
    PAGE_QUERY,
    STAFF,
    expert_etag,
    expert_or_404,
    moment,
    only_parameters,
)
from roster.api.kernel import (
    Strict,
    answer,
    api,
    cursor_moment,
    decode_cursor,
    described,
    encode_cursor,
    page_size,
    parse,
    require_match,
)
from roster.auth.access import token_required
from roster.db import get_session
from roster.messages import N_
from roster.recruiting import vetting
from roster.refusal import Refused

TAG = "Vetting"


class Waiting(BaseModel):
    """A profile in the vetting queue, and since when it waits."""

    public_id: str
    external_id: str
    full_name: str
    nationalities: list[str]
    expertise_areas: int
    verified_areas: int
    waiting_since: datetime
    days_waiting: int


class VettingQueuePage(BaseModel):
    """One page of the vetting queue, the longest waiting first."""

    items: list[Waiting]
    next_cursor: str | None


def _position(found: dict | None) -> tuple[datetime, str] | None:
    if found is None:
        return None
    since, after = found.get("since"), found.get("after")
    try:
        if not isinstance(since, str) or not isinstance(after, str):
            raise ValueError(since)
        return cursor_moment(since), after
    except ValueError:
        raise Refused.at(
            "cursor", N_("This cursor was not given by the roster: start from the first page.")
        ) from None


@api.get("/vetting")
@api.doc(tags=[TAG])
@token_required("roster:read", *STAFF)
@described(responses={200: VettingQueuePage}, query=PAGE_QUERY)
def vetting_queue():
    """The profiles under review, the longest waiting first (since they last entered review).

    A page at a time: pass `next_cursor` back as `cursor` for the next one.
    """
    only_parameters(("cursor", "limit"))
    limit = page_size()
    after = _position(decode_cursor(request.args.get("cursor")))
    entries, following = vetting.queue_after(session=get_session(), after=after, limit=limit)
    page = VettingQueuePage(
        items=[
            Waiting(
                public_id=entry.expert.public_id,
                external_id=entry.expert.external_id,
                full_name=entry.expert.full_name,
                nationalities=[row.country for row in entry.expert.nationalities],
                expertise_areas=len(entry.expert.skills),
                verified_areas=sum(1 for s in entry.expert.skills if s.verified_at is not None),
                waiting_since=moment(entry.since),
                days_waiting=entry.days,
            )
            for entry in entries
        ],
        next_cursor=encode_cursor({"since": following[0].isoformat(), "after": following[1]})
        if following is not None
        else None,
    )
    return answer(page.model_dump(mode="json"))


class Verification(Strict):
    """An expertise area's mark: verified with the evidence seen, or self-declared."""

    verified: bool
    note: str = Field(default="", max_length=vetting.MAX_EVIDENCE)


class VerifiedExpertise(BaseModel):
    """An expertise area as marked."""

    code: str
    verified: bool
    verified_at: datetime | None
    note: str


@api.put("/experts/<public_id>/expertise/<code>/verification")
@api.doc(tags=[TAG])
@token_required("roster:write", *STAFF)
@described(request=Verification, responses={200: VerifiedExpertise}, if_match=True)
def verify_expertise(public_id: str, code: str):
    """Mark one of an expert's expertise areas verified, with the evidence seen, or not.

    As on the vetting page: verifying needs a note of the evidence (a certificate, a
    reference, a past mission); un-verifying keeps the note in the audit trail. Nobody
    vets their own profile. If-Match names the expert's ETag; the answer carries the new
    one.
    """
    only_parameters(())
    session = get_session()
    expert = expert_or_404(session, public_id)
    mark = parse(Verification)
    require_match(expert_etag(expert))
    skill = vetting.verify_expertise(
        session=session,
        expert=expert,
        code=code,
        by=g._login_user,
        verified=mark.verified,
        note=mark.note,
        version=expert.version,
    )
    shown = VerifiedExpertise(
        code=skill.code,
        verified=skill.verified_at is not None,
        verified_at=moment(skill.verified_at) if skill.verified_at is not None else None,
        note=skill.verification_note or "",
    )
    return answer(shown.model_dump(mode="json"), etag=expert_etag(expert))
