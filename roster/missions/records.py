"""Needs assessments between their rows and the contract's format (``needs.schema.json``).

``needs_record`` reads a stored assessment as the format has it; ``save_needs`` checks a
record with the matcher's own validation (``matching.records.normalise_needs``: schema,
codes read from names, dates in order, role ids once) and writes it, new or in place of
the assessment of the same id. A role already matched (shortlists or decisions) keeps its
row and history when the assessment is saved again; removing it is refused.
"""

from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlmodel import Session

from matching.records import RecordError, normalise_needs
from roster.messages import N_, Message
from roster.models import (
    CandidateDecision,
    MissionRole,
    NeedsAssessment,
    Shortlist,
    User,
    utcnow,
)
from roster.refusal import Problem, Problems, Refused
from roster.validation import clean_text

# Columns' limits (the format leaves titles unbounded).
MAX_TITLE = 300
MAX_DESCRIPTION = 20_000
ROLE_LISTS = (
    "required_skills",
    "desired_skills",
    "required_languages",
    "desired_languages",
    "accessibility_expertise",
)


class NeedsInvalid(Refused):
    """A needs assessment that cannot be saved; each problem's path is in the format's terms."""


class NeedsChanged(Refused):
    """The assessment was saved by someone else since it was read."""


def role_record(role: MissionRole) -> dict[str, Any]:
    """One role as ``needs.schema.json`` has it: optional fields only when set."""
    record: dict[str, Any] = {"id": role.role_key, "title": role.title, "positions": role.positions}
    if role.seniority:
        record["seniority"] = role.seniority
    if role.min_years is not None:
        record["min_years"] = role.min_years
    for name in ROLE_LISTS:
        if values := getattr(role, name):
            record[name] = [dict(v) if isinstance(v, dict) else v for v in values]
    if role.description:
        record["description"] = role.description
    if role.start:
        record["start"] = role.start.isoformat()
    if role.end:
        record["end"] = role.end.isoformat()
    return record


def needs_record(needs: NeedsAssessment) -> dict[str, Any]:
    """The stored assessment as ``needs.schema.json`` has it; it saves back unchanged."""
    record: dict[str, Any] = {"id": needs.external_id}
    if needs.title:
        record["title"] = needs.title
    record |= {
        "country": needs.country,
        "start": needs.start.isoformat(),
        "end": needs.end.isoformat(),
        "gender_target": needs.gender_target,
    }
    if needs.max_region_share is not None:
        record["max_region_share"] = needs.max_region_share
    record |= {
        "exclude_nationals": needs.exclude_nationals,
        "allow_partial_availability": needs.allow_partial_availability,
        "roles": [role_record(role) for role in needs.roles],
    }
    return record


def checked_needs(record: object) -> tuple[dict[str, Any], list[str]]:
    """``record`` in canonical form with the notes of what was read differently.

    Raises:
        NeedsInvalid: every problem, each at its path (``roles[1].required_languages[0].code``).
    """
    try:
        normalised, notes = normalise_needs(record)  # type: ignore[arg-type]
    except RecordError as error:
        raise NeedsInvalid(
            Problem(found.field, Message(found.message)) for found in error.errors
        ) from None
    except ValueError as error:  # not an object at all
        raise NeedsInvalid(Problem("", Message(str(error)))) from None
    problems = Problems()
    texts = [("title", normalised.get("title", ""), N_("The title"), MAX_TITLE, None, False)]
    for i, role in enumerate(normalised["roles"]):
        texts += [
            (
                f"roles[{i}].title",
                role["title"],
                N_("The role's title"),
                MAX_TITLE,
                Message(N_("Enter the role's title.")),
                False,
            ),
            (
                f"roles[{i}].description",
                role.get("description", ""),
                N_("The terms of reference"),
                MAX_DESCRIPTION,
                None,
                True,
            ),
        ]
    for path, value, label, most, required, multiline in texts:
        problems.check(
            path,
            lambda value=value, label=label, most=most, required=required, multiline=multiline: (
                clean_text(
                    value,
                    label=Message(label),
                    max_length=most,
                    required=required,
                    multiline=multiline,
                )
            ),
        )
    problems.raise_if_any(NeedsInvalid)
    return normalised, list(notes)


