"""Expert records (the interchange shape) to table rows and back, in bulk.

``record_from_rows`` is the only way a record is made from the database, and
``rows_from_record`` the only way one is stored, so an export read back in is
compared field by field with what is stored, and an unchanged record is left
untouched (its version does not move).
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, text, update
from sqlmodel import Session

from roster.models import (
    AvailabilityWindow,
    Deployment,
    Expert,
    ExpertAccessibility,
    ExpertLanguage,
    ExpertNationality,
    ExpertSkill,
    RosterStatus,
    RosterStatusChange,
    new_public_id,
    utcnow,
)
from roster.policy.privacy import SensitiveField, visible_sensitive_fields
from roster.policy.standing import Standing
from roster.recruiting.names import name_key
from roster.revisions import note_bulk_write

SENSITIVE = tuple(field.value for field in SensitiveField)
EVERY_FIELD = frozenset(SensitiveField)
SCALARS = (
    "full_name",
    "email",
    "residence_country",
    "roster_status",
    "seniority",
    "years_experience",
    "summary",
)
CHILD_TABLES = (
    ExpertNationality,
    ExpertLanguage,
    ExpertSkill,
    ExpertAccessibility,
    AvailabilityWindow,
)


@dataclass
class ExpertRows:
    """One expert as rows: the expert's own columns and its child rows (without expert_id)."""

    columns: dict[str, Any]
    consented: dict[str, bool]
    children: dict[type, list[dict[str, Any]]] = field(default_factory=dict)
    deployments: list[dict[str, Any]] | None = None


def rows_from_record(record: dict[str, Any]) -> ExpertRows:
    """Map a normalised record to rows; sensitive values only where consent allows.

    Raises:
        ValueError: the record's ``roster_status`` is not a status of the taxonomy.
    """
    consent = record.get("consent") or {}
    consented = {name: bool(consent.get(name)) for name in SENSITIVE}
    columns = {name: record.get(name) for name in SCALARS}
    # Imports may set any status of the taxonomy, and no other (a data load by staff).
    columns["roster_status"] = RosterStatus.parse(record.get("roster_status"))
    columns["summary"] = columns["summary"] or ""
    for name in SENSITIVE:
        columns[name] = record.get(name) if consented[name] else None
    children = {
        ExpertNationality: [
            {"country": c, "position": i} for i, c in enumerate(record["nationalities"])
        ],
        ExpertLanguage: [
            {"code": lang["code"], "level": lang["level"], "position": i}
            for i, lang in enumerate(record["languages"])
        ],
        ExpertSkill: [
            {"code": s["code"], "years": s.get("years"), "position": i}
            for i, s in enumerate(record["skills"])
        ],
        ExpertAccessibility: [
            {"code": code, "position": i}
            for i, code in enumerate(record.get("accessibility_expertise") or [])
        ],
        AvailabilityWindow: sorted(
            (
                {"start": _day(w["from"]), "end": _day(w["to"])}
                for w in record.get("availability") or []
            ),
            key=lambda w: (w["start"], w["end"]),
        ),
    }
    deployments = None
    if "deployments" in record:
        deployments = sorted(
            (
                {
                    "mission": d.get("mission"),
                    "country": d["country"],
                    "role": d["role"],
                    "start": _day(d["from"]),
                    "end": _day(d["to"]),
                    "rating": d.get("rating"),
                    "comments": d.get("comments"),
                }
                for d in record["deployments"]
            ),
            key=lambda d: (d["start"], d["end"], d["country"], d["role"]),
        )
    return ExpertRows(columns, consented, children, deployments)


