"""The unmet demand and the dashboard through the API: the page's figures, withheld alike."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from roster.db import session_scope
from roster.missions.records import save_needs
from roster.models import MissionRole, NeedsAssessment, UnmetDemand
from tests.factories import needs_record, role_record
from tests.roster.test_dashboard import (  # noqa: F401  (fixtures)
    mixed_roster,
    page_tables,
    supply_and_demand,
)

SMALL = "fewer than 5"
WITHHELD = "withheld"
DIMENSIONS = ("gender", "region", "language", "accessibility")


def shown(figure: dict) -> str:
    """A count of the API as the page shows it."""
    if figure["count"] is None:
        return SMALL if figure["withheld"] == "small" else WITHHELD
    return f"{figure['count']:,}"


def first_lines(rows: list[list[str]]) -> list[list[str]]:
    """The cells of a page's rows after the row's header, first line of each."""
    return [[cell.split("\n")[0] for cell in row[1:]] for row in rows]


def api_rows(table: dict) -> list[list[str]]:
    return [
        [shown(cell) for cell in row]
        + ([shown(table["row_totals"][i])] if table["row_totals"] else [])
        for i, row in enumerate(table["cells"])
    ]


def api_foot(table: dict) -> list[list[str]]:
    if not table["column_totals"]:
        return []
    return [
        [shown(cell) for cell in table["column_totals"]]
        + ([shown(table["total"])] if table["total"] else [])
    ]


def assert_same_table(page: dict, table: dict, name: str) -> None:
    assert first_lines(page["body"]) == api_rows(table), name
    assert first_lines(page["foot"]) == api_foot(table), name


def counts(document):
    """Every count object of an answer."""
    if isinstance(document, dict):
        if set(document) == {"count", "withheld"}:
            yield document
        else:
            for value in document.values():
                yield from counts(value)
    elif isinstance(document, list):
        for value in document:
            yield from counts(value)


# --- the dashboard -----------------------------------------------------------------------


def test_the_dashboard_answers_what_the_page_shows(mixed_roster, signed_in, api_as):  # noqa: F811
    for role in ("recruiter", "admin"):
        page = signed_in(f"web-{role}@example.org", role).get("/dashboard")
        assert page.status_code == 200
        tables = page_tables(page.get_data(as_text=True))
        answer = api_as(f"api-{role}@example.org", role).get("/dashboard")
        assert answer.status_code == 200, answer.get_json()
        found = answer.get_json()
        for dim in DIMENSIONS:
            section = found["sections"][dim]
            assert_same_table(tables[f"{dim}-by-status"], section["by_status"], dim)
            assert_same_table(tables[f"{dim}-by-area"], section["by_area"], dim)
            trend = section["trend"]
            assert first_lines(tables[f"{dim}-trend"]["body"]) == [
                [shown(cell) for cell in row] for row in trend["cells"]
            ]
            assert first_lines(tables[f"{dim}-trend"]["foot"]) == [
                [shown(cell) for cell in trend["totals"]]
            ]
            assert len(trend["quarter_ends"]) == len(tables[f"{dim}-trend"]["head"][0]) - 1
        gap = tables["gap-table"]["body"]
        assert [row[1:4] for row in gap] == [
            [shown(row["supply"]), f"{row['asked']:,}", f"{row['unmet']:,}"] for row in found["gap"]
        ]
        assert first_lines(tables["gap-heatmap"]["body"]) == [
            [shown(cell["supply"]) for cell in row] for row in found["heatmap"]
        ]
        if role == "admin":
            for name in ("disability", "age"):
                sensitive = found["sensitive"][name]
                assert_same_table(tables[f"{name}-by-status"], sensitive, name)
        else:
            assert found["sensitive"] is None
            assert "disability-by-status" not in tables


def test_no_small_count_is_ever_a_number_and_withheld_counts_are_withheld(
    mixed_roster,  # noqa: F811
    api_as,
):
    found = api_as("ada@example.org", "admin").get("/dashboard").get_json()
    figures = list(counts(found))
    assert len(figures) > 100
    withheld = [figure for figure in figures if figure["count"] is None]
    assert {figure["withheld"] for figure in withheld} == {"small", "complement"}
    for figure in figures:
        assert figure["count"] is None or not 0 < figure["count"] < 5, figure
        assert (figure["count"] is None) == (figure["withheld"] is not None), figure


def test_supply_and_demand_on_a_small_roster(supply_and_demand, api_as):  # noqa: F811
    found = api_as("rita@example.org", "recruiter").get("/dashboard").get_json()
    rows = {(row["kind"], row["code"]): row for row in found["gap"]}
    registration = rows[("area", "voter-registration")]
    assert registration["supply"] == {"count": 7, "withheld": None}
    assert (registration["asked"], registration["unmet"]) == (4, 2)
    assert registration["band"] == "thin" and registration["per_position"] == pytest.approx(1.75)
    assert rows[("language", "fr")]["supply"] == {"count": 6, "withheld": None}
    # One applicant: a status of fewer than 5 is withheld, never 1.
    status = found["sections"]["gender"]["by_status"]
    applicants = status["column_totals"][found["statuses"].index("applicant")]
    assert applicants == {"count": None, "withheld": "small"}
    heat = {(c["area"], c["language"]): c for row in found["heatmap"] for c in row}
    assert heat[("voter-registration", "fr")]["supply"]["count"] == 6
    assert heat[("voter-registration", "fr")]["asked"] == 4


def test_only_recruiters_and_administrators_read_the_dashboard(api_as, anonymous_api):
    assert api_as("eve@example.org", "expert").get("/dashboard").status_code == 403
    assert api_as("pat@example.org", "planner").get("/dashboard").status_code == 403
    no_scope = api_as("rita@example.org", "recruiter", scopes=["roster:write"])
    assert no_scope.get("/dashboard").status_code == 403
    assert anonymous_api.get("/dashboard").status_code == 401


def test_the_dashboard_takes_no_filter(api_as):
    answer = api_as("rita@example.org", "recruiter").get("/dashboard?gender=woman")
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert [p["path"] for p in answer.get_json()["problems"]] == ["gender"]


# --- the unmet demand --------------------------------------------------------------------


@pytest.fixture
def unmet(app):
    """Two entries of the unmet-demand log: an older shortfall, a newer unfilled role."""
    with session_scope(app) as session:
        save_needs(
            session=session,
            by=None,
            record=needs_record(
                role_record("R1", positions=3), role_record("R2"), id="NA-UNMET", country="TD"
            ),
        )
        session.flush()
        roles = session.scalars(select(MissionRole).order_by(MissionRole.id)).all()
        session.add(
            UnmetDemand(
                role_id=roles[0].id,
                kind="short",
                positions=3,
                eligible_count=1,
                binding={
                    "code": "language.required",
                    "params": {"language": "ar", "wanted": "C1", "level": "B2"},
                    "text": "Arabic C1 required: has B2",
                },
                recorded_at=datetime.now(UTC) - timedelta(days=2),
            )
        )
        session.add(
            UnmetDemand(
                role_id=roles[1].id,
                kind="unfilled",
                positions=1,
                eligible_count=0,
                binding={"code": "shortfall.unknown", "params": {}, "text": "Nobody speaks Sango"},
            )
        )
        return session.scalar(select(NeedsAssessment.public_id))


def test_the_unmet_demand_answers_what_the_page_shows(unmet, signed_in, api_as):
    page = page_tables(
        signed_in("web@example.org", "recruiter").get("/unmet-demand").get_data(as_text=True)
    )["unmet"]["body"]
    found = api_as("rita@example.org", "recruiter").get("/unmet-demand")
    assert found.status_code == 200
    items = found.get_json()["items"]
    assert [item["kind"] for item in items] == ["unfilled", "short"]
    assert [[row[4], row[5], row[6]] for row in page] == [
        [str(item["positions"]), str(item["eligible"]), item["binding_text"]] for item in items
    ]
    assert [row[1] for row in page] == [item["needs_title"] for item in items]
    assert items[1]["binding"]["code"] == "language.required"
    assert items[1]["role_key"] == "R1" and items[1]["country"] == "TD"
    assert items[1]["needs_id"] == "NA-UNMET"
    # As on the page, a recruiter is not pointed at the planner's assessment; a planner is.
    assert {item["needs_public_id"] for item in items} == {None}
    planner = api_as("pat@example.org", "planner").get("/unmet-demand").get_json()["items"]
    assert {item["needs_public_id"] for item in planner} == {unmet}
    newest = api_as("ada@example.org", "admin").get("/unmet-demand?limit=1").get_json()["items"]
    assert [item["kind"] for item in newest] == ["unfilled"]


def test_the_unmet_demand_is_empty_without_entries(api_as):
    answer = api_as("rita@example.org", "recruiter").get("/unmet-demand")
    assert answer.status_code == 200 and answer.get_json() == {"items": []}


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("limit=201", "limit"),
        ("country=TD", "country"),
    ],
)
def test_bad_filters_of_the_unmet_demand_are_refused_at_their_path(api_as, query, path):
    answer = api_as("rita@example.org", "recruiter").get(f"/unmet-demand?{query}")
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert [p["path"] for p in answer.get_json()["problems"]] == [path]


def test_only_the_pages_readers_read_the_unmet_demand(api_as, anonymous_api):
    assert api_as("eve@example.org", "expert").get("/unmet-demand").status_code == 403
    no_scope = api_as("pat@example.org", "planner", scopes=["needs:read"])
    assert no_scope.get("/unmet-demand").status_code == 403
    assert anonymous_api.get("/unmet-demand").status_code == 401
