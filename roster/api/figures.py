"""Figures through the API: the unmet-demand log and the dashboard of where the roster is thin.

The same services as the pages (``roster.missions.progress.unmet_demand``; the dashboard's
figures kept by ``roster.recruiting.dashboard_kept``, counted by
``roster.recruiting.diversity``), read by the same roles. Every count of people passes the
small-count rule exactly as on the page: a withheld figure is answered as
``{"count": null, "withheld": "small" | "complement"}`` ("fewer than 5" and "withheld" on
the page), never as a number. Positions of roles are not people and are never withheld.
Neither page takes a filter: a query parameter the operation does not know is refused.
"""

from datetime import UTC, date, datetime
from typing import Any, Literal

from flask import current_app, request
from flask_login import current_user
from pydantic import BaseModel

from roster.api.kernel import answer, api, described, page_size
from roster.auth.access import token_required
from roster.db import get_session, session_scope
from roster.i18n import binding_text
from roster.messages import N_, Message
from roster.missions import progress
from roster.models import RoleName
from roster.policy.privacy import SMALL_COUNT, Hidden, PublishedTable
from roster.recruiting.dashboard_kept import kept_dashboard
from roster.recruiting.diversity import DEMAND_MONTHS, DIMENSIONS, Trend
from roster.recruiting.supply_demand import GapRow
from roster.refusal import Problem, Refused

TAG = "Figures"
# The web's readers of each page (roster/needs/pages.py READERS_OF_UNMET_DEMAND, the
# dashboard's view): roster:read is the scope these roles may hold.
READERS_OF_UNMET_DEMAND = (RoleName.RECRUITER, RoleName.PLANNER, RoleName.ADMIN)
READERS_OF_DASHBOARD = (RoleName.RECRUITER, RoleName.ADMIN)
UNMET_DEMAND_SHOWN = 200  # the page's entries


def _known_parameters(*known: str) -> None:
    """Refuse a query parameter the operation does not know, at its name."""
    unknown = sorted(name for name in request.args if name not in known)
    if unknown:
        raise Refused(
            [Problem(name, Message(N_("This field is not known here."))) for name in unknown]
        )


def _utc(moment: datetime) -> str:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


# --- unmet demand ----------------------------------------------------------------------


class UnmetEntry(BaseModel):
    """One entry of the unmet-demand log, as the page's row shows it."""

    recorded_at: str
    kind: str
    needs_public_id: str | None
    needs_id: str
    needs_title: str
    country: str
    role_key: str
    role_title: str
    positions: int
    eligible: int
    binding: dict[str, Any] | None
    binding_text: str | None


class UnmetDemand(BaseModel):
    """The unmet-demand log, newest first."""

    items: list[UnmetEntry]


UNMET_QUERY = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": UNMET_DEMAND_SHOWN},
        "description": "How many of the newest entries (the page shows 200).",
    }
]


@api.get("/unmet-demand")
@api.doc(tags=[TAG])
@token_required("roster:read", *READERS_OF_UNMET_DEMAND)
@described(responses={200: UnmetDemand}, query=UNMET_QUERY)
def unmet_demand():
    """The roles the roster could not fill, or not with enough eligible experts, newest first.

    As the page: planners and administrators are given each assessment's public id (the
    page links it); recruiters its name only.
    """
    _known_parameters("limit")
    limit = page_size(default=UNMET_DEMAND_SHOWN)
    linked = current_user.has_role(RoleName.PLANNER, RoleName.ADMIN)
    rows = progress.unmet_demand(session=get_session(), limit=limit)
    return answer(
        UnmetDemand(
            items=[
                UnmetEntry(
                    recorded_at=_utc(row.recorded_at),
                    kind=row.kind,
                    needs_public_id=row.needs_public_id if linked else None,
                    needs_id=row.needs_external_id,
                    needs_title=row.needs_title,
                    country=row.country,
                    role_key=row.role_key,
                    role_title=row.role_title,
                    positions=row.positions,
                    eligible=row.eligible_count,
                    binding=row.binding,
                    binding_text=binding_text(row.binding) or None,
                )
                for row in rows
            ]
        ).model_dump(mode="json")
    )


# --- the dashboard -----------------------------------------------------------------------


class Count(BaseModel):
    """A count of people: the number, or null and why it is withheld."""

    count: int | None
    withheld: Literal["small", "complement"] | None


class Table(BaseModel):
    """A published table: its cells and the totals the page shows."""

    rows: list[str]
    columns: list[str]
    cells: list[list[Count]]
    row_totals: list[Count] | None
    column_totals: list[Count] | None
    total: Count | None


class TrendTable(BaseModel):
    """Rostered experts at each quarter's end by one characteristic, their shares and changes."""

    rows: list[str]
    quarter_ends: list[date]
    cells: list[list[Count]]
    shares: list[list[float | None]]
    changes: list[list[float | None]]
    totals: list[Count]


