"""The expert's own profile: each section validated, then saved under optimistic locking.

Typed, keyword-only, the session passed in; no request state. A save first
validates everything (raising ``ProfileInvalid`` with a message per form field),
then compares and increments ``Expert.version`` in one UPDATE (raising
``ProfileChanged`` when another save came first), and only then changes rows.
"""

import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import exists, select, update
from sqlmodel import Session

from matching.vocabulary import (
    ACCESSIBILITY_EXPERTISE,
    GENDERS,
    SENIORITY,
    VocabularyError,
    normalise_country,
)
from roster.models import (
    AvailabilityWindow,
    Deployment,
    Expert,
    ExpertAccessibility,
    ExpertLanguage,
    ExpertNationality,
    ExpertSkill,
    RosterStatus,
    User,
    utcnow,
)
from roster.policy.roster_status import change_roster_status
from roster.refusal import Refused
from roster.text import UnstorableText, storable_text, unstorable_message

CHANGED_MESSAGE = (
    "This profile changed since you opened it (perhaps in another tab). "
    "Your changes are below; check them and save again."
)
MAX_NATIONALITIES = 3
MAX_SUMMARY = 20_000
OLDEST_BIRTH_YEAR = 1900
YOUNGEST_AGE = 16


class ProfileInvalid(Refused):
    """Input that cannot be saved: ``errors`` maps a form field's name to a plain message."""


class ProfileChanged(Exception):
    """The stored profile changed since the form was opened; nothing was saved."""


def clean_text(
    value: object, *, label: str, max_length: int, required: bool = False, multiline: bool = False
) -> str:
    """Return ``value`` as stored, or raise ``ValueError`` with a message for a person.

    The roster's one text rule (``matching.storable``, which imports obey too):
    trimmed, CR LF read as LF, control characters refused (line breaks and tabs
    only where ``multiline``), and controls of text direction refused (overrides
    only, where ``multiline``).
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(f"{label} must be text.")
    try:
        text = storable_text(value, multiline=multiline)
    except UnstorableText as error:
        raise ValueError(unstorable_message(label, error.character)) from None
    if required and not text:
        raise ValueError(f"Please enter your {label.lower()}.")
    if len(text) > max_length:
        raise ValueError(
            f"{label} must be at most {max_length:,} characters long (it is {len(text):,})."
        )
    return text


def checked(errors: dict[str, str], name: str, check: Callable[[], Any]) -> Any:
    """Run one field's check, recording its message under ``name`` instead of raising."""
    try:
        return check()
    except (ValueError, VocabularyError) as error:
        errors[name] = str(error)
        return None


