"""Named lists (``/lists``): a recruiter's lists of experts, shared with planners at will.

The lists page's services (``roster.recruiting.lists``) and its rules: recruiters and
admins keep lists; a list is private to its owner until shared, then planners and
recruiters read it; only its owner changes it. A list someone may not read, or may read
but not change, answers 404 to them, as one that does not exist. What a list shows of
an expert is what the page shows: to planners the name, regional groups, expertise and
languages; to recruiters also the reference, the roster status and the public id.
A list's ETag versions its name and sharing (what If-Match guards); experts are put
on it and taken off without one, as on the page.
"""

from datetime import datetime

from flask import Response, abort, g, request
from pydantic import BaseModel, Field

from roster.api.experts import LanguageHeld, moment, only_parameters
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
    idempotent,
    page_size,
    parse,
    require_match,
)
from roster.auth.access import token_required
from roster.db import get_session
from roster.i18n import translate
from roster.messages import N_, Message
from roster.models import ExpertList, RoleName
from roster.recruiting import lists
from roster.refusal import Problem, Refused

TAG = "Lists"
# The lists page's roles: who keeps lists, and who reads the shared ones.
KEEPERS = (RoleName.RECRUITER, RoleName.ADMIN)
READERS = (RoleName.RECRUITER, RoleName.PLANNER, RoleName.ADMIN)
GONE = N_("There is no list at this address, or it is not shared with you.")
PAGE_QUERY = [
    {
        "name": "cursor",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "The next_cursor of the page before; none for the first.",
    },
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        "description": f"Entries per page (default {PAGE_SIZE}).",
    },
]


class ListSummary(BaseModel):
    """A list as the lists page shows it: whose, shared or not, how many experts."""

    public_id: str
    name: str
    shared: bool
    owner: str
    owned: bool
    size: int
    updated_at: datetime


class ListsPage(BaseModel):
    """A page of lists: the caller's own, then those others share, each by name."""

    items: list[ListSummary]
    next_cursor: str | None


class ListMember(BaseModel):
    """An expert on a list. Planners see no public id, reference or status (None)."""

    public_id: str | None
    external_id: str | None
    full_name: str
    roster_status: str | None
    regions: list[str]
    expertise: list[str]
    languages: list[LanguageHeld]
    added_at: datetime


class ListRead(BaseModel):
    """A list and its experts, by name."""

    public_id: str
    name: str
    shared: bool
    owner: str
    owned: bool
    created_at: datetime
    updated_at: datetime
    experts: list[ListMember]


class NewList(Strict):
    """A new, private list; with experts to put on it at once, if any."""

    name: str = Field(max_length=lists.MAX_NAME)
    experts: list[str] = Field(default_factory=list, max_length=lists.MAX_ADDED)


class ListChange(Strict):
    """A new name, or who may read the list (shared: planners and recruiters), or both."""

    name: str | None = Field(default=None, max_length=lists.MAX_NAME)
    shared: bool | None = None


class ExpertsToAdd(Strict):
    """Experts to put on the list, by public id."""

    experts: list[str] = Field(min_length=1, max_length=lists.MAX_ADDED)


class ExpertsAdded(BaseModel):
    """The experts put on the list, and those already on it (left as they were)."""

    added: list[str]
    already: list[str]


def list_etag(expert_list: ExpertList) -> str:
    """The ETag of a list's name and sharing as they are now."""
    return etag_of("list", expert_list.public_id, expert_list.version)


def _not_found() -> None:
    abort(404, translate(Message(GONE)))


def _readable(public_id: str) -> ExpertList:
    found = lists.readable_list(
        session=get_session(), public_id=public_id, user_id=g._login_user.id
    )
    if found is None:
        _not_found()
    return found


def _owned(public_id: str) -> ExpertList:
    found = lists.owned_list(session=get_session(), public_id=public_id, user_id=g._login_user.id)
    if found is None:
        _not_found()
    return found