class Section(BaseModel):
    """One characteristic: by roster status, by expertise area, quarter by quarter."""

    by_status: Table
    by_area: Table
    trend: TrendTable


class Sections(BaseModel):
    """The page's four sections."""

    gender: Section
    region: Section
    language: Section
    accessibility: Section


class Gap(BaseModel):
    """Supply against demand for an expertise area or UN official language."""

    kind: Literal["area", "language"]
    code: str
    supply: Count
    asked: int
    unmet: int
    band: str
    per_position: float | None


class HeatCell(BaseModel):
    """Rostered experts with an expertise working in a language, against positions asked."""

    area: str
    language: str
    supply: Count
    asked: int
    band: str


class Sensitive(BaseModel):
    """Administrators only: disability and age bands by roster status."""

    disability: Table
    age: Table


class Dashboard(BaseModel):
    """Where the roster is thin: the dashboard's figures, withheld as the page withholds them."""

    computed_at: str
    current: bool
    small_count: int
    statuses: list[str]
    sections: Sections
    demand_since: date
    demand_months: int
    gap: list[Gap]
    heatmap: list[list[HeatCell]]
    sensitive: Sensitive | None


def count(figure: int | Hidden | None) -> Count:
    """A figure as the page shows it (``shown_count``): never a small count as a number."""
    if figure is None or figure == Hidden.COMPLEMENT:
        return Count(count=None, withheld="complement")
    if figure == Hidden.SMALL or 0 < figure < SMALL_COUNT:
        return Count(count=None, withheld="small")
    return Count(count=int(figure), withheld=None)


def _counts(figures) -> list[Count]:
    return [count(figure) for figure in figures]


def table(published: PublishedTable) -> Table:
    """A published table as the page's ``figure_table`` shows it."""
    both = bool(published.row_totals) and bool(published.column_totals)
    return Table(
        rows=list(published.rows),
        columns=list(published.columns),
        cells=[_counts(row) for row in published.cells],
        row_totals=_counts(published.row_totals) if published.row_totals else None,
        column_totals=_counts(published.column_totals) if published.column_totals else None,
        total=count(published.total) if both else None,
    )


def trend(found: Trend, ends: tuple[date, ...]) -> TrendTable:
    """A characteristic quarter by quarter, as the page's trend table shows it."""
    return TrendTable(
        rows=list(found.table.rows),
        quarter_ends=list(ends),
        cells=[_counts(row) for row in found.table.cells],
        shares=[list(row) for row in found.shares],
        changes=[list(row) for row in found.changes],
        totals=_counts(found.totals),
    )


def gap(row: GapRow) -> Gap:
    """A row of the supply-and-demand table."""
    return Gap(
        kind=row.kind,
        code=row.code,
        supply=count(row.supply),
        asked=row.asked,
        unmet=row.unmet,
        band=row.band,
        per_position=row.per_position,
    )


def heat(cell: GapRow) -> HeatCell:
    """A cell of the heatmap (its code is ``area|language``)."""
    area, language = cell.code.split("|", 1)
    return HeatCell(
        area=area, language=language, supply=count(cell.supply), asked=cell.asked, band=cell.band
    )


@api.get("/dashboard")
@api.doc(tags=[TAG])
@token_required("roster:read", *READERS_OF_DASHBOARD)
@described(responses={200: Dashboard})
def dashboard():
    """The roster's make-up by status, expertise area and quarter, and supply against demand.

    The page's figures, kept between requests as for the page (``current`` false: the
    roster has changed since ``computed_at`` and newer figures are being counted).
    Administrators are also given disability and age bands (``sensitive``); every figure
    is withheld alike whoever reads.
    """
    _known_parameters()
    app = current_app._get_current_object()
    kept = kept_dashboard(
        session=get_session(),
        store=app.extensions.setdefault("dashboard", {}),
        opener=lambda: session_scope(app, write=False),
    )
    figures = kept.figures
    return answer(
        Dashboard(
            computed_at=_utc(kept.computed_at),
            current=kept.current,
            small_count=SMALL_COUNT,
            statuses=list(figures.statuses),
            sections=Sections(
                **{
                    dim: Section(
                        by_status=table(figures.by_status[dim]),
                        by_area=table(figures.by_area[dim]),
                        trend=trend(figures.trends[dim], figures.quarter_ends),
                    )
                    for dim in DIMENSIONS
                }
            ),
            demand_since=figures.demand_since,
            demand_months=DEMAND_MONTHS,
            gap=[gap(row) for row in figures.gap],
            heatmap=[[heat(cell) for cell in row] for row in figures.heatmap],
            sensitive=Sensitive(
                disability=table(figures.sensitive["disability"]),
                age=table(figures.sensitive["age"]),
            )
            if current_user.has_role(RoleName.ADMIN)
            else None,
        ).model_dump(mode="json")
    )
