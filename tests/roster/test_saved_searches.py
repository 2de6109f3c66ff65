"""Recruiters save searches by name, run them again, and watch them: a daily digest mail
names the experts who newly match, through the outbox and the job queue."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from roster import jobs
from roster.models import (
    Expert,
    ExpertLanguage,
    OutboxMessage,
    SavedSearch,
    SavedSearchMatch,
    User,
    utcnow,
)
from tests.conftest import csrf_token, outbox

RITA = "recruiter@example.org"


@pytest.fixture
def add_expert(db_session):
    """Store an expert speaking ``languages``: ``add_expert("EXP-S-0001", "Awa Ndiaye", "fr")``."""

    def add(reference: str, name: str, *languages: str) -> int:
        with db_session() as session:
            expert = Expert(
                external_id=reference,
                full_name=name,
                email=f"{reference.lower()}@private.example.org",
            )
            session.add(expert)
            session.flush()
            for position, code in enumerate(languages):
                session.add(
                    ExpertLanguage(expert_id=expert.id, code=code, level="C1", position=position)
                )
            return expert.id

    return add


def save_from_the_search_page(client, query: str, name: str):
    """Run a search, then fill in its "Save this search" form and send it."""
    page = client.get(f"/experts?{query}").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/searches".*?</form>', page, re.S)
    assert form, "no save form on the search page"
    fields = dict(re.findall(r'name="(csrf_token|query)" value="([^"]*)"', form.group(0)))
    data = {key: html.unescape(value) for key, value in fields.items()} | {"name": name}
    return client.post("/searches", data=data)


def watch(client, name: str, on: bool = True):
    page = client.get("/searches").get_data(as_text=True)
    row = re.search(
        rf'<tr>\s*<th scope="row"><a [^>]*><bdi>{re.escape(name)}</bdi>.*?</tr>', page, re.S
    )
    action = re.search(r'action="(/searches/[\w-]+/watch)"', row.group(0)).group(1)
    token = csrf_token(client, "/searches")
    return client.post(action, data={"csrf_token": token, "watched": "y" if on else ""})


def digest(app, days: int = 1) -> int:
    """Run the digest job as the worker does, on a later day."""
    return jobs.digest(app, now=utcnow() + timedelta(days=days))


def mails_to(app, address: str) -> list:
    return [message for message in outbox(app) if message["To"] == address]


def body(message) -> str:
    return message.get_payload(decode=True).decode()


def test_a_search_is_saved_from_its_results_and_run_again_from_its_link(staff, add_expert):
    add_expert("EXP-S-0001", "Awa Ndiaye", "fr")
    rita = staff("recruiter")
    saved = save_from_the_search_page(rita, "lang=fr&status=applicant", "French speakers")
    assert saved.status_code == 302
    page = rita.get(saved.headers["Location"]).get_data(as_text=True)
    assert "The search is saved as “French speakers”." in page
    link = re.search(r'<a href="(/experts\?[^"]+)"><bdi>French speakers</bdi>', page).group(1)
    assert html.unescape(link) == "/experts?lang=fr&status=applicant"
    results = rita.get(html.unescape(link))
    assert results.status_code == 200 and "Awa Ndiaye" in results.get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("", "Please give the search a name."),
        ("y" * 201, "must be at most 200 characters long (it is 201)"),
        ("Tab\there", "The search&#39;s name"),
    ],
)
def test_a_name_that_cannot_be_used_is_refused_and_nothing_kept(staff, db_session, name, words):
    rita = staff("recruiter")
    response = save_from_the_search_page(rita, "lang=fr", name)
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    # The form is there again, to send the search with a better name.
    assert 'name="query" type="hidden" value="lang=fr"' in response.get_data(as_text=True)
    with db_session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(SavedSearch)) == 0


def test_two_saved_searches_of_one_owner_cannot_share_a_name(staff, db_session):
    rita = staff("recruiter")
    assert save_from_the_search_page(rita, "lang=fr", "Mine").status_code == 302
    again = save_from_the_search_page(rita, "lang=es", "Mine")
    assert again.status_code == 400
    assert "You already have a saved search named “Mine”." in again.get_data(as_text=True)


@pytest.mark.parametrize("query", ["skill=no-such-area", "status=asleep", "q=" + "a" * 9000])
def test_a_query_that_is_no_search_is_not_kept(staff, db_session, query):
    rita = staff("recruiter")
    token = csrf_token(rita, "/searches")
    response = rita.post("/searches", data={"csrf_token": token, "name": "Odd", "query": query})
    assert response.status_code == 400
    assert "The search cannot be kept" in response.get_data(as_text=True)
    with db_session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(SavedSearch)) == 0


def test_a_saved_search_is_its_owner_s_alone(staff, signed_in, db_session):
    rita = staff("recruiter")
    save_from_the_search_page(rita, "lang=fr", "Private")
    with db_session(write=False) as session:
        number = session.scalar(select(SavedSearch.public_id))
    other = signed_in("otto@example.org", "recruiter", name="Otto")
    assert "Private" not in other.get("/searches").get_data(as_text=True)
    token = csrf_token(other, "/searches")
    for action in ("watch", "delete"):
        response = other.post(f"/searches/{number}/{action}", data={"csrf_token": token})
        assert response.status_code == 404
    assert other.post("/searches/abc/watch", data={"csrf_token": token}).status_code == 404
    planner = staff("planner", name="Paul")
    assert planner.get("/searches").status_code == 403
    with db_session(write=False) as session:
        kept = session.scalar(select(SavedSearch).where(SavedSearch.public_id == number))
        assert kept.watched is False


def test_a_saved_search_is_deleted_with_what_it_matched(staff, add_expert, db_session):
    add_expert("EXP-S-0001", "Awa Ndiaye", "fr")
    rita = staff("recruiter")
    save_from_the_search_page(rita, "lang=fr", "Gone soon")
    watch(rita, "Gone soon")
    page = rita.get("/searches").get_data(as_text=True)
    action = re.search(r'action="(/searches/[\w-]+/delete)"', page).group(1)
    deleted = rita.post(action, data={"csrf_token": csrf_token(rita, "/searches")})
    assert "“Gone soon” is deleted" in rita.get(deleted.headers["Location"]).get_data(as_text=True)
    with db_session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(SavedSearchMatch)) == 0


def test_the_digest_names_only_experts_who_newly_match(app, staff, add_expert, db_session):
    add_expert("EXP-S-0001", "Awa Ndiaye", "fr")
    rita = staff("recruiter", name="Rita Okafor")
    save_from_the_search_page(rita, "lang=fr", "French speakers")
    watched = watch(rita, "French speakers")
    assert "You are watching “French speakers”" in rita.get(watched.headers["Location"]).get_data(
        as_text=True
    )
    # Awa matched when watching began: she is no news, and nobody is mailed.
    assert digest(app, 1) == 0 and mails_to(app, RITA) == []
    bruno = add_expert("EXP-S-0002", "Bruno Díaz", "fr", "es")
    add_expert("EXP-S-0003", "Chen Wei", "zh")
    assert digest(app, 2) == 1
    [mail] = mails_to(app, RITA)
    text = body(mail)
    assert mail["Subject"] == "Experts newly match your watched searches"
    assert "Hello Rita Okafor," in text
    assert "Search: French speakers" in text and "1 expert newly matches:" in text
    assert "- Bruno Díaz (EXP-S-0002)" in text
    assert "http://localhost/experts?lang=fr" in text and "http://localhost/searches" in text
    assert "Awa" not in text and "Chen" not in text and "private.example.org" not in text
    # Nothing new the next day: no mail.
    assert digest(app, 3) == 0 and len(mails_to(app, RITA)) == 1
    # Bruno stops matching, then matches again: he is news again.
    with db_session() as session:
        session.execute(
            delete(ExpertLanguage).where(
                ExpertLanguage.expert_id == bruno, ExpertLanguage.code == "fr"
            )
        )
    assert digest(app, 4) == 0
    with db_session() as session:
        session.add(ExpertLanguage(expert_id=bruno, code="fr", level="B2", position=2))
    assert digest(app, 5) == 1
    assert "- Bruno Díaz (EXP-S-0002)" in body(mails_to(app, RITA)[-1])
    # Watching stopped: no more mail.
    watch(rita, "French speakers", on=False)
    add_expert("EXP-S-0004", "Dana Levi", "fr")
    assert digest(app, 6) == 0 and len(mails_to(app, RITA)) == 2


def test_one_mail_a_watcher_for_all_their_searches_and_none_to_the_disabled(
    app, staff, signed_in, add_expert, db_session
):
    rita = staff("recruiter", name="Rita Okafor")
    admin = signed_in("ada@example.org", "admin", name="Ada")
    gone = signed_in("gone@example.org", "recruiter", name="Gone")
    for client, name, query in [
        (rita, "French", "lang=fr"),
        (rita, "Spanish", "lang=es"),
        (admin, "Everyone", ""),
        (gone, "French too", "lang=fr"),
    ]:
        assert save_from_the_search_page(client, query, name).status_code == 302
        watch(client, name)
    with db_session() as session:
        session.execute(update(User).where(User.email == "gone@example.org").values(disabled=True))
    add_expert("EXP-S-0010", "Eva Rossi", "fr", "es")
    assert digest(app) == 2
    [mail] = mails_to(app, RITA)
    text = body(mail)
    assert "Search: French" in text and "Search: Spanish" in text
    assert text.count("- Eva Rossi (EXP-S-0010)") == 2
    assert "- Eva Rossi (EXP-S-0010)" in body(mails_to(app, "ada@example.org")[0])
    assert mails_to(app, "gone@example.org") == []


def test_a_digest_names_fifty_experts_a_search_and_counts_the_rest(
    app, staff, add_expert, db_session
):
    rita = staff("recruiter")
    save_from_the_search_page(rita, "lang=fr", "Many")
    watch(rita, "Many")
    for n in range(55):
        add_expert(f"EXP-M-{n:04d}", f"Expert {n:02d}", "fr")
    digest(app)
    text = body(mails_to(app, RITA)[0])
    assert "55 experts newly match:" in text
    assert text.count("\n- Expert ") == 50 and "and 5 more." in text
    assert "- Expert 00 (EXP-M-0000)" in text and "Expert 54" not in text


def test_the_digest_goes_out_through_smtp_from_the_real_consumer(
    app, staff, add_expert, smtp_sink, db_session
):
    sink, port = smtp_sink
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    rita = staff("recruiter")
    save_from_the_search_page(rita, "lang=ar", "Arabic speakers")
    watch(rita, "Arabic speakers")
    add_expert("EXP-S-0020", "Layla Haddad", "ar")
    assert digest(app) == 1
    [(recipients, message)] = sink.messages
    assert recipients == [RITA]
    assert "- Layla Haddad (EXP-S-0020)" in message.get_payload(decode=True).decode()
    with db_session(write=False) as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == RITA))
    assert row.sent_at is not None


def test_the_command_runs_the_digest_now(app, runner, staff, add_expert):
    rita = staff("recruiter")
    save_from_the_search_page(rita, "lang=fr", "French")
    watch(rita, "French")
    add_expert("EXP-S-0030", "Awa Ndiaye", "fr")
    result = runner.invoke(args=["roster", "digest"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 digest(s)" in result.output
    assert len(mails_to(app, RITA)) == 1
    again = runner.invoke(args=["roster", "digest"])
    assert "Queued 0 digest(s)" in again.output and len(mails_to(app, RITA)) == 1
