"""Merging two records of one person: field by field, every reference moved to the survivor.

The record that does not survive is kept, marked ``merged_into_id`` = the survivor, and
never deleted; its own columns stay as they were, and every row that pointed at it
(languages, expertise, availability, deployments, nationalities, accessibility,
shortlist entries, candidate decisions, call-outs, reveals, audit rows, status history,
duplicate pairs, blocking keys, records merged into it earlier) points at the survivor.

The tables are found by introspecting ``SQLModel.metadata``: every foreign key to
``expert.id`` must have its entry in ``REFERENCES``, or a merge refuses to run (and a
test fails), so that a table added later cannot be forgotten. Rows that would collide
with the survivor's under a unique key (the same language on both) are united: the
survivor's row stays, improved where the other says more (the higher language level,
more years, a verification), and the other's is dropped; its content stays in the
merge's audit row, which holds both records as they were, in the interchange format.

The account: the survivor keeps its own; a survivor without one takes the other's. Where
both have one, the other's account is disabled and its sessions ended (audited), and stays
with the merged record: the person signs in with the survivor's. Sensitive fields
(gender, disability, year of birth) are the survivor's as they stand, each under its own
consent.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table, UniqueConstraint, delete, exists, select, update
from sqlmodel import Session, SQLModel

from matching.vocabulary import level_rank
from roster.accounts.services import end_sessions
from roster.interchange.store import load_rows, record_from_rows
from roster.messages import N_, Message
from roster.models import (
    AuditEvent,
    DuplicateKey,
    DuplicatePair,
    Expert,
    ExpertLanguage,
    ExpertSkill,
    PairStatus,
    User,
    utcnow,
)
from roster.refusal import Changed, Refused

# Fields chosen one by one on the review page; "cv" carries the CV's three columns.
MERGEABLE = ("full_name", "email", "residence_country", "seniority", "years_experience", "summary")
CV_COLUMNS = ("cv_stored_name", "cv_original_name", "cv_uploaded_at")
CHOOSABLE = (*MERGEABLE, "cv")

CHANGED = Message(
    N_(
        "One of these records changed since you opened the pair. The page shows them as "
        "they are now, with your choices kept where they still apply; check and merge again."
    )
)


class MergeRefused(Refused):
    """A merge that cannot be made: with itself, of a record already merged, a bad choice."""


class MergeChanged(Changed):
    """A record changed since the page opened; nothing was merged."""

    def __init__(self) -> None:
        super().__init__(CHANGED)


@dataclass(frozen=True)
class Merged:
    """What a merge did: who survived, who was merged into it, whose account was disabled."""

    survivor: Expert
    merged: Expert
    disabled_account: User | None


Strategy = Callable[[Session, Column, int, int], None]


def _move(session: Session, column: Column, survivor_id: int, other_id: int) -> None:
    """Point every row at the survivor (no unique key holds the column)."""
    session.execute(
        update(column.table)
        .where(column == other_id)
        .values({column.name: survivor_id})
        .execution_options(synchronize_session=False)
    )


def _unique_keys(table: Table, column: Column) -> list[tuple[str, ...]]:
    """The other columns of each unique key (primary key included) that holds ``column``."""
    keys = []
    for constraint in table.constraints:
        names = [c.name for c in getattr(constraint, "columns", [])]
        unique = constraint is table.primary_key or isinstance(constraint, UniqueConstraint)
        if unique and column.name in names and len(names) > 1:
            keys.append(tuple(n for n in names if n != column.name))
    return keys


def _unite(
    *, same: tuple[str, ...] = (), improve: Callable[[Session, int, int], None] | None = None
) -> Strategy:
    """Move the rows, dropping those the survivor holds already.

    A row "is held already" when a survivor's row agrees on the other columns of a unique
    key, or on ``same`` (availability windows and deployments, which have no unique key).
    ``improve`` first lets the survivor's row take what the other's says more.
    """

    def unite(session: Session, column: Column, survivor_id: int, other_id: int) -> None:
        table = column.table
        if improve is not None:
            improve(session, survivor_id, other_id)
        kept = table.alias("kept")
        for names in [*_unique_keys(table, column), *([same] if same else [])]:
            session.execute(
                delete(table)
                .where(
                    column == other_id,
                    exists().where(
                        kept.c[column.name] == survivor_id,
                        *(kept.c[n] == table.c[n] for n in names),
                    ),
                )
                .execution_options(synchronize_session=False)
            )
        if "position" in table.c:
            offset = session.scalar(
                select(table.c.position)
                .where(column == survivor_id)
                .order_by(table.c.position.desc())
            )
            if offset is not None:
                session.execute(
                    update(table)
                    .where(column == other_id)
                    .values(position=table.c.position + offset + 1)
                    .execution_options(synchronize_session=False)
                )
        _move(session, column, survivor_id, other_id)

    return unite


def _better_languages(session: Session, survivor_id: int, other_id: int) -> None:
    """The same language on both: the survivor's row takes the higher level."""
    theirs = dict(
        session.execute(
            select(ExpertLanguage.code, ExpertLanguage.level).where(
                ExpertLanguage.expert_id == other_id
            )
        ).all()
    )
    for code, level in session.execute(
        select(ExpertLanguage.code, ExpertLanguage.level).where(
            ExpertLanguage.expert_id == survivor_id, ExpertLanguage.code.in_(list(theirs))
        )
    ).all():
        if level_rank(theirs[code]) > level_rank(level):
            session.execute(
                update(ExpertLanguage)
                .where(ExpertLanguage.expert_id == survivor_id, ExpertLanguage.code == code)
                .values(level=theirs[code])
                .execution_options(synchronize_session=False)
            )


