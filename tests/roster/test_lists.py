"""Recruiters keep named lists of experts and share them with planners, who see only what
they may: names, regional groups, expertise and languages."""

import re

import pytest
from sqlalchemy import func, select

from roster.models import (
    Expert,
    ExpertLanguage,
    ExpertList,
    ExpertListEntry,
    ExpertNationality,
    ExpertSkill,
    utcnow,
)
from tests.conftest import csrf_token
from tests.roster.conftest import post_form


@pytest.fixture
def experts(db_session):
    """Three experts with what a list shows, and what it must not (gender, disability, email)."""
    people = [
        ("EXP-L-0001", "Awa Ndiaye", "SN", "electoral-management", "fr"),
        ("EXP-L-0002", "Bruno Díaz", "CL", "voter-registration", "es"),
        ("EXP-L-0003", "Chen Wei", "CN", "mediation", "zh"),
    ]
    ids = {}
    with db_session() as session:
        for reference, name, country, skill, language in people:
            expert = Expert(
                external_id=reference,
                full_name=name,
                email=f"{reference.lower()}@private.example.org",
                gender="woman",
                gender_consent_at=utcnow(),
                disability=True,
                disability_consent_at=utcnow(),
                birth_year=1961,
                birth_year_consent_at=utcnow(),
            )
            session.add(expert)
            session.flush()
            session.add(ExpertNationality(expert_id=expert.id, country=country))
            session.add(ExpertSkill(expert_id=expert.id, code=skill, years=9))
            session.add(ExpertLanguage(expert_id=expert.id, code=language, level="C1"))
            ids[name] = expert.public_id
    return ids


def make_list(client, name: str):
    return post_form(client, "/lists", {"name": name}, form_url="/lists")


def list_id(response) -> str:
    """The list's public id, from the address its page was opened at."""
    return re.search(r"/lists/([\w-]+)$", response.headers["Location"]).group(1)


def add(client, *public_ids: str, to: str = "", new_name: str = ""):
    """Tick experts and add them, as the search results' form does."""
    token = csrf_token(client, "/lists")
    return client.post(
        "/lists/add",
        data={
            "csrf_token": token,
            "list": to or "new",
            "new_name": new_name,
            "expert": list(public_ids),
        },
    )


def rows(page: str) -> list[str]:
    body = re.search(r'<table id="members">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert body, "no members table"
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def test_a_recruiter_makes_a_list_adds_experts_and_reads_it(staff, experts):
    rita = staff("recruiter")
    made = make_list(rita, "Francophone registrars")
    assert made.status_code == 302
    number = list_id(made)
    added = add(rita, experts["Awa Ndiaye"], experts["Bruno Díaz"], to=number)
    assert added.headers["Location"].endswith(f"/lists/{number}")
    page = rita.get(added.headers["Location"]).get_data(as_text=True)
    assert "2 experts added to “Francophone registrars”." in page
    assert rows(page) == [
        "Awa Ndiaye EXP-L-0001 applicant African Electoral management and administration "
        "French (fr): C1 Take off",
        "Bruno Díaz EXP-L-0002 applicant Latin American and Caribbean "
        "Voter registration and voter lists Spanish (es): C1 Take off",
    ]
    assert "Your list: only you can read it." in page
    index = rita.get("/lists").get_data(as_text=True)
    assert "Francophone registrars" in index and "only you" in index


def test_the_profile_page_adds_its_expert_to_a_new_list(staff, experts):
    rita = staff("recruiter")
    page = post_form(
        rita, f"/experts/{experts['Chen Wei']}", {"purpose": "vetting", "note": ""}
    ).get_data(as_text=True)
    form = re.search(r'<form method="post" action="/lists/add".*?</form>', page, re.S).group(0)
    assert f'name="expert" value="{experts["Chen Wei"]}"' in form
    assert '<option value="new" selected>' in form  # No list yet: a new one is proposed.
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = rita.post(
        "/lists/add",
        data={
            "csrf_token": token,
            "list": "new",
            "new_name": "Mediators",
            "expert": experts["Chen Wei"],
        },
    )
    assert response.status_code == 302
    assert "Chen Wei" in rita.get(response.headers["Location"]).get_data(as_text=True)


def test_adding_an_expert_twice_keeps_one_entry_and_says_so(staff, experts, db_session):
    rita = staff("recruiter")
    number = list_id(make_list(rita, "Shortlist A"))
    add(rita, experts["Awa Ndiaye"], to=number)
    again = add(rita, experts["Awa Ndiaye"], to=number)
    assert again.status_code == 400
    assert "Awa Ndiaye is already on the list “Shortlist A”." in again.get_data(as_text=True)
    mixed = add(rita, experts["Awa Ndiaye"], experts["Chen Wei"], to=number)
    page = rita.get(mixed.headers["Location"]).get_data(as_text=True)
    assert "1 expert added to “Shortlist A”." in page
    assert "Already on it, so left as they were: Awa Ndiaye." in page
    with db_session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(ExpertListEntry)) == 2


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("", "Please give the list a name."),
        ("   ", "Please give the list a name."),
        ("x" * 201, "must be at most 200 characters long (it is 201)"),
        ("Bad\u202ename", "right-to-left override"),
    ],
)
def test_a_list_name_that_cannot_be_used_is_refused_and_nothing_made(
    staff, db_session, name, words
):
    rita = staff("recruiter")
    response = make_list(rita, name)
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    with db_session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(ExpertList)) == 0


