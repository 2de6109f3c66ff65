"""Named lists and saved searches by API: the lists page's and saved searches page's rules.

A recruiter keeps lists and searches; a shared list is read by planners, who change
nothing; another's private list or search is, to everyone else, one that does not exist.
"""

import re

import pytest
from sqlalchemy import func, select

from roster.api.kernel import encode_cursor
from roster.models import (
    Expert,
    ExpertLanguage,
    ExpertList,
    ExpertListEntry,
    ExpertNationality,
    ExpertSkill,
    SavedSearch,
    SavedSearchMatch,
    utcnow,
)
from tests.api.schema_check import assert_conforms
from tests.conftest import count_rows, sign_in


@pytest.fixture
def experts(db_session) -> dict[str, str]:
    """Three experts (public ids by name), with what a list shows and what it must not."""
    people = [
        ("EXP-A-0001", "Awa Ndiaye", "SN", "electoral-management", "fr"),
        ("EXP-A-0002", "Bruno Díaz", "CL", "voter-registration", "es"),
        ("EXP-A-0003", "Chen Wei", "CN", "mediation", "zh"),
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


@pytest.fixture
def rita(api_as):
    return api_as("rita@example.org", "recruiter", name="Rita Okafor")


def _make(api, name: str, *experts: str, **headers):
    made = api.post("/lists", json={"name": name, "experts": list(experts)}, headers=headers)
    assert made.status_code == 201, made.get_json()
    return made


def _number(db_session, public_id: str) -> int:
    with db_session(write=False) as session:
        return session.scalar(select(ExpertList.id).where(ExpertList.public_id == public_id))


# Lists ---------------------------------------------------------------------------------


def test_a_recruiter_makes_a_list_adds_experts_and_the_page_shows_them(app, rita, experts):
    made = _make(rita, "Francophone registrars", experts["Awa Ndiaye"])
    assert_conforms(rita, "POST", "/api/v1/lists", made)
    body = made.get_json()
    assert made.headers["Location"] == f"/api/v1/lists/{body['public_id']}"
    assert body["owned"] is True and body["shared"] is False and body["owner"] == "Rita Okafor"
    assert [e["full_name"] for e in body["experts"]] == ["Awa Ndiaye"]

    added = rita.post(
        f"/lists/{body['public_id']}/experts",
        json={"experts": [experts["Awa Ndiaye"], experts["Bruno Díaz"]]},
    )
    assert added.status_code == 200
    assert added.get_json() == {
        "added": [experts["Bruno Díaz"]],
        "already": [experts["Awa Ndiaye"]],
    }
    assert_conforms(rita, "POST", "/api/v1/lists/<public_id>/experts", added)

    read = rita.get(f"/lists/{body['public_id']}")
    assert_conforms(rita, "GET", "/api/v1/lists/<public_id>", read)
    awa = read.get_json()["experts"][0]
    assert awa["public_id"] == experts["Awa Ndiaye"] and awa["external_id"] == "EXP-A-0001"
    assert awa["roster_status"] == "applicant" and awa["regions"] == ["African"]
    assert awa["expertise"] == ["electoral-management"]
    assert awa["languages"] == [{"code": "fr", "level": "C1"}]
    assert "gender" not in str(read.get_json()) and "private.example.org" not in read.text
    page = rita.get("/lists")
    assert_conforms(rita, "GET", "/api/v1/lists", page)
    assert page.get_json()["items"][0]["size"] == 2

    web = app.test_client()
    assert sign_in(web, "rita@example.org").status_code == 302
    shown = web.get(f"/lists/{body['public_id']}").get_data(as_text=True)
    assert "Awa Ndiaye" in shown and "Bruno Díaz" in shown and "Chen Wei" not in shown
    assert f'href="/lists/{body["public_id"]}"' in web.get("/lists").get_data(as_text=True)


def test_an_expert_is_taken_off_a_list(rita, experts, db_session):
    public_id = _make(rita, "Draft", experts["Awa Ndiaye"], experts["Chen Wei"]).get_json()[
        "public_id"
    ]
    gone = rita.delete(f"/lists/{public_id}/experts/{experts['Chen Wei']}")
    assert gone.status_code == 204
    again = rita.delete(f"/lists/{public_id}/experts/{experts['Chen Wei']}")
    assert again.status_code == 404
    assert again.mimetype == "application/problem+json"
    assert rita.delete(f"/lists/{public_id}/experts/{'x' * 60}").status_code == 404
    names = [e["full_name"] for e in rita.get(f"/lists/{public_id}").get_json()["experts"]]
    assert names == ["Awa Ndiaye"]


def test_renaming_and_sharing_name_the_version_in_if_match(rita, experts, db_session):
    made = _make(rita, "Draft")
    public_id, first = made.get_json()["public_id"], made.headers["ETag"]
    url = f"/lists/{public_id}"

    missing = rita.patch(url, json={"name": "Final"})
    assert missing.status_code == 428
    renamed = rita.patch(url, json={"name": "Final", "shared": True}, headers={"If-Match": first})
    assert renamed.status_code == 200, renamed.get_json()
    assert_conforms(rita, "PATCH", "/api/v1/lists/<public_id>", renamed)
    assert renamed.get_json()["name"] == "Final" and renamed.get_json()["shared"] is True
    assert renamed.headers["ETag"] != first
    stale = rita.patch(url, json={"name": "Stale"}, headers={"If-Match": first})
    assert stale.status_code == 412
    assert rita.get(url).get_json()["name"] == "Final"
    assert rita.get(url).headers["ETag"] == renamed.headers["ETag"]
    with db_session(write=False) as session:
        kept = session.scalar(select(ExpertList).where(ExpertList.public_id == public_id))
        assert (kept.name, kept.shared, kept.version) == ("Final", True, 3)


def test_bad_changes_are_refused_at_their_path_and_nothing_is_written(rita, experts, db_session):
    _make(rita, "Taken")
    made = _make(rita, "Draft")
    public_id, tag = made.get_json()["public_id"], made.headers["ETag"]
    url, match = f"/lists/{public_id}", {"If-Match": tag}
    cases = {
        "colour": {"name": "X", "colour": "red"},
        "shared": {"shared": "yes"},
        "name": {"name": 7},
        "name ": {"name": "Taken"},
        "name  ": {"name": "   "},
        "": {},
    }
    for path, body in cases.items():
        refused = rita.patch(url, json=body, headers=match)
        assert refused.status_code == 422, path
        assert path.strip() in [p["path"] for p in refused.get_json()["problems"]], path
    for text in ("Dra\u0000ft", "Dra\u202eft"):
        refused = rita.patch(url, json={"name": text}, headers=match)
        assert refused.status_code == 422
        assert refused.get_json()["problems"][0]["path"] == "name"
    wrong_type = rita.patch(url, data="name=x", headers=match | {"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    assert (
        rita.patch(url, data="{", headers=match | {"Content-Type": "application/json"}).status_code
        == 400
    )
    for body in ({"experts": []}, {"experts": ["not-an-expert"]}, {"experts": [7]}, {"who": []}):
        refused = rita.post(f"{url}/experts", json=body)
        assert refused.status_code == 422, body
        assert refused.get_json()["problems"][0]["path"].startswith(("experts", "who")), body
    nobody = rita.post("/lists", json={"name": "New", "experts": ["not-an-expert"]})
    assert nobody.status_code == 422 and nobody.get_json()["problems"][0]["path"] == "experts"
    with db_session(write=False) as session:
        kept = session.scalar(select(ExpertList).where(ExpertList.public_id == public_id))
        assert (kept.name, kept.version) == ("Draft", 1)
        assert session.scalar(select(func.count()).select_from(ExpertList)) == 2
        assert session.scalar(select(func.count()).select_from(ExpertListEntry)) == 0


def test_a_retried_create_makes_one_list_and_another_body_under_its_key_is_refused(
    rita, experts, db_session
):
    key = {"Idempotency-Key": "list-1"}
    first = _make(rita, "Mali", experts["Awa Ndiaye"], **key)
    again = rita.post(
        "/lists", json={"name": "Mali", "experts": [experts["Awa Ndiaye"]]}, headers=key
    )
    other = rita.post("/lists", json={"name": "Chad", "experts": []}, headers=key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert other.status_code == 422
    assert count_rows(db_session, ExpertList) == 1
    url = f"/lists/{first.get_json()['public_id']}/experts"
    body = {"experts": [experts["Bruno Díaz"]]}
    added = rita.post(url, json=body, headers={"Idempotency-Key": "add-1"})
    replay = rita.post(url, json=body, headers={"Idempotency-Key": "add-1"})
    assert added.status_code == replay.status_code == 200
    assert replay.get_json() == {"added": [experts["Bruno Díaz"]], "already": []}
    assert count_rows(db_session, ExpertListEntry) == 2


def test_another_recruiter_s_private_list_does_not_exist_for_others(
    api_as, rita, experts, db_session
):
    public_id = _make(rita, "Mine alone", experts["Awa Ndiaye"]).get_json()["public_id"]
    tag = rita.get(f"/lists/{public_id}").headers["ETag"]
    otto = api_as("otto@example.org", "recruiter")
    paul = api_as("paul@example.org", "planner")
    number = _number(db_session, public_id)
    guessed = [public_id, str(number), str(number + 1), "1", "AAAAAAAAAAAAAAAA"]
    for client in (otto, paul):
        assert client.get("/lists").get_json()["items"] == []
        for address in guessed:
            assert client.get(f"/lists/{address}").status_code == 404, address
    for address in guessed:
        url = f"/lists/{address}"
        match = {"If-Match": tag}
        assert otto.patch(url, json={"name": "Mine"}, headers=match).status_code == 404
        assert otto.delete(url, headers=match).status_code == 404
        assert (
            otto.post(f"{url}/experts", json={"experts": [experts["Chen Wei"]]}).status_code == 404
        )
        assert otto.delete(f"{url}/experts/{experts['Awa Ndiaye']}").status_code == 404
    read = rita.get(f"/lists/{public_id}").get_json()
    assert read["name"] == "Mine alone" and len(read["experts"]) == 1


def test_a_planner_reads_a_shared_list_with_less_and_changes_nothing(
    api_as, rita, experts, db_session
):
    made = _make(rita, "For the Mali mission", experts["Awa Ndiaye"])
    public_id = made.get_json()["public_id"]
    shared = rita.patch(
        f"/lists/{public_id}", json={"shared": True}, headers={"If-Match": made.headers["ETag"]}
    )
    paul = api_as("paul@example.org", "planner")
    otto = api_as("otto@example.org", "recruiter")

    read = paul.get(f"/lists/{public_id}")
    assert read.status_code == 200
    assert_conforms(paul, "GET", "/api/v1/lists/<public_id>", read)
    body = read.get_json()
    assert body["owned"] is False and body["owner"] == "Rita Okafor"
    awa = body["experts"][0]
    assert awa["full_name"] == "Awa Ndiaye" and awa["regions"] == ["African"]
    assert awa["public_id"] is None and awa["external_id"] is None and awa["roster_status"] is None
    assert experts["Awa Ndiaye"] not in read.text
    assert [item["public_id"] for item in paul.get("/lists").get_json()["items"]] == [public_id]
    # Planners hold no roster:write scope, nor the role that keeps lists.
    match = {"If-Match": shared.headers["ETag"]}
    assert paul.patch(f"/lists/{public_id}", json={"name": "X"}, headers=match).status_code == 403
    assert paul.delete(f"/lists/{public_id}", headers=match).status_code == 403
    assert paul.post("/lists", json={"name": "Mine"}).status_code == 403
    # Another recruiter reads it, but changing it is the owner's alone.
    assert otto.get(f"/lists/{public_id}").get_json()["experts"][0]["external_id"] == "EXP-A-0001"
    assert otto.patch(f"/lists/{public_id}", json={"name": "X"}, headers=match).status_code == 404
    assert otto.delete(f"/lists/{public_id}", headers=match).status_code == 404
    # Made private again: gone for the others.
    rita.patch(f"/lists/{public_id}", json={"shared": False}, headers=match)
    assert paul.get(f"/lists/{public_id}").status_code == 404
    assert count_rows(db_session, ExpertList) == 1


def test_a_token_without_the_scope_or_the_role_is_refused(api_as, rita, experts):
    public_id = _make(rita, "Draft").get_json()["public_id"]
    reader = api_as("rex@example.org", "recruiter", scopes=["roster:read"])
    assert reader.get("/lists").status_code == 200
    assert reader.post("/lists", json={"name": "X"}).status_code == 403
    assert reader.post("/saved-searches", json={"name": "X", "query": ""}).status_code == 403
    expert = api_as("erin@example.org", "expert")
    assert expert.get("/lists").status_code == 403
    assert expert.get(f"/lists/{public_id}").status_code == 403
    assert expert.get("/saved-searches").status_code == 403


def test_deleting_a_list_needs_its_version_and_leaves_the_experts(rita, experts, db_session):
    made = _make(rita, "Draft", experts["Awa Ndiaye"])
    public_id = made.get_json()["public_id"]
    assert rita.delete(f"/lists/{public_id}").status_code == 428
    assert rita.delete(f"/lists/{public_id}", headers={"If-Match": '"stale"'}).status_code == 412
    assert count_rows(db_session, ExpertList) == 1
    gone = rita.delete(f"/lists/{public_id}", headers={"If-Match": made.headers["ETag"]})
    assert gone.status_code == 204
    assert rita.get(f"/lists/{public_id}").status_code == 404
    assert count_rows(db_session, ExpertList) == 0
    assert count_rows(db_session, Expert) == 3


def test_lists_are_paged_own_first_then_shared_by_name(api_as, rita, db_session):
    otto = api_as("otto@example.org", "recruiter", name="Otto")
    for name in ("beta", "Alpha", "gamma", "delta"):
        _make(rita, name)
    shared = _make(otto, "Aardvark")
    otto.patch(
        f"/lists/{shared.get_json()['public_id']}",
        json={"shared": True},
        headers={"If-Match": shared.headers["ETag"]},
    )
    seen, cursor = [], None
    while True:
        page = rita.get(
            "/lists", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}
        )
        assert page.status_code == 200
        seen += [item["name"] for item in page.get_json()["items"]]
        cursor = page.get_json()["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Alpha", "beta", "delta", "gamma", "Aardvark"]
    for cursor in (
        "nonsense",
        encode_cursor({"others": 7, "name": "a", "after": "b"}),
        encode_cursor({"others": 0, "name": "\ud800", "after": "b"}),
    ):
        refused = rita.get("/lists", query_string={"cursor": cursor})
        assert refused.status_code == 422 and refused.get_json()["problems"][0]["path"] == "cursor"
    assert rita.get("/lists?colour=red").status_code == 422


# Saved searches ------------------------------------------------------------------------


def test_a_recruiter_saves_a_search_watches_it_and_the_page_shows_it(app, rita, db_session):
    made = rita.post("/saved-searches", json={"name": "French speakers", "query": "lang=fr"})
    assert made.status_code == 201, made.get_json()
    assert_conforms(rita, "POST", "/api/v1/saved-searches", made)
    body = made.get_json()
    assert body["query"] == "lang=fr" and body["watched"] is False
    assert made.headers["Location"] == f"/api/v1/saved-searches/{body['public_id']}"
    url = f"/saved-searches/{body['public_id']}"

    assert rita.put(f"{url}/watch", json={"watched": True}).status_code == 428
    watched = rita.put(
        f"{url}/watch", json={"watched": True}, headers={"If-Match": made.headers["ETag"]}
    )
    assert watched.status_code == 200
    assert_conforms(rita, "PUT", "/api/v1/saved-searches/<public_id>/watch", watched)
    assert watched.get_json()["watched"] is True
    stale = rita.put(
        f"{url}/watch", json={"watched": False}, headers={"If-Match": made.headers["ETag"]}
    )
    assert stale.status_code == 412
    assert rita.get(url).get_json()["watched"] is True
    listed = rita.get("/saved-searches")
    assert_conforms(rita, "GET", "/api/v1/saved-searches", listed)
    assert [item["name"] for item in listed.get_json()["items"]] == ["French speakers"]

    web = app.test_client()
    assert sign_in(web, "rita@example.org").status_code == 302
    page = web.get("/searches").get_data(as_text=True)
    assert "French speakers" in page and f'action="/searches/{body["public_id"]}/watch"' in page
    assert "Stop watching" in page


def test_bad_saved_searches_are_refused_at_their_path(rita, db_session):
    rita.post("/saved-searches", json={"name": "Taken", "query": ""})
    cases = {
        "name": {"name": "", "query": "lang=fr"},
        "name ": {"name": "Taken", "query": "lang=fr"},
        "query.status": {"name": "Odd", "query": "status=no"},
        "query": {"name": "Long", "query": "q=" + "x" * 9000},
        "colour": {"name": "X", "query": "", "colour": "red"},
        "watched": {"name": "X", "query": "", "watched": True},
    }
    for path, body in cases.items():
        refused = rita.post("/saved-searches", json=body)
        assert refused.status_code == 422, path
        assert path.strip() in [p["path"] for p in refused.get_json()["problems"]], (
            path,
            refused.get_json(),
        )
    assert rita.post("/saved-searches", json={"name": "N\u202eame", "query": ""}).status_code == 422
    assert count_rows(db_session, SavedSearch) == 1


def test_a_retried_save_keeps_one_search(rita, db_session):
    key = {"Idempotency-Key": "save-1"}
    first = rita.post("/saved-searches", json={"name": "A", "query": "lang=fr"}, headers=key)
    again = rita.post("/saved-searches", json={"name": "A", "query": "lang=fr"}, headers=key)
    other = rita.post("/saved-searches", json={"name": "B", "query": "lang=fr"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert count_rows(db_session, SavedSearch) == 1


def test_another_s_saved_search_does_not_exist_and_deleting_needs_its_version(
    api_as, rita, db_session
):
    made = rita.post("/saved-searches", json={"name": "Mine", "query": "lang=fr"})
    public_id, tag = made.get_json()["public_id"], made.headers["ETag"]
    rita.put(
        f"/saved-searches/{public_id}/watch", json={"watched": True}, headers={"If-Match": tag}
    )
    tag = rita.get(f"/saved-searches/{public_id}").headers["ETag"]
    otto = api_as("otto@example.org", "recruiter")
    with db_session(write=False) as session:
        number = session.scalar(select(SavedSearch.id))
    assert otto.get("/saved-searches").get_json()["items"] == []
    for address in (public_id, str(number), "1", "x" * 60):
        url = f"/saved-searches/{address}"
        assert otto.get(url).status_code == 404
        assert (
            otto.put(f"{url}/watch", json={"watched": False}, headers={"If-Match": tag}).status_code
            == 404
        )
        assert otto.delete(url, headers={"If-Match": tag}).status_code == 404
    assert rita.delete(f"/saved-searches/{public_id}").status_code == 428
    assert (
        rita.delete(f"/saved-searches/{public_id}", headers={"If-Match": '"old"'}).status_code
        == 412
    )
    assert rita.delete(f"/saved-searches/{public_id}", headers={"If-Match": tag}).status_code == 204
    assert count_rows(db_session, SavedSearch) == 0
    assert count_rows(db_session, SavedSearchMatch) == 0
    paul = api_as("paul@example.org", "planner")
    assert paul.get("/saved-searches").status_code == 403


def test_saved_searches_are_paged_by_name(rita):
    for name in ("b", "A", "c"):
        rita.post("/saved-searches", json={"name": name, "query": ""})
    first = rita.get("/saved-searches?limit=2").get_json()
    assert [item["name"] for item in first["items"]] == ["A", "b"]
    rest = rita.get("/saved-searches", query_string={"cursor": first["next_cursor"]}).get_json()
    assert [item["name"] for item in rest["items"]] == ["c"] and rest["next_cursor"] is None
    refused = rita.get("/saved-searches", query_string={"cursor": encode_cursor({"name": 1})})
    assert refused.status_code == 422


def test_list_ids_are_not_numbers(rita):
    public_id = _make(rita, "Draft").get_json()["public_id"]
    assert not re.fullmatch(r"\d+", public_id) and len(public_id) >= 16


def test_a_delete_or_watch_racing_another_change_writes_nothing(rita, db_session):
    """If-Match is checked, then the write compares the version again as it writes."""
    from roster.recruiting import lists, saved
    from roster.refusal import Changed

    list_id = _make(rita, "Draft").get_json()["public_id"]
    search_id = rita.post("/saved-searches", json={"name": "S", "query": ""}).get_json()[
        "public_id"
    ]
    with db_session() as session:
        kept = session.scalar(select(ExpertList).where(ExpertList.public_id == list_id))
        search = session.scalar(select(SavedSearch).where(SavedSearch.public_id == search_id))
        with pytest.raises(Changed):
            lists.delete_list(session=session, expert_list=kept, version=kept.version - 1)
        with pytest.raises(Changed):
            saved.set_watched(session=session, saved=search, watched=True, version=7)
        with pytest.raises(Changed):
            saved.delete_search(session=session, saved=search, version=7)
    assert count_rows(db_session, ExpertList) == count_rows(db_session, SavedSearch) == 1
    assert rita.get(f"/saved-searches/{search_id}").get_json()["watched"] is False
