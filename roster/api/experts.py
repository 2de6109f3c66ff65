"""Experts (``/experts``): the recruiter's search, one expert opened for a stated purpose,
and the search as CSV (decisions: ``roster.api.roster_status``; vetting: ``roster.api.vetting``).

The same services as the search page (``roster/experts``) and the vetting page: the
search's filters are the page's address arguments (``roster.recruiting.criteria``), a
profile is opened with one of the page's reasons and audited as there
(``roster.recruiting.access.record_access``), decisions go through the roster-status
machine, which mails the expert, and the export writes the page's audit row.
"""

from datetime import UTC, datetime

from flask import abort, current_app, g, request
from pydantic import BaseModel, Field
from sqlmodel import Session

from matching.vocabulary import (
    ACCESSIBILITY_EXPERTISE,
    EXPERTISE_AREAS,
    LANGUAGE_LEVELS,
    SENIORITY,
    UN_REGIONAL_GROUPS,
)
from roster.api.kernel import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    Strict,
    answer,
    api,
    decode_cursor,
    described,
    encode_cursor,
    etag_of,
    page_size,
    parse,
)
from roster.auth.access import token_required
from roster.db import engines, get_session, writes
from roster.i18n import translate
from roster.interchange.store import load_rows, record_from_rows
from roster.messages import N_, Message
from roster.models import Expert, RoleName, RosterStatus
from roster.policy import privacy
from roster.recruiting import access, export, keyset
from roster.recruiting.criteria import ARGUMENTS, MAX_VALUES, SORTS, SearchCriteria
from roster.recruiting.search import (
    current_index,
    facet_counts,
    parse_criteria,
    parse_sort,
)
from roster.refusal import Problems
from roster.search import MAX_SEARCH
from roster.web.files import cv_download, experts_csv

# Who works with experts' records: the search page's and the vetting page's roles.
STAFF = (RoleName.RECRUITER, RoleName.ADMIN)
TAG = "Experts"
STATUS_CODES = tuple(status.value for status in RosterStatus)


# The query parameters -----------------------------------------------------------------


def _query(name: str, schema: dict, description: str, *, required: bool = False) -> dict:
    many = schema.get("type") == "array"
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
        **({"style": "form", "explode": True} if many else {}),
    }


def _codes(values, description: str, name: str) -> dict:
    return _query(
        name,
        {
            "type": "array",
            "maxItems": MAX_VALUES,
            "items": {"type": "string", "enum": list(values)},
        },
        description,
    )


# The search page's filters (``roster.recruiting.criteria``), in its order.
SEARCH_QUERY = [
    _query(
        "q",
        {"type": "string", "maxLength": MAX_SEARCH},
        "Name or reference: every word of the name, in any spelling, or part of the reference.",
    ),
    _query(
        "text",
        {"type": "string", "maxLength": MAX_SEARCH},
        "Words that must all appear in the summary (any case).",
    ),
    _codes(EXPERTISE_AREAS, "Expertise areas (taxonomy codes), repeated.", "skill"),
    _query(
        "match",
        {"type": "string", "enum": ["all", "any"]},
        "Whether the expert holds all (default) or any of the expertise areas.",
    ),
    _query(
        "expertise",
        {"type": "string", "enum": ["verified", "self-declared"]},
        "Which expertise counts: verified, or self-declared only.",
    ),
    _query("lang", {"type": "string", "maxLength": 35}, "A language the expert speaks (BCP 47)."),
    _query(
        "level",
        {"type": "string", "enum": list(LANGUAGE_LEVELS)},
        "The least level of that language (needs lang).",
    ),
    _query("sign", {"type": "string", "enum": ["0", "1"]}, "1: works in any sign language."),
    _codes(ACCESSIBILITY_EXPERTISE, "Accessibility expertise (taxonomy codes), any of.", "access"),
    _codes(UN_REGIONAL_GROUPS, "UN regional group of a nationality, any of.", "region"),
    _query(
        "nationality",
        {
            "type": "array",
            "maxItems": MAX_VALUES,
            "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
        },
        "Nationality (ISO 3166-1 alpha-2), any of.",
    ),
    _codes(STATUS_CODES, "Roster status, any of.", "status"),
    _query(
        "from",
        {"type": "string", "format": "date"},
        "Available from this day to the day in `to`, within one availability window.",
    ),
    _query("to", {"type": "string", "format": "date"}, "The last day of that period."),
    _query("seniority", {"type": "string", "enum": list(SENIORITY)}, "The least grade."),
    _query(
        "years",
        {"type": "integer", "minimum": 0, "maximum": 80},
        "The least number of years of experience.",
    ),
    _query("stale", {"type": "string", "enum": ["0", "1"]}, "1: not confirmed for a year."),
]
SORT_QUERY = _query(
    "sort",
    {"type": "string", "enum": [*SORTS, *(f"-{sort}" for sort in SORTS)]},
    "The order: name (default), years, confirmed or registered; '-' first for the other way.",
)
PAGE_QUERY = [
    _query("cursor", {"type": "string"}, "The next_cursor of the page before; none for the first."),
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        f"Entries per page (default {PAGE_SIZE}).",
    ),
]
VIEW_QUERY = [
    _query(
        "purpose",
        {"type": "string", "enum": list(privacy.VIEW_PURPOSES)},
        "Why the profile is opened, as the page asks; audited, and read by the expert.",
        required=True,
    ),
    _query(
        "note",
        {"type": "string", "maxLength": access.MAX_NOTE},
        "Details, required when the purpose is `other`.",
    ),
]


