"""The roster revision, bumped at one choke point by every write the matcher or the search sees.

A committed change to an expert's record (the expert's own columns that the
interchange record carries, the day a profile was confirmed, and the rows of
nationalities, languages, expertise with its verification, accessibility, availability
and deployments) writes a ``roster_change`` row in the same transaction; the newest
row's id is the roster revision. The matcher (``roster.matchers``) and the search's
index (``roster.recruiting.search_index``) are rebuilt when it moves. No service calls
this module: two database events do it for every writer.

* the mappers' ``after_insert``, ``after_update`` and ``after_delete`` see every row an
  ORM flush writes (profile sections, with the rows a section drops as orphans, status
  changes made by the ORM, erasure and its cascades, ratings) and name their experts.
  An expert's change of a column that neither reads (a reminder sent, a CV uploaded)
  is not a change.
* ``after_execute`` of the roster's engines sees the Core statements on those tables
  (imports' bulk inserts and deletes, ``update(Expert)`` compare-and-sets, the demo),
  and names the experts where the statement says which (``expert_id`` in the rows,
  ``id = :x`` or ``expert_id IN (...)`` in the WHERE clause), otherwise writes one row
  meaning "many or unknown" (``expert_id`` None).

PostgreSQL's ``COPY``, which SQLAlchemy does not see, is reported by the one function
that issues it (``roster.interchange.store``) through ``note_bulk_write``.

Each transaction writes each expert's row once, and at most ``COALESCE_ABOVE`` rows:
beyond that, one "many" row says it all.
"""

import operator
from collections.abc import Iterable
from functools import cache
from weakref import WeakSet

from sqlalchemy import Connection, Engine, event, func, insert, inspect, select
from sqlalchemy.sql import operators
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList

from roster.models import (
    AvailabilityWindow,
    Deployment,
    Expert,
    ExpertAccessibility,
    ExpertLanguage,
    ExpertNationality,
    ExpertSkill,
    RosterChange,
    utcnow,
)

# Beyond this many experts in one transaction, one "many" row replaces theirs.
COALESCE_ABOVE = 100
WATCHED = (
    Expert,
    ExpertNationality,
    ExpertLanguage,
    ExpertSkill,
    ExpertAccessibility,
    AvailabilityWindow,
    Deployment,
)
WATCHED_TABLES = frozenset(model.__tablename__ for model in WATCHED)
# Columns that neither the matcher nor the search reads: changing only these changes
# nothing. (The search reads when a profile was confirmed, and which expertise is verified.)
UNSEEN = {
    "expert": frozenset(
        {
            "public_id",
            "user_id",
            "cv_stored_name",
            "cv_original_name",
            "cv_uploaded_at",
            "stale_reminder_sent_at",
            "created_at",
            "updated_at",
            "version",
        }
    ),
    "expert_skill": frozenset({"verified_by_id", "verification_note"}),
    "deployment": frozenset({"mission_role_id"}),
}
_CHANGE = RosterChange.__table__
_NOTED = "roster_changes_noted"
# The pools of the roster's engines (an engine with other options shares its pool).
_TRACKED: WeakSet = WeakSet()


def roster_revision(session) -> int:
    """Return the current roster revision: the newest change's id, 0 before any."""
    return int(session.execute(select(func.max(_CHANGE.c.id))).scalar() or 0)


def revision_key(session) -> tuple[int, int]:
    """Return the revision and the number of change rows.

    On PostgreSQL a transaction that took a lower id may commit after one that took a
    higher one; the count still moves when it does.
    """
    top, count = session.execute(select(func.max(_CHANGE.c.id), func.count())).one()
    return int(top or 0), int(count)


def has_pending_changes(session) -> bool:
    """Whether ``session``'s open transaction wrote changes not committed yet."""
    if not session.in_transaction():
        return False
    noted = session.connection().info.get(_NOTED)
    return noted is not None and noted[0].is_active and bool(noted[1])


def track(engine: Engine) -> None:
    """Bump the roster revision on every write through ``engine`` that the matcher sees."""
    _TRACKED.add(engine.pool)
    if not event.contains(engine, "after_execute", _after_execute):
        event.listen(engine, "after_execute", _after_execute)


def note_bulk_write(connection: Connection, table_name: str, rows: list[dict]) -> None:
    """Record rows written behind SQLAlchemy's back (PostgreSQL's COPY) into ``table_name``."""
    if table_name in WATCHED_TABLES and connection.engine.pool in _TRACKED:
        key = "id" if table_name == "expert" else "expert_id"
        ids = {row.get(key) for row in rows}
        _note(connection, None if None in ids else ids)


