"""Builders of expert records and needs assessments for the matcher's tests."""

import copy
import json
from functools import cache
from pathlib import Path

import jsonschema

DATA = Path(__file__).resolve().parents[2] / "matching" / "data"


def expert(external_id: str = "E1", **overrides) -> dict:
    """Return a valid expert record that meets the default role; overrides replace fields."""
    record = {
        "external_id": external_id,
        "full_name": f"Expert {external_id}",
        "email": f"{external_id.lower()}@example.org",
        "nationalities": ["FR"],
        "gender": "woman",
        "consent": {"gender": True},
        "roster_status": "rostered",
        "seniority": "P4",
        "years_experience": 12,
        "languages": [{"code": "fr", "level": "native"}, {"code": "en", "level": "C1"}],
        "skills": [{"code": "electoral-management", "years": 8}],
        "accessibility_expertise": [],
        "summary": "Electoral operations adviser.",
        "availability": [{"from": "2027-01-01", "to": "2027-12-31"}],
    }
    record.update(copy.deepcopy(overrides))
    return record


def role(role_id: str = "R1", **overrides) -> dict:
    """Return a role asking for electoral management and French C1."""
    result = {
        "id": role_id,
        "title": "Electoral Adviser",
        "seniority": "P4",
        "min_years": 10,
        "required_skills": ["electoral-management"],
        "desired_skills": ["mediation"],
        "required_languages": [{"code": "fr", "level": "C1"}],
        "description": "Advise the commission on electoral operations.",
    }
    result.update(copy.deepcopy(overrides))
    return result


def needs(*roles: dict, **overrides) -> dict:
    """Return a needs assessment for Mali, March to June 2027, with the given roles."""
    result = {
        "id": "NA-TEST",
        "country": "ML",
        "start": "2027-03-01",
        "end": "2027-06-30",
        "gender_target": 0.5,
        "roles": list(roles) or [role()],
    }
    result.update(copy.deepcopy(overrides))
    return result


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    """Return a validator of one shipped schema."""
    schema = json.loads((DATA / name).read_text())
    return jsonschema.Draft202012Validator(schema)


def assert_valid(instance: dict, schema: str) -> None:
    """Fail with every schema error of ``instance``."""
    errors = [error.message for error in _validator(schema).iter_errors(instance)]
    assert not errors, errors


def recomputed(candidate: dict, weights: dict) -> float:
    """Return a candidate's score as a client would recompute it from the JSON."""
    return sum(weights[name] * candidate["criteria"][name] for name in candidate["criteria"])


def ids(shortlist: dict) -> list[str]:
    """Return the external ids of a shortlist, in rank order."""
    return [candidate["external_id"] for candidate in shortlist["candidates"]]
