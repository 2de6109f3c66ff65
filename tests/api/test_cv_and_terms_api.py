"""CVs and a role's terms through the API: the staff's and the planner's CV downloads,
audited as the pages audit them, and a widening saved to the role as the role's page saves it.
"""

from pathlib import Path

import pytest
from sqlalchemy import select

from roster.db import session_scope
from roster.models import AuditEvent, Expert, MissionRole, NeedsAssessment
from roster.profiles.cv import store_cv
from tests.api.conftest import ApiClient
from tests.api.me_support import conforms, document, problem_paths  # noqa: F401
from tests.conftest import csrf_token
from tests.factories import needs_record, pdf
from tests.roster.conftest import download_cv
from tests.shortlists.conftest import import_roster, role_url, roster_records, save

PLANNER = "paula@example.org"
RECRUITER = "rita@example.org"
SELECTING = [
    ("shortlisted", "contacted"),
    ("contacted", "available"),
    ("available", "proposed"),
    ("proposed", "selected"),
]


@pytest.fixture
def roster(runner, tmp_path):
    import_roster(runner, tmp_path, roster_records())


@pytest.fixture
def needs_id(app, roster) -> str:
    return save(app, needs_record())


@pytest.fixture
def planner_api(api_as) -> ApiClient:
    return api_as(PLANNER, "planner")


@pytest.fixture
def recruiter_api(api_as) -> ApiClient:
    return api_as(RECRUITER, "recruiter")


def experts(app) -> list[str]:
    with session_scope(app, write=False) as session:
        return list(session.scalars(select(Expert.public_id).order_by(Expert.id)))


def give_cv(app, public_id: str) -> bytes:
    """Store a CV on the expert's profile, as their upload does; return its bytes."""
    data = pdf(title=f"CV {public_id}")
    with session_scope(app) as session:
        expert = session.scalar(select(Expert).where(Expert.public_id == public_id))
        store_cv(
            session=session,
            expert=expert,
            version=expert.version,
            data=data,
            filename="My CV.pdf",
            folder=Path(app.instance_path) / "cvs",
        )
    return data


def downloads(app) -> list[tuple]:
    """The ``cv.download`` audit rows, oldest first: whose, why, with what purpose, by whom."""
    with session_scope(app, write=False) as session:
        return [
            (event.subject_expert_id, event.reason, event.detail, event.actor_id)
            for event in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "cv.download").order_by(AuditEvent.id)
            )
        ]


def without_actor(rows: list[tuple]) -> list[tuple]:
    return [row[:3] for row in rows]


# --- the staff's download --------------------------------------------------------------------


def test_staff_download_a_cv_for_a_purpose_audited_as_the_page_does(
    app,
    roster,
    recruiter_api,
    signed_in,
    document,  # noqa: F811
):
    public_id = experts(app)[0]
    data = give_cv(app, public_id)

    answer = recruiter_api.get(f"/experts/{public_id}/cv?purpose=vetting&note=checking")

    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf" and answer.get_data() == data
    assert "attachment" in answer.headers["Content-Disposition"]
    assert "My CV.pdf" in answer.headers["Content-Disposition"]
    web = signed_in("rhea@example.org", "recruiter")
    page = download_cv(web, public_id, purpose="vetting", note="checking")
    assert page.status_code == 200 and page.get_data() == data
    by_api, by_page = downloads(app)
    assert by_api[:3] == by_page[:3]
    assert by_api[:3][2] == {"purpose": "vetting"} and by_api[1] == "checking"
    assert by_api[3] != by_page[3]
    assert (
        "application/pdf"
        in document["paths"]["/api/v1/experts/{public_id}/cv"]["get"]["responses"]["200"]["content"]
    )


def test_a_staff_download_without_a_purpose_or_cv_is_refused_and_not_audited(
    app, roster, recruiter_api
):
    with_cv, without = experts(app)[:2]
    give_cv(app, with_cv)

    missing = recruiter_api.get(f"/experts/{with_cv}/cv")
    unknown = recruiter_api.get(f"/experts/{with_cv}/cv?purpose=curiosity")
    other = recruiter_api.get(f"/experts/{with_cv}/cv?purpose=other")
    control = recruiter_api.get(f"/experts/{with_cv}/cv?purpose=other&note=a%E2%80%AEb")
    extra = recruiter_api.get(f"/experts/{with_cv}/cv?purpose=vetting&why=1")
    no_cv = recruiter_api.get(f"/experts/{without}/cv?purpose=vetting")

    assert missing.status_code == 422 and problem_paths(missing) == ["purpose"]
    assert unknown.status_code == 422 and problem_paths(unknown) == ["purpose"]
    assert other.status_code == 422 and problem_paths(other) == ["note"]
    assert control.status_code == 422 and problem_paths(control) == ["note"]
    assert extra.status_code == 422 and problem_paths(extra) == ["why"]
    assert no_cv.status_code == 404
    assert no_cv.mimetype == "application/problem+json"
    assert downloads(app) == []