def _keeps_lists() -> bool:
    return g._login_user.has_role(*KEEPERS)


def _read(expert_list: ExpertList) -> ListRead:
    session = get_session()
    full = _keeps_lists()
    return ListRead(
        public_id=expert_list.public_id,
        name=expert_list.name,
        shared=expert_list.shared,
        owner=lists.owner_name(session=session, expert_list=expert_list),
        owned=expert_list.owner_id == g._login_user.id,
        created_at=moment(expert_list.created_at),
        updated_at=moment(expert_list.updated_at),
        experts=[
            ListMember(
                public_id=member.public_id if full else None,
                external_id=member.reference if full else None,
                full_name=member.name,
                roster_status=member.roster_status if full else None,
                regions=list(member.regions),
                expertise=list(member.skills),
                languages=[
                    LanguageHeld(code=code, level=level) for code, level in member.languages
                ],
                added_at=moment(member.added_at),
            )
            for member in lists.members(session=session, expert_list=expert_list)
        ],
    )


def _list_answer(expert_list: ExpertList, status: int = 200, **headers):
    return answer(
        _read(expert_list).model_dump(mode="json"), status, etag=list_etag(expert_list), **headers
    )


def _at_experts(refusal: lists.ListRefused) -> Refused:
    """A refusal of the experts chosen, at this body's field ``experts``."""
    return lists.ListRefused(
        Problem("experts" if found.path == "expert" else found.path, found.message)
        for found in refusal.problems
    )


def _position() -> lists.ListPosition | None:
    found = decode_cursor(request.args.get("cursor"))
    if found is None:
        return None
    others, name, after = found.get("others"), found.get("name"), found.get("after")
    if (
        others not in (0, 1)
        or isinstance(others, bool)
        or not isinstance(name, str)
        or not isinstance(after, str)
        or len(name) > 4 * lists.MAX_NAME
        or len(after) > lists.MAX_PUBLIC_ID
        # Never a database error: no control or half character PostgreSQL cannot take.
        or not (name + after).isprintable()
    ):
        raise Refused.at(
            "cursor", N_("This cursor was not given by the roster: start from the first page.")
        )
    return lists.ListPosition(others=others, name=name, public_id=after)


@api.get("/lists")
@api.doc(tags=[TAG])
@token_required("roster:read", *READERS)
@described(responses={200: ListsPage}, query=PAGE_QUERY)
def list_lists():
    """The caller's own lists, then those others share with planners and recruiters.

    Each by name, with its size, as on the lists page. A page at a time: pass
    `next_cursor` back as `cursor` for the next one.
    """
    only_parameters(("cursor", "limit"))
    limit = page_size()
    summaries, following = lists.lists_after(
        session=get_session(), user_id=g._login_user.id, after=_position(), limit=limit
    )
    page = ListsPage(
        items=[
            ListSummary(
                public_id=summary.public_id,
                name=summary.name,
                shared=summary.shared,
                owner=summary.owner,
                owned=summary.owned,
                size=summary.size,
                updated_at=moment(summary.updated_at),
            )
            for summary in summaries
        ],
        next_cursor=encode_cursor(
            {"others": following.others, "name": following.name, "after": following.public_id}
        )
        if following is not None
        else None,
    )
    return answer(page.model_dump(mode="json"))


@api.post("/lists")
@api.doc(tags=[TAG])
@token_required("roster:write", *KEEPERS)
@described(request=NewList, responses={201: ListRead}, etag=True)
@idempotent
def create_list():
    """Make a new, private list, with the experts named put on it (if any).

    The name is the caller's own: another of their lists by that name is refused.
    """
    only_parameters(())
    wanted = parse(NewList)
    session = get_session()
    expert_list = lists.create_list(session=session, owner_id=g._login_user.id, name=wanted.name)
    if wanted.experts:
        try:
            lists.add_experts(
                session=session,
                expert_list=expert_list,
                public_ids=wanted.experts,
                actor_id=g._login_user.id,
            )
        except lists.ListRefused as refused:
            raise _at_experts(refused) from None
    return _list_answer(expert_list, 201, location=f"/api/v1/lists/{expert_list.public_id}")