def test_two_lists_of_one_owner_cannot_share_a_name(staff, experts, db_session):
    rita = staff("recruiter")
    make_list(rita, "Registrars")
    response = make_list(rita, "Registrars")
    assert response.status_code == 400
    assert "You already have a list named “Registrars”." in response.get_data(as_text=True)
    # Adding to a new list with a taken name creates nothing and adds no one.
    refused = add(rita, experts["Awa Ndiaye"], new_name="Registrars")
    assert refused.status_code == 400
    assert "You already have a list named" in refused.get_data(as_text=True)
    with db_session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(ExpertList)) == 1
        assert session.scalar(select(func.count()).select_from(ExpertListEntry)) == 0


def test_adding_nobody_or_a_stranger_is_refused(staff, experts):
    rita = staff("recruiter")
    number = list_id(make_list(rita, "Empty"))
    assert "Please choose at least one expert" in add(rita, to=number).get_data(as_text=True)
    response = add(rita, "not-a-public-id", to=number)
    assert response.status_code == 400
    assert "no longer on the roster" in response.get_data(as_text=True)


def test_a_private_list_is_nobody_else_s(staff, signed_in, experts):
    rita = staff("recruiter")
    number = list_id(make_list(rita, "Mine alone"))
    add(rita, experts["Awa Ndiaye"], to=number)
    other = signed_in("otto@example.org", "recruiter", name="Otto Recruiter")
    planner = staff("planner", name="Paul Mensah")
    for client in (other, planner):
        assert client.get(f"/lists/{number}").status_code == 404
        assert "Mine alone" not in client.get("/lists").get_data(as_text=True)
    token = csrf_token(other, "/lists")
    for action in ("rename", "share", "remove", "delete"):
        data = {
            "csrf_token": token,
            "name": "Taken",
            "shared": "y",
            "expert": experts["Awa Ndiaye"],
        }
        assert other.post(f"/lists/{number}/{action}", data=data).status_code == 404
    refused = other.post(
        "/lists/add", data={"csrf_token": token, "list": number, "expert": experts["Chen Wei"]}
    )
    assert refused.status_code == 400
    assert "Please choose one of your lists" in refused.get_data(as_text=True)
    assert rows(rita.get(f"/lists/{number}").get_data(as_text=True))[0].startswith("Awa Ndiaye")


