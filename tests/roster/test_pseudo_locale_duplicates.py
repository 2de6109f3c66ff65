"""The duplicates' pages in the pseudo-locale en-XA: every word passed through translation."""

import re

from sqlalchemy import select

from roster.interchange.services import import_records
from roster.models import DuplicatePair, Expert
from tests.conftest import form_token
from tests.factories import expert_record
from tests.roster.test_pseudo_locale import assert_all_marked
from tests.roster.test_pseudo_locale_staff import choose

TWINS = [
    expert_record(1, full_name="Mohamed El-Sayed", email="m.elsayed@example.org"),
    expert_record(2, full_name="Muhammad Al Sayyid", email="sayyid@example.org"),
]


def test_the_review_list_pair_and_stale_merge_are_all_marked(signed_in, db_session):
    with db_session() as session:
        import_records(session=session, records=enumerate(TWINS, 1), source="test")
    with db_session(write=False) as session:
        pair = session.scalars(select(DuplicatePair)).one()
        experts = list(session.scalars(select(Expert).order_by(Expert.id)))
    data = (
        "rita@example.org",
        *(e.full_name for e in experts),
        *(e.external_id for e in experts),
        *(e.email for e in experts),
        "Electoral operations adviser.",
        "P4",
        "12",
        "C1",
        "SN",
        "Senegal",
        "French",
        "English",
        "100.0",
        # Dates are formatted by Babel: a pseudo-locale formats them as English does.
        f"{pair.found_at.day} {pair.found_at:%B} {pair.found_at.year}",
    )
    staff = choose(signed_in("rita@example.org", "recruiter"), "en-XA")
    assert_all_marked(staff.get("/duplicates"), *data)
    opening = staff.get(f"/duplicates/{pair.public_id}")
    assert_all_marked(opening, *data)
    token = form_token(opening.get_data(as_text=True))
    shown = staff.post(f"/duplicates/{pair.public_id}", data={"csrf_token": token})
    assert_all_marked(shown, *data)
    text = shown.get_data(as_text=True)
    form = dict(
        re.findall(r'name="(csrf_token|version_first|version_second)"[^>]*value="([^"]*)"', text)
    )
    form |= {"survivor": experts[0].public_id, "version_first": "0"}
    stale = staff.post(f"/duplicates/{pair.public_id}/merge", data=form)
    assert stale.status_code == 409
    assert_all_marked(stale, *data)
