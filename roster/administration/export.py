"""The audit trail as CSV: its columns and the lines of an export, for the page and the API."""

from collections.abc import Iterator

from sqlalchemy.engine import Engine
from sqlmodel import Session

from roster.administration import queries
from roster.i18n import translate
from roster.spreadsheet import csv_lines

EXPORT_COLUMNS = (
    "at_utc",
    "actor",
    "actor_email",
    "action",
    "what",
    "expert",
    "account",
    "reason",
    "details",
)


def export_cells(row: queries.TrailRow) -> list[object]:
    """One event as a row of the export, in the request's language."""
    return [
        row.at.strftime("%Y-%m-%d %H:%M:%S"),
        translate(row.actor.label),
        row.actor.note or (row.actor.label if "@" in str(row.actor.label) else ""),
        row.action,
        translate(row.phrase),
        row.expert.public_id if row.expert else "",
        translate(row.account.label) if row.account else "",
        row.reason,
        "; ".join(f"{key}: {translate(value)}" for key, value in row.detail),
    ]


def export_lines(*, engine: Engine, filters: queries.TrailFilters) -> Iterator[str]:
    """The CSV lines of the events the filters keep, newest first, read a batch at a time.

    Read in a session of their own, after the request's (which records the export) has
    committed: the lines are streamed once the answer has begun.
    """
    with Session(engine) as reading:
        rows = queries.export_rows(session=reading, filters=filters)
        yield from csv_lines([EXPORT_COLUMNS])
        yield from csv_lines(export_cells(row) for row in rows)
