"""Likely duplicates: the review queue, a pair side by side, "not the same", merges.

The same services as the review pages (``roster.recruiting.duplicate_review``): opening a
pair is audited as a view of both profiles, a merge moves every reference to the record
that stays. A pair's ETag stands for its status and both records' versions, so a merge
or a "not the same" sent with it is refused (412) if anything changed since it was read.
"""

from datetime import datetime
from typing import Any

from flask import g, request
from pydantic import BaseModel
from werkzeug.exceptions import NotFound

from roster.accounts.tokens import KEEPERS
from roster.api.kernel import (
    Strict,
    answer,
    api,
    decode_cursor,
    described,
    encode_cursor,
    etag_of,
    idempotent,
    page_size,
    parse,
    require_match,
)
from roster.auth.access import token_required
from roster.db import get_session, writes
from roster.i18n import translate
from roster.messages import N_, Message
from roster.models import DuplicatePair, Expert
from roster.recruiting import duplicate_review as review
from roster.recruiting.merge import CHOOSABLE, MergeRefused
from roster.refusal import Problem, Refused

PAGE_QUERY = [
    {
        "name": "cursor",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "The next_cursor of the page before.",
    },
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
    },
]
Value = str | int | float | None


class Evidence(BaseModel):
    """What agrees and what differs between the two records, as codes."""

    certain: bool
    name_similarity: float | None
    agrees: list[str]
    differs: list[str]


class RecordInPair(BaseModel):
    """One record of a pair, as the review list names it."""

    id: str
    external_id: str
    full_name: str


class PairSummary(BaseModel):
    """A pair waiting for review: its score, how it was found, and its two records."""

    id: str
    score: float
    found_by: str
    found_at: datetime
    evidence: Evidence
    first: RecordInPair
    second: RecordInPair


class PairPage(BaseModel):
    """A page of the review queue, best score first."""

    items: list[PairSummary]
    next_cursor: str | None


class Language(BaseModel):
    """A language and its level."""

    code: str
    level: str


class Skill(BaseModel):
    """An area of expertise, and whether it was verified."""

    code: str
    verified: bool


class RecordSide(BaseModel):
    """One record of the pair as the review page shows it."""

    id: str
    external_id: str
    roster_status: str
    version: int
    nationalities: list[str]
    languages: list[Language]
    skills: list[Skill]
    availability_windows: int
    deployments: int


class FieldRow(BaseModel):
    """One choosable field of the two records side by side."""

    name: str
    first: Value
    second: Value
    agrees: bool


class PairDetail(BaseModel):
    """A pair side by side: the fields to choose between, and what is united."""

    id: str
    status: str
    score: float
    found_by: str
    found_at: datetime
    evidence: Evidence
    first: RecordSide
    second: RecordSide
    fields: list[FieldRow]


class PairDecision(BaseModel):
    """A pair as decided."""

    id: str
    status: str
    decided_at: datetime | None


class MergeChoices(Strict):
    """For each field that differs, the id of the record whose value stays (default: the
    survivor's)."""

    full_name: str | None = None
    email: str | None = None
    residence_country: str | None = None
    seniority: str | None = None
    years_experience: str | None = None
    summary: str | None = None
    cv: str | None = None


class MergeRequest(Strict):
    """A merge as the review page sends it: the pair, the record that stays, the choices."""

    pair: str
    survivor: str
    choices: MergeChoices = MergeChoices()


class MergeDone(BaseModel):
    """What a merge did."""

    pair: str
    survivor: str
    merged: str
    taken_from_merged: list[str]
    account_disabled: bool


def _evidence(pair: DuplicatePair) -> Evidence:
    found = pair.evidence if isinstance(pair.evidence, dict) else {}
    return Evidence(
        certain=bool(found.get("certain")),
        name_similarity=found.get("name_similarity"),
        agrees=list(found.get("agrees", [])),
        differs=list(found.get("differs", [])),
    )


def _in_pair(expert: Expert) -> RecordInPair:
    return RecordInPair(
        id=expert.public_id, external_id=expert.external_id, full_name=expert.full_name
    )


def pair_etag(pair: DuplicatePair, first: Expert, second: Expert) -> str:
    """The pair's entity tag: its status and both records' versions."""
    return etag_of("duplicate", pair.public_id, f"{pair.status}:{first.version}:{second.version}")


def _pair_or_404(public_id: str) -> DuplicatePair:
    pair = review.pair_by_public_id(session=get_session(), public_id=public_id)
    if pair is None:
        raise NotFound(translate(Message(N_("There is no such pair of records."))))
    return pair


