"""Who the expert is: name, nationalities, residence, experience and seniority.

The first save of this section creates the profile.
"""

import secrets
from collections.abc import Sequence

from sqlmodel import Session

from matching.vocabulary import SENIORITY
from roster.messages import N_, Message
from roster.models import Expert, ExpertNationality, FoundBy, RosterStatus, User
from roster.policy.roster_status import change_roster_status
from roster.profiles.services import (
    ProfileChanged,
    ProfileInvalid,
    expert_for_user,
    lock,
    sync_children,
)
from roster.recruiting.duplicates import check_records
from roster.refusal import Problems
from roster.validation import clean_text, country_code, whole_number

MAX_NATIONALITIES = 3
FULL_NAME = Message(N_("Full name"))


def _nationalities(texts: Sequence[str], problems: Problems, notes: list[Message]) -> list[str]:
    codes: list[str] = []
    for index, text in enumerate(texts[:MAX_NATIONALITIES]):
        if not isinstance(text, str) or not text.strip():
            continue
        label = Message(N_("Nationality %(number)s"), {"number": index + 1})
        code = problems.check(
            f"nationalities[{index}]", lambda t=text, lab=label: country_code(t, label=lab)
        )
        if code in codes:
            notes.append(
                Message(
                    N_("Nationality %(code)s was listed twice; it is kept once."), {"code": code}
                )
            )
        elif code is not None:
            codes.append(code)
    if any(isinstance(t, str) and t.strip() for t in texts[MAX_NATIONALITIES:]):
        problems.add(
            "nationalities[0]",
            N_("Give at most %(most)s nationalities."),
            most=MAX_NATIONALITIES,
        )
    elif not codes and not problems:
        problems.add("nationalities[0]", N_("Please give at least one nationality."))
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
) -> tuple[Expert, list[Message]]:
    """Save name, nationalities (1-3), residence, experience and seniority.

    The first save creates the profile: an applicant with a ``REG-`` external id,
    linked to ``user`` and carrying its email, with its first status change.

    Returns:
        The profile and notes on what was read from typed country names.

    Raises:
        ProfileInvalid: a field cannot be accepted. ProfileChanged: stale ``version``.
    """
    problems = Problems()
    notes: list[Message] = []
    name = problems.check(
        "full_name",
        lambda: clean_text(
            full_name,
            label=FULL_NAME,
            max_length=200,
            required=Message(N_("Please enter your full name.")),
        ),
    )
    codes = _nationalities(list(nationalities), problems, notes)
    home = problems.check(
        "residence_country",
        lambda: (
            country_code(residence, label=Message(N_("Country of residence")))
            if (residence or "").strip()
            else None
        ),
    )
    years = problems.check(
        "years_experience",
        lambda: whole_number(
            years_experience, label=Message(N_("Years of experience")), low=0, high=70
        ),
    )
    if seniority not in ("", *SENIORITY):
        problems.add(
            "seniority",
            N_("Choose a seniority among %(choices)s, or none."),
            choices=", ".join(SENIORITY),
        )
    problems.raise_if_any(ProfileInvalid)
    registering = expert is None
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
    if registering:  # the profile is new: is this person on the roster already?
        session.flush()
        check_records(session=session, expert_ids=[expert.id], found_by=FoundBy.REGISTRATION)
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
