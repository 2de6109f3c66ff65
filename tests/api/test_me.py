"""An expert's own profile through the API: read, created, changed section by section,
with the consent rules of the page; their data; and the operations' document."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from roster.db import session_scope
from roster.missions.reply_links import aware
from roster.models import AuditEvent, Deployment, Expert, IdempotentRequest, User, utcnow
from tests.api import me_support as support
from tests.api.me_support import ANA, IDENTITY, browser_of, conforms, problem_paths, put, stored
from tests.conftest import PASSWORD
from tests.factories import pdf

ana, ana_with_profile, document = support.ana, support.ana_with_profile, support.document


# The profile ------------------------------------------------------------------------------


def test_without_a_profile_me_answers_404_in_plain_words(ana, document):
    answer = ana.get("/me")

    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    assert "You have no profile yet" in answer.get_json()["detail"]
    assert "POST /api/v1/me" in answer.get_json()["detail"]
    conforms(document, "/me", "get", answer)


def test_an_expert_creates_the_profile_from_identity_and_reads_it(app, ana, document):
    created = ana.post("/me", json=IDENTITY)

    assert created.status_code == 201
    assert created.headers["Location"].endswith("/api/v1/me")
    record = created.get_json()
    conforms(document, "/me", "post", created)
    assert record["full_name"] == "Ana Lima" and record["email"] == ANA
    assert record["nationalities"] == ["BR", "PT"] and record["residence_country"] == "BR"
    assert record["roster_status"] == "applicant" and record["external_id"].startswith("REG-")
    read = ana.get("/me")
    assert read.status_code == 200 and read.get_json() == record
    assert read.headers["ETag"] == created.headers["ETag"]
    conforms(document, "/me", "get", read)
    # The web's profile page shows the same profile.
    page = browser_of(app).get("/me/identity").get_data(as_text=True)
    assert 'value="Ana Lima"' in page


def test_a_second_creation_is_refused_with_409(app, ana_with_profile):
    answer = ana_with_profile.post("/me", json=IDENTITY | {"full_name": "Someone Else"})

    assert answer.status_code == 409
    assert "PUT /api/v1/me/sections/identity" in answer.get_json()["detail"]
    assert stored(app).full_name == "Ana Lima"


def test_creating_is_retried_safely_under_an_idempotency_key(app, ana):
    key = {"Idempotency-Key": "create-ana-1"}
    first = ana.post("/me", json=IDENTITY, headers=key)
    again = ana.post("/me", json=IDENTITY, headers=key)
    other = ana.post("/me", json=IDENTITY | {"full_name": "Ana B. Lima"}, headers=key)

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json() and again.headers["ETag"] == first.headers["ETag"]
    assert other.status_code == 422 and "Idempotency-Key" in other.get_json()["detail"]
    with session_scope(app, write=False) as session:
        assert session.scalar(select(func.count()).select_from(Expert)) == 1
    assert stored(app).full_name == "Ana Lima"


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (IDENTITY | {"email": "x@example.org"}, "email"),  # unknown field: refused
        (IDENTITY | {"years_experience": "12"}, "years_experience"),  # no coercion
        (IDENTITY | {"full_name": "Ana\x00Lima"}, "full_name"),
        (IDENTITY | {"full_name": "Ana \u202eamiL"}, "full_name"),
        (IDENTITY | {"nationalities": ["Atlantis"]}, "nationalities[0]"),
        (IDENTITY | {"full_name": ""}, "full_name"),
        (IDENTITY | {"seniority": "P9"}, "seniority"),
    ],
)
def test_bad_identity_is_refused_at_its_path_and_nothing_is_created(app, ana, body, path):
    answer = ana.post("/me", json=body)

    assert answer.status_code == 422, answer.get_json()
    assert answer.mimetype == "application/problem+json"
    assert path in problem_paths(answer)
    assert stored(app) is None


def test_wrong_content_type_and_broken_json_are_refused(app, ana):
    as_form = ana.post(
        "/me", data="full_name=Ana", content_type="application/x-www-form-urlencoded"
    )
    broken = ana.post("/me", data="{", content_type="application/json")
    a_list = ana.post("/me", json=[IDENTITY])

    assert as_form.status_code == 415 and as_form.mimetype == "application/problem+json"
    assert broken.status_code == 400
    assert a_list.status_code == 422
    assert stored(app) is None


# The sections ------------------------------------------------------------------------------


def test_a_section_changed_by_the_api_is_seen_on_the_web_page(app, ana_with_profile, document):
    before = ana_with_profile.get("/me")

    answer = put(
        ana_with_profile,
        "languages",
        {"languages": [{"code": "Portuguese", "level": "native"}, {"code": "fr", "level": "B2"}]},
        etag=before.headers["ETag"],
    )

    assert answer.status_code == 200, answer.get_json()
    conforms(document, "/me/sections/languages", "put", answer)
    assert answer.get_json()["languages"] == [
        {"code": "pt", "level": "native"},
        {"code": "fr", "level": "B2"},
    ]
    assert answer.headers["ETag"] != before.headers["ETag"]
    assert ana_with_profile.get("/me").headers["ETag"] == answer.headers["ETag"]
    page = browser_of(app).get("/me/languages").get_data(as_text=True)
    assert 'value="pt"' in page and 'value="fr"' in page


def test_a_change_on_the_web_page_makes_the_api_s_etag_stale(app, ana_with_profile):
    etag = ana_with_profile.get("/me").headers["ETag"]
    browser = browser_of(app)
    from tests.roster.conftest import post_form

    assert post_form(browser, "/me/summary", {"summary": "Written on the page."}).status_code == 302

    answer = put(ana_with_profile, "summary", {"summary": "Written by a script."}, etag=etag)

    assert answer.status_code == 412 and answer.mimetype == "application/problem+json"
    assert stored(app).summary == "Written on the page."


def test_every_section_takes_its_part_of_the_record(app, ana_with_profile, document):
    today = utcnow().date()
    bodies = {
        "identity": IDENTITY | {"full_name": "Ana Maria Lima", "seniority": None},
        "sensitive": {"gender": "woman", "consent": {"gender": True}},
        "languages": {"languages": [{"code": "en", "level": "C1"}]},
        "expertise": {"skills": [{"code": "voter registration", "years": 5}]},
        "accessibility": {"accessibility_expertise": ["sign-language"]},
        "availability": {
            "availability": [
                {"from": today.isoformat(), "to": (today + timedelta(days=90)).isoformat()}
            ]
        },
        "deployments": {
            "deployments": [
                {
                    "mission": "UNAMI",
                    "country": "IQ",
                    "role": "Adviser",
                    "from": "2019-01-01",
                    "to": "2019-06-30",
                }
            ]
        },  # fmt: skip
        "summary": {"summary": "Twelve years of electoral work."},
    }
    for section, body in bodies.items():
        answer = put(ana_with_profile, section, body)
        assert answer.status_code == 200, (section, answer.get_json())
        conforms(document, f"/me/sections/{section}", "put", answer)
    record = ana_with_profile.get("/me").get_json()
    assert record["full_name"] == "Ana Maria Lima" and "seniority" not in record
    assert record["gender"] == "woman" and record["consent"] == {"gender": True}
    assert record["languages"] == [{"code": "en", "level": "C1"}]
    assert record["skills"][0]["years"] == 5
    assert record["accessibility_expertise"] == ["sign-language"]
    assert record["availability"][0]["from"] == today.isoformat()
    assert record["deployments"][0]["mission"] == "UNAMI"
    assert record["summary"] == "Twelve years of electoral work."
    # The record's own parts, sent back, change nothing but the version.
    for section, keys in [
        ("availability", ["availability"]),
        ("deployments", ["deployments"]),
        ("languages", ["languages"]),
        ("sensitive", ["gender", "consent"]),
    ]:
        answer = put(ana_with_profile, section, {key: record[key] for key in keys})
        assert answer.status_code == 200, (section, answer.get_json())
        assert {k: v for k, v in answer.get_json().items()} == record


def test_a_section_names_the_version_it_changes(app, ana_with_profile):
    version = stored(app).version
    body = {"summary": "New words."}

    missing = ana_with_profile.put("/me/sections/summary", json=body)
    stale = put(ana_with_profile, "summary", body, etag='"not-the-version"')

    assert missing.status_code == 428 and missing.mimetype == "application/problem+json"
    assert stale.status_code == 412
    assert stored(app).version == version and stored(app).summary == ""


def test_a_section_without_a_profile_is_404(ana):
    answer = ana.put(
        "/me/sections/summary", json={"summary": "x"}, headers={"If-Match": '"anything"'}
    )

    assert answer.status_code == 404
    assert "POST /api/v1/me" in answer.get_json()["detail"]


@pytest.mark.parametrize(
    ("section", "body", "path"),
    [
        ("languages", {"languages": [{"code": "fr", "level": "C1", "x": 1}]}, "languages[0].x"),
        ("languages", {"languages": [{"code": "fr", "level": "Z9"}]}, "languages[0].level"),
        ("languages", {"languages": [{"code": "fr", "level": "C1"}, {"code": "Klingonese",
                                                                       "level": "C1"}]},
         "languages[1].code"),
        ("languages", {"languages": "fr"}, "languages"),
        ("expertise", {"skills": [{"code": "voter registration", "years": 99}]},
         "skills[0].years"),
        ("expertise", {"skills": [{"code": "voter\u202e registration"}]}, "skills[0].code"),
        ("accessibility", {"accessibility_expertise": ["flying"]}, "accessibility_expertise"),
        ("summary", {"summary": "a\x00b"}, "summary"),
        ("summary", {"summary": 12}, "summary"),
        ("summary", {}, "summary"),
        ("availability", {"availability": [{"from": "soon", "to": "2027-01-01"}]},
         "availability[0].from"),
        ("availability", {"availability": [{"from": "2020-01-01", "to": "2020-02-01"}]},
         "availability[0].to"),
        ("deployments", {"deployments": [{"country": "Atlantis", "role": "Adviser",
                                          "from": "2019-01-01", "to": "2019-02-01"}]},
         "deployments[0].country"),
        ("availability", {"availability": [{"from": "2030-01-01", "to": "2030-01-02"}] * 51},
         "availability[50]"),
        ("deployments", {"deployments": [{"country": "IQ", "role": "Adviser",
                                          "from": "2019-01-01", "to": "2019-02-01"}] * 101},
         "deployments[100]"),
        ("sensitive", {"birth_year": 1990}, "birth_year"),
        ("sensitive", {"gender": "woman", "consent": {"gender": "yes"}}, "consent.gender"),
    ],
)  # fmt: skip
def test_bad_sections_are_refused_at_their_paths_and_nothing_is_written(
    app, ana_with_profile, section, body, path
):
    before = ana_with_profile.get("/me")

    answer = put(ana_with_profile, section, body, etag=before.headers["ETag"])

    assert answer.status_code == 422, answer.get_json()
    assert answer.mimetype == "application/problem+json"
    assert path in problem_paths(answer), answer.get_json()
    after = ana_with_profile.get("/me")
    assert after.headers["ETag"] == before.headers["ETag"]
    assert after.get_json() == before.get_json()


def test_a_section_refuses_another_content_type(ana_with_profile):
    etag = ana_with_profile.get("/me").headers["ETag"]

    answer = ana_with_profile.put(
        "/me/sections/summary", data="summary", content_type="text/plain",
        headers={"If-Match": etag},
    )  # fmt: skip

    assert answer.status_code == 415


# Consent ---------------------------------------------------------------------------------------


def test_sensitive_data_is_stored_only_with_consent_and_erased_when_it_is_withdrawn(
    app, ana_with_profile
):
    refused = put(ana_with_profile, "sensitive", {"gender": "woman", "disability": True})
    assert refused.status_code == 422
    assert set(problem_paths(refused)) == {"gender", "disability"}
    assert stored(app).gender is None

    given = put(
        ana_with_profile,
        "sensitive",
        {"gender": "woman", "birth_year": 1980, "consent": {"gender": True, "birth_year": True}},
    )
    assert given.status_code == 200
    record = given.get_json()
    assert record["gender"] == "woman" and record["birth_year"] == 1980
    assert record["consent"] == {"gender": True, "birth_year": True}
    expert = stored(app)
    assert expert.gender == "woman" and expert.gender_consent_at is not None
    page = browser_of(app).get("/me/sensitive").get_data(as_text=True)
    assert 'value="1980"' in page

    withdrawn = put(
        ana_with_profile, "sensitive", {"birth_year": 1980, "consent": {"birth_year": True}}
    )
    assert withdrawn.status_code == 200
    assert "gender" not in withdrawn.get_json()
    assert withdrawn.get_json()["consent"] == {"birth_year": True}
    expert = stored(app)
    assert expert.gender is None and expert.gender_consent_at is None
    assert expert.birth_year == 1980


# Lists replaced whole: availability and deployments -------------------------------------------


def test_availability_is_replaced_whole_with_problems_at_the_periods_given(app, ana_with_profile):
    today = utcnow().date()
    first = {"from": today.isoformat(), "to": (today + timedelta(days=30)).isoformat()}
    second = {
        "from": (today + timedelta(days=60)).isoformat(),
        "to": (today + timedelta(days=90)).isoformat(),
    }
    assert (
        put(ana_with_profile, "availability", {"availability": [first, second]}).status_code == 200
    )

    kept = put(ana_with_profile, "availability", {"availability": [second]})
    assert kept.status_code == 200
    assert kept.get_json()["availability"] == [second]

    overlapping = {"from": second["from"], "to": (today + timedelta(days=70)).isoformat()}
    refused = put(ana_with_profile, "availability", {"availability": [second, overlapping]})
    assert refused.status_code == 422
    assert problem_paths(refused) == ["availability[1].from"]
    assert "overlaps" in refused.get_json()["problems"][0]["message"]
    assert ana_with_profile.get("/me").get_json()["availability"] == [second]


def test_recorded_deployments_and_ratings_stay_the_division_s(app, ana_with_profile):
    with session_scope(app) as session:
        expert = session.scalar(select(Expert).where(Expert.email == ANA))
        session.add(
            Deployment(
                expert_id=expert.id, mission="MINUSMA", country="ML", role="Officer",
                start=date(2018, 1, 1), end=date(2018, 6, 30), rating=4, comments="Good.",
            )
        )  # fmt: skip
    record = ana_with_profile.get("/me").get_json()
    recorded = record["deployments"][0]
    assert recorded["rating"] == 4
    mine = {"country": "IQ", "role": "Adviser", "from": "2019-01-01", "to": "2019-06-30"}

    added = put(ana_with_profile, "deployments", {"deployments": [recorded, mine]})
    assert added.status_code == 200, added.get_json()
    assert added.get_json()["deployments"][1] == mine

    rated = put(ana_with_profile, "deployments", {"deployments": [recorded, mine | {"rating": 5}]})
    regraded = put(ana_with_profile, "deployments", {"deployments": [recorded | {"rating": 5}]})
    dropped = put(ana_with_profile, "deployments", {"deployments": [mine]})

    assert rated.status_code == 422 and problem_paths(rated) == ["deployments[1].rating"]
    assert regraded.status_code == 422 and problem_paths(regraded) == ["deployments[0].rating"]
    assert dropped.status_code == 422 and problem_paths(dropped) == ["deployments"]
    assert "ask a recruiter" in dropped.get_json()["problems"][0]["message"]
    assert ana_with_profile.get("/me").get_json()["deployments"] == [recorded, mine]

    removed = put(ana_with_profile, "deployments", {"deployments": [recorded]})
    assert removed.status_code == 200
    assert removed.get_json()["deployments"] == [recorded]


def test_confirming_the_profile_ends_its_staleness(app, ana_with_profile):
    with session_scope(app) as session:
        expert = session.scalar(select(Expert).where(Expert.email == ANA))
        expert.profile_confirmed_at = utcnow() - timedelta(days=400)

    answer = ana_with_profile.post("/me/confirm")

    assert answer.status_code == 200
    assert aware(stored(app).profile_confirmed_at) > utcnow() - timedelta(minutes=1)


# Who may -----------------------------------------------------------------------------------------


def test_a_read_only_token_cannot_change_the_profile(app, make_user, issue_token, ana_with_profile):
    from tests.api.conftest import ApiClient

    reader = ApiClient(app, issue_token(ANA, scopes=["profile:read"]))
    etag = reader.get("/me").headers["ETag"]

    answers = [
        reader.put("/me/sections/summary", json={"summary": "x"}, headers={"If-Match": etag}),
        reader.post("/me/confirm"),
        reader.delete("/me/cv", headers={"If-Match": etag}),
        reader.put("/me/cv", data=pdf(), content_type="application/pdf",
                   headers={"If-Match": etag}),
    ]  # fmt: skip

    assert [a.status_code for a in answers] == [403] * 4
    assert "profile:write" in answers[0].get_json()["detail"]
    assert stored(app).summary == ""


@pytest.mark.parametrize("role", ["recruiter", "planner", "admin"])
def test_staff_without_the_expert_role_get_403_on_me(api_as, role):
    staff = api_as(f"{role}@example.org", role)

    for answer in [
        staff.get("/me"),
        staff.get("/me/data"),
        staff.get("/me/candidacies"),
        staff.post("/me", json=IDENTITY),
    ]:
        assert answer.status_code == 403


def test_without_a_token_me_is_401(anonymous_api):
    assert anonymous_api.get("/me").status_code == 401
    assert anonymous_api.get("/me/data").status_code == 401


# Your data ---------------------------------------------------------------------------------------


def test_the_data_download_is_the_web_s(app, ana_with_profile, document):
    answer = ana_with_profile.get("/me/data")

    assert answer.status_code == 200
    conforms(document, "/me/data", "get", answer)
    data = answer.get_json()
    assert data["account"]["email"] == ANA
    assert data["expert"] == ana_with_profile.get("/me").get_json()
    web = json.loads(browser_of(app).get("/me/data.json").get_data())
    assert set(web) == set(data)
    assert web["expert"] == data["expert"] and web["profile"] == data["profile"]


def test_the_data_download_without_a_profile_has_the_account(ana, document):
    answer = ana.get("/me/data")

    assert answer.status_code == 200
    conforms(document, "/me/data", "get", answer)
    assert answer.get_json()["expert"] is None


# The document ----------------------------------------------------------------------------------


def test_the_document_describes_every_operation_of_me(document):
    paths = document["paths"]
    expected = {
        ("/api/v1/me", "get"): "profile:read",
        ("/api/v1/me", "post"): "profile:write",
        ("/api/v1/me/data", "get"): "profile:read",
        ("/api/v1/me/candidacies", "get"): "profile:read",
        ("/api/v1/me/call-outs/{public_id}", "get"): "profile:read",
        ("/api/v1/me/call-outs/{public_id}/reply", "post"): "profile:write",
        ("/api/v1/me/cv", "put"): "profile:write",
        ("/api/v1/me/cv", "get"): "profile:read",
        ("/api/v1/me/cv", "delete"): "profile:write",
        ("/api/v1/me/confirm", "post"): "profile:write",
        ("/api/v1/me/erasure", "post"): "profile:write",
    }
    for name in ("identity", "sensitive", "languages", "expertise", "accessibility",
                 "availability", "deployments", "summary"):  # fmt: skip
        expected[(f"/api/v1/me/sections/{name}", "put")] = "profile:write"
    for (path, method), scope in expected.items():
        operation = paths[path][method]
        assert operation["x-scope"] == scope and operation["x-roles"] == ["expert"]
        assert operation["tags"] == ["Me"]
    languages = paths["/api/v1/me/sections/languages"]["put"]
    assert {p["name"] for p in languages["parameters"]} >= {"If-Match"}
    assert "412" in languages["responses"] and "428" in languages["responses"]
    assert paths["/api/v1/me"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/Expert"}
    assert "application/pdf" in paths["/api/v1/me/cv"]["get"]["responses"]["200"]["content"]


# Erasure -----------------------------------------------------------------------------------------


def test_an_expert_erases_the_account_after_typing_the_password_again(app, ana_with_profile):
    etag = ana_with_profile.get("/me").headers["ETag"]
    assert (
        ana_with_profile.put(
            "/me/cv", data=pdf(), content_type="application/pdf", headers={"If-Match": etag}
        ).status_code
        == 200
    )
    wrong = ana_with_profile.post("/me/erasure", json={"password": "not it"})
    assert wrong.status_code == 422 and problem_paths(wrong) == ["password"]
    assert stored(app) is not None

    erased = ana_with_profile.post("/me/erasure", json={"password": PASSWORD})

    assert erased.status_code == 204 and erased.data == b""
    with session_scope(app, write=False) as session:
        assert session.scalar(select(func.count()).select_from(Expert)) == 0
        assert session.scalar(select(User).where(User.email == ANA)) is None
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "profile.erased"))
    assert ana_with_profile.get("/me").status_code == 401  # the token went with the account
    assert list((Path(app.instance_path) / "cvs").glob("*.pdf")) == []


def test_erasure_needs_the_write_scope_and_a_well_formed_body(app, issue_token, ana_with_profile):
    from tests.api.conftest import ApiClient

    reader = ApiClient(app, issue_token(ANA, scopes=["profile:read"]))

    assert reader.post("/me/erasure", json={"password": PASSWORD}).status_code == 403
    unknown = ana_with_profile.post("/me/erasure", json={"password": PASSWORD, "now": True})
    assert unknown.status_code == 422 and problem_paths(unknown) == ["now"]
    assert stored(app) is not None


def test_an_erasure_forgets_the_kept_answers_that_name_the_expert(app, ana_with_profile, make_user):
    user = make_user("rita@example.org", "recruiter")
    with session_scope(app) as session:
        expert = session.scalar(select(Expert))
        session.add_all(
            [
                IdempotentRequest(
                    user_id=user.id,
                    key="a",
                    fingerprint="f",
                    status=201,
                    body=f'{{"experts": ["{expert.public_id}"]}}',
                ),
                IdempotentRequest(
                    user_id=user.id, key="b", fingerprint="f", status=201, body='{"experts": []}'
                ),
            ]
        )

    erased = ana_with_profile.post("/me/erasure", json={"password": PASSWORD})

    assert erased.status_code == 204
    with session_scope(app, write=False) as session:
        assert session.scalars(select(IdempotentRequest.key)).all() == ["b"]
