"""Writing the demo roster: the experts through the import, then their histories and missions.

The experts go in as any import does (validated, upserted by ``external_id``); then
their timestamps and status histories are set to their stories, and the past missions
are written with their roles, shortlists as issued, and every candidate decision. The
demo owns what it made: on a second run its missions (``DEMO-`` needs assessments) and
its experts' status histories are replaced, so the same seed and day give the same
roster again.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, case, delete, insert, select, update
from sqlmodel import Session

from roster.demo.decisions import Candidacy
from roster.demo.generate import DemoExpert, DemoRoster
from roster.demo.missions import SHORTLIST_LENGTH, PastMission
from roster.demo.verification import verifications
from roster.interchange.services import ImportReport, import_records
from roster.interchange.store import bulk_insert
from roster.models import (
    AuditEvent,
    CandidateDecision,
    Deployment,
    Expert,
    ExpertSkill,
    MissionRole,
    NeedsAssessment,
    RosterStatusChange,
    Shortlist,
    ShortlistEntry,
    new_public_id,
)

CHUNK = 1000
DEMO_NEEDS = "DEMO-%"
CONSENTS = ("gender", "disability", "birth_year")


@dataclass
class DemoReport:
    """What the demo wrote: the import's report, and the past missions' counts."""

    experts: ImportReport
    needs: int = 0
    shortlists: int = 0
    decisions: int = 0
    deployments: int = 0


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _inserted(session: Session, table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows and return their new ids, in the rows' order."""
    if not rows:
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [row[0] for row in session.connection().execute(statement, rows)]


def load_demo(*, session: Session, demo: DemoRoster, source: str) -> DemoReport:
    """Write a generated demo roster in the caller's transaction.

    Args:
        session: the session to write in; the caller commits.
        demo: from ``roster.demo.generate_demo``.
        source: how the import names it ("demo seed 2024").
    Returns:
        The import's report and the counts of what the missions added.
    Raises:
        ImportFailed: a generated record is invalid; nothing may be committed.
    """
    session.execute(delete(NeedsAssessment).where(NeedsAssessment.external_id.like(DEMO_NEEDS)))
    records = enumerate((expert.record for expert in demo.experts), start=1)
    report = DemoReport(import_records(session=session, records=records, source=source))
    ids = _expert_ids(session, [expert.record["external_id"] for expert in demo.experts])
    _write_stories(session, demo.experts, ids)
    _write_verifications(session, demo, ids)
    for mission in demo.missions:
        _write_mission(session, mission, ids, report)
    session.add(
        AuditEvent(
            action="roster.demo",
            detail={
                "seed": demo.seed,
                "day": demo.today.isoformat(),
                "experts": len(demo.experts),
                "needs": report.needs,
                "shortlists": report.shortlists,
                "decisions": report.decisions,
            },
        )
    )
    return report


