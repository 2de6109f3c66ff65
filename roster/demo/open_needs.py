"""Needs assessments in progress for the demo's planner: missions starting in the coming months.

Three hosts with their own languages, roles the demo roster can partly fill, and one role
(a senior boundary expert with Arabic at C1) that few can. They are saved as a planner
saves them (``records.save_needs``), by the demo planner, and only where missing: a
planner's changes to them are kept. Their ids start with ``DEMO-``, so a new demo roster
(``roster demo``) replaces them with the rest of the demo's missions, and the next
``roster demo-accounts`` adds them again.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from roster.missions.records import save_needs
from roster.models import NeedsAssessment, User


def _role(key: str, title: str, **fields: Any) -> dict[str, Any]:
    return {"id": key, "title": title, **fields}


def open_needs_records(today: date) -> list[dict[str, Any]]:
    """The demo's assessments in progress, dated from ``today``."""

    def period(weeks_ahead: int, weeks: int) -> dict[str, str]:
        start = today + timedelta(weeks=weeks_ahead)
        return {"start": start.isoformat(), "end": (start + timedelta(weeks=weeks)).isoformat()}

    year = (today + timedelta(weeks=10)).year
    return [
        {
            "id": "DEMO-NA-LR-1",
            "title": f"Support to the {year} general elections in Liberia",
            "country": "LR",
            **period(10, 26),
            "gender_target": 0.5,
            "roles": [
                _role(
                    "R1",
                    "Chief Electoral Adviser",
                    seniority="P5",
                    min_years=12,
                    required_skills=["electoral-management"],
                    desired_skills=["legal-framework", "mediation"],
                    required_languages=[{"code": "en", "level": "C1"}],
                    description=(
                        "Lead the electoral assistance team and advise the National "
                        "Elections Commission on the electoral calendar and operations."
                    ),
                ),
                _role(
                    "R2",
                    "Voter Registration Officer",
                    positions=3,
                    seniority="P3",
                    min_years=5,
                    required_skills=["voter-registration"],
                    desired_skills=["civil-registration"],
                    required_languages=[{"code": "en", "level": "B2"}],
                ),
                _role(
                    "R3",
                    "Voter Education Officer",
                    positions=2,
                    required_skills=["voter-education"],
                    required_languages=[{"code": "en", "level": "B2"}],
                    accessibility_expertise=["easy-read", "sign-language"],
                    description="Plan voter information that reaches every voter.",
                ),
            ],
        },
        {
            "id": "DEMO-NA-TD-1",
            "title": f"Electoral operations support in Chad, {year}",
            "country": "TD",
            **period(14, 20),
            "gender_target": 0.4,
            "max_region_share": 0.6,
            "roles": [
                _role(
                    "R1",
                    "Operations and Logistics Adviser",
                    positions=2,
                    seniority="P4",
                    min_years=8,
                    required_skills=["operations-logistics"],
                    desired_skills=["procurement"],
                    required_languages=[{"code": "fr", "level": "C1"}],
                    desired_languages=[{"code": "ar", "level": "B1"}],
                ),
                _role(
                    "R2",
                    "Electoral Dispute Resolution Expert",
                    seniority="P4",
                    required_skills=["dispute-resolution"],
                    required_languages=[{"code": "fr", "level": "C1"}],
                ),
            ],
        },
        {
            "id": "DEMO-NA-IQ-1",
            "title": f"Boundary delimitation review in Iraq, {year}",
            "country": "IQ",
            **period(20, 16),
            "gender_target": 0.5,
            "roles": [
                _role(
                    "R1",
                    "Senior Boundary Delimitation Expert",
                    seniority="P5",
                    min_years=15,
                    required_skills=["boundary-delimitation", "electoral-systems"],
                    required_languages=[{"code": "ar", "level": "C1"}],
                    description="Review the districting of the governorates with the commission.",
                ),
                _role(
                    "R2",
                    "Results Management Adviser",
                    seniority="P4",
                    required_skills=["results-management"],
                    desired_skills=["electoral-technology"],
                    required_languages=[{"code": "en", "level": "C1"}],
                    desired_languages=[{"code": "ar", "level": "B2"}],
                ),
            ],
        },
    ]


def ensure_open_needs(*, session: Session, planner: User, today: date) -> int:
    """Save the demo's assessments in progress that are missing; return how many were added."""
    added = 0
    for record in open_needs_records(today):
        exists = session.scalar(
            select(NeedsAssessment.id).where(NeedsAssessment.external_id == record["id"])
        )
        if exists is None:
            save_needs(session=session, record=record, by=planner)
            added += 1
    return added