def test_only_staff_with_the_scope_download_and_unknown_experts_are_404(
    app, roster, recruiter_api, api_as
):
    public_id = experts(app)[0]
    give_cv(app, public_id)
    where = f"/experts/{public_id}/cv?purpose=vetting"
    writer_only = api_as("walt@example.org", "recruiter", scopes=["roster:write"])
    planner = api_as("pia@example.org", "planner")
    expert = api_as("erin@example.org", "expert")

    assert writer_only.get(where).status_code == 403
    assert planner.get(where).status_code == 403
    assert expert.get(where).status_code == 403
    for guess in ("1", "AAAAAAAAAAAAAAAAAAAAAA", public_id[:-1], "x" * 200):
        assert recruiter_api.get(f"/experts/{guess}/cv?purpose=vetting").status_code == 404
    assert downloads(app) == []
    assert api_as("ada@example.org", "admin").get(where).status_code == 200


# --- the planner's download of a selected candidate's CV ---------------------------------------


def issued(api: ApiClient, needs_id: str) -> str:
    answer = api.post(f"/needs/{needs_id}/roles/R1/shortlists")
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def select_first(api: ApiClient, shortlist: str) -> None:
    for current, to in SELECTING:
        answer = api.post(
            f"/shortlists/{shortlist}/candidates/1/outcome", json={"to": to, "current": current}
        )
        assert answer.status_code == 200, answer.get_json()


def candidate_expert(api: ApiClient, shortlist: str, rank: int = 1) -> str:
    items = api.get(f"/shortlists/{shortlist}/candidates").get_json()["items"]
    return next(item["expert"] for item in items if item["rank"] == rank)


def test_a_selected_candidate_s_cv_downloaded_as_the_role_s_page_does(
    app, planner_api, needs_id, signed_in
):
    shortlist = issued(planner_api, needs_id)
    data = give_cv(app, candidate_expert(planner_api, shortlist))
    select_first(planner_api, shortlist)

    answer = planner_api.get(f"/shortlists/{shortlist}/candidates/1/cv")

    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf" and answer.get_data() == data
    web = signed_in("pat@example.org", "planner")
    page = role_url(needs_id) + f"/shortlists/{shortlist}"
    token = csrf_token(web, page)
    by_web = web.post(f"{page}/candidates/1/cv", data={"csrf_token": token})
    assert by_web.status_code == 200 and by_web.get_data() == data
    by_api, by_page = downloads(app)
    assert by_api[:3] == by_page[:3]
    assert by_api[2] == {"purpose": "deployment-follow-up"}


def test_the_cv_of_a_candidate_not_selected_or_without_a_cv_is_refused_unaudited(
    app, planner_api, needs_id
):
    shortlist = issued(planner_api, needs_id)
    give_cv(app, candidate_expert(planner_api, shortlist, 1))

    early = planner_api.get(f"/shortlists/{shortlist}/candidates/1/cv")
    select_first(planner_api, shortlist)
    other_rank = planner_api.get(f"/shortlists/{shortlist}/candidates/2/cv")

    assert early.status_code == 403 and early.mimetype == "application/problem+json"
    assert "once a candidate is selected" in early.get_json()["detail"]
    assert other_rank.status_code == 403
    assert downloads(app) == []
    # Selected, but without a CV: 404, and the look is not recorded.
    for current, to in SELECTING:
        planner_api.post(
            f"/shortlists/{shortlist}/candidates/2/outcome", json={"to": to, "current": current}
        )
    no_cv = planner_api.get(f"/shortlists/{shortlist}/candidates/2/cv")
    assert no_cv.status_code == 404 and no_cv.mimetype == "application/problem+json"
    assert downloads(app) == []


def test_only_planners_with_the_scope_download_and_unknown_candidates_are_404(
    app, planner_api, api_as, needs_id
):
    shortlist = issued(planner_api, needs_id)
    give_cv(app, candidate_expert(planner_api, shortlist))
    select_first(planner_api, shortlist)
    where = f"/shortlists/{shortlist}/candidates/1/cv"
    reader = api_as("rhea@example.org", "planner", scopes=["needs:read"])
    recruiter = api_as("rita@example.org", "recruiter")
    expert = api_as("erin@example.org", "expert")

    for outsider in (reader, recruiter, expert):
        assert outsider.get(where).status_code == 403
    for guess in (
        f"/shortlists/{shortlist}/candidates/99/cv",
        f"/shortlists/{shortlist}/candidates/x/cv",
        "/shortlists/AAAAAAAAAAAAAAAAAAAAAA/candidates/1/cv",
        "/shortlists/1/candidates/1/cv",
    ):
        assert planner_api.get(guess).status_code == 404, guess
    assert downloads(app) == []
    # Every planner acts on every shortlist, as on the role's page.
    assert api_as("otto@example.org", "planner").get(where).status_code == 200