def _better_skills(session: Session, survivor_id: int, other_id: int) -> None:
    """The same expertise on both: the survivor's row takes more years, and a verification."""
    theirs = {
        row.code: row
        for row in session.execute(
            select(
                ExpertSkill.code,
                ExpertSkill.years,
                ExpertSkill.verified_at,
                ExpertSkill.verified_by_id,
            ).where(ExpertSkill.expert_id == other_id)
        )
    }
    for row in session.execute(
        select(ExpertSkill.code, ExpertSkill.years, ExpertSkill.verified_at).where(
            ExpertSkill.expert_id == survivor_id, ExpertSkill.code.in_(list(theirs))
        )
    ).all():
        other = theirs[row.code]
        values: dict[str, Any] = {}
        if other.years is not None and (row.years is None or other.years > row.years):
            values["years"] = other.years
        if row.verified_at is None and other.verified_at is not None:
            values |= {"verified_at": other.verified_at, "verified_by_id": other.verified_by_id}
        if values:
            session.execute(
                update(ExpertSkill)
                .where(ExpertSkill.expert_id == survivor_id, ExpertSkill.code == row.code)
                .values(values)
                .execution_options(synchronize_session=False)
            )


def _pairs(session: Session, column: Column, survivor_id: int, other_id: int) -> None:
    """The other's pairs become the survivor's; one already there is kept (not-same wins)."""
    ours = {
        (p.first_id if p.second_id == survivor_id else p.second_id): p
        for p in session.scalars(
            select(DuplicatePair).where(
                (DuplicatePair.first_id == survivor_id) | (DuplicatePair.second_id == survivor_id)
            )
        )
    }
    for pair in list(session.scalars(select(DuplicatePair).where(column == other_id))):
        partner = pair.second_id if pair.first_id == other_id else pair.first_id
        if partner == survivor_id:
            continue  # the merged pair itself, marked by ``merge_experts``
        if (kept := ours.get(partner)) is not None:
            if pair.status == PairStatus.NOT_SAME and kept.status == PairStatus.OPEN:
                kept.status, kept.decided_at = pair.status, pair.decided_at
                kept.decided_by_id = pair.decided_by_id
            session.delete(pair)
        else:
            pair.first_id, pair.second_id = sorted((survivor_id, partner))
            ours[partner] = pair
        session.flush()


def _drop_keys(session: Session, column: Column, survivor_id: int, other_id: int) -> None:
    """A merged record is compared with nobody: its blocking keys go."""
    session.execute(
        delete(DuplicateKey).where(column == other_id).execution_options(synchronize_session=False)
    )


# Every foreign key to expert.id, by "table.column", and how a merge moves it.
REFERENCES: dict[str, Strategy] = {
    "expert.merged_into_id": _move,  # records merged into the other earlier: chains stay flat
    "expert_nationality.expert_id": _unite(),
    "expert_language.expert_id": _unite(improve=_better_languages),
    "expert_skill.expert_id": _unite(improve=_better_skills),
    "expert_accessibility.expert_id": _unite(),
    "availability_window.expert_id": _unite(same=("start", "end")),
    "deployment.expert_id": _unite(same=("country", "role", "start", "end")),
    "roster_status_change.expert_id": _move,
    "shortlist_entry.expert_id": _move,
    "candidate_decision.expert_id": _move,
    "call_out.expert_id": _unite(),
    "candidate_reveal.expert_id": _unite(),
    "audit_event.subject_expert_id": _move,
    "duplicate_pair.first_id": _pairs,
    "duplicate_pair.second_id": _pairs,
    "duplicate_key.expert_id": _drop_keys,
    "expert_list_entry.expert_id": _unite(),  # on the survivor's lists where either was
    "saved_search_match.expert_id": _unite(),  # news already mailed for either is not news
}


def expert_references() -> list[Column]:
    """Every column of the schema with a foreign key to ``expert.id``, from the metadata."""
    return [
        fk.parent
        for table in SQLModel.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "expert" and fk.column.name == "id"
    ]


def unhandled_references() -> list[str]:
    """Foreign keys to ``expert.id`` that ``REFERENCES`` does not say how to move."""
    return [
        f"{column.table.name}.{column.name}"
        for column in expert_references()
        if f"{column.table.name}.{column.name}" not in REFERENCES
    ]


