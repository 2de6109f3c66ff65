"""Sign-ins for a demonstration instance: one account per role, passwords made for it.

The demo planner also finds needs assessments in progress (``roster.demo.open_needs``).

Only a development instance has them (the command refuses otherwise): a roster in
production has no default accounts. Each run gives every demo account a new
password, so the sign-ins printed by the latest ``make run`` are always the ones
that work, and nothing of them is kept anywhere but in the password hashes.
"""

import secrets
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlmodel import Session

from roster.accounts.services import create_user, find_user, set_password
from roster.demo.open_needs import ensure_open_needs
from roster.models import (
    AvailabilityWindow,
    Expert,
    ExpertLanguage,
    ExpertSkill,
    RoleName,
    RosterStatus,
    User,
    utcnow,
)

STAFF = (
    (RoleName.ADMIN, "admin@demo.example.org", "Demo Admin"),
    (RoleName.RECRUITER, "recruiter@demo.example.org", "Demo Recruiter"),
    (RoleName.PLANNER, "planner@demo.example.org", "Demo Planner"),
)


@dataclass(frozen=True)
class DemoSignIn:
    """One demo account as printed for the person trying the roster."""

    role: str
    email: str
    password: str
    name: str


def _password() -> str:
    # Four random words' worth of entropy, long enough for the password policy.
    return "-".join(secrets.token_urlsafe(4) for _ in range(4))


def _complete_profile(session: Session) -> Expert | None:
    """A rostered demo expert without an account whose profile has every section filled."""
    return session.scalar(
        select(Expert)
        .where(
            Expert.roster_status == RosterStatus.ROSTERED,
            Expert.user_id.is_(None),
            Expert.summary != "",
            exists().where(ExpertLanguage.expert_id == Expert.id),
            exists().where(ExpertSkill.expert_id == Expert.id),
            exists().where(AvailabilityWindow.expert_id == Expert.id),
        )
        .order_by(Expert.external_id)
        .limit(1)
    )


def _ensure(session: Session, *, email: str, role: str, name: str, password: str) -> User:
    """Create the account, or give the existing one the new password."""
    user = find_user(session=session, email=email)
    if user is None:
        return create_user(
            session=session,
            email=email,
            password=password,
            roles=[role],
            display_name=name,
            confirmed=True,
        )
    # The same rule and audit as any change of password; the account opens again.
    set_password(session=session, user=user, password=password)
    user.disabled = False
    return user


def ensure_demo_accounts(*, session: Session) -> list[DemoSignIn]:
    """Create or refresh the demo accounts; return their sign-ins (passwords in clear)."""
    sign_ins = []
    for role, email, name in STAFF:
        password = _password()
        user = _ensure(session, email=email, role=role.value, name=name, password=password)
        sign_ins.append(DemoSignIn(role.value, email, password, name))
        if role == RoleName.PLANNER:
            session.flush()
            # The planner's work in progress, where missing (a planner's changes are kept).
            ensure_open_needs(session=session, planner=user, today=utcnow().date())
    # The demo expert of an earlier run keeps the account; the first run picks one.
    linked = session.scalar(
        select(Expert)
        .where(Expert.external_id.like("DEMO-%"), Expert.user_id.is_not(None))
        .order_by(Expert.external_id)
        .limit(1)
    )
    expert = linked or _complete_profile(session)
    if expert is not None:
        password = _password()
        user = _ensure(
            session,
            email=expert.email,
            role=RoleName.EXPERT.value,
            name=expert.full_name,
            password=password,
        )
        session.flush()
        expert.user_id, expert.profile_confirmed_at = user.id, utcnow()
        session.add(expert)
        sign_ins.append(DemoSignIn(RoleName.EXPERT.value, user.email, password, expert.full_name))
    return sign_ins