def whole_number(value: object, *, label: str, low: int, high: int) -> int | None:
    """Return an optional integer within [low, high], or raise ``ValueError`` saying why."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{label} must be a whole number.")
    if not low <= value <= high:
        raise ValueError(f"{label} must be between {low} and {high}.")
    return value


def country_code(text: str, *, label: str) -> str:
    """Read a typed country name or code as ISO 3166-1 alpha-2, or raise ``ValueError``."""
    cleaned = clean_text(text, label=label, max_length=100)
    try:
        return normalise_country(cleaned).code
    except VocabularyError:
        raise ValueError(
            f"We did not recognise '{cleaned}' as a country. Type its English name "
            "(like Mali) or its two-letter code (like ML)."
        ) from None


def expert_for_user(*, session: Session, user_id: int) -> Expert | None:
    """Return the profile of the account ``user_id``, if it has one."""
    return session.scalar(select(Expert).where(Expert.user_id == user_id))


# The profile's lists, by the name of their relationship on Expert.
_LISTS = {
    "languages": ExpertLanguage,
    "skills": ExpertSkill,
    "accessibility": ExpertAccessibility,
    "availability": AvailabilityWindow,
    "deployments": Deployment,
}


def filled_lists(*, session: Session, expert_id: int) -> set[str]:
    """Which of the profile's lists (``languages``, ``skills`` ...) hold at least one row.

    One query for all five, where loading each list would take one query apiece.
    """
    flags = session.execute(
        select(
            *(
                exists().where(table.expert_id == expert_id).label(name)
                for name, table in _LISTS.items()
            )
        )
    ).one()
    return {name for name, filled in zip(_LISTS, flags, strict=True) if filled}


def lock(*, session: Session, expert: Expert, version: int) -> None:
    """Compare and increment the profile's version, marking it updated and confirmed now.

    Raises:
        ProfileChanged: ``version`` is not the stored one (another tab saved first).
    """
    if expert.version != version:
        raise ProfileChanged()
    now = utcnow()
    result = session.execute(
        update(Expert)
        .where(Expert.id == expert.id, Expert.version == version)
        .values(
            version=version + 1,
            updated_at=now,
            profile_confirmed_at=now,
            stale_reminder_sent_at=None,
        )
    )
    if result.rowcount != 1:
        raise ProfileChanged()


def sync_children(
    collection: list, rows: Sequence[dict[str, Any]], *, key: str, make: Callable[..., Any]
) -> None:
    """Make a child collection hold exactly ``rows``, keeping the rows whose key stays."""
    existing = {getattr(item, key): item for item in collection}
    kept = []
    for row in rows:
        item = existing.get(row[key]) or make()
        for name, value in row.items():
            setattr(item, name, value)
        kept.append(item)
    collection[:] = kept


def _nationalities(texts: Sequence[str], errors: dict[str, str], notes: list[str]) -> list[str]:
    codes: list[str] = []
    for index, text in enumerate(texts[:MAX_NATIONALITIES]):
        name = f"nationality_{index + 1}"
        if not isinstance(text, str) or not text.strip():
            continue
        code = checked(
            errors, name, lambda t=text, i=index: country_code(t, label=f"Nationality {i + 1}")
        )
        if code in codes:
            notes.append(f"Nationality {code} was listed twice; it is kept once.")
        elif code is not None:
            codes.append(code)
    if any(isinstance(t, str) and t.strip() for t in texts[MAX_NATIONALITIES:]):
        errors["nationality_1"] = f"Give at most {MAX_NATIONALITIES} nationalities."
    elif not codes and not errors:
        errors["nationality_1"] = "Please give at least one nationality."
    return codes


def save_identity(
    *,
    session: Session,
    user: User,
    expert: Expert | None,
    version: int,
    full_name: str,
    nationalities: Sequence[str],
    residence: str,
    years_experience: int | None,
    seniority: str,
) -> tuple[Expert, list[str]]:
    """Save name, nationalities (1-3), residence, experience and seniority.

    The first save creates the profile: an applicant with a ``REG-`` external id,
    linked to ``user`` and carrying its email, with its first status change.

    Returns:
        The profile and notes on what was read from typed country names.

    Raises:
        ProfileInvalid: a field cannot be accepted. ProfileChanged: stale ``version``.
    """
    errors: dict[str, str] = {}
    notes: list[str] = []
    name = checked(
        errors,
        "full_name",
        lambda: clean_text(full_name, label="Full name", max_length=200, required=True),
    )
    codes = _nationalities(list(nationalities), errors, notes)
    home = checked(
        errors,
        "residence_country",
        lambda: (
            country_code(residence, label="Country of residence")
            if (residence or "").strip()
            else None
        ),
    )
    years = checked(
        errors,
        "years_experience",
        lambda: whole_number(years_experience, label="Years of experience", low=0, high=70),
    )
    if seniority not in ("", *SENIORITY):
        errors["seniority"] = f"Choose a seniority among {', '.join(SENIORITY)}, or none."
    if errors:
        raise ProfileInvalid(errors)
    if expert is None:
        if version != 0:
            raise ProfileChanged()
        expert = _create_expert(session=session, user=user, full_name=name)
    else:
        lock(session=session, expert=expert, version=version)
    expert.full_name, expert.residence_country = name, home
    expert.years_experience, expert.seniority = years, seniority or None
    sync_children(
        expert.nationalities,
        [{"country": c, "position": i} for i, c in enumerate(codes)],
        key="country",
        make=ExpertNationality,
    )
    session.add(expert)
    return expert, notes


def _create_expert(*, session: Session, user: User, full_name: str) -> Expert:
    if expert_for_user(session=session, user_id=user.id) is not None:
        raise ProfileChanged()  # Created meanwhile, in another tab.
    expert = Expert(
        external_id=f"REG-{secrets.token_hex(6).upper()}",
        user_id=user.id,
        full_name=full_name,
        email=user.email,
    )
    change_roster_status(
        session=session,
        expert=expert,
        to=RosterStatus.APPLICANT,
        by=user,
        reason="registered online",
    )
    return expert


def _birth_year(value: int | None) -> int | None:
    return whole_number(
        value, label="Year of birth", low=OLDEST_BIRTH_YEAR, high=utcnow().year - YOUNGEST_AGE
    )


def save_sensitive(
    *,
    session: Session,
    expert: Expert,
    version: int,
    gender: str,
    gender_consent: bool,
    disability: bool | None,
    disability_consent: bool,
    birth_year: int | None,
    birth_year_consent: bool,
) -> None:
    """Store gender, disability and birth year only where consent is given.

    Withdrawing a consent removes the value at once and clears its timestamp; a new
    consent is dated now, a standing one keeps its date.
    """
    errors: dict[str, str] = {}
    if gender not in ("", *GENDERS):
        errors["gender"] = "Choose one of the options for gender, or leave it empty."
    year = checked(errors, "birth_year", lambda: _birth_year(birth_year))
    if disability not in (None, True, False):
        errors["disability"] = "Choose yes, no or prefer not to say."
    wanted = {
        "gender": (gender or None, gender_consent),
        "disability": (disability, disability_consent),
        "birth_year": (year, birth_year_consent),
    }
    labels = {"gender": "gender", "disability": "disability", "birth_year": "year of birth"}
    for name, (value, consent) in wanted.items():
        if value is not None and not consent and name not in errors:
            errors[name] = (
                f"Tick the box to let the roster store your {labels[name]}, or leave it empty."
            )
    if errors:
        raise ProfileInvalid(errors)
    lock(session=session, expert=expert, version=version)
    now = utcnow()
    for name, (value, consent) in wanted.items():
        stamp = getattr(expert, f"{name}_consent_at")
        setattr(expert, f"{name}_consent_at", (stamp or now) if consent else None)
        setattr(expert, name, value if consent else None)
    session.add(expert)


def save_accessibility(
    *, session: Session, expert: Expert, version: int, codes: Iterable[str]
) -> None:
    """Save the accessibility expertise, codes of the taxonomy only."""
    wanted = list(dict.fromkeys(codes))
    unknown = [code for code in wanted if code not in ACCESSIBILITY_EXPERTISE]
    if unknown:
        raise ProfileInvalid({"codes": "Choose among the listed kinds of accessibility expertise."})
    lock(session=session, expert=expert, version=version)
    sync_children(
        expert.accessibility,
        [{"code": c, "position": i} for i, c in enumerate(wanted)],
        key="code",
        make=ExpertAccessibility,
    )
    session.add(expert)


def save_summary(*, session: Session, expert: Expert, version: int, summary: str) -> None:
    """Save the free-text summary (at most 20,000 characters)."""
    errors: dict[str, str] = {}
    text = checked(
        errors,
        "summary",
        lambda: clean_text(summary, label="Summary", max_length=MAX_SUMMARY, multiline=True),
    )
    if errors:
        raise ProfileInvalid(errors)
    lock(session=session, expert=expert, version=version)
    expert.summary = text
    session.add(expert)
