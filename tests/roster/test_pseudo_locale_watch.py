"""The lists, the mail outbox and the saved searches pages in the pseudo-locale en-XA:
every word passed through translation but for the data the test names."""

import re

import pytest
from sqlalchemy import update

from matching.vocabulary import language_name
from roster.models import Expert, ExpertLanguage, ExpertNationality, ExpertSkill, OutboxMessage
from tests.conftest import csrf_token
from tests.roster.conftest import ADMIN_EMAIL, post_form
from tests.roster.test_pseudo_locale import assert_all_marked

ADMIN = ("Ada Lovelace", ADMIN_EMAIL)
RECRUITER = ("Rita Okafor", "recruiter@example.org")
EXPERT = ("Awa Ndiaye", "EXP-P-0001")


def choose(client, tag: str = "en-XA"):
    token = csrf_token(client, "/")
    client.post("/language", data={"language": tag, "next": "/", "csrf_token": token})
    return client


@pytest.fixture
def expert(db_session) -> str:
    with db_session() as session:
        expert = Expert(external_id=EXPERT[1], full_name=EXPERT[0], email="awa@example.org")
        session.add(expert)
        session.flush()
        session.add(ExpertNationality(expert_id=expert.id, country="SN"))
        session.add(ExpertSkill(expert_id=expert.id, code="electoral-management"))
        session.add(ExpertLanguage(expert_id=expert.id, code="fr", level="native"))
        return expert.public_id


def test_the_outbox_page_is_all_marked(admin, db_session):
    with db_session() as session:
        rows = [
            OutboxMessage(recipient="q@example.org", subject="S1", body="b"),
            OutboxMessage(recipient="f@example.org", subject="S2", body="b", attempts=3),
        ]
        session.add_all(rows)
        session.flush()
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == rows[1].id)
            .values(next_attempt_at=None, last_error="E")
        )
    pseudo = choose(admin)
    data = (*ADMIN, "q@example.org", "f@example.org", "S1", "S2")
    page = pseudo.get("/admin/outbox")
    assert '/retry"' in page.get_data(as_text=True)
    assert_all_marked(page, *data, "E")
    assert_all_marked(pseudo.get("/admin/outbox?state=failed"), *data, "E")
    assert_all_marked(pseudo.get("/admin/outbox?state=lost"), *data)


def test_the_audit_export_button_is_all_marked(admin):
    assert_all_marked(
        choose(admin).get("/admin/audit"), *ADMIN, "auth.login", "account.create", "roles: admin"
    )


@pytest.fixture
def recruiter(staff):
    return staff("recruiter", name=RECRUITER[0])


def test_the_lists_pages_are_all_marked(recruiter, staff, expert):
    pseudo = choose(recruiter)
    names = ("Registrars",)
    languages = (language_name("fr"), "fr")
    assert_all_marked(pseudo.get("/lists"), *RECRUITER)
    refused = post_form(pseudo, "/lists", {"name": ""}, form_url="/lists")
    assert refused.status_code == 400
    assert_all_marked(refused, *RECRUITER)
    made = post_form(pseudo, "/lists", {"name": names[0]}, form_url="/lists")
    number = re.search(r"/lists/([\w-]+)$", made.headers["Location"]).group(1)
    token = csrf_token(pseudo, "/lists")
    added = pseudo.post(
        "/lists/add",
        data={"csrf_token": token, "list": number, "expert": expert},
        follow_redirects=True,
    )
    assert_all_marked(added, *RECRUITER, *names, *EXPERT, *languages)
    twice = pseudo.post("/lists/add", data={"csrf_token": token, "list": number, "expert": expert})
    assert twice.status_code == 400
    assert_all_marked(twice, *RECRUITER, *names, EXPERT[0])
    assert_all_marked(pseudo.get("/lists"), *RECRUITER, *names)
    assert_all_marked(pseudo.get(f"/lists/{number}/delete"), *RECRUITER, *names)
    shared = post_form(
        pseudo, f"/lists/{number}/share", {"shared": "y"}, form_url=f"/lists/{number}"
    )
    assert shared.status_code == 302
    planner = choose(staff("planner", name="Paul Mensah"))
    planners = ("Paul Mensah", "planner@example.org")
    assert_all_marked(planner.get("/lists"), *planners, *names, RECRUITER[0])
    assert_all_marked(
        planner.get(f"/lists/{number}"), *planners, *names, RECRUITER[0], EXPERT[0], *languages
    )
    assert_all_marked(planner.get("/lists/424242"), *planners)


def test_the_saved_searches_page_is_all_marked(recruiter, expert):
    pseudo = choose(recruiter)
    assert_all_marked(pseudo.get("/searches"), *RECRUITER)
    page = pseudo.get("/experts?lang=fr").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = pseudo.post("/searches", data={"csrf_token": token, "name": "", "query": "lang=fr"})
    assert refused.status_code == 400
    assert_all_marked(refused, *RECRUITER)
    odd = pseudo.post("/searches", data={"csrf_token": token, "name": "X", "query": "status=no"})
    assert odd.status_code == 400
    assert_all_marked(odd, *RECRUITER, "status", "no")
    saved = pseudo.post(
        "/searches",
        data={"csrf_token": token, "name": "French", "query": "lang=fr"},
        follow_redirects=True,
    )
    assert_all_marked(saved, *RECRUITER, "French")
    number = re.search(r'action="/searches/([\w-]+)/watch"', saved.get_data(as_text=True)).group(1)
    watched = pseudo.post(
        f"/searches/{number}/watch",
        data={"csrf_token": token, "watched": "y"},
        follow_redirects=True,
    )
    assert_all_marked(watched, *RECRUITER, "French")
