"""A search's criteria as SQL: the WHERE conditions on ``Expert`` (merged records left out)."""

from datetime import datetime
from functools import cache

import pycountry
from sqlalchemy import (
    ColumnElement,
    and_,
    false,
    func,
    or_,
    select,
)

from matching.vocabulary import (
    LANGUAGE_LEVELS,
    SENIORITY,
    UN_MEMBER_STATES,
)
from roster.models import (
    AvailabilityWindow,
    Expert,
    ExpertAccessibility,
    ExpertLanguage,
    ExpertNationality,
    ExpertSkill,
    utcnow,
)
from roster.recruiting.criteria import STALE_AFTER, SearchCriteria
from roster.recruiting.names import name_tokens


@cache
def sign_language_codes() -> tuple[str, ...]:
    """ISO 639-3 codes of every sign language (``ase``, ``bfi``, ``fsl`` ...)."""
    return tuple(
        sorted(
            language.alpha_3
            for language in pycountry.languages
            if "sign language" in language.name.lower()
        )
    )


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _has(table, *conditions) -> ColumnElement:
    # Not a correlated EXISTS: the child rows are found once, by their index, for all
    # experts (an EXISTS with an IN list probes the child table per expert and per value).
    return Expert.id.in_(select(table.expert_id).where(*conditions))


def _skill_kind(criteria: SearchCriteria) -> list[ColumnElement]:
    if criteria.expertise == "verified":
        return [ExpertSkill.verified_at.is_not(None)]
    if criteria.expertise == "self-declared":
        return [ExpertSkill.verified_at.is_(None)]
    return []


def _name_condition(text: str) -> ColumnElement:
    pattern = _like(text)
    tokens = name_tokens(text)
    folded = [Expert.name_key.like(_like(token), escape="\\") for token in tokens]
    return or_(
        and_(*folded) if folded else false(),
        func.lower(Expert.full_name).like(pattern, escape="\\"),
        func.lower(Expert.external_id).like(pattern, escape="\\"),
    )


def _language_condition(criteria: SearchCriteria) -> ColumnElement:
    code = criteria.language
    same = or_(
        func.lower(ExpertLanguage.code) == code.lower(),
        func.lower(ExpertLanguage.code).like(_like(code).removesuffix("%") + "-%", escape="\\"),
    )
    if criteria.language_level:
        at_least = LANGUAGE_LEVELS[LANGUAGE_LEVELS.index(criteria.language_level) :]
        return _has(ExpertLanguage, same, ExpertLanguage.level.in_(at_least))
    return _has(ExpertLanguage, same)


def conditions(criteria: SearchCriteria, *, now: datetime | None = None) -> list[ColumnElement]:
    """The WHERE conditions on ``Expert`` of a search (merged records always left out)."""
    found: list[ColumnElement] = [Expert.merged_into_id.is_(None)]
    if criteria.name:
        found.append(_name_condition(criteria.name))
    for word in criteria.text.split():
        found.append(func.lower(Expert.summary).like(_like(word), escape="\\"))
    kind = _skill_kind(criteria)
    if criteria.skills and criteria.skills_match == "all":
        found += [_has(ExpertSkill, ExpertSkill.code == code, *kind) for code in criteria.skills]
    elif criteria.skills:
        found.append(_has(ExpertSkill, ExpertSkill.code.in_(criteria.skills), *kind))
    elif kind:
        found.append(_has(ExpertSkill, *kind))
    if criteria.language:
        found.append(_language_condition(criteria))
    if criteria.sign_language:
        found.append(_has(ExpertLanguage, ExpertLanguage.code.in_(sign_language_codes())))
    if criteria.accessibility:
        found.append(
            _has(ExpertAccessibility, ExpertAccessibility.code.in_(criteria.accessibility))
        )
    if criteria.regions:
        members = [code for code, group in UN_MEMBER_STATES.items() if group in criteria.regions]
        found.append(_has(ExpertNationality, ExpertNationality.country.in_(members)))
    if criteria.nationalities:
        found.append(_has(ExpertNationality, ExpertNationality.country.in_(criteria.nationalities)))
    if criteria.statuses:
        found.append(Expert.roster_status.in_(criteria.statuses))
    if criteria.available_from and criteria.available_to:
        found.append(
            _has(
                AvailabilityWindow,
                AvailabilityWindow.start <= criteria.available_from,
                AvailabilityWindow.end >= criteria.available_to,
            )
        )
    if criteria.seniority:
        found.append(Expert.seniority.in_(SENIORITY[SENIORITY.index(criteria.seniority) :]))
    if criteria.min_years is not None:
        found.append(Expert.years_experience >= criteria.min_years)
    if criteria.stale:
        found.append(Expert.profile_confirmed_at < (now or utcnow()) - STALE_AFTER)
    return found