# --- a role's terms ------------------------------------------------------------------------------


def role_terms(app, needs_id: str) -> dict:
    with session_scope(app, write=False) as session:
        role = session.scalar(
            select(MissionRole)
            .join(NeedsAssessment, MissionRole.needs_id == NeedsAssessment.id)
            .where(NeedsAssessment.public_id == needs_id)
        )
        return {
            "languages": role.required_languages,
            "skills": role.required_skills,
            "desired": role.desired_skills,
        }


def test_a_role_s_widened_terms_saved_as_the_role_s_page_saves_them(
    app,
    planner_api,
    needs_id,
    signed_in,
    document,  # noqa: F811
):
    other_id = save(app, needs_record(id="NA-OTHER"))
    read = planner_api.get(f"/needs/{needs_id}")
    where = f"/needs/{needs_id}/roles/R1/terms"

    saved = planner_api.put(
        where, json={"lower_languages": ["fr"]}, headers={"If-Match": read.headers["ETag"]}
    )

    assert saved.status_code == 200, saved.get_json()
    conforms(document, "/needs/{public_id}/roles/{role_key}/terms", "put", saved)
    assert saved.headers["ETag"] != read.headers["ETag"]
    assert planner_api.get(f"/needs/{needs_id}").headers["ETag"] == saved.headers["ETag"]
    role = saved.get_json()["roles"][0]
    assert role["required_languages"] == [{"code": "fr", "level": "B2"}]
    web = signed_in("pat@example.org", "planner")
    token = csrf_token(web, role_url(other_id))
    with session_scope(app, write=False) as session:
        version = session.scalar(
            select(NeedsAssessment.version).where(NeedsAssessment.public_id == other_id)
        )
    by_web = web.post(
        role_url(other_id) + "/terms",
        data={"csrf_token": token, "lower": "fr", "version": str(version)},
    )
    assert by_web.status_code == 302
    assert role_terms(app, needs_id) == role_terms(app, other_id)
    # The stale version changes nothing.
    stale = planner_api.put(
        where, json={"partial": True}, headers={"If-Match": read.headers["ETag"]}
    )
    assert stale.status_code == 412
    assert planner_api.get(f"/needs/{needs_id}").get_json()["allow_partial_availability"] is False


def test_refused_terms_change_nothing(app, planner_api, needs_id, api_as):
    where = f"/needs/{needs_id}/roles/R1/terms"
    etag = {"If-Match": planner_api.get(f"/needs/{needs_id}").headers["ETag"]}
    before = role_terms(app, needs_id)

    no_match = planner_api.put(where, json={"partial": True})
    nothing = planner_api.put(where, json={}, headers=etag)
    unknown = planner_api.put(where, json={"lower_languages": ["de"]}, headers=etag)
    extra = planner_api.put(where, json={"wider": True}, headers=etag)
    wrong = planner_api.put(where, json={"partial": "yes"}, headers=etag)
    control = planner_api.put(where, json={"optional_skills": ["a\u0000b"]}, headers=etag)
    text = planner_api.put(where, data="partial", content_type="text/plain", headers=etag)
    other_role = planner_api.put(f"/needs/{needs_id}/roles/R9/terms", json={}, headers=etag)
    guessed = planner_api.put(
        "/needs/AAAAAAAAAAAAAAAAAAAAAA/roles/R1/terms", json={"partial": True}, headers=etag
    )
    reader = api_as("rhea@example.org", "planner", scopes=["needs:read"])
    recruiter = api_as("rita@example.org", "recruiter")

    assert no_match.status_code == 428
    assert nothing.status_code == 422 and problem_paths(nothing) == [""]
    assert unknown.status_code == 422 and problem_paths(unknown) == ["lower_languages"]
    assert extra.status_code == 422 and problem_paths(extra) == ["wider"]
    assert wrong.status_code == 422 and problem_paths(wrong) == ["partial"]
    assert control.status_code in (400, 422)
    assert control.get_json()["problems"][0]["path"].startswith("optional_skills")
    assert text.status_code == 415
    assert other_role.status_code == 404 and guessed.status_code == 404
    for outsider in (reader, recruiter):
        assert outsider.put(where, json={"partial": True}, headers=etag).status_code == 403
    assert role_terms(app, needs_id) == before
    assert planner_api.get(f"/needs/{needs_id}").headers["ETag"] == etag["If-Match"]
