"""A search's result as CSV: audited with a reason, streamed a chunk at a time.

The columns are what a recruiter works with (``COLUMNS``); gender, disability and birth
year are never exported. A cell that a spreadsheet would read as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading ``'``.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlmodel import Session

from matching.vocabulary import un_region
from roster.messages import N_, Message
from roster.models import (
    AuditEvent,
    Expert,
    ExpertAccessibility,
    ExpertLanguage,
    ExpertNationality,
    ExpertSkill,
    RosterStatus,
)
from roster.recruiting.search import SearchCriteria, Sort, conditions, count_matches, order_by
from roster.refusal import Problems, Refused
from roster.validation import clean_text

CHUNK = 1_000
MAX_REASON = 300
EXPORT_ACTION = "experts.export"
COLUMNS = (
    "external_id",
    "name",
    "roster_status",
    "nationalities",
    "regions",
    "languages",
    "expertise",
    "accessibility",
    "seniority",
    "years_experience",
    "last_confirmed",
)
VERIFIED_MARK = " (verified)"


class ExportRefused(Refused):
    """An export without an acceptable reason (at ``reason``)."""


def record_export(
    *, session: Session, actor_id: int, criteria: SearchCriteria, sort: Sort, reason: str
) -> int:
    """Check the reason and write the export's audit row; return how many rows it holds.

    Raises:
        ExportRefused: no reason, or one too long or holding control characters.
    """
    problems = Problems()
    text = problems.check(
        "reason",
        lambda: clean_text(
            reason,
            label=Message(N_("Reason for the export")),
            max_length=MAX_REASON,
            required=Message(N_("Please say why you export these experts.")),
        ),
    )
    problems.raise_if_any(ExportRefused)
    rows = count_matches(session=session, criteria=criteria)
    session.add(
        AuditEvent(
            actor_id=actor_id,
            action="experts.export",
            reason=text,
            detail={"criteria": criteria.as_detail(), "sort": sort, "rows": rows},
        )
    )
    return rows


def _children(session: Session, ids: Sequence[int]) -> dict[str, dict[int, list[str]]]:
    found: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    queries = {
        "nationalities": select(ExpertNationality.expert_id, ExpertNationality.country)
        .where(ExpertNationality.expert_id.in_(ids))
        .order_by(ExpertNationality.expert_id, ExpertNationality.position),
        "languages": select(ExpertLanguage.expert_id, ExpertLanguage.code, ExpertLanguage.level)
        .where(ExpertLanguage.expert_id.in_(ids))
        .order_by(ExpertLanguage.expert_id, ExpertLanguage.position),
        "expertise": select(ExpertSkill.expert_id, ExpertSkill.code, ExpertSkill.verified_at)
        .where(ExpertSkill.expert_id.in_(ids))
        .order_by(ExpertSkill.expert_id, ExpertSkill.position),
        "accessibility": select(ExpertAccessibility.expert_id, ExpertAccessibility.code)
        .where(ExpertAccessibility.expert_id.in_(ids))
        .order_by(ExpertAccessibility.expert_id, ExpertAccessibility.position),
    }
    for name, statement in queries.items():
        for row in session.execute(statement):
            if name == "languages":
                value = f"{row[1]}:{row[2]}"
            elif name == "expertise":
                value = row[1] + (VERIFIED_MARK if row[2] is not None else "")
            else:
                value = row[1]
            found[name][row[0]].append(value)
    return found


def export_rows(
    *, session: Session, criteria: SearchCriteria, sort: Sort = "name"
) -> Iterator[list[object]]:
    """The header, then one row per matching expert, in ``sort``'s order.

    Each cell is neutralised when written (``roster.spreadsheet.csv_lines``). Reads
    ``CHUNK`` experts at a time, so memory stays flat however many match.
    """
    yield list(COLUMNS)
    statement = (
        select(
            Expert.id,
            Expert.external_id,
            Expert.full_name,
            Expert.roster_status,
            Expert.seniority,
            Expert.years_experience,
            Expert.profile_confirmed_at,
        )
        .where(*conditions(criteria))
        .order_by(*order_by(sort))
        .execution_options(yield_per=CHUNK)
    )
    for chunk in session.execute(statement).partitions():
        children = _children(session, [row.id for row in chunk])
        for row in chunk:
            countries = children["nationalities"][row.id]
            regions = dict.fromkeys(region for c in countries if (region := un_region(c)))
            cells = [
                row.external_id,
                row.full_name,
                RosterStatus(row.roster_status).value,
                "; ".join(countries),
                "; ".join(regions),
                "; ".join(children["languages"][row.id]),
                "; ".join(children["expertise"][row.id]),
                "; ".join(children["accessibility"][row.id]),
                row.seniority,
                row.years_experience,
                row.profile_confirmed_at.date().isoformat(),
            ]
            yield cells  # neutralised as written (roster.spreadsheet)
