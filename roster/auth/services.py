"""Signing in and out, registration, confirmation and password reset.

Typed, keyword-only, the session passed in; no request state. Links in emails are
signed with the app's secret and expire; a reset link also carries a fingerprint
of the current password hash, so it works once.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlmodel import Session

from roster.accounts.links import LinkInvalid, Signer, fingerprint
from roster.accounts.passwords import hash_password, needs_rehash, verify_password
from roster.accounts.services import (
    Registration,
    create_user,
    find_user,
)
from roster.messages import N_, Message
from roster.models import AuditEvent, RoleName, User, utcnow
from roster.refusal import OneProblem

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
NOT_RIGHT = Message(
    N_(
        "The email address or the password is not right. After %(attempts)d wrong "
        "passwords an account is locked for %(minutes)d minutes; you can also reset "
        "your password."
    ),
    {"attempts": MAX_FAILED_LOGINS, "minutes": LOCKOUT.seconds // 60},
)
CONFIRM_MAX_AGE = int(timedelta(days=2).total_seconds())
RESET_MAX_AGE = int(timedelta(hours=1).total_seconds())
# Verified against when the email is unknown, so that both answers take as long.
_DUMMY_HASH = hash_password(secrets.token_hex(16))


class LoginRefused(OneProblem):
    """Sign-in refused; the message is safe to show (it never says which part was wrong)."""


def register_expert(*, session: Session, email: str, password: str, full_name: str) -> Registration:
    """Open an expert's account, unconfirmed until the emailed link is opened.

    Where the address already has an account, nothing is opened and that account is
    returned (``new`` false) for its owner to be told by mail. Both paths hash the
    password, so that the time the answer takes does not tell a stranger which it was.
    """
    if existing := find_user(session=session, email=email):
        hash_password(password)  # the work of a new account; the hash is not kept
        # Whoever typed the address is not known to be its owner: no actor, the account named.
        session.add(
            AuditEvent(
                actor_id=None,
                action="auth.register_existing",
                detail={"account": existing.public_id},
            )
        )
        return Registration(existing, new=False)
    user = create_user(
        session=session,
        email=email,
        password=password,
        roles=[RoleName.EXPERT.value],
        display_name=full_name.strip(),
    )
    return Registration(user, new=True)


def _claim_attempt(session: Session, user: User, now: datetime) -> bool:
    """Count a sign-in attempt before its password is checked; False while locked.

    The count is one atomic UPDATE, so concurrent attempts cannot all read the same
    count and all be checked: at most ``MAX_FAILED_LOGINS`` passwords are tried
    before the lock holds, on every database.
    """
    claimed = session.execute(
        update(User)
        .where(
            User.id == user.id,
            User.failed_logins < MAX_FAILED_LOGINS,
            or_(User.locked_until.is_(None), User.locked_until <= now),
        )
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar()
    return claimed is not None


def _settle_attempt(session: Session, user: User, *, right: bool, now: datetime) -> None:
    """A right password clears the count; a wrong one that reached the limit locks."""
    statement = update(User).where(User.id == user.id)
    if right:
        statement = statement.values(failed_logins=0, locked_until=None)
    else:
        statement = statement.where(User.failed_logins >= MAX_FAILED_LOGINS).values(
            failed_logins=0, locked_until=now + LOCKOUT
        )
    session.execute(statement.execution_options(synchronize_session=False))
    # The loaded values are stale now: read them again when next asked.
    session.expire(user, ["failed_logins", "locked_until"])


def authenticate(*, session: Session, email: str, password: str) -> User:
    """Check credentials, counting failures per account; return the user or refuse.

    Raises:
        LoginRefused: wrong email or password, account locked, disabled or unconfirmed.
    """
    now = utcnow()
    user = find_user(session=session, email=email)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        raise LoginRefused(NOT_RIGHT)
    if not _claim_attempt(session, user, now):
        # The same words as a wrong password: a lock must not tell a stranger that the
        # address has an account, nor, by a different answer, that a guess was right.
        verify_password(_DUMMY_HASH, password)
        session.add(AuditEvent(actor_id=user.id, action="auth.login_locked"))
        raise LoginRefused(NOT_RIGHT)
    right = verify_password(user.password_hash, password)
    _settle_attempt(session, user, right=right, now=now)
    if not right:
        session.add(AuditEvent(actor_id=user.id, action="auth.login_failed"))
        raise LoginRefused(NOT_RIGHT)
    if user.disabled:
        raise LoginRefused(
            Message(N_("This account is disabled. Please contact the roster administrators."))
        )
    if user.email_confirmed_at is None:
        raise LoginRefused(
            Message(N_("Please confirm your email address first: open the link we emailed you."))
        )
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.add(AuditEvent(actor_id=user.id, action="auth.login"))
    return user


def confirm_email(*, session: Session, signer: Signer, token: str) -> User:
    """Mark the email address in a confirmation link as confirmed."""
    payload = signer.load("confirm", token, CONFIRM_MAX_AGE)
    user = session.scalar(select(User).where(User.public_id == payload.get("user")))
    if user is None or user.email != payload.get("email"):
        raise LinkInvalid(Message(N_("This link is not valid any more.")))
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        session.add(AuditEvent(actor_id=user.id, action="auth.email_confirmed"))
    return user


def user_for_reset(*, session: Session, signer: Signer, token: str) -> User:
    """Return the user a reset link is for, if the link is valid and unused."""
    payload = signer.load("reset", token, RESET_MAX_AGE)
    user = session.scalar(select(User).where(User.public_id == payload.get("user")))
    if user is None or payload.get("pw") != fingerprint(user) or user.disabled:
        raise LinkInvalid(
            Message(N_("This link has already been used or is no longer valid. Ask for a new one."))
        )
    return user
