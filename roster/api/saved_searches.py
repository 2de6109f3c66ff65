"""Saved searches (``/saved-searches``): searches kept by name, and watched for news.

The saved searches page's services (``roster.recruiting.saved``) and rules: recruiters
and admins keep searches; each is its owner's alone (another's answers 404). A search
is kept as the search page's address arguments (``query``): run it with
``GET /experts?{query}``. A watched search mails its owner, once a day, the experts who
newly match it.
"""

from datetime import datetime
from urllib.parse import parse_qsl

from flask import Response, abort, g, request
from pydantic import BaseModel, Field
from werkzeug.datastructures import MultiDict

from roster.api.experts import moment, only_parameters
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
from roster.api.lists import KEEPERS, PAGE_QUERY
from roster.auth.access import token_required
from roster.db import get_session
from roster.i18n import translate
from roster.messages import N_, Message
from roster.models import SavedSearch
from roster.recruiting import saved as service
from roster.recruiting.search import SearchRefused, parse_criteria
from roster.refusal import Problems, Refused

TAG = "Saved searches"


class SavedSearchRead(BaseModel):
    """A saved search: its name, the search's address arguments, and whether it is watched."""

    public_id: str
    name: str
    query: str
    watched: bool
    created_at: datetime
    last_digest_at: datetime | None


class SavedSearchesPage(BaseModel):
    """A page of the caller's saved searches, by name."""

    items: list[SavedSearchRead]
    next_cursor: str | None


class NewSavedSearch(Strict):
    """A search to keep: a name, and the search page's address arguments (``lang=fr&...``)."""

    name: str = Field(max_length=service.MAX_NAME)
    query: str = Field(max_length=service.MAX_QUERY)


class Watching(Strict):
    """Whether the search is watched: its owner is mailed daily the experts who newly match."""

    watched: bool


def saved_etag(saved: SavedSearch) -> str:
    """The ETag of a saved search as it is now."""
    return etag_of("saved-search", saved.public_id, saved.version)


def _read(saved: SavedSearch) -> SavedSearchRead:
    return SavedSearchRead(
        public_id=saved.public_id,
        name=saved.name,
        query=saved.query,
        watched=saved.watched,
        created_at=moment(saved.created_at),
        last_digest_at=moment(saved.last_digest_at) if saved.last_digest_at else None,
    )


def _owned(public_id: str) -> SavedSearch:
    found = service.owned_search(
        session=get_session(), public_id=public_id, owner_id=g._login_user.id
    )
    if found is None:
        abort(404, translate(Message(N_("There is no saved search of yours at this address."))))
    return found


def _position() -> tuple[str, str] | None:
    found = decode_cursor(request.args.get("cursor"))
    if found is None:
        return None
    name, after = found.get("name"), found.get("after")
    if (
        not isinstance(name, str)
        or not isinstance(after, str)
        or len(name) > 4 * service.MAX_NAME
        or len(after) > service.MAX_PUBLIC_ID
        # Never a database error: no control or half character PostgreSQL cannot take.
        or not (name + after).isprintable()
    ):
        raise Refused.at(
            "cursor", N_("This cursor was not given by the roster: start from the first page.")
        )
    return name, after


@api.get("/saved-searches")
@api.doc(tags=[TAG])
@token_required("roster:read", *KEEPERS)
@described(responses={200: SavedSearchesPage}, query=PAGE_QUERY)
def list_saved_searches():
    """The caller's saved searches, by name (cursor-paged)."""
    only_parameters(("cursor", "limit"))
    limit = page_size()
    found, following = service.searches_after(
        session=get_session(), owner_id=g._login_user.id, after=_position(), limit=limit
    )
    page = SavedSearchesPage(
        items=[_read(saved) for saved in found],
        next_cursor=encode_cursor({"name": following[0], "after": following[1]})
        if following is not None
        else None,
    )
    return answer(page.model_dump(mode="json"))


@api.post("/saved-searches")
@api.doc(tags=[TAG])
@token_required("roster:write", *KEEPERS)
@described(request=NewSavedSearch, responses={201: SavedSearchRead}, etag=True)
@idempotent
def save_search():
    """Keep a search under a name (not watched).

    `query` holds the search page's address arguments, read as the page reads them
    (`GET /experts` takes the same); a refused one has its problems at `query.<argument>`.
    The search is kept in its canonical form.
    """
    only_parameters(())
    wanted = parse(NewSavedSearch)
    try:
        criteria = parse_criteria(MultiDict(parse_qsl(wanted.query, keep_blank_values=True)))
    except SearchRefused as refused:
        problems = Problems()
        problems.extend(refused, under="query")
        problems.raise_if_any()
    saved = service.save_search(
        session=get_session(), owner_id=g._login_user.id, name=wanted.name, criteria=criteria
    )
    return answer(
        _read(saved).model_dump(mode="json"),
        201,
        etag=saved_etag(saved),
        location=f"/api/v1/saved-searches/{saved.public_id}",
    )


@api.get("/saved-searches/<public_id>")
@api.doc(tags=[TAG])
@token_required("roster:read", *KEEPERS)
@described(responses={200: SavedSearchRead}, etag=True)
def read_saved_search(public_id: str):
    """One of the caller's saved searches; its ETag is what watching and deleting name."""
    only_parameters(())
    saved = _owned(public_id)
    return answer(_read(saved).model_dump(mode="json"), etag=saved_etag(saved))


@api.put("/saved-searches/<public_id>/watch")
@api.doc(tags=[TAG])
@token_required("roster:write", *KEEPERS)
@described(request=Watching, responses={200: SavedSearchRead}, if_match=True)
def watch_saved_search(public_id: str):
    """Start or stop watching one's own saved search. If-Match: its ETag.

    Watching starts from the experts who match now: the daily mail names those who
    come to match after. Refused for a search that names something the roster no
    longer knows (run it, correct it, and save it again).
    """
    only_parameters(())
    saved = _owned(public_id)
    wanted = parse(Watching)
    require_match(saved_etag(saved))
    try:
        service.set_watched(
            session=get_session(), saved=saved, watched=wanted.watched, version=saved.version
        )
    except SearchRefused:
        raise Refused.at(
            "watched",
            N_(
                "This search names something the roster no longer knows, so it cannot be "
                "watched. Run it, correct it, and save it again."
            ),
        ) from None
    get_session().flush()
    return answer(_read(saved).model_dump(mode="json"), etag=saved_etag(saved))


@api.delete("/saved-searches/<public_id>")
@api.doc(tags=[TAG])
@token_required("roster:write", *KEEPERS)
@described(responses={204: None}, if_match=True)
def delete_saved_search(public_id: str):
    """Forget one's own saved search. If-Match: its ETag."""
    only_parameters(())
    saved = _owned(public_id)
    require_match(saved_etag(saved))
    service.delete_search(session=get_session(), saved=saved, version=saved.version)
    return Response(status=204)
