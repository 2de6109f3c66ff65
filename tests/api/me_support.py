"""What the tests of /api/v1/me share: an expert with and without a profile, the OpenAPI
document and a check of answers against it, and what is stored."""

import json

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from roster.db import session_scope
from roster.models import Expert, User
from tests.conftest import sign_in

ANA = "ana@example.org"
IDENTITY = {
    "full_name": "Ana Lima",
    "nationalities": ["Brazil", "PT"],
    "residence_country": "br",
    "years_experience": 12,
    "seniority": "P4",
}


@pytest.fixture
def ana(api_as):
    """An expert's API client; she has no profile yet."""
    return api_as(ANA, "expert", name="Ana Lima")


@pytest.fixture
def ana_with_profile(ana):
    """Ana, her profile created through the API."""
    created = ana.post("/me", json=IDENTITY)
    assert created.status_code == 201, created.get_json()
    return ana


@pytest.fixture
def document(anonymous_api):
    """The OpenAPI document."""
    return anonymous_api.get("/openapi.json").get_json()


def conforms(document: dict, path: str, method: str, answer) -> None:
    """Check an answer against the schema the OpenAPI document declares for it."""
    declared = document["paths"][f"/api/v1{path}"][method]["responses"][str(answer.status_code)]
    media = "application/problem+json" if answer.status_code >= 400 else "application/json"
    schema = declared["content"][media]["schema"]
    registry = Registry().with_resource(
        "urn:api", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    text = json.dumps(schema).replace('"#/components/', '"urn:api#/components/')
    Draft202012Validator(json.loads(text), registry=registry).validate(answer.get_json())


def stored(app, email: str = ANA) -> Expert | None:
    """The profile of the account ``email``, as stored."""
    with session_scope(app, write=False) as session:
        user = session.scalar(select(User).where(User.email == email))
        return session.scalar(select(Expert).where(Expert.user_id == user.id))


def put(api, section: str, body, *, etag: str | None = None, **kwargs):
    """PUT a section with the profile's current ETag (or the one given)."""
    if etag is None:
        etag = api.get("/me").headers["ETag"]
    return api.put(f"/me/sections/{section}", json=body, headers={"If-Match": etag}, **kwargs)


def problem_paths(answer) -> list[str]:
    """The paths of a problem document's problems."""
    return [found["path"] for found in answer.get_json()["problems"]]


def browser_of(app, email: str = ANA):
    """A browser signed in as ``email``, to see what the pages show."""
    browser = app.test_client()
    assert sign_in(browser, email).status_code == 302
    return browser