def test_a_shared_list_is_read_by_planners_without_what_they_may_not_see(staff, experts):
    rita = staff("recruiter")
    number = list_id(make_list(rita, "For the Mali mission"))
    add(rita, experts["Awa Ndiaye"], to=number)
    shared = post_form(rita, f"/lists/{number}/share", {"shared": "y"}, form_url=f"/lists/{number}")
    assert shared.status_code == 302
    planner = staff("planner", name="Paul Mensah")
    assert "For the Mali mission" in planner.get("/lists").get_data(as_text=True)
    page = planner.get(f"/lists/{number}").get_data(as_text=True)
    assert rows(page) == [
        "Awa Ndiaye African Electoral management and administration French (fr): C1"
    ]
    assert "Kept by Rita Okafor and shared with you." in page
    for hidden in ("private.example.org", "EXP-L-0001", "woman", "1961", "disab", "/experts/"):
        assert hidden not in page
    # Nothing on it to change: no forms but the sign-out and the language chooser.
    assert "Take off" not in page and "Rename" not in page
    token = csrf_token(planner, "/lists")
    assert planner.post(f"/lists/{number}/rename", data={"csrf_token": token}).status_code == 403
    # Made private again, it is gone for the planner.
    post_form(rita, f"/lists/{number}/share", {}, form_url=f"/lists/{number}")
    assert planner.get(f"/lists/{number}").status_code == 404


def test_planners_keep_no_lists_of_their_own(staff):
    planner = staff("planner", name="Paul Mensah")
    page = planner.get("/lists").get_data(as_text=True)
    assert "Make the list" not in page and "No list is shared with you yet." in page
    token = csrf_token(planner, "/lists")
    assert planner.post("/lists", data={"csrf_token": token, "name": "Mine"}).status_code == 403


def test_the_owner_renames_takes_off_and_deletes(staff, experts, db_session):
    rita = staff("recruiter")
    number = list_id(make_list(rita, "Draft"))
    add(rita, experts["Awa Ndiaye"], experts["Chen Wei"], to=number)
    renamed = post_form(
        rita, f"/lists/{number}/rename", {"name": "Final"}, form_url=f"/lists/{number}"
    )
    assert renamed.status_code == 302
    off = post_form(
        rita,
        f"/lists/{number}/remove",
        {"expert": experts["Chen Wei"]},
        form_url=f"/lists/{number}",
    )
    page = rita.get(off.headers["Location"]).get_data(as_text=True)
    assert "Chen Wei is off the list." in page and "<bdi>Final</bdi>" in page
    assert [row.split()[0] for row in rows(page)] == ["Awa"]
    deleted = post_form(rita, f"/lists/{number}/delete")
    assert deleted.status_code == 302
    assert "The list “Final” is deleted." in rita.get("/lists").get_data(as_text=True)
    with db_session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(ExpertListEntry)) == 0
        assert session.scalar(select(func.count()).select_from(Expert)) == 3


def test_a_rename_from_a_stale_page_is_told_and_nothing_lost(staff):
    rita = staff("recruiter")
    number = list_id(make_list(rita, "Draft"))
    token = csrf_token(rita, f"/lists/{number}")
    first = rita.post(
        f"/lists/{number}/rename", data={"csrf_token": token, "name": "One", "version": "1"}
    )
    assert first.status_code == 302
    second = rita.post(
        f"/lists/{number}/rename", data={"csrf_token": token, "name": "Two", "version": "1"}
    )
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "changed in another window" in page
    assert 'value="Two"' in page  # What was typed is kept for sending again.
    assert "<bdi>One</bdi>" in page


def test_a_list_is_found_by_its_public_id_alone_never_by_its_number(staff, db_session):
    rita = staff("recruiter")
    public_id = list_id(make_list(rita, "Mine"))
    assert len(public_id) >= 16
    with db_session(write=False) as session:
        number = session.scalar(select(ExpertList.id).where(ExpertList.public_id == public_id))
    for address in (str(number), "abc", "999999", "x" * 40):
        assert rita.get(f"/lists/{address}").status_code == 404
    assert rita.get(f"/lists/{public_id}").status_code == 200
