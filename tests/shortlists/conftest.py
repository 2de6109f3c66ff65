"""A roster, a needs assessment and a planner: what the shortlist pages are tried on.

The roster is imported as a data manager would; the needs assessment is saved through
``roster.missions.records.save_needs``; the planner signs in through the login form.
"""

import re

import pytest
from sqlalchemy import select

from matching import Matcher
from roster.db import session_scope
from roster.interchange.store import iter_records
from roster.matchers import read_verified
from roster.missions.records import save_needs
from roster.models import NeedsAssessment
from tests.factories import needs_record, ranked_expert, write_jsonl

PLANNER_EMAIL = "paula.planner@example.org"


def roster_records() -> list[dict]:
    """Twelve rostered experts for the default role (eight men, four women) and one not."""
    records = [
        ranked_expert(
            n, years=n, gender="woman" if n % 3 == 0 else "man", full_name=f"Expert {n:02d} Name"
        )
        for n in range(1, 13)
    ]
    records.append(ranked_expert(13, years=20, roster_status="under_review"))
    return records


def import_roster(runner, tmp_path, records: list[dict]) -> None:
    """Import ``records`` with ``flask roster import`` (all or nothing)."""
    path = write_jsonl(tmp_path / "roster.jsonl", records)
    result = runner.invoke(args=["roster", "import", str(path)])
    assert result.exit_code == 0, result.output


def save(app, record: dict, **columns) -> str:
    """Save a needs assessment; set ``columns`` (blind_review ...); return its public id."""
    with session_scope(app) as session:
        needs, _ = save_needs(session=session, record=record, by=None)
        for name, value in columns.items():
            setattr(needs, name, value)
        return needs.public_id


def fitted(app) -> Matcher:
    """``matching.Matcher`` fitted on the rostered experts as the database holds them.

    With their verified expertise, as the app fits it (``roster.matchers``).
    """
    with session_scope(app, write=False) as session:
        records = list(iter_records(session, rostered_only=True))
        return Matcher().fit(records, verified=read_verified(session))


@pytest.fixture
def roster(runner, tmp_path):
    import_roster(runner, tmp_path, roster_records())


@pytest.fixture
def needs_id(app, roster) -> str:
    return save(app, needs_record())


@pytest.fixture
def planner(signed_in):
    return signed_in(PLANNER_EMAIL, "planner", name="Paula Planner")


def role_url(public_id: str, role_key: str = "R1") -> str:
    return f"/needs/{public_id}/roles/{role_key}"


def token_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def issue(client, public_id: str, role_key: str = "R1", **data):
    page = client.get(role_url(public_id, role_key)).get_data(as_text=True)
    return client.post(
        role_url(public_id, role_key) + "/issue", data={"csrf_token": token_of(page), **data}
    )


def needs_row(app, public_id: str) -> NeedsAssessment:
    with session_scope(app, write=False) as session:
        return session.scalar(select(NeedsAssessment).where(NeedsAssessment.public_id == public_id))


def cards(page: str) -> dict[int, str]:
    """The HTML of each candidate's card, by rank."""
    pieces = page.split('<li class="candidate" id="candidate-')[1:]
    found = {}
    for piece in pieces:
        rank, _, rest = piece.partition('"')
        found[int(rank)] = rest.split("</ol>")[0]
    return found
