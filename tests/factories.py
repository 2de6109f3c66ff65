"""Builders of test data: valid records that each test bends to its purpose."""

import copy
import json
from pathlib import Path
from typing import Any

_BASE_EXPERT: dict[str, Any] = {
    "external_id": "EXP-T-0001",
    "full_name": "Awa Ndiaye",
    "email": "awa.ndiaye@example.org",
    "nationalities": ["SN"],
    "residence_country": "SN",
    "gender": "woman",
    "consent": {"gender": True},
    "roster_status": "rostered",
    "seniority": "P4",
    "years_experience": 12,
    "languages": [{"code": "fr", "level": "native"}, {"code": "en", "level": "C1"}],
    "skills": [{"code": "voter-registration", "years": 8}, {"code": "legal-framework", "years": 3}],
    "accessibility_expertise": ["sign-language"],
    "summary": "Led voter list audits.",
    "availability": [{"from": "2027-01-01", "to": "2027-12-31"}],
    "deployments": [
        {
            "mission": "Support to the 2021 elections",
            "country": "NE",
            "role": "Voter Registration Adviser",
            "from": "2020-06-01",
            "to": "2021-04-30",
            "rating": 4,
        }
    ],
}


def expert_record(number: int = 1, **overrides: Any) -> dict[str, Any]:
    """A valid, canonical expert record; ``number`` makes the id and email unique."""
    record = copy.deepcopy(_BASE_EXPERT)
    record["external_id"] = f"EXP-T-{number:04d}"
    record["email"] = f"expert{number}@example.org"
    record.update(overrides)
    return record


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write records as JSON Lines and return the path."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