@api.get("/lists/<public_id>")
@api.doc(tags=[TAG])
@token_required("roster:read", *READERS)
@described(responses={200: ListRead}, etag=True)
def read_list(public_id: str):
    """One list and its experts, by name: the caller's own, or one shared with them.

    Planners see each expert's name, regional groups, expertise and languages; recruiters
    also their public id, reference and roster status. The ETag versions the name and
    sharing, for `PATCH`.
    """
    only_parameters(())
    return _list_answer(_readable(public_id))


@api.patch("/lists/<public_id>")
@api.doc(tags=[TAG])
@token_required("roster:write", *KEEPERS)
@described(request=ListChange, responses={200: ListRead}, if_match=True)
def change_list(public_id: str):
    """Rename one's own list, share it with planners and recruiters, or make it private.

    If-Match: the list's ETag, as read; the answer carries the new one.
    """
    only_parameters(())
    expert_list = _owned(public_id)
    wanted = parse(ListChange)
    if wanted.name is None and wanted.shared is None:
        raise Refused.at("", N_("Send a new name, or whether the list is shared, or both."))
    require_match(list_etag(expert_list))
    session = get_session()
    if wanted.name is not None:
        lists.rename_list(
            session=session, expert_list=expert_list, name=wanted.name, version=expert_list.version
        )
    if wanted.shared is not None:
        lists.share_list(
            session=session,
            expert_list=expert_list,
            shared=wanted.shared,
            version=expert_list.version,
        )
    return _list_answer(expert_list)


@api.delete("/lists/<public_id>")
@api.doc(tags=[TAG])
@token_required("roster:write", *KEEPERS)
@described(responses={204: None}, if_match=True)
def delete_list(public_id: str):
    """Delete one's own list; the experts stay on the roster. If-Match: its ETag."""
    only_parameters(())
    expert_list = _owned(public_id)
    require_match(list_etag(expert_list))
    lists.delete_list(session=get_session(), expert_list=expert_list, version=expert_list.version)
    return Response(status=204)


@api.post("/lists/<public_id>/experts")
@api.doc(tags=[TAG])
@token_required("roster:write", *KEEPERS)
@described(request=ExpertsToAdd, responses={200: ExpertsAdded})
@idempotent
def add_to_list(public_id: str):
    """Put experts on one's own list, by public id; those already on it stay as they were.

    Refused when one is not on the roster (or was merged into another record), or when
    every one is already on the list.
    """
    only_parameters(())
    expert_list = _owned(public_id)
    wanted = parse(ExpertsToAdd)
    try:
        done = lists.add_experts(
            session=get_session(),
            expert_list=expert_list,
            public_ids=wanted.experts,
            actor_id=g._login_user.id,
        )
    except lists.ListRefused as refused:
        raise _at_experts(refused) from None
    return answer(ExpertsAdded(added=done.added_ids, already=done.already_ids).model_dump())


@api.delete("/lists/<public_id>/experts/<expert_id>")
@api.doc(tags=[TAG])
@token_required("roster:write", *KEEPERS)
@described(responses={204: None})
def remove_from_list(public_id: str, expert_id: str):
    """Take an expert off one's own list (404 if they are not on it)."""
    only_parameters(())
    expert_list = _owned(public_id)
    removed = (
        lists.remove_expert(session=get_session(), expert_list=expert_list, public_id=expert_id)
        if len(expert_id) <= lists.MAX_PUBLIC_ID and "\x00" not in expert_id
        else None
    )
    if removed is None:
        abort(404, translate(Message(N_("That expert is not on the list."))))
    return Response(status=204)
