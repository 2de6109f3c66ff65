"""The dashboard shows where the roster is thin, and gives no small count away."""

import math
import random
import re
import time
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from scipy.optimize import linprog
from sqlalchemy import select, update

from roster.db import session_scope
from roster.missions.records import save_needs
from roster.models import (
    Expert,
    MissionRole,
    NeedsAssessment,
    RosterStatus,
    RosterStatusChange,
    UnmetDemand,
)
from roster.recruiting.diversity import diversity_dashboard, quarter_ends
from tests.factories import expert_record, needs_record, role_record, write_jsonl
from tests.roster.test_pseudo_locale import assert_all_marked
from tests.roster.test_pseudo_locale_staff import choose

SMALL = "fewer than 5"
WITHHELD = "withheld"
COUNTRIES = ["SN", "KE", "FR", "DE", "BR", "MX", "JP", "PL", "VA"]
GENDERS = ["woman", "woman", "man", "man", "non-binary", "undisclosed", None]
STATUSES = [
    "rostered",
    "rostered",
    "rostered",
    "applicant",
    "under_review",
    "declined",
    "inactive",
    "suspended",
    "withdrawn",
]
LANGUAGES = ["ar", "zh", "ru", "es", "ase", "fsl", "de"]
ACCESS = ["sign-language", "easy-read", "tactile-ballots"]
AREAS = ["electoral-management", "voter-registration", "voter-education", "mediation"]


def import_records(runner, tmp_path, records) -> None:
    result = runner.invoke(
        args=["roster", "import", str(write_jsonl(tmp_path / "roster.jsonl", records))]
    )
    assert result.exit_code == 0, result.output


def mixed_record(n: int, rng: random.Random) -> dict:
    """An expert with a random make-up: many small cells, some crossing each other."""
    gender = rng.choice(GENDERS)
    sensitive = {"gender": gender} if gender else {"gender": None}
    consent = {"gender": True} if gender else {}
    if rng.random() < 0.5:
        sensitive |= {"disability": rng.random() < 0.2, "birth_year": rng.randint(1955, 2000)}
        consent |= {"disability": True, "birth_year": True}
    return expert_record(
        n,
        **sensitive,
        consent=consent,
        nationalities=[rng.choice(COUNTRIES)],
        roster_status=rng.choice(STATUSES),
        languages=[{"code": "en", "level": "C1"}]
        + [{"code": code, "level": "C1"} for code in rng.sample(LANGUAGES, rng.randint(0, 2))],
        skills=[{"code": code, "years": 5} for code in rng.sample(AREAS, rng.randint(1, 2))],
        accessibility_expertise=rng.sample(ACCESS, rng.randint(0, 1)),
    )


def backdate_history(app, rng: random.Random) -> None:
    """Give every expert a past: registered, rostered, perhaps suspended, over two years."""
    now = datetime.now(UTC)
    with app.app_context(), session_scope() as session:
        for expert_id in session.scalars(select(Expert.id)).all():
            start = now - timedelta(days=rng.randint(60, 800))
            steps = [(RosterStatus.APPLICANT, start)]
            if rng.random() < 0.8:
                steps.append((RosterStatus.ROSTERED, start + timedelta(days=rng.randint(10, 50))))
            if rng.random() < 0.2:
                steps.append((RosterStatus.SUSPENDED, steps[-1][1] + timedelta(days=30)))
            for status, at in steps:
                session.add(
                    RosterStatusChange(expert_id=expert_id, to_status=status, changed_at=at)
                )


@pytest.fixture
def mixed_roster(app, runner, tmp_path):
    rng = random.Random(11)
    import_records(runner, tmp_path, [mixed_record(n, rng) for n in range(1, 121)])
    backdate_history(app, rng)


# --- reading the page as an adversary would --------------------------------------------


