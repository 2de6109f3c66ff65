"""Saved searches, and the daily digest of the experts who newly match a watched one.

A saved search keeps its name and the search's canonical query string
(``SearchCriteria.to_query()``), so opening it runs the search as it stands today.

**What "newly match" means.** A watched search keeps the set of experts it matched at
its last digest (``saved_search_match``), filled when watching begins. Each digest
makes the set the matches of now in two statements that each run the search once: a
DELETE of those in the set who no longer match, then an INSERT ... SELECT of the
search EXCEPT the set, each row stamped with the run's time; those rows are the news.
So an expert is named once when they come to match (by registering, being rostered,
adding a language ...), not again while they keep matching, and again if they stop
matching and later match anew. The set is kept rather than a "since" time because
most news is not a new record but a change to one (a status, a language), which no
creation time shows. It costs one row per matching expert per watched search, and a
digest costs each watched search twice its own cost, whatever the roster's size.

Typed, keyword-only, the session passed in; no request state.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl

from sqlalchemy import and_, delete, exists, func, insert, literal, or_, select, update
from sqlmodel import Session
from werkzeug.datastructures import MultiDict

from roster.i18n import saved_language
from roster.mail import compose
from roster.messages import N_, Message
from roster.models import (
    Expert,
    RoleName,
    SavedSearch,
    SavedSearchMatch,
    User,
    UserRole,
    utcnow,
)
from roster.outbox import queue_mail
from roster.recruiting.search import SearchCriteria, SearchRefused, parse_criteria, search_statement
from roster.refusal import Changed, Problems, Refused
from roster.validation import clean_text

MAX_NAME = 200
# The canonical query of a search is far shorter; a longer one is no search's.
MAX_QUERY = 8000
# Public ids are 16 characters; a longer text is no saved search's.
MAX_PUBLIC_ID = 32
# A digest names at most this many experts a search, then says how many more there are.
DIGEST_NAMES = 50
WATCHERS = (RoleName.RECRUITER.value, RoleName.ADMIN.value)


class SavedRefused(Refused):
    """A name that cannot be used for a saved search, at its field ``name``."""


def criteria_of(saved: SavedSearch) -> SearchCriteria:
    """The criteria a saved search holds.

    Raises:
        SearchRefused: the query names something the roster no longer knows.
    """
    return parse_criteria(MultiDict(parse_qsl(saved.query, keep_blank_values=True)))


def save_search(
    *, session: Session, owner_id: int, name: str, criteria: SearchCriteria
) -> SavedSearch:
    """Keep ``criteria`` under ``name`` for its owner (not watched).

    Raises:
        SavedRefused: the name is empty, longer than ``MAX_NAME``, holds a control
            character, or names another of the owner's saved searches.
    """
    problems = Problems()
    text = problems.check(
        "name",
        lambda: clean_text(
            name,
            label=Message(N_("The search's name")),
            max_length=MAX_NAME,
            required=Message(N_("Please give the search a name.")),
        ),
    )
    if text and session.scalar(
        select(SavedSearch.id).where(SavedSearch.owner_id == owner_id, SavedSearch.name == text)
    ):
        problems.add("name", N_("You already have a saved search named “%(name)s”."), name=text)
    problems.raise_if_any(SavedRefused)
    saved = SavedSearch(owner_id=owner_id, name=text, query=criteria.to_query())
    session.add(saved)
    session.flush()
    return saved


def saved_searches(*, session: Session, owner_id: int) -> list[SavedSearch]:
    """The owner's saved searches by name."""
    return searches_after(session=session, owner_id=owner_id, after=None, limit=None)[0]