def _day(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def record_from_rows(
    external_id: str, rows: ExpertRows, *, sensitive: Collection[SensitiveField]
) -> dict[str, Any]:
    """Build the canonical interchange record (keys in the schema's order).

    Of the sensitive fields, only those in ``sensitive`` (as ``privacy`` decides for
    the reader) are written, with their consent.
    """
    cols, kids = rows.columns, rows.children
    shown = [name for name in SENSITIVE if name in sensitive]
    record: dict[str, Any] = {
        "external_id": external_id,
        "full_name": cols["full_name"],
        "email": cols["email"],
        "nationalities": [row["country"] for row in kids[ExpertNationality]],
    }
    if cols["residence_country"]:
        record["residence_country"] = cols["residence_country"]
    for name in shown:
        if cols[name] is not None:
            record[name] = cols[name]
    if any(rows.consented[name] for name in shown):
        record["consent"] = {name: True for name in shown if rows.consented[name]}
    record["roster_status"] = RosterStatus(cols["roster_status"]).value
    for name in ("seniority", "years_experience"):
        if cols[name] is not None:
            record[name] = cols[name]
    record["languages"] = [{"code": r["code"], "level": r["level"]} for r in kids[ExpertLanguage]]
    record["skills"] = [
        {"code": r["code"]} | ({"years": r["years"]} if r["years"] is not None else {})
        for r in kids[ExpertSkill]
    ]
    record["accessibility_expertise"] = [r["code"] for r in kids[ExpertAccessibility]]
    record["summary"] = cols["summary"] or ""
    record["availability"] = [
        {"from": r["start"].isoformat(), "to": r["end"].isoformat()}
        for r in kids[AvailabilityWindow]
    ]
    record["deployments"] = [_deployment_record(d) for d in rows.deployments or []]
    return record


def _deployment_record(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if row["mission"]:
        out["mission"] = row["mission"]
    out |= {
        "country": row["country"],
        "role": row["role"],
        "from": row["start"].isoformat(),
        "to": row["end"].isoformat(),
    }
    if row["rating"] is not None:
        out["rating"] = row["rating"]
    if row["comments"]:
        out["comments"] = row["comments"]
    return out


def canonical(record: dict[str, Any]) -> dict[str, Any]:
    """Return the record exactly as it would be exported after being stored."""
    return record_from_rows(record["external_id"], rows_from_record(record), sensitive=EVERY_FIELD)


_CHILD_COLUMNS = {
    ExpertNationality: ("country", "position"),
    ExpertLanguage: ("code", "level", "position"),
    ExpertSkill: ("code", "years", "position"),
    ExpertAccessibility: ("code", "position"),
    AvailabilityWindow: ("start", "end"),
}
_DEPLOYMENT_COLUMNS = ("mission", "country", "role", "start", "end", "rating", "comments")


def load_rows(session: Session, expert_ids: Sequence[int]) -> dict[int, tuple[str, ExpertRows]]:
    """Load experts by primary key as ``{id: (external_id, rows)}``, a query per table."""
    if not expert_ids:
        return {}
    wanted = [
        Expert.id,
        Expert.external_id,
        *(getattr(Expert, n) for n in SCALARS + SENSITIVE),
        *(getattr(Expert, f"{n}_consent_at") for n in SENSITIVE),
    ]
    out: dict[int, tuple[str, ExpertRows]] = {}
    for row in session.execute(select(*wanted).where(Expert.id.in_(expert_ids))):
        values = row._mapping
        columns = {name: values[name] for name in SCALARS + SENSITIVE}
        consented = {name: values[f"{name}_consent_at"] is not None for name in SENSITIVE}
        out[values["id"]] = (values["external_id"], ExpertRows(columns, consented, {}, []))
    for table, names in _CHILD_COLUMNS.items():
        grouped = _grouped(session, table, names, expert_ids)
        for expert_id, (_, rows) in out.items():
            rows.children[table] = grouped.get(expert_id, [])
    deployments = _grouped(session, Deployment, _DEPLOYMENT_COLUMNS, expert_ids)
    for expert_id, (_, rows) in out.items():
        rows.deployments = deployments.get(expert_id, [])
    return out


def _grouped(session: Session, table: type, names: Iterable[str], ids: Sequence[int]):
    names = tuple(names)
    order = [table.position] if "position" in names else [table.start, table.end]
    query = (
        select(table.expert_id, *(getattr(table, n) for n in names))
        .where(table.expert_id.in_(ids))
        .order_by(table.expert_id, *order)
    )
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in session.execute(query):
        grouped[row[0]].append(dict(zip(names, row[1:], strict=True)))
    return grouped


def iter_records(
    session: Session, *, batch: int = 1000, rostered_only: bool = False
) -> Iterator[dict]:
    """Yield every expert as a canonical record, ordered by external_id, in batches.

    The records are a roster file's: each carries the sensitive values that the
    privacy rule gives a data manager (every consented one).
    """
    # A record merged into another is kept for the record, not as a person of the roster.
    query = select(Expert.id).where(Expert.merged_into_id.is_(None)).order_by(Expert.external_id)
    if rostered_only:
        query = query.where(Expert.roster_status == RosterStatus.ROSTERED)
    ids = list(session.scalars(query))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        loaded = load_rows(session, chunk)
        for expert_id in chunk:
            external_id, rows = loaded[expert_id]
            consented = [f for f in SensitiveField if rows.consented[f.value]]
            sensitive = visible_sensitive_fields(
                viewer={Standing.DATA_MANAGER}, consented=consented
            )
            yield record_from_rows(external_id, rows, sensitive=sensitive)


def write_experts(
    session: Session,
    items: Sequence[tuple[dict, int | None]],
    *,
    reason: str,
    actor_id: int | None = None,
) -> dict[str, int]:
    """Insert or update a batch of normalised records: ``(record, existing id or None)``.

    Existing experts whose canonical record is unchanged are skipped; the others get
    their version incremented and their child rows replaced. Returns counts of
    ``created``, ``updated`` and ``unchanged``.
    """
    now = utcnow()
    existing = load_rows(session, [eid for _, eid in items if eid is not None])
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    new_rows: list[tuple[dict, ExpertRows]] = []
    changed: list[tuple[int, ExpertRows, ExpertRows]] = []
    for record, expert_id in items:
        rows = rows_from_record(record)
        if expert_id is None:
            new_rows.append((record, rows))
            continue
        old = existing[expert_id][1]
        if rows.deployments is None:
            rows.deployments = old.deployments  # The format could not carry them: keep them.
        if record_from_rows("", rows, sensitive=EVERY_FIELD) == record_from_rows(
            "", old, sensitive=EVERY_FIELD
        ):
            counts["unchanged"] += 1
        else:
            changed.append((expert_id, rows, old))
    if new_rows:
        ids = _insert_experts(session, new_rows, now)
        _insert_children(session, list(zip(ids, (rows for _, rows in new_rows), strict=True)))
        bulk_insert(
            session.connection(),
            RosterStatusChange.__table__,
            [
                {
                    "expert_id": eid,
                    "from_status": None,
                    "to_status": rows.columns["roster_status"],
                    "changed_by_id": actor_id,
                    "changed_at": now,
                    "reason": reason,
                }
                for eid, (_, rows) in zip(ids, new_rows, strict=True)
            ],
        )
        counts["created"] = len(new_rows)
    if changed:
        _update_experts(session, changed, now, reason=reason, actor_id=actor_id)
        counts["updated"] = len(changed)
    return counts


def _consent_columns(rows: ExpertRows, now: datetime, old: ExpertRows | None) -> dict[str, Any]:
    return (
        {f"{name}_consent_at": (now if rows.consented[name] else None) for name in SENSITIVE}
        if old is None
        else {
            f"{name}_consent_at": now
            for name in SENSITIVE
            if rows.consented[name] and not old.consented[name]
        }
        | {f"{name}_consent_at": None for name in SENSITIVE if not rows.consented[name]}
    )


def _insert_experts(
    session: Session, new_rows: list[tuple[dict, ExpertRows]], now: datetime
) -> list[int]:
    params = [
        {
            "external_id": record["external_id"],
            "public_id": new_public_id(),
            **rows.columns,
            "name_key": name_key(rows.columns["full_name"] or ""),
            **_consent_columns(rows, now, None),
            "profile_confirmed_at": now,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for record, rows in new_rows
    ]
    table = Expert.__table__
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        ids = list(
            connection.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence('expert', 'id'))"
                    " FROM generate_series(1, :n)"
                ),
                {"n": len(params)},
            ).scalars()
        )
        _copy(connection, table, [{"id": eid, **row} for eid, row in zip(ids, params, strict=True)])
        return ids
    result = connection.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), params
    )
    return [row[0] for row in result]


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows: COPY on PostgreSQL (several times faster), executemany elsewhere.

    Values go to COPY as they are: columns of JSON need an executemany ``insert``.
    """
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        _copy(connection, table, rows)
    else:
        connection.execute(insert(table), rows)


def _copy(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    note_bulk_write(connection, table.name, rows)  # SQLAlchemy does not see COPY
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)
    cursor = connection.connection.dbapi_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row.get(name) for name in columns])


def _insert_children(session: Session, pairs: list[tuple[int, ExpertRows]]) -> None:
    connection = session.connection()
    for table in CHILD_TABLES:
        bulk_insert(
            connection,
            table.__table__,
            [{"expert_id": eid, **child} for eid, rows in pairs for child in rows.children[table]],
        )
    bulk_insert(
        connection,
        Deployment.__table__,
        [{"expert_id": eid, **d} for eid, rows in pairs for d in rows.deployments or []],
    )


def _update_experts(
    session: Session,
    changed: list[tuple[int, ExpertRows, ExpertRows]],
    now: datetime,
    *,
    reason: str,
    actor_id: int | None,
) -> None:
    ids = [eid for eid, _, _ in changed]
    for eid, rows, old in changed:
        session.execute(
            update(Expert)
            .where(Expert.id == eid)
            .values(
                **rows.columns,
                name_key=name_key(rows.columns["full_name"] or ""),
                **_consent_columns(rows, now, old),
                updated_at=now,
                version=Expert.version + 1,
            )
        )
        if rows.columns["roster_status"] != old.columns["roster_status"]:
            session.add(
                RosterStatusChange(
                    expert_id=eid,
                    from_status=old.columns["roster_status"],
                    to_status=rows.columns["roster_status"],
                    changed_by_id=actor_id,
                    reason=reason,
                )
            )
    # Keep verifications of skills that are still declared.
    verified = {
        (row.expert_id, row.code): (row.verified_at, row.verified_by_id, row.verification_note)
        for row in session.execute(
            select(ExpertSkill).where(
                ExpertSkill.expert_id.in_(ids), ExpertSkill.verified_at.is_not(None)
            )
        ).scalars()
    }
    for table in (*CHILD_TABLES, Deployment):
        session.execute(delete(table).where(table.expert_id.in_(ids)))
    for eid, rows, _ in changed:
        for skill in rows.children[ExpertSkill]:
            skill["verified_at"], skill["verified_by_id"], skill["verification_note"] = (
                verified.get((eid, skill["code"]), (None, None, None))
            )
    _insert_children(session, [(eid, rows) for eid, rows, _ in changed])