class _Tables(HTMLParser):
    """Every table of a page: id, header row, body rows and footer row, as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, dict] = {}
        self._table = None
        self._section = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = {"head": [], "body": [], "foot": []}
            self.tables[dict(attrs).get("id", str(len(self.tables)))] = self._table
        elif tag in ("thead", "tbody", "tfoot") and self._table is not None:
            self._section = {"thead": "head", "tbody": "body", "tfoot": "foot"}[tag]
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split(" ")).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table[self._section].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(page: str) -> dict[str, dict]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def figure(text: str):
    """What a reader learns of a count from its cell: (low, high), or the value."""
    first = text.split("\n")[0].strip()
    if first == SMALL:
        return (1, 4)
    if first == WITHHELD:
        return (5, math.inf)
    return int(first.replace(",", ""))


def published_system(page: str):
    """The counts the page publishes and the sums between them, shared figures as one.

    The experts in each status are one figure in every table by status; the rostered
    experts in an expertise area one figure in every table by area and in the
    supply-and-demand table; the rostered experts at a quarter's end one figure in
    every quarterly table.
    """
    values: dict[tuple, object] = {}
    lines: list[tuple[list[tuple], tuple]] = []

    def put(key, text):
        value = figure(text)
        assert values.setdefault(key, value) == value, f"{key} differs between tables"
        return key

    tables = page_tables(page)
    for name, table in tables.items():
        if not name.endswith(("-by-status", "-by-area", "-trend")):
            continue
        header = table["head"][0]
        has_row_totals = header[-1] == "Total"
        columns = header[1:-1] if has_row_totals else header[1:]
        shared_row = name.endswith("-by-area")
        shared_column = "status" if name.endswith("-by-status") else "quarter"
        body = []
        for row in table["body"]:
            keys = [
                put((name, row[0], column), text)
                for column, text in zip(columns, row[1:], strict=False)
            ]
            body.append(keys)
            if has_row_totals:
                total_key = ("area", row[0]) if shared_row else (name, row[0], "total")
                lines.append((keys, put(total_key, row[-1])))
        # Only where the rows split people without overlap is the footer their sum.
        if table["foot"] and name.startswith(("gender", "region", "disability", "age")):
            foot = table["foot"][0]
            totals = [
                put((shared_column, column), text)
                for column, text in zip(columns, foot[1:], strict=False)
            ]
            for j, total in enumerate(totals):
                lines.append(([keys[j] for keys in body], total))
            if has_row_totals:
                grand = put(("all experts",), foot[-1])
                lines.append((totals, grand))
                lines.append(([(name, row[0], "total") for row in table["body"]], grand))
    for row in tables["gap-table"]["body"]:
        if not row[0].endswith("(UN official)"):
            put(("area", row[0]), row[1])
    return values, lines


def worked_out(values, lines) -> list[tuple]:
    """The withheld small counts whose value the published figures pin down."""
    unknown = [key for key, value in values.items() if isinstance(value, tuple)]
    column = {key: i for i, key in enumerate(unknown)}
    matrix, rhs = [], []
    for parts, total in lines:
        row = [0.0] * len(unknown)
        known = 0
        for key, sign in [*((p, 1) for p in parts), (total, -1)]:
            if key in column:
                row[column[key]] += sign
            else:
                known += sign * values[key]
        if any(row):
            matrix.append(row)
            rhs.append(-known)
        else:
            assert known == 0, f"the page's own figures disagree: {total}"
    bounds = [(values[k][0], None if values[k][1] == math.inf else values[k][1]) for k in unknown]
    pinned = []
    for key in unknown:
        if values[key] != (1, 4):
            continue
        goal = [0.0] * len(unknown)
        goal[column[key]] = 1
        low = linprog(goal, A_eq=matrix or None, b_eq=rhs or None, bounds=bounds, method="highs")
        goal[column[key]] = -1
        high = linprog(goal, A_eq=matrix or None, b_eq=rhs or None, bounds=bounds, method="highs")
        assert low.status == 0 and high.status == 0, "the page's figures are inconsistent"
        # At least two whole numbers must remain possible.
        if math.floor(-high.fun + 1e-9) - math.ceil(low.fun - 1e-9) < 1:
            pinned.append((key, low.fun, -high.fun))
    return pinned


# --- the tests -------------------------------------------------------------------------


def test_no_withheld_count_can_be_worked_out_from_what_the_page_shows(mixed_roster, staff):
    page = staff("admin").get("/dashboard").get_data(as_text=True)
    values, lines = published_system(page)
    small = [key for key, value in values.items() if value == (1, 4)]
    complements = [key for key, value in values.items() if value == (5, math.inf)]
    # The roster is built to have many small counts and totals that cross them.
    assert len(small) > 50 and len(complements) >= 5 and len(lines) > 100
    assert worked_out(values, lines) == []


def test_the_adversary_would_catch_a_lone_withheld_count():
    # A row 1 + 9 = 10 with only the 1 withheld: the adversary finds it.
    values = {"a": (1, 4), "b": 9, "t": 10}
    assert worked_out(values, [(["a", "b"], "t")]) == [("a", 1.0, 1.0)]
    # "fewer than 5" and "withheld" adding up to 6 are 1 and 5.
    values = {"a": (1, 4), "b": (5, math.inf), "c": 9, "t": 15}
    assert [key for key, *_ in worked_out(values, [(["a", "b", "c"], "t")])] == ["a"]


def test_no_small_count_is_ever_shown(mixed_roster, staff):
    page = staff("admin").get("/dashboard").get_data(as_text=True)
    for name, table in page_tables(page).items():
        for row in table["body"] + table["foot"]:
            # The table of supply and demand counts people in its first column only.
            for cell in row[1:2] if name == "gap-table" else row[1:]:
                value = figure(cell)
                assert not isinstance(value, int) or value == 0 or value >= 5, (name, row)
    # Nor in the charts' words: "37% (487)" shows a count beside each share.
    for count in re.findall(r'class="chart-value">[^<]*?\((\d[\d,]*)\)', page):
        assert int(count.replace(",", "")) == 0 or int(count.replace(",", "")) >= 5
    # A share is shown only beside a count that is shown.
    for name, table in page_tables(page).items():
        if name.endswith("-trend"):
            for row in table["body"]:
                for cell in row[1:]:
                    if not isinstance(figure(cell), int):
                        assert "%" not in cell, (name, row)


def test_gender_is_counted_only_with_consent(app, runner, tmp_path, staff):
    women = [expert_record(n, gender="woman") for n in range(1, 6)]
    # Their records say "woman" but give no consent: the import drops the gender.
    unconsented = [expert_record(n, gender="woman", consent={}) for n in range(6, 12)]
    import_records(runner, tmp_path, women + unconsented)
    with app.app_context(), session_scope() as session:
        figures = diversity_dashboard(session=session)
    table = figures.by_status["gender"]
    rostered = figures.statuses.index("rostered")
    assert table.cells[table.rows.index("woman")][rostered] == 5
    assert table.cells[table.rows.index("not-recorded")][rostered] == 6
    page = staff("recruiter").get("/dashboard").get_data(as_text=True)
    gender = page_tables(page)["gender-by-status"]
    rows = {row[0]: row for row in gender["body"]}
    assert rows["Women"][3] == "5"
    assert rows["Not recorded (no consent)"][3] == "6"


def test_disability_and_age_are_for_admins_only(mixed_roster, staff, client):
    recruiter = staff("recruiter").get("/dashboard")
    assert recruiter.status_code == 200
    page = recruiter.get_data(as_text=True)
    assert 'id="disability-by-status"' not in page and 'id="age-by-status"' not in page
    assert "Disability and age" not in page
    admin = staff("admin", name="Ada Admin").get("/dashboard").get_data(as_text=True)
    assert "disability-by-status" in admin and "age-by-status" in admin
    assert staff("planner", name="Pat Planner").get("/dashboard").status_code == 403
    assert staff("expert", name="Eve Expert").get("/dashboard").status_code == 403
    assert client.get("/dashboard").status_code == 302


def test_a_figure_is_withheld_alike_whoever_reads(mixed_roster, staff):
    recruiter = page_tables(staff("recruiter").get("/dashboard").get_data(as_text=True))
    admin = page_tables(staff("admin", name="Ada Admin").get("/dashboard").get_data(as_text=True))
    for name, table in recruiter.items():
        assert admin[name] == table, name


@pytest.fixture
def supply_and_demand(app, runner, tmp_path):
    """Seven rostered in voter registration (six in French at C1 or above), one applicant;
    two needs assessments of this year and one of three years ago."""
    records = [
        expert_record(
            n,
            skills=[{"code": "voter-registration", "years": 5}],
            languages=[{"code": "fr", "level": "C1" if n <= 6 else "B2"}],
        )
        for n in range(1, 8)
    ]
    records.append(
        expert_record(
            8, skills=[{"code": "voter-registration", "years": 5}], roster_status="applicant"
        )
    )
    import_records(runner, tmp_path, records)
    wanted = {
        "required_skills": ["voter-registration"],
        "required_languages": [{"code": "fr", "level": "C1"}],
    }
    with app.app_context(), session_scope() as session:
        save_needs(
            session=session,
            by=None,
            record=needs_record(role_record("R1", positions=3, **wanted), id="NA-1"),
        )
        save_needs(
            session=session,
            by=None,
            record=needs_record(
                role_record(
                    "R1", positions=2, required_skills=["mediation"], required_languages=[]
                ),
                role_record("R2", positions=1, **wanted),
                id="NA-2",
            ),
        )
        save_needs(
            session=session,
            by=None,
            record=needs_record(role_record("R1", positions=50, **wanted), id="NA-OLD"),
        )
        session.flush()
        session.execute(
            update(NeedsAssessment)
            .where(NeedsAssessment.external_id == "NA-OLD")
            .values(created_at=datetime.now(UTC) - timedelta(days=3 * 365))
        )
        short = session.scalar(
            select(MissionRole).join(NeedsAssessment).where(NeedsAssessment.external_id == "NA-1")
        )
        session.add(UnmetDemand(role_id=short.id, kind="short", positions=3, eligible_count=1))


def test_supply_against_demand_on_a_small_roster(supply_and_demand, staff):
    page = staff("recruiter").get("/dashboard").get_data(as_text=True)
    tables = page_tables(page)
    rows = {row[0]: row for row in tables["gap-table"]["body"]}
    # Rostered 7; asked 3 + 1 (the old 50 is past 24 months); 3 - 1 = 2 short.
    registration = rows["Voter registration and voter lists"]
    assert registration[1:4] == ["7", "4", "2"]
    assert registration[4].startswith("thin: fewer than 2 rostered per position asked (1.8)")
    assert rows["Mediation and good offices"][1:4] == ["0", "2", "0"]
    # French: six at C1 or above; asked by the same roles.
    french = rows["French (UN official)"]
    assert french[1:4] == ["6", "4", "2"]
    # Nobody works in Arabic: nothing to show, nothing asked.
    assert rows["Arabic (UN official)"][1:4] == ["0", "0", "0"]
    # The heatmap: voter registration in French, six rostered for four positions asked.
    heatmap = {row[0]: row for row in tables["gap-heatmap"]["body"]}
    columns = tables["gap-heatmap"]["head"][0]
    french = heatmap["Voter registration and voter lists"][columns.index("French")]
    assert french == "6\nthin · 4 asked"
    assert heatmap["Mediation and good offices"][columns.index("French")] == "0\nnone"


def test_the_rostered_population_is_rebuilt_quarter_by_quarter(app, runner, tmp_path):
    import_records(runner, tmp_path, [expert_record(n) for n in range(1, 13)])
    ends = quarter_ends(date.today())
    with app.app_context(), session_scope() as session:
        ids = session.scalars(select(Expert.id).order_by(Expert.id)).all()
        # Twelve rostered before the first quarter's end; six leave after the fourth.
        first = datetime.combine(ends[0] - timedelta(days=20), datetime.min.time(), UTC)
        left = datetime.combine(ends[3] + timedelta(days=1), datetime.min.time(), UTC)
        session.execute(update(RosterStatusChange).values(changed_at=first - timedelta(days=1)))
        for expert_id in ids[:6]:
            session.add(
                RosterStatusChange(
                    expert_id=expert_id, to_status=RosterStatus.INACTIVE, changed_at=left
                )
            )
    with app.app_context(), session_scope() as session:
        trend = diversity_dashboard(session=session).trends["gender"]
    assert trend.totals == (12, 12, 12, 12, 6, 6, 6, 6)
    women = trend.table.rows.index("woman")
    assert trend.table.cells[women] == (12, 12, 12, 12, 6, 6, 6, 6)
    assert trend.shares[women] == (1.0,) * 8


def test_merged_records_are_not_counted(app, runner, tmp_path):
    import_records(runner, tmp_path, [expert_record(n) for n in range(1, 8)])
    with app.app_context(), session_scope() as session:
        first, second = session.scalars(select(Expert.id).order_by(Expert.id).limit(2)).all()
        session.execute(update(Expert).where(Expert.id == second).values(merged_into_id=first))
    with app.app_context(), session_scope() as session:
        figures = diversity_dashboard(session=session)
    assert figures.by_status["gender"].column_totals[figures.statuses.index("rostered")] == 6


def test_the_dashboard_is_all_marked(mixed_roster, staff):
    response = choose(staff("admin"), "en-XA").get("/dashboard")
    assert response.status_code == 200
    languages = ("Arabic", "Chinese", "English", "French", "Russian", "Spanish")
    languages += ("American Sign Language", "French Sign Language", "German")
    # Dates show in the locale's format; a pseudo-locale formats as English.
    today = date.today()
    days = [*quarter_ends(today), today.replace(year=today.year - 2, day=min(today.day, 28))]
    dates = tuple(f"{day.day} {day:%B} {day.year}" for day in days)
    assert_all_marked(response, "admin@example.org", *languages, *dates)


def test_the_home_page_and_the_dashboard_withhold_the_same_figures(mixed_roster, client, staff):
    home = page_tables(client.get("/").get_data(as_text=True))
    dashboard = page_tables(staff("recruiter").get("/dashboard").get_data(as_text=True))
    statuses = dashboard["gender-by-status"]
    header = statuses["head"][0][1:-1]
    footer = dict(zip(header, statuses["foot"][0][1:], strict=False))
    for status, count in home["by-status"]["body"]:
        assert footer[status] == count, status
    regions = dashboard["region-by-status"]
    rostered = regions["head"][0].index("Rostered")
    shown = {row[0]: row[rostered] for row in regions["body"]}
    for group, count in home["by-region"]["body"]:
        assert shown[group] == count, group


def test_kept_figures_follow_every_change(runner, tmp_path, staff):
    import_records(runner, tmp_path, [expert_record(n) for n in range(1, 8)])
    recruiter = staff("recruiter")

    def rostered_women() -> str:
        page = recruiter.get("/dashboard").get_data(as_text=True)
        rows = {row[0]: row for row in page_tables(page)["gender-by-status"]["body"]}
        return rows["Women"][3]

    assert rostered_women() == "7"
    more = tmp_path / "more"
    more.mkdir()
    import_records(runner, more, [expert_record(n) for n in range(8, 14)])
    # The next page says its figures are older than the roster, and counts anew beside it.
    page = recruiter.get("/dashboard").get_data(as_text=True)
    assert "the roster has changed since, and newer figures are being counted" in page
    for _ in range(100):
        if rostered_women() == "13":
            break
        time.sleep(0.1)
    assert rostered_women() == "13"
    assert "newer figures are being counted" not in recruiter.get("/dashboard").get_data(
        as_text=True
    )


def test_an_expert_listing_a_language_twice_counts_once(app, runner, tmp_path):
    both = [{"code": "fr", "level": "C1"}, {"code": "fr-CA", "level": "C2"}]
    records = [expert_record(1, languages=both)]
    records += [expert_record(n, languages=[{"code": "fr", "level": "C1"}]) for n in range(2, 6)]
    import_records(runner, tmp_path, records)
    with app.app_context(), session_scope() as session:
        figures = diversity_dashboard(session=session)
    spoken = figures.by_status["language"]
    rostered = figures.statuses.index("rostered")
    assert spoken.cells[spoken.rows.index("fr")][rostered] == 5
    french = next(row for row in figures.gap if row.code == "fr")
    assert french.supply == 5
    areas = figures.by_area["language"]
    assert areas.cells[areas.rows.index("electoral-management")][areas.columns.index("fr")] == 5
