"""Fixtures of the needs pages: a signed-in planner, and the form's fields as typed."""

import pytest
from flask.testing import FlaskClient

PLANNER_EMAIL = "paul@example.org"


@pytest.fixture
def planner(signed_in) -> FlaskClient:
    """A client signed in as a planner named Paul Mensah."""
    return signed_in(PLANNER_EMAIL, "planner", name="Paul Mensah")


MISSION = {
    "title": "Support to the 2027 elections",
    "external_id": "",
    "country": "Mali",
    "start": "2027-03-01",
    "end": "2027-06-30",
    "gender_target": "50",
    "max_region_share": "",
    "exclude_nationals": "y",
    "reminder_days": "5",
}


def role_fields(index: int, **fields) -> dict[str, str]:
    """The form's fields of role row ``index``: ``title``, ``key``, ``required_skills=[...]``,
    ``required_languages=[("fr", "C1")]`` ..."""
    data = {f"roles-{index}-positions": "1", f"roles-{index}-key": f"R{index + 1}"}
    for name, value in fields.items():
        prefix = f"roles-{index}-{name}"
        if name.endswith("skills"):
            data |= {f"{prefix}-{i}": box for i, box in enumerate(value)}
        elif name.endswith("languages"):
            for i, (code, level) in enumerate(value):
                data |= {f"{prefix}-{i}-code": code, f"{prefix}-{i}-level": level}
        elif name == "accessibility_expertise":
            data[prefix] = value
        else:
            data[prefix] = str(value)
    return data


@pytest.fixture
def recruiter(signed_in) -> FlaskClient:
    """A client signed in as a recruiter."""
    return signed_in("rita@example.org", "recruiter", name="Rita Okafor")