def searches_after(
    *, session: Session, owner_id: int, after: tuple[str, str] | None, limit: int | None
) -> tuple[list[SavedSearch], tuple[str, str] | None]:
    """Up to ``limit`` of the owner's saved searches after ``after``, and the next position.

    The order is by name (any case), then public id; a position is the last search's
    name in lower case and its public id. The next position is None on the last page.
    """
    lowered = func.lower(SavedSearch.name)
    statement = (
        select(SavedSearch, lowered)
        .where(SavedSearch.owner_id == owner_id)
        .order_by(lowered, SavedSearch.public_id)
    )
    if after is not None:
        statement = statement.where(
            or_(lowered > after[0], and_(lowered == after[0], SavedSearch.public_id > after[1]))
        )
    if limit is not None:
        statement = statement.limit(limit + 1)
    rows = list(session.execute(statement))
    following = None
    if limit is not None and len(rows) > limit:
        rows = rows[:limit]
        following = (rows[-1][1], rows[-1][0].public_id)
    return [saved for saved, _ in rows], following


def owned_search(*, session: Session, public_id: str, owner_id: int) -> SavedSearch | None:
    """The saved search at ``public_id`` if ``owner_id`` owns it, else None (another's is
    nobody else's)."""
    if not public_id or len(public_id) > MAX_PUBLIC_ID or "\x00" in public_id:
        return None  # no saved search's id, and no text to send the database
    saved = session.scalar(select(SavedSearch).where(SavedSearch.public_id == public_id))
    return saved if saved is not None and saved.owner_id == owner_id else None


def _matching(session: Session, saved: SavedSearch):
    # Uncorrelated: it is read inside statements over other tables.
    return search_statement(criteria_of(saved), session=session).correlate(None)


def _set_of(saved_id: int):
    return select(SavedSearchMatch.expert_id).where(SavedSearchMatch.saved_search_id == saved_id)


def set_watched(
    *, session: Session, saved: SavedSearch, watched: bool, version: int | None = None
) -> None:
    """Watch the search (its next digests name the experts who newly match) or stop.

    Watching starts from the experts who match now: they are not news. Stopping
    forgets them. With ``version``, only if the search is still at that version.

    Raises:
        SearchRefused: the saved query names something the roster no longer knows.
        Changed: the search changed since ``version`` was read; nothing is written.
    """
    if version is not None:
        _claim_version(session, saved, version)
    session.execute(delete(SavedSearchMatch).where(SavedSearchMatch.saved_search_id == saved.id))
    if watched:
        _remember(session, saved, utcnow())
    saved.watched = watched
    if version is None:
        saved.version += 1
    session.add(saved)