def _note(connection: Connection, ids: Iterable[int] | None) -> None:
    """Write the change rows of this transaction not written yet; None: "many or unknown"."""
    transaction = connection.get_nested_transaction() or connection.get_transaction()
    noted = connection.info.get(_NOTED)
    if noted is None or noted[0] is not transaction:
        noted = (transaction, set())
        connection.info[_NOTED] = noted
    seen: set[int | None] = noted[1]
    if None in seen:
        return  # a "many" row already covers every expert of this transaction
    wanted = None if ids is None else set(ids) - seen
    if wanted is not None and not wanted:
        return
    now = utcnow()
    if wanted is None or len(seen) + len(wanted) > COALESCE_ABOVE:
        rows = [{"expert_id": None, "at": now}]
        seen.add(None)
    else:
        rows = [{"expert_id": expert_id, "at": now} for expert_id in sorted(wanted)]
        seen |= wanted
    connection.execute(insert(_CHANGE), rows)


def _changed(obj) -> bool:
    """Whether a dirty ORM object changed a column the matcher reads."""
    unseen = UNSEEN.get(obj.__tablename__, frozenset())
    state = inspect(obj)
    return any(
        attr.key not in unseen and attr.history.has_changes()
        for attr in state.attrs
        if attr.key in state.mapper.columns
    )


def _expert_of(obj) -> int | None:
    return obj.id if isinstance(obj, Expert) else obj.expert_id


def _row_written(_mapper, connection: Connection, target) -> None:
    """Record the expert of a row the ORM's flush inserted or deleted (orphans included)."""
    if connection.engine.pool in _TRACKED:
        _note(connection, {_expert_of(target)})


def _row_updated(_mapper, connection: Connection, target) -> None:
    """Record the expert of a row the ORM's flush updated, if the matcher reads the change."""
    if connection.engine.pool in _TRACKED and _changed(target):
        _note(connection, {_expert_of(target)})


for _model in WATCHED:
    event.listen(_model, "after_insert", _row_written)
    event.listen(_model, "after_delete", _row_written)
    event.listen(_model, "after_update", _row_updated)


@cache
def _flush_caches() -> dict[str, object]:
    """The statement caches of the watched mappers, which the ORM's flush passes along."""
    return {model.__tablename__: inspect(model).base_mapper._compiled_cache for model in WATCHED}


def _after_execute(connection, statement, multiparams, params, options, _result) -> None:
    """Record the experts a Core statement on a watched table wrote."""
    if not isinstance(statement, Insert | Update | Delete):
        return
    name = getattr(statement.table, "name", None)
    if name not in WATCHED_TABLES:
        return
    if options.get("compiled_cache") is not None and (
        options["compiled_cache"] is _flush_caches()[name]
    ):
        return  # the ORM's flush, which the mapper events read with more precision
    rows = multiparams or ([params] if params else [])
    if isinstance(statement, Update) and not _sets_seen_column(name, statement, rows):
        return
    _note(connection, _statement_ids(name, statement, rows))


def _sets_seen_column(name: str, statement: Update, rows: list[dict]) -> bool:
    """Whether an UPDATE sets a column the matcher reads."""
    columns = {getattr(key, "key", key) for key in statement._values or {}}
    if not columns and rows:
        columns = set(rows[0]) & set(statement.table.c.keys())
    if not columns:
        return True  # cannot tell: count it
    return bool(columns - UNSEEN.get(name, frozenset()))


def _statement_ids(name: str, statement, rows: list[dict]) -> set[int] | None:
    """The experts a statement names, or None when it does not say."""
    key = "id" if name == "expert" else "expert_id"
    if isinstance(statement, Insert):
        if name == "expert":
            return None  # new ids are known only after the insert: refit all
        values = statement._values or {}
        if values:
            found = {getattr(k, "key", k): v for k, v in values.items()}.get(key)
            value = getattr(found, "value", found)
            return {value} if isinstance(value, int) else None
        ids = {row.get(key) for row in rows}
        return None if not ids or None in ids else ids
    return _where_ids(statement.whereclause, statement.table.c.get(key), rows)


def _where_ids(clause, column, rows: list[dict]) -> set[int] | None:
    """The ids a WHERE clause restricts ``column`` to at its top level, or None."""
    if clause is None or column is None:
        return None
    terms = (
        list(clause.clauses)
        if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_
        else [clause]
    )
    for term in terms:
        if not isinstance(term, BinaryExpression) or not isinstance(term.right, BindParameter):
            continue
        table = getattr(getattr(term.left, "table", None), "name", None)
        if getattr(term.left, "key", None) != column.key or table != column.table.name:
            continue
        right = term.right
        if term.operator is operator.eq:
            values = [right.value] if right.value is not None else [r.get(right.key) for r in rows]
        elif term.operator is operators.in_op and right.expanding:
            values = list(right.value or [])
        else:
            continue
        if values and all(isinstance(v, int) for v in values):
            return set(values)
    return None
