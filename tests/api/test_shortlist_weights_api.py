"""A planner weighs the criteria for one request through the API: previewed, then issued."""

import pytest
from sqlalchemy import func, select

from matching.scoring import CRITERIA, DEFAULT_WEIGHTS
from roster.db import session_scope
from roster.models import CandidateDecision, Shortlist
from tests.api.conftest import ApiClient
from tests.api.schema_check import assert_conforms
from tests.api.test_shortlists_api import SHORTLIST_SCHEMA
from tests.factories import needs_record
from tests.shortlists.conftest import import_roster, roster_records, save
from tests.shortlists.test_weights import seasoned_experts

PLANNER = "paula@example.org"
ISSUE = "/api/v1/needs/<public_id>/roles/<role_key>/shortlists"
PREVIEW = "/api/v1/needs/<public_id>/roles/<role_key>/shortlist-preview"
ONLY_LANGUAGES = {name: (1 if name == "languages" else 0) for name in CRITERIA}


@pytest.fixture
def needs_id(app, runner, tmp_path) -> str:
    import_roster(runner, tmp_path, roster_records() + seasoned_experts())
    return save(app, needs_record())


@pytest.fixture
def planner_api(api_as) -> ApiClient:
    return api_as(PLANNER, "planner")


def count(app, model) -> int:
    with session_scope(app, write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def query(weights: dict) -> dict[str, str]:
    return {f"weights[{name}]": str(value) for name, value in weights.items()}


def adds_up(document: dict) -> None:
    """Each candidate's criteria times the published weights add up to its score exactly."""
    for candidate in document["candidates"]:
        total = 0.0
        for name in CRITERIA:
            total += document["weights"][name] * candidate["criteria"][name]
        assert total == candidate["score"]


def test_a_preview_with_weights_ranks_by_them_and_the_issue_keeps_them(app, planner_api, needs_id):
    url = f"/needs/{needs_id}/roles/R1"
    default = planner_api.get(f"{url}/shortlist-preview").get_json()
    preview = planner_api.get(f"{url}/shortlist-preview", query_string=query(ONLY_LANGUAGES))

    assert preview.status_code == 200
    weighed = preview.get_json()
    assert_conforms(planner_api, "GET", PREVIEW, preview)
    assert weighed["weights"] == {name: float(v) for name, v in ONLY_LANGUAGES.items()}
    assert default["weights"] == DEFAULT_WEIGHTS
    order = [c["external_id"] for c in weighed["candidates"]]
    assert order != [c["external_id"] for c in default["candidates"]]
    assert not any(external.startswith("C1-") for external in order)
    adds_up(weighed)
    assert count(app, Shortlist) == 0

    answer = planner_api.post(f"{url}/shortlists", json={"weights": ONLY_LANGUAGES})
    assert answer.status_code == 201, answer.get_json()
    assert_conforms(planner_api, "POST", ISSUE, answer)
    document = answer.get_json()
    SHORTLIST_SCHEMA.validate(document)
    assert document["weights"] == weighed["weights"]
    assert [c["external_id"] for c in document["candidates"]] == order
    adds_up(document)
    assert planner_api.get(answer.headers["Location"]).get_json()["weights"] == weighed["weights"]


def test_some_criteria_weighed_keep_the_others_in_use(planner_api, needs_id):
    answer = planner_api.post(
        f"/needs/{needs_id}/roles/R1/shortlists",
        json={"weights": {"ratings": 2.5}, "partial": True},
    )
    assert answer.status_code == 201
    assert answer.get_json()["weights"] == {**DEFAULT_WEIGHTS, "ratings": 2.5}
    adds_up(answer.get_json())


@pytest.mark.parametrize(
    ("weights", "path"),
    [
        ({"languages": -1}, "weights.languages"),
        ({"languages": 10.5}, "weights.languages"),
        ({"skills": "lots"}, "weights.skills"),
        ({"skills": True}, "weights.skills"),
        ({"charm": 1}, "weights.charm"),
        ({name: 0 for name in CRITERIA}, "weights"),
        ("heavy", "weights"),
    ],
)
def test_weights_that_are_not_weights_are_a_422_and_nothing_is_issued(
    app, planner_api, needs_id, weights, path
):
    answer = planner_api.post(f"/needs/{needs_id}/roles/R1/shortlists", json={"weights": weights})
    assert answer.status_code == 422
    assert_conforms(planner_api, "POST", ISSUE, answer)
    assert path in [problem["path"] for problem in answer.get_json()["problems"]]
    assert count(app, Shortlist) == 0
    assert count(app, CandidateDecision) == 0


@pytest.mark.parametrize(
    ("sent", "path", "message"),
    [
        (
            {"weights[languages]": "-1"},
            "weights.languages",
            "The weight of Languages must be a number from 0 to 10.",
        ),
        (
            {"weights[skills]": "lots"},
            "weights.skills",
            "The weight of Expertise must be a number from 0 to 10.",
        ),
        (
            {"weights[skills]": "inf"},
            "weights.skills",
            "The weight of Expertise must be a number from 0 to 10.",
        ),
        ({"weights[charm]": "1"}, "weights.charm", None),
        (query({name: 0 for name in CRITERIA}), "weights", None),
        ({"weights": "1"}, "weights", None),
    ],
)
def test_a_preview_with_bad_weights_is_a_422(planner_api, needs_id, sent, path, message):
    answer = planner_api.get(f"/needs/{needs_id}/roles/R1/shortlist-preview", query_string=sent)
    assert answer.status_code == 422
    problems = answer.get_json()["problems"]
    assert path in [problem["path"] for problem in problems]
    if message:
        assert message in [problem["message"] for problem in problems]


def test_the_openapi_document_describes_the_weights(planner_api):
    document = planner_api.get("/openapi.json").get_json()
    issue = document["paths"]["/api/v1/needs/{public_id}/roles/{role_key}/shortlists"]["post"]
    body = issue["requestBody"]["content"]["application/json"]["schema"]
    schemas = document["components"]["schemas"]
    if "$ref" in body:
        body = schemas[body["$ref"].rsplit("/", 1)[-1]]
    weights = str(body["properties"]["weights"])
    assert "WeightsIn" in weights
    described = schemas["WeightsIn"]["properties"]
    assert set(described) == set(CRITERIA)
    assert "maximum': 10" in str(described["languages"])
    preview = document["paths"]["/api/v1/needs/{public_id}/roles/{role_key}/shortlist-preview"]
    [weights] = [p for p in preview["get"]["parameters"] if p["name"] == "weights"]
    assert weights["style"] == "deepObject"
    assert set(weights["schema"]["properties"]) == set(CRITERIA)
    assert weights["schema"]["properties"]["languages"]["maximum"] == 10
