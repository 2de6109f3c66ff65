"""The experts' search with its facets, and a bulk change's confirmation, in the pseudo-locale."""

import re

from babel.dates import get_month_names

from roster.interchange.services import import_records
from tests.conftest import form_token
from tests.factories import expert_record
from tests.roster.test_experts_search_page import hidden
from tests.roster.test_pseudo_locale import assert_all_marked
from tests.roster.test_pseudo_locale_profile import _search_filters_data, pseudo  # noqa: F401

NAMES = ("Awa Ndiaye", "Li Wei", "Sam Keller")


def test_the_search_with_facets_and_a_bulk_confirmation_are_all_marked(
    app,
    db_session,
    make_user,
    pseudo,  # noqa: F811
):
    records = [
        expert_record(1, full_name="Awa Ndiaye"),
        expert_record(2, full_name="Li Wei", nationalities=["CN"]),
        expert_record(3, full_name="Sam Keller", roster_status="applicant"),
    ]
    with db_session() as session:
        import_records(session=session, records=enumerate(records, 1), source="test")
    make_user("rita@example.org", "recruiter", name="Rita Okafor")
    client = pseudo("rita@example.org")
    data = (*NAMES, "rita@example.org", *_search_filters_data(), "fr", "en ", "SN", "CN")
    data += ("EXP-T-0001", "EXP-T-0002", "EXP-T-0003")
    data += tuple(get_month_names("wide", locale="en").values())  # dates, formatted as English
    found = client.get("/experts?region=African&region=Asia-Pacific")
    assert found.status_code == 200
    assert_all_marked(found, *data)
    page = found.get_data(as_text=True)
    shown = client.post(
        "/experts/bulk",
        data={
            "csrf_token": form_token(page),
            "query": hidden(page, "query"),
            "to": "inactive",
            "scope": "all",
        },
    )
    assert shown.status_code == 200 and re.search(r"Awa Ndiaye", shown.get_data(as_text=True))
    assert_all_marked(shown, *data)
    refused = client.get("/experts?skill=fishing")
    assert refused.status_code == 400
    assert_all_marked(refused, *data, "fishing", "skill")  # the argument, as in the address
