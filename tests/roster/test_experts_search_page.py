"""The experts' search page as a recruiter uses it: filters, counts, sorting, export, bulk."""

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from roster.interchange.services import import_records
from roster.models import AuditEvent, Expert, RosterStatusChange, utcnow
from tests.conftest import form_token
from tests.factories import expert_record


def hidden(page: str, name: str) -> str:
    """The value of the hidden input ``name`` of a page."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', page
    )
    assert found, f"no hidden {name}"
    return html.unescape(found.group(1))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def roster(app, db_session):
    """Four rostered experts, two of them not confirmed for a year, and one applicant."""
    records = [
        expert_record(1, full_name="Mohammed El-Sayed", nationalities=["EG"]),
        expert_record(2, full_name="=cmd|' /C calc'!A0", nationalities=["BR"]),
        expert_record(3, full_name="Awa Ndiaye", summary="+Voter education"),
        expert_record(4, full_name="Li Wei", nationalities=["CN"]),
        expert_record(5, full_name="Sam Keller", roster_status="applicant"),
    ]
    with db_session() as session:
        import_records(session=session, records=enumerate(records, 1), source="test")
    with db_session() as session:
        session.execute(
            update(Expert)
            .where(Expert.external_id.in_(["EXP-T-0001", "EXP-T-0002", "EXP-T-0005"]))
            .values(profile_confirmed_at=utcnow() - timedelta(days=500))
        )
    return db_session


@pytest.fixture
def recruiter(staff):
    return staff("recruiter")


def test_the_filters_are_in_the_address_and_the_counts_beside_them(roster, recruiter):
    response = recruiter.get("/experts?region=African&status=rostered")
    assert response.status_code == 200
    page = text_of(response)
    assert "2 expert(s) found" in page
    assert "Mohammed El-Sayed" in page and "Awa Ndiaye" in page and "Li Wei" not in page
    # The counts of the result, each a link narrowing the search further.
    assert re.search(
        r"In this result.*Roster status.*rostered</a> <span class=\"count\">2", page, re.S
    )
    assert 'href="/experts?skill=electoral-management&amp;region=African&amp;status=rostered"' in (
        response.get_data(as_text=True)
    )
    # The form shows the search it ran.
    assert re.search(r'<input type="checkbox" name="region" value="African"[^>]* checked>', page)


def test_a_name_is_found_however_it_is_spelt(roster, recruiter):
    page = text_of(recruiter.get("/experts?q=muhammad+al+sayyid"))
    assert "1 expert(s) found matching “<bdi>muhammad al sayyid</bdi>”" in page
    assert "Mohammed El-Sayed" in page


def test_sort_links_turn_the_order_round(roster, recruiter):
    page = text_of(recruiter.get("/experts?status=rostered&sort=-confirmed"))
    assert 'aria-sort="descending"' in page
    assert page.index("Li Wei") < page.index("Mohammed El-Sayed")
    assert 'href="/experts?status=rostered&sort=confirmed"' in page
    assert 'href="/experts?status=rostered&sort=years"' in page


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/experts?skill=fishing", "The filter “skill” has no value “fishing”."),
        ("/experts?lang=fr&level=Z9", "The filter “level” has no level “Z9”"),
        ("/experts?from=2027-05-01&to=2027-01-01", "The period ends (1 January 2027)"),
        ("/experts?page=9", "There is no page 9: the result has 1 page(s)."),
        ("/experts?page=-1", "The page number must be a whole number from 1."),
        ("/experts?sort=salary", "The results can be sorted by name"),
        ("/experts?text=" + "a" * 5_000, "is 5,000 characters long"),
        ("/experts?q=" + "a" * 5_000, "The search is 5,000 characters long"),
    ],
)
def test_bad_input_is_a_400_in_plain_words_naming_the_filter(roster, recruiter, url, words):
    response = recruiter.get(url)
    assert response.status_code == 400
    page = text_of(response)
    assert 'class="error-summary"' in page and words in page
    assert "<caption>" not in page  # nothing searched


def test_the_page_is_for_recruiters_and_admins_only(roster, staff, client):
    assert staff("admin").get("/experts?stale=1").status_code == 200
    assert staff("planner").get("/experts").status_code == 403
    assert client.get("/experts").status_code == 302


# --- export ---------------------------------------------------------------------------------


def export(recruiter, url: str, reason: str):
    page = recruiter.get(url).get_data(as_text=True)
    return recruiter.post(
        "/experts/export",
        data={
            "csrf_token": form_token(page),
            "query": hidden(page, "query"),
            "sort": hidden(page, "sort"),
            "reason": reason,
        },
    )


def test_an_export_needs_a_reason_and_writes_nothing_without_one(roster, recruiter, db_session):
    response = export(recruiter, "/experts?status=rostered", "")
    assert response.status_code == 400
    assert "Please say why you export these experts." in text_of(response)
    with db_session() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "experts.export")
            )
            == 0
        )


def test_the_export_is_audited_and_neutralises_formulas(roster, recruiter, db_session):
    response = export(recruiter, "/experts?status=rostered&sort=-years", "Briefing for mission X")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))
    assert rows[0] == [
        "external_id",
        "name",
        "roster_status",
        "nationalities",
        "regions",
        "languages",
        "expertise",
        "accessibility",
        "seniority",
        "years_experience",
        "last_confirmed",
    ]
    assert len(rows) == 5
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["EXP-T-0002"][1] == "'=cmd|' /C calc'!A0"
    assert by_id["EXP-T-0001"][3:6] == ["EG", "African", "fr:native; en:C1"]
    assert "gender" not in rows[0] and "woman" not in response.get_data(as_text=True)
    with db_session() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "experts.export"))
    assert event.reason == "Briefing for mission X"
    assert event.detail == {"criteria": {"status": "rostered"}, "sort": "-years", "rows": 4}
    assert event.actor_id is not None


def test_every_formula_start_is_neutralised():
    from roster.spreadsheet import safe_cell as neutralised

    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralised(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert neutralised("Awa") == "Awa" and neutralised(None) == "" and neutralised(12) == "12"


# --- bulk status changes --------------------------------------------------------------------


def plan(recruiter, url: str, to: str, *, ticked: list[str] | None = None):
    page = recruiter.get(url).get_data(as_text=True)
    data = {
        "csrf_token": form_token(page),
        "query": hidden(page, "query"),
        "to": to,
        "scope": "all" if ticked is None else "ticked",
    }
    if ticked is not None:
        data["expert"] = ticked
    return recruiter.post("/experts/bulk", data=data)


def confirm(recruiter, plan_page: str, reason: str):
    fields = {
        "csrf_token": form_token(plan_page),
        "query": hidden(plan_page, "query"),
        "fingerprint": hidden(plan_page, "fingerprint"),
        "to": hidden(plan_page, "to"),
        "scope": hidden(plan_page, "scope"),
        "expert": re.findall(r'name="expert" value="([^"]+)"', plan_page),
        "reason": reason,
    }
    return recruiter.post("/experts/bulk/confirm", data=fields)


def statuses(db_session) -> dict[str, str]:
    with db_session() as session:
        rows = session.execute(select(Expert.external_id, Expert.roster_status)).all()
    return {external_id: status.value for external_id, status in rows}


def test_stale_profiles_are_made_inactive_after_a_confirmation(roster, recruiter, db_session):
    shown = plan(recruiter, "/experts?stale=1", "inactive")
    assert shown.status_code == 200
    page = text_of(shown)
    assert "2 experts will move from rostered to inactive:" in page
    assert "1 expert cannot move, and will be left as they are" in page
    assert "Sam Keller" in page and "cannot change from applicant to inactive" in page
    assert statuses(db_session)["EXP-T-0001"] == "rostered"  # nothing written yet

    refused = confirm(recruiter, shown.get_data(as_text=True), "")
    assert refused.status_code == 400 and "Please give the reason" in text_of(refused)
    assert statuses(db_session)["EXP-T-0001"] == "rostered"

    done = confirm(recruiter, shown.get_data(as_text=True), "No answer to two reminders.")
    assert done.status_code == 302 and done.headers["Location"] == "/experts?stale=1"
    after = recruiter.get(done.headers["Location"])
    assert "2 experts moved to inactive." in text_of(after)
    assert "1 expert was skipped: Sam Keller." in text_of(after)
    assert statuses(db_session) == {
        "EXP-T-0001": "inactive",
        "EXP-T-0002": "inactive",
        "EXP-T-0003": "rostered",
        "EXP-T-0004": "rostered",
        "EXP-T-0005": "applicant",
    }
    with db_session() as session:
        reasons = session.scalars(
            select(RosterStatusChange.reason).where(RosterStatusChange.to_status == "inactive")
        ).all()
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "experts.bulk_status")
        )
    assert reasons == ["No answer to two reminders."] * 2
    assert event.detail == {
        "criteria": {"stale": "1"},
        "ticked": None,
        "to": "inactive",
        "moved": 2,
        "skipped": 1,
    }


def test_only_the_ticked_rows_move_when_asked(roster, recruiter, db_session):
    with db_session() as session:
        public_id = session.scalar(
            select(Expert.public_id).where(Expert.external_id == "EXP-T-0004")
        )
    shown = plan(recruiter, "/experts?status=rostered", "suspended", ticked=[public_id])
    assert re.search(
        r"1 expert will move from rostered to suspended:\s*<bdi>Li Wei</bdi>\.", text_of(shown)
    )
    done = confirm(recruiter, shown.get_data(as_text=True), "Conduct under review.")
    assert done.status_code == 302
    assert statuses(db_session)["EXP-T-0004"] == "suspended"
    assert statuses(db_session)["EXP-T-0003"] == "rostered"


def test_a_result_changed_since_the_confirmation_page_is_said_and_nothing_moves(
    roster, recruiter, db_session
):
    shown = plan(recruiter, "/experts?stale=1", "inactive")
    with db_session() as session:
        session.execute(
            update(Expert)
            .where(Expert.external_id == "EXP-T-0003")
            .values(profile_confirmed_at=utcnow() - timedelta(days=800))
        )
    again = confirm(recruiter, shown.get_data(as_text=True), "Stale.")
    assert again.status_code == 409
    assert "changed since the change was shown. Nothing was changed" in text_of(again)
    assert "3 experts will move from rostered to inactive" in text_of(again)
    assert set(statuses(db_session).values()) == {"rostered", "applicant"}


def test_a_bulk_change_over_an_empty_result_is_refused_in_plain_words(roster, recruiter):
    page = recruiter.get("/experts?status=rostered").get_data(as_text=True)
    response = recruiter.post(
        "/experts/bulk",
        data={
            "csrf_token": form_token(page),
            "query": "q=nobody+at+all",
            "to": "inactive",
            "scope": "all",
        },
    )
    assert response.status_code == 400
    assert "The search finds no expert, so there is no one to change." in text_of(response)


def test_ticking_no_row_or_no_status_is_refused(roster, recruiter):
    none_ticked = plan(recruiter, "/experts?status=rostered", "inactive", ticked=[])
    assert none_ticked.status_code == 400
    assert "Tick at least one expert, or choose all results." in text_of(none_ticked)
    no_status = plan(recruiter, "/experts?status=rostered", "")
    assert no_status.status_code == 400
    assert "Choose the roster status to move the experts to." in text_of(no_status)


def test_a_search_sent_by_the_form_goes_to_its_canonical_address(roster, recruiter):
    response = recruiter.get(
        "/experts?q=+&text=&match=all&expertise=&lang=&level=&nationality=eg&stale=1&from=&to="
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/experts?nationality=EG&stale=1"
    assert recruiter.get("/experts?nationality=EG&stale=1").status_code == 200