def record_as_it_stands(session: Session, expert_id: int) -> dict[str, Any]:
    """The record in the interchange format, without sensitive fields, as the audit keeps it."""
    external_id, rows = load_rows(session, [expert_id])[expert_id]
    return record_from_rows(external_id, rows, sensitive=frozenset())


def check_mergeable(*, survivor: Expert, other: Expert) -> None:
    """Refuse a merge of a record with itself or of a record already merged.

    Raises:
        MergeRefused: in plain words, at ``survivor``.
    """
    if survivor.id == other.id:
        raise MergeRefused.at("survivor", N_("A record cannot be merged with itself."))
    for expert in (survivor, other):
        if expert.merged_into_id is not None:
            raise MergeRefused.at(
                "survivor",
                N_("%(reference)s was merged into another record already; nothing was changed."),
                reference=expert.external_id,
            )


def _claim(session: Session, expert: Expert, version: int) -> None:
    """Compare and increment the version: the record is as the page showed it, or refuse."""
    done = session.execute(
        update(Expert)
        .where(Expert.id == expert.id, Expert.version == version)
        .values(version=Expert.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise MergeChanged()


def merge_experts(
    *,
    session: Session,
    survivor: Expert,
    other: Expert,
    choices: Mapping[str, int],
    versions: Mapping[int, int],
    by: User,
    pair: DuplicatePair | None = None,
) -> Merged:
    """Merge ``other`` into ``survivor``: the chosen values, every reference moved.

    Args:
        session: the session to write in; the caller commits (or rolls back on a refusal).
        survivor: the record that stays the person's.
        other: the record merged into it; kept with ``merged_into_id`` set.
        choices: for each field of ``CHOOSABLE`` that differs, the id of the record
            whose value survives (the survivor's where absent).
        versions: each record's ``version`` as the reviewer saw it, by id.
        by: the recruiter or admin merging.
        pair: the duplicate pair reviewed, marked merged.
    Returns:
        What was merged, and the account disabled if both had one.
    Raises:
        MergeRefused: with itself, a record already merged, a choice naming neither record.
        MergeChanged: either record changed since the page showed it. Nothing is written.
    """
    check_mergeable(survivor=survivor, other=other)
    if missing := unhandled_references():
        raise RuntimeError(f"merge does not know how to move {', '.join(missing)}")
    for name, chosen in choices.items():
        if name not in CHOOSABLE or chosen not in (survivor.id, other.id):
            raise MergeRefused.at(name, N_("Choose one of the two records' values."))
    if survivor.id not in versions or other.id not in versions:
        raise MergeChanged()
    _claim(session, survivor, versions[survivor.id])
    _claim(session, other, versions[other.id])
    before = {
        "survivor": record_as_it_stands(session, survivor.id),
        "merged": record_as_it_stands(session, other.id),
    }
    session.refresh(survivor)
    session.refresh(other)
    taken = [name for name, chosen in choices.items() if chosen == other.id]
    for name in taken:
        for column in CV_COLUMNS if name == "cv" else (name,):
            setattr(survivor, column, getattr(other, column))
    disabled = _accounts(session, survivor, other, by)
    session.flush()
    for column in expert_references():
        REFERENCES[f"{column.table.name}.{column.name}"](session, column, survivor.id, other.id)
    session.execute(
        update(Expert)
        .where(Expert.id == other.id)
        .values(merged_into_id=survivor.id)
        .execution_options(synchronize_session=False)
    )
    if pair is not None:
        pair.status, pair.decided_at, pair.decided_by_id = PairStatus.MERGED.value, utcnow(), by.id
        session.add(pair)
    session.add(
        AuditEvent(
            actor_id=by.id,
            action="duplicates.merged",
            subject_expert_id=survivor.id,
            detail={
                "survivor": survivor.public_id,
                "merged": other.public_id,
                "taken_from_merged": sorted(taken),
                "before": before,
            },
        )
    )
    session.flush()
    session.expire_all()
    return Merged(survivor=survivor, merged=other, disabled_account=disabled)


def _accounts(session: Session, survivor: Expert, other: Expert, by: User) -> User | None:
    """The survivor keeps its account, or takes the other's; a second account is disabled."""
    if other.user_id is None:
        return None
    account = session.get(User, other.user_id)
    if survivor.user_id is None:
        other.user_id = None
        session.flush()
        survivor.user_id = account.id
        return None
    account.disabled = True
    end_sessions(session=session, user=account)
    session.add(
        AuditEvent(
            actor_id=by.id,
            action="duplicates.account_disabled",
            subject_expert_id=survivor.id,
            detail={"account": account.public_id},
        )
    )
    return account


__all__ = [
    "CHOOSABLE",
    "MERGEABLE",
    "MergeChanged",
    "MergeRefused",
    "Merged",
    "REFERENCES",
    "check_mergeable",
    "expert_references",
    "merge_experts",
    "record_as_it_stands",
    "unhandled_references",
]