def save_needs(
    *,
    session: Session,
    record: object,
    by: User | None,
    needs: NeedsAssessment | None = None,
    version: int | None = None,
) -> tuple[NeedsAssessment, list[str]]:
    """Check ``record`` and write it: a new assessment, or over the one of the same id.

    Args:
        session: the session to write in; the caller commits.
        record: a needs assessment as in ``needs.schema.json`` (names read as codes).
        by: who saves it (None for the command line).
        needs: the assessment being edited, if any; its id may not then be another's.
        version: the version the editor read; a different stored one is ``NeedsChanged``.
    Returns:
        The assessment saved, and the notes of what normalisation did.
    Raises:
        NeedsInvalid: the record is invalid, its id is another assessment's, or it drops
            a role that already has candidates. Nothing is written.
        NeedsChanged: ``version`` is not the stored one.
    """
    normalised, notes = checked_needs(record)
    existing = session.scalar(
        select(NeedsAssessment).where(NeedsAssessment.external_id == normalised["id"])
    )
    if needs is not None and existing is not None and existing.id != needs.id:
        raise NeedsInvalid.at(
            "id", N_("Another needs assessment has the id %(id)s."), id=normalised["id"]
        )
    target = needs or existing
    if target is not None and version is not None and target.version != version:
        raise NeedsChanged.at("", N_("Someone else saved this needs assessment first."))
    if target is None:
        target = NeedsAssessment(
            external_id=normalised["id"],
            country=normalised["country"],
            start=date.fromisoformat(normalised["start"]),
            end=date.fromisoformat(normalised["end"]),
            created_by_id=by.id if by else None,
        )
        session.add(target)
    else:
        target.version += 1
        target.updated_at = utcnow()
    _write_roles(session, target, normalised["roles"])
    target.external_id = normalised["id"]
    target.title = normalised.get("title", "")
    target.country = normalised["country"]
    target.start = date.fromisoformat(normalised["start"])
    target.end = date.fromisoformat(normalised["end"])
    target.gender_target = float(normalised["gender_target"])
    target.max_region_share = normalised.get("max_region_share")
    target.exclude_nationals = bool(normalised["exclude_nationals"])
    target.allow_partial_availability = bool(normalised["allow_partial_availability"])
    session.flush()
    return target, notes


def _write_roles(session: Session, needs: NeedsAssessment, roles: list[dict[str, Any]]) -> None:
    """Update the roles in place by id, add the new ones, remove those without candidates."""
    kept = {role.role_key: role for role in needs.roles}
    wanted = {role["id"] for role in roles}
    problems = Problems()
    for key, role in kept.items():
        if key not in wanted and role.id is not None and _has_candidates(session, role.id):
            problems.add(
                "roles",
                N_("The role %(role)s already has candidates; it cannot be removed."),
                role=key,
            )
    problems.raise_if_any(NeedsInvalid)
    for key, role in list(kept.items()):
        if key not in wanted:
            needs.roles.remove(role)
    for position, values in enumerate(roles):
        role = kept.get(values["id"])
        if role is None:
            role = MissionRole(role_key=values["id"], title=values["title"])
            needs.roles.append(role)
        role.position = position
        role.title = values["title"]
        role.positions = int(values.get("positions", 1))
        role.seniority = values.get("seniority")
        role.min_years = values.get("min_years")
        for name in ROLE_LISTS:
            setattr(role, name, list(values.get(name, [])))
        role.description = values.get("description", "")
        role.start = date.fromisoformat(values["start"]) if values.get("start") else None
        role.end = date.fromisoformat(values["end"]) if values.get("end") else None


def _has_candidates(session: Session, role_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(Shortlist.role_id == role_id)
                | exists().where(CandidateDecision.role_id == role_id)
            )
        )
    )