# Parameters that may be given empty (a text, which then asks for nothing).
MAY_BE_EMPTY = ("q", "text", "cursor", "note")


def only_parameters(allowed: tuple[str, ...]) -> None:
    """Refuse a query parameter the operation does not read, or one given empty.

    A typo must not widen a search, and a code, number or day left empty is no value of
    its parameter (the search page's form sends empty fields; a script leaves them out).
    """
    problems = Problems()
    for name in request.args:
        if name not in allowed:
            problems.add(
                name[:60],
                N_("This operation takes no parameter “%(name)s”."),
                name=name[:60],
            )
        elif name not in MAY_BE_EMPTY and "" in request.args.getlist(name):
            problems.add(
                name,
                N_("The parameter “%(name)s” is empty: give it a value, or leave it out."),
                name=name,
            )
    problems.raise_if_any()


def search_criteria(*also: str) -> SearchCriteria:
    """The search in the address, read as the search page reads it."""
    only_parameters((*ARGUMENTS, *also))
    return parse_criteria(request.args)


# Shared with the status and vetting operations -------------------------------------------


def expert_or_404(session: Session, public_id: str) -> Expert:
    """The expert at ``public_id``, or 404."""
    expert = access.expert_by_public_id(session=session, public_id=public_id)
    if expert is None:
        abort(404, translate(Message(N_("There is no expert at this address."))))
    return expert


def expert_etag(expert: Expert) -> str:
    """The ETag of the expert's record as it is now."""
    return etag_of("expert", expert.public_id, expert.version)


def moment(value: datetime) -> datetime:
    """A stored moment as UTC (stored ones are UTC; some databases give them without zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Search -----------------------------------------------------------------------------------


class LanguageHeld(BaseModel):
    """A language the expert speaks, at a level."""

    code: str
    level: str


class ExpertiseHeld(BaseModel):
    """An expertise area of the expert, and whether a recruiter verified it."""

    code: str
    verified: bool


class ExpertSummary(BaseModel):
    """An expert as a row of the search's result shows them: no sensitive field, no address."""

    public_id: str
    external_id: str
    full_name: str
    roster_status: str
    nationalities: list[str]
    languages: list[LanguageHeld]
    expertise: list[ExpertiseHeld]
    years_experience: int | None
    profile_confirmed_at: datetime
    registered_at: datetime


class FacetValue(BaseModel):
    """How many experts of the result hold one value of a facet."""

    code: str
    count: int


class ExpertFacets(BaseModel):
    """The search's counts per facet, as beside the page's result (largest first)."""

    status: list[FacetValue]
    region: list[FacetValue]
    expertise: list[FacetValue]
    language: list[FacetValue]
    accessibility: list[FacetValue]
    seniority: list[FacetValue]
    verified: list[FacetValue]


class ExpertSearchPage(BaseModel):
    """One page of a search's result, how many it holds in all, and its counts per facet."""

    items: list[ExpertSummary]
    next_cursor: str | None
    total: int
    facets: ExpertFacets


def summary_of(expert: Expert) -> ExpertSummary:
    """An expert as a row of the search's result."""
    return ExpertSummary(
        public_id=expert.public_id,
        external_id=expert.external_id,
        full_name=expert.full_name,
        roster_status=RosterStatus(expert.roster_status).value,
        nationalities=[row.country for row in expert.nationalities],
        languages=[LanguageHeld(code=row.code, level=row.level) for row in expert.languages],
        expertise=[
            ExpertiseHeld(code=row.code, verified=row.verified_at is not None)
            for row in expert.skills
        ],
        years_experience=expert.years_experience,
        profile_confirmed_at=moment(expert.profile_confirmed_at),
        registered_at=moment(expert.created_at),
    )