@api.get("/duplicates")
@api.doc(tags=["Duplicates"])
@token_required("roster:read", *KEEPERS)
@described(responses={200: PairPage}, query=PAGE_QUERY)
def list_duplicates():
    """The likely duplicates waiting for review, best score first (cursor-paged)."""
    position = decode_cursor(request.args.get("cursor"))
    after = position.get("after") if position else None
    if position is not None and (not isinstance(after, str) or len(after) > 32 or "\x00" in after):
        raise _stale_cursor()
    size = page_size()
    rows = review.open_pairs_after(session=get_session(), after=after, limit=size + 1)
    if rows is None:
        raise _stale_cursor()
    items = [
        PairSummary(
            id=pair.public_id,
            score=pair.score,
            found_by=pair.found_by,
            found_at=pair.found_at,
            evidence=_evidence(pair),
            first=_in_pair(first),
            second=_in_pair(second),
        )
        for pair, first, second in rows[:size]
    ]
    more = len(rows) > size
    cursor = encode_cursor({"after": items[-1].id}) if more and items else None
    return answer(PairPage(items=items, next_cursor=cursor).model_dump(mode="json"))


def _stale_cursor() -> Refused:
    return Refused(
        Problem(
            "cursor",
            Message(N_("This cursor was not given by the roster: start from the first page.")),
        )
    )


def _side(expert: Expert) -> RecordSide:
    return RecordSide(
        id=expert.public_id,
        external_id=expert.external_id,
        roster_status=str(expert.roster_status),
        version=expert.version,
        nationalities=[n.country for n in expert.nationalities],
        languages=[Language(code=lang.code, level=lang.level) for lang in expert.languages],
        skills=[Skill(code=s.code, verified=s.verified_at is not None) for s in expert.skills],
        availability_windows=len(expert.availability),
        deployments=len(expert.deployments),
    )


def _plain(value: Any) -> Value:
    return value if value is None or isinstance(value, int | float | str) else str(value)


@api.get("/duplicates/<public_id>")
@api.doc(tags=["Duplicates"])
@token_required("roster:read", *KEEPERS)
@described(responses={200: PairDetail}, etag=True)
@writes
def read_duplicate(public_id: str):
    """A pair side by side, as the review page shows it; audited as a view of both profiles.

    Its ETag stands for the pair's status and both records' versions: send it in
    If-Match to merge the pair or to say it is two people.
    """
    session = get_session()
    pair = _pair_or_404(public_id)
    first, second = review.experts_of(session=session, pair=pair)
    review.record_review(session=session, pair=pair, by=g._login_user)
    detail = PairDetail(
        id=pair.public_id,
        status=pair.status,
        score=pair.score,
        found_by=pair.found_by,
        found_at=pair.found_at,
        evidence=_evidence(pair),
        first=_side(first),
        second=_side(second),
        fields=[
            FieldRow(
                name=row.name,
                first=_plain(row.first),
                second=_plain(row.second),
                agrees=row.agrees,
            )
            for row in review.compare(first, second)
        ],
    )
    return answer(detail.model_dump(mode="json"), etag=pair_etag(pair, first, second))


@api.post("/duplicates/<public_id>/not-same")
@api.doc(tags=["Duplicates"])
@token_required("roster:write", *KEEPERS)
@described(responses={200: PairDecision}, if_match=True)
def not_same(public_id: str):
    """Say the pair is two people: remembered, never shown again (audited).

    If-Match: the pair's ETag, as read.
    """
    session = get_session()
    pair = _pair_or_404(public_id)
    first, second = review.experts_of(session=session, pair=pair)
    require_match(pair_etag(pair, first, second))
    review.not_same(session=session, pair=pair, by=g._login_user)
    session.flush()
    return answer(
        PairDecision(id=pair.public_id, status=pair.status, decided_at=pair.decided_at).model_dump(
            mode="json"
        ),
        etag=pair_etag(pair, first, second),
    )


@api.post("/merges")
@api.doc(tags=["Duplicates"])
@token_required("roster:write", *KEEPERS)
@described(request=MergeRequest, responses={201: MergeDone}, if_match=True)
@idempotent
def merge():
    """Merge a pair field by field into the record that stays; every reference moves.

    If-Match: the pair's ETag, as read with GET /duplicates/{id}: a record changed since
    gets 412 and nothing is merged. The other record is kept, marked merged, never deleted.
    """
    wanted = parse(MergeRequest)
    session = get_session()
    pair = review.pair_by_public_id(session=session, public_id=wanted.pair)
    if pair is None:
        raise Refused(Problem("pair", Message(N_("There is no such pair of records."))))
    first, second = review.experts_of(session=session, pair=pair)
    require_match(pair_etag(pair, first, second))
    choices = {
        name: value
        for name, value in wanted.choices.model_dump().items()
        if value is not None and name in CHOOSABLE
    }
    try:
        merged = review.merge_pair(
            session=session,
            pair=pair,
            survivor_public_id=wanted.survivor,
            choices=choices,
            versions={first.public_id: first.version, second.public_id: second.version},
            by=g._login_user,
        )
    except MergeRefused as refusal:
        raise Refused(
            Problem(f"choices.{p.path}" if p.path in CHOOSABLE else p.path, p.message)
            for p in refusal.problems
        ) from None
    taken = sorted(name for name, value in choices.items() if value == merged.merged.public_id)
    return answer(
        MergeDone(
            pair=pair.public_id,
            survivor=merged.survivor.public_id,
            merged=merged.merged.public_id,
            taken_from_merged=taken,
            account_disabled=merged.disabled_account is not None,
        ).model_dump(mode="json"),
        201,
    )