def _expert_ids(session: Session, external_ids: Sequence[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for chunk in _chunks(external_ids):
        query = select(Expert.external_id, Expert.id).where(Expert.external_id.in_(chunk))
        ids.update(session.execute(query).all())
    return ids


def _write_stories(session: Session, experts: list[DemoExpert], ids: dict[str, int]) -> None:
    """Date each profile as its story tells, and replace its status history by the story's."""
    table = Expert.__table__
    consented = {
        f"{name}_consent_at": case(
            (table.c[f"{name}_consent_at"].is_(None), None), else_=bindparam("consent")
        )
        for name in CONSENTS
    }
    statement = (
        update(table)
        .where(table.c.id == bindparam("expert"))
        .values(
            created_at=bindparam("created"),
            updated_at=bindparam("updated"),
            profile_confirmed_at=bindparam("confirmed"),
            stale_reminder_sent_at=bindparam("reminded"),
            **consented,
        )
    )
    connection = session.connection()
    rows = [
        {
            "expert": ids[e.record["external_id"]],
            "created": e.story.created_at,
            "updated": e.story.updated_at,
            "confirmed": e.story.confirmed_at,
            "reminded": e.story.reminded_at,
            "consent": e.story.consent_at,
        }
        for e in experts
    ]
    for chunk in _chunks(rows):
        connection.execute(statement, list(chunk))
        expert_ids = [row["expert"] for row in chunk]
        session.execute(
            delete(RosterStatusChange).where(RosterStatusChange.expert_id.in_(expert_ids))
        )
    bulk_insert(
        connection,
        RosterStatusChange.__table__,
        [
            {
                "expert_id": ids[e.record["external_id"]],
                "from_status": change.from_status,
                "to_status": change.to_status,
                "changed_by_id": None,
                "changed_at": change.at,
                "reason": change.reason,
            }
            for e in experts
            for change in e.story.changes
        ],
    )


def _write_verifications(session: Session, demo: DemoRoster, ids: dict[str, int]) -> None:
    """Mark the expertise a recruiter verified (``roster.demo.verification``)."""
    table = ExpertSkill.__table__
    statement = (
        update(table)
        .where(table.c.expert_id == bindparam("expert"), table.c.code == bindparam("skill"))
        .values(verified_at=bindparam("at"), verification_note=bindparam("note"))
    )
    rows = [
        {"expert": ids[e.record["external_id"]], "skill": v.code, "at": v.at, "note": v.note}
        for e in demo.experts
        for v in verifications(e, seed=demo.seed)
    ]
    connection = session.connection()
    for chunk in _chunks(rows):
        connection.execute(statement, list(chunk))


def _write_mission(
    session: Session, mission: PastMission, ids: dict[str, int], report: DemoReport
) -> None:
    """One past needs assessment, its roles, shortlists as issued, decisions, deployments."""
    needs = mission.needs
    [needs_id] = _inserted(
        session,
        NeedsAssessment.__table__,
        [
            {
                "public_id": new_public_id(),
                "external_id": needs["id"],
                "title": needs["title"],
                "country": needs["country"],
                "start": date.fromisoformat(needs["start"]),
                "end": date.fromisoformat(needs["end"]),
                "gender_target": needs["gender_target"],
                "max_region_share": needs.get("max_region_share"),
                "exclude_nationals": needs["exclude_nationals"],
                "allow_partial_availability": False,
                "status": "closed",
                "created_by_id": None,
                "created_at": mission.created_at,
                "updated_at": mission.closed_at,
                "version": 1,
            }
        ],
    )
    role_ids = _inserted(
        session,
        MissionRole.__table__,
        [
            {
                "needs_id": needs_id,
                "role_key": h.role["id"],
                "position": position,
                "title": h.role["title"],
                "positions": h.role["positions"],
                "seniority": h.role.get("seniority"),
                "min_years": h.role.get("min_years"),
                "required_skills": h.role.get("required_skills", []),
                "desired_skills": h.role.get("desired_skills", []),
                "required_languages": h.role.get("required_languages", []),
                "desired_languages": h.role.get("desired_languages", []),
                "accessibility_expertise": h.role.get("accessibility_expertise", []),
                "description": h.role.get("description", ""),
                "start": None,
                "end": None,
            }
            for position, h in enumerate(mission.roles)
        ],
    )
    shortlist_ids = _inserted(
        session,
        Shortlist.__table__,
        [
            {
                "public_id": new_public_id(),
                "role_id": role_id,
                "requested_k": SHORTLIST_LENGTH,
                "weights": h.shortlist["weights"],
                "eligible_count": h.shortlist["eligible_count"],
                "constraints": h.shortlist["constraints"],
                # The role as it was asked for: the mission's terms with this one role.
                "request": {key: value for key, value in needs.items() if key != "roles"}
                | {"roles": [h.role]},
                "created_by_id": None,
                "created_at": h.shortlisted_at,
            }
            for role_id, h in zip(role_ids, mission.roles, strict=True)
        ],
    )
    report.needs += 1
    report.shortlists += len(shortlist_ids)
    for role_id, shortlist_id, history in zip(role_ids, shortlist_ids, mission.roles, strict=True):
        _write_candidacies(session, role_id, shortlist_id, history.candidacies, ids, report)


def _write_candidacies(
    session: Session,
    role_id: int,
    shortlist_id: int,
    candidacies: list[Candidacy],
    ids: dict[str, int],
    report: DemoReport,
) -> None:
    """The shortlist's entries, each candidate's decisions, and the deployments they led to."""
    entry_ids = _inserted(
        session,
        ShortlistEntry.__table__,
        [
            {
                "shortlist_id": shortlist_id,
                "expert_id": ids[c.external_id],
                "rank": c.rank,
                "score": c.score,
                "criteria": c.criteria,
                "reasons": c.reasons,
                "reason_codes": [],
            }
            for c in candidacies
        ],
    )
    decisions = [
        {
            "role_id": role_id,
            "expert_id": ids[c.external_id],
            "shortlist_entry_id": entry_id,
            "outcome": d.outcome,
            "rating": d.rating,
            "note": d.note,
            "decided_by_id": None,
            "decided_at": d.at,
        }
        for c, entry_id in zip(candidacies, entry_ids, strict=True)
        for d in c.decisions
    ]
    if decisions:
        session.connection().execute(insert(CandidateDecision.__table__), decisions)
    report.decisions += len(decisions)
    deployed = [c for c in candidacies if c.deployment is not None]
    table = Deployment.__table__
    for candidacy in deployed:
        deployment = candidacy.deployment
        session.execute(
            update(table)
            .where(
                table.c.expert_id == ids[candidacy.external_id],
                table.c.start == date.fromisoformat(deployment["from"]),
                table.c.country == deployment["country"],
                table.c.role == deployment["role"],
            )
            .values(mission_role_id=role_id)
        )
    report.deployments += len(deployed)