@api.get("/experts")
@api.doc(tags=[TAG])
@token_required("roster:read", *STAFF)
@described(responses={200: ExpertSearchPage}, query=[*SEARCH_QUERY, SORT_QUERY, *PAGE_QUERY])
def search_experts():
    """Find experts with the search page's filters, with its counts per facet.

    The filters are the search page's address arguments, with the same names and the
    same refusals (422, the problem's path naming the parameter). A page at a time: pass
    `next_cursor` back as `cursor` (with the same filters and sort) for the next one;
    experts added or removed meanwhile move nothing. The counts are the page's exact ones:
    the staff who may search see every expert counted.
    """
    criteria = search_criteria("sort", "cursor", "limit")
    sort = parse_sort(request.args.get("sort"))
    limit = page_size()
    found = decode_cursor(request.args.get("cursor"))
    after = keyset.Position.from_json(found, sort=sort) if found is not None else None
    session = get_session()
    experts, following = keyset.page_after(
        session=session, criteria=criteria, sort=sort, after=after, limit=limit
    )
    # The page's index and counts (a rebuild behind the roster at most, outside tests).
    index = current_index(session, stale_ok=not current_app.testing, engine=engines().read)
    facets = facet_counts(session=session, criteria=criteria, index=index)
    page = ExpertSearchPage(
        items=[summary_of(expert) for expert in experts],
        next_cursor=encode_cursor(following.as_json()) if following is not None else None,
        total=int(index.matching(criteria).sum()),
        facets=ExpertFacets(
            **{
                name: [FacetValue(code=code, count=count) for code, count in counts]
                for name, counts in facets.items()
            }
        ),
    )
    return answer(page.model_dump(mode="json"))


# One expert ---------------------------------------------------------------------------------


@api.get("/experts/<public_id>")
@api.doc(tags=[TAG])
@token_required("roster:read", *STAFF)
@described(responses={200: "expert"}, etag=True, query=VIEW_QUERY)
@writes
def read_expert(public_id: str):
    """One expert in the interchange format, opened for a stated purpose (audited).

    As on the staff's profile page: the purpose is one of the page's reasons (and a
    note for `other`); the opening is recorded with them, and the expert reads who opened
    their profile, when and why. Gender, disability and year of birth appear only where
    the expert consented and the purpose and the caller's role allow (as on the page).
    The ETag is the version that status decisions and verifications name in If-Match.
    """
    only_parameters(("purpose", "note"))
    session = get_session()
    expert = expert_or_404(session, public_id)
    purpose = request.args.get("purpose", "")
    user = g._login_user
    access.record_access(
        session=session,
        action="profile.view",
        actor_id=user.id,
        expert=expert,
        purpose=purpose,
        note=request.args.get("note", ""),
    )
    shown = privacy.shown_to(user=user, expert=expert, purpose=purpose)
    external_id, rows = load_rows(session, [expert.id])[expert.id]
    return answer(record_from_rows(external_id, rows, sensitive=shown), etag=expert_etag(expert))


@api.get("/experts/<public_id>/cv")
@api.doc(tags=[TAG])
@token_required("roster:read", *STAFF)
@described(responses={200: "application/pdf"}, query=VIEW_QUERY)
@writes
def download_expert_cv(public_id: str):
    """The expert's CV as a PDF, downloaded for a stated purpose (audited).

    As the profile page's download: the purpose is one of the page's reasons (and a note
    for `other`), recorded as a `cv.download` the expert reads among the views of their
    profile. No purpose, or no CV on the profile, writes nothing (422, 404).
    """
    only_parameters(("purpose", "note"))
    session = get_session()
    expert = expert_or_404(session, public_id)
    access.record_access(
        session=session,
        action="cv.download",
        actor_id=g._login_user.id,
        expert=expert,
        purpose=request.args.get("purpose", ""),
        note=request.args.get("note", ""),
    )
    return cv_download(expert)  # No CV: a 404, and the audit row rolls back.


# Export ----------------------------------------------------------------------------------------


class ExportRequest(Strict):
    """Why the search's experts are exported: audited with the search."""

    reason: str = Field(default="", max_length=export.MAX_REASON)


@api.post("/experts/export")
@api.doc(tags=[TAG])
@token_required("roster:write", *STAFF)
@described(
    request=ExportRequest,
    responses={200: ("text/csv", {"type": "string"})},
    query=[*SEARCH_QUERY, SORT_QUERY],
)
def export_experts():
    """The search's result as CSV, for a stated reason (audited as the page's export).

    The columns are the page's export's; gender, disability and year of birth are never
    exported. `X-Rows` says how many experts the file holds.
    """
    criteria = search_criteria("sort")
    sort = parse_sort(request.args.get("sort"))
    reason = parse(ExportRequest).reason
    rows = export.record_export(
        session=get_session(),
        actor_id=g._login_user.id,
        criteria=criteria,
        sort=sort,
        reason=reason,
    )
    return experts_csv(criteria=criteria, sort=sort, rows=rows)