def _claim_version(session: Session, saved: SavedSearch, version: int) -> None:
    """Move the search past ``version`` (compare-and-set), else ``Changed``."""
    claimed = session.execute(
        update(SavedSearch)
        .where(SavedSearch.id == saved.id, SavedSearch.version == version)
        .values(version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Changed(
            Message(N_("The saved search was changed meanwhile: read it again and resend."))
        )
    session.refresh(saved)


def _forget_gone(session: Session, saved: SavedSearch) -> None:
    """Delete from the set the experts who no longer match (one DELETE, one search)."""
    session.execute(
        delete(SavedSearchMatch).where(
            SavedSearchMatch.saved_search_id == saved.id,
            SavedSearchMatch.expert_id.not_in(_matching(session, saved)),
        )
    )


def _remember(session: Session, saved: SavedSearch, now: datetime) -> None:
    """Insert into the set, stamped ``now``, every expert who matches and is not in it.

    One INSERT ... SELECT over the search EXCEPT the set: the search runs once.
    """
    new = _matching(session, saved).except_(_set_of(saved.id)).subquery()
    session.execute(
        insert(SavedSearchMatch).from_select(
            ["saved_search_id", "expert_id", "seen_at"],
            select(literal(saved.id), new.c[0], literal(now, SavedSearchMatch.seen_at.type)),
        )
    )


def delete_search(*, session: Session, saved: SavedSearch, version: int | None = None) -> None:
    """Forget a saved search and what it matched (with ``version``: only if still at it).

    Raises:
        Changed: the search changed since ``version`` was read; nothing is written.
    """
    if version is not None:
        _claim_version(session, saved, version)
    session.execute(delete(SavedSearchMatch).where(SavedSearchMatch.saved_search_id == saved.id))
    session.delete(saved)


@dataclass(frozen=True)
class News:
    """What one watched search found since its last digest."""

    search: str
    link: str
    experts: list[tuple[str, str]]  # (name, reference), by name, at most DIGEST_NAMES
    total: int


def _news(session: Session, saved: SavedSearch, link: str, now: datetime) -> News:
    """Make the set the matches of now; its rows stamped ``now`` are the news.

    Two statements that each run the search once (a DELETE of those who stopped
    matching, an INSERT of those who came to match), then the names of the first
    ``DIGEST_NAMES`` new ones from the set itself.
    """
    _forget_gone(session, saved)
    _remember(session, saved, now)
    # Counted, not taken from the INSERT's rowcount, which PostgreSQL's driver does not
    # give for an INSERT ... SELECT.
    news = (SavedSearchMatch.saved_search_id == saved.id, SavedSearchMatch.seen_at == now)
    total = session.scalar(select(func.count()).select_from(SavedSearchMatch).where(*news)) or 0
    named = (
        list(
            session.execute(
                select(Expert.full_name, Expert.external_id)
                .join(SavedSearchMatch, SavedSearchMatch.expert_id == Expert.id)
                .where(*news)
                .order_by(func.lower(Expert.full_name), Expert.id)
                .limit(DIGEST_NAMES)
            )
        )
        if total
        else []
    )
    return News(saved.name, link, [tuple(row) for row in named], total)


def _claim(session: Session, saved: SavedSearch, now: datetime) -> bool:
    """Take the search for this run (compare-and-set on its last digest's time).

    Two runs at once (the worker's and the command's): the second's update waits for
    the first's commit, then finds the time changed and leaves the search alone.
    """
    claimed = session.execute(
        update(SavedSearch)
        .where(
            SavedSearch.id == saved.id,
            SavedSearch.watched.is_(True),
            SavedSearch.last_digest_at.is_(None)
            if saved.last_digest_at is None
            else SavedSearch.last_digest_at == saved.last_digest_at,
        )
        .values(last_digest_at=now)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def _watched(session: Session) -> list[tuple[SavedSearch, User]]:
    """Watched searches whose owners may still search (active staff who search), by owner."""
    may_search = exists().where(UserRole.user_id == User.id, UserRole.role.in_(WATCHERS))
    return list(
        session.execute(
            select(SavedSearch, User)
            .join(User, User.id == SavedSearch.owner_id)
            .where(
                SavedSearch.watched.is_(True),
                User.disabled.is_(False),
                User.removed_at.is_(None),
                may_search,
            )
            .order_by(User.id, func.lower(SavedSearch.name), SavedSearch.id)
        )
    )


def send_digests(
    *,
    session: Session,
    search_link: Callable[[str], str],
    searches_page: str,
    now: datetime | None = None,
) -> int:
    """Queue one digest mail to each watcher whose watched searches newly match experts.

    Written in the caller's transaction (the mail goes out once it commits). A watcher
    with nothing new gets no mail; a search whose query no longer parses is skipped
    and keeps its set (it is reported by the page that lists it).

    Args:
        search_link: the public address of the search results for a query string.
        searches_page: the public address of the saved searches page.
        now: the time of this run (tests move it).

    Returns:
        How many digests were queued.
    """
    now = now or utcnow()
    by_owner: dict[int, list[News]] = defaultdict(list)
    owners: dict[int, User] = {}
    for saved, owner in _watched(session):
        if not _claim(session, saved, now):
            continue
        try:
            news = _news(session, saved, search_link(saved.query), now)
        except SearchRefused:
            continue
        owners[owner.id] = owner
        if news.total:
            by_owner[owner.id].append(news)
    for owner_id, found in by_owner.items():
        owner = owners[owner_id]
        mail = compose(
            "watch_digest",
            to=owner.email,
            language=saved_language(owner),
            name=owner.display_name or owner.email,
            news=found,
            searches_page=searches_page,
        )
        queue_mail(session=session, mail=mail)
    return len(by_owner)
