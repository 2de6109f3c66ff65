"""Creating and managing accounts: typed, keyword-only, no request state."""

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from roster.accounts.passwords import hash_password, password_problem
from roster.accounts.tokens import revoke_all
from roster.messages import N_, Message
from roster.models import STAFF_ROLES, AuditEvent, Expert, RoleName, User, UserRole, utcnow
from roster.outbox import forget_recipient
from roster.refusal import OneProblem

# The address a removed account is left with: unique, and never deliverable (RFC 2606).
REMOVED_ADDRESS = "removed-{public_id}@removed.invalid"


@dataclass(frozen=True)
class Registration:
    """The account a registration ended with, and whether it was opened by it."""

    user: User
    new: bool


class AccountError(OneProblem):
    """An account operation refused, with its reason at the path to correct (``field``)."""


def create_user(
    *,
    session: Session,
    email: str,
    password: str | None,
    roles: list[str],
    display_name: str = "",
    confirmed: bool = False,
    actor_id: int | None = None,
) -> User:
    """Create an account with the given roles.

    Args:
        password: the password the person chose; None for a staff account whose owner
            chooses it from an invitation (the account gets a random one nobody knows).

    Raises:
        AccountError: the email is taken or malformed, a role is unknown, or the
            password does not meet the policy.
    """
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError(
            Message(N_("'%(email)s' is not an email address."), {"email": email}), field="email"
        )
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(
            Message(N_("An account with the email %(email)s already exists."), {"email": email}),
            field="email",
        )
    unknown = [role for role in roles if role not in {r.value for r in RoleName}]
    if unknown:
        valid = ", ".join(r.value for r in RoleName)
        raise AccountError(
            Message(
                N_("Unknown role %(unknown)s; the roles are %(valid)s."),
                {"unknown": ", ".join(unknown), "valid": valid},
            ),
            field="roles",
        )
    if password is not None and (problem := password_problem(password)):
        raise AccountError(problem, field="password")
    now = utcnow()
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password or _unknown_password()),
        email_confirmed_at=now if confirmed else None,
        password_chosen_at=now if password is not None else None,
    )
    user.roles = [UserRole(role=role, granted_by_id=actor_id) for role in dict.fromkeys(roles)]
    session.add(user)
    session.flush()
    invited = {"invited": True} if password is None else {}
    _audit(session, "account.create", user, actor_id, roles=sorted(set(roles)), **invited)
    return user


def _unknown_password() -> str:
    return secrets.token_urlsafe(32)


def _audit(session: Session, action: str, user: User, actor_id: int | None, **detail) -> None:
    # The account is named by its random id only: no address or name in the trail's detail.
    session.add(
        AuditEvent(actor_id=actor_id, action=action, detail={"user": user.public_id, **detail})
    )


def list_users(*, session: Session, query: str = "") -> list[User]:
    """Return accounts, staff first, filtered by email or name."""
    from sqlalchemy.orm import selectinload

    statement = (
        select(User)
        .options(selectinload(User.roles))
        .where(User.removed_at.is_(None))
        .order_by(User.email)
    )
    if query.strip():
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(
            func.lower(User.email).like(pattern) | func.lower(User.display_name).like(pattern)
        )
    users = list(session.scalars(statement))
    return sorted(users, key=lambda u: (not u.has_role(*STAFF_ROLES), u.email))


def users_after(
    *, session: Session, query: str = "", after: str | None = None, limit: int = 50
) -> list[User]:
    """Accounts by email address, after the address ``after`` (a keyset page), filtered by
    email or name as ``list_users`` is; removed accounts left out."""
    statement = (
        select(User)
        .options(selectinload(User.roles))
        .where(User.removed_at.is_(None))
        .order_by(User.email)
        .limit(limit)
    )
    if query.strip():
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(
            func.lower(User.email).like(pattern) | func.lower(User.display_name).like(pattern)
        )
    if after is not None:
        statement = statement.where(User.email > after)
    return list(session.scalars(statement))


def user_by_public_id(*, session: Session, public_id: str) -> User | None:
    """Return the account with this public id, if any and not removed."""
    return session.scalar(
        select(User).where(User.public_id == public_id, User.removed_at.is_(None))
    )


def _active_admins(session: Session, *, lock: bool = False) -> int:
    """How many enabled accounts hold the admin role.

    With ``lock``, their rows stay locked until the transaction ends (PostgreSQL), so
    that two admins removing or demoting each other at once cannot both count two and
    leave none: the second waits for the first, then counts again. SQLite's writers
    already take turns.
    """
    statement = (
        select(User.id)
        .join(UserRole, User.id == UserRole.user_id)
        .where(UserRole.role == RoleName.ADMIN.value, User.disabled.is_(False))
    )
    if lock:
        statement = statement.with_for_update(of=User)
    return len(session.scalars(statement).all())


LAST_ADMIN = Message(
    N_("This is the last active admin account: give another account the admin role first.")
)


def update_access(
    *, session: Session, user: User, roles: list[str], disabled: bool, actor_id: int
) -> list[str]:
    """Set a user's roles and whether the account is disabled; return what changed.

    Disabling an account ends all its sessions. The last active admin cannot lose
    the admin role or be disabled: nobody could manage accounts any more.
    """
    wanted = set(roles)
    unknown = wanted - {r.value for r in RoleName}
    if unknown:
        raise AccountError(
            Message(N_("Unknown role %(unknown)s."), {"unknown": ", ".join(sorted(unknown))}),
            field="roles",
        )
    held = {role.role for role in user.roles}
    losing_admin = RoleName.ADMIN.value in held and (RoleName.ADMIN.value not in wanted or disabled)
    if losing_admin and not user.disabled and _active_admins(session, lock=True) <= 1:
        raise AccountError(LAST_ADMIN, field="roles")
    changes = [f"granted {r}" for r in sorted(wanted - held)] + [
        f"removed {r}" for r in sorted(held - wanted)
    ]
    user.roles = [role for role in user.roles if role.role in wanted] + [
        UserRole(role=role, granted_by_id=actor_id) for role in sorted(wanted - held)
    ]
    if disabled != user.disabled:
        changes.append("disabled" if disabled else "enabled")
        user.disabled = disabled
        user.session_token = secrets.token_urlsafe(24)
    if changes:
        user.updated_at = utcnow()
        _audit(session, "account.access_changed", user, actor_id, changes=changes)
    return changes


def renew_invitation(*, session: Session, user: User, actor_id: int) -> None:
    """Make a staff account's earlier invitation links void, before a new one is mailed.

    An invitation's link is a reset link, which carries a fingerprint of the password
    hash; a new random password changes the hash, so every earlier link stops working.
    The caller queues the new invitation in the same transaction.

    Raises:
        AccountError: the owner already chose a password, or the account is disabled
            (a disabled account's links do not work).
    """
    if user.password_chosen_at is not None:
        raise AccountError(
            Message(
                N_(
                    "%(email)s already chose a password, so there is no invitation to send "
                    "again. If they forgot it, they can ask for a new one with “Forgot your "
                    "password?” on the sign-in page."
                ),
                {"email": user.email},
            )
        )
    if user.disabled:
        raise AccountError(
            Message(
                N_(
                    "%(email)s is disabled, and the link of an invitation would not work: "
                    "enable the account first."
                ),
                {"email": user.email},
            )
        )
    user.password_hash = hash_password(_unknown_password())
    user.updated_at = utcnow()
    _audit(session, "account.invitation_resent", user, actor_id)


def removal_refusal(
    *, session: Session, user: User, actor_id: int, lock: bool = False
) -> Message | None:
    """Why the account may not be removed by ``actor_id``, in plain words; None if it may."""
    if user.id == actor_id:
        return Message(N_("You cannot remove your own account. Another admin can remove it."))
    is_expert = user.has_role(RoleName.EXPERT) or session.scalar(
        select(func.count()).select_from(Expert).where(Expert.user_id == user.id)
    )
    if is_expert:
        return Message(
            N_(
                "%(email)s is an expert's account. Experts erase their own account, profile "
                "and CV from their profile (“Delete my account” under “What the roster holds "
                "about you”), so that nothing of theirs is kept by mistake. You can disable "
                "the account instead."
            ),
            {"email": user.email},
        )
    admin = user.has_role(RoleName.ADMIN) and not user.disabled
    if admin and _active_admins(session, lock=lock) <= 1:
        return LAST_ADMIN
    return None


def remove_account(*, session: Session, user: User, actor_id: int) -> str:
    """Remove a staff account; return the address it had.

    The row stays as a tombstone, so that the audit trail, and the experts whose
    profiles the person opened, still read who acted. It keeps its name (or, where it
    had none, its former address as its name) and loses everything else that could
    sign in, be mailed or hold a role: the address, the password, the roles, every
    session (the session token is rotated and the account disabled), and its mail not
    sent yet. The audit row carries the account's random id and former roles only.

    Raises:
        AccountError: the account is the actor's own, an expert's, or the last active
            admin (see ``removal_refusal``).
    """
    if refusal := removal_refusal(session=session, user=user, actor_id=actor_id, lock=True):
        raise AccountError(refusal)
    address, roles = user.email, sorted(role.role for role in user.roles)
    forget_recipient(session=session, emails=[address])
    now = utcnow()
    user.display_name = user.display_name or address
    user.email = REMOVED_ADDRESS.format(public_id=user.public_id)
    user.password_hash = hash_password(_unknown_password())
    user.session_token = secrets.token_urlsafe(24)
    user.roles = []
    user.disabled = True
    user.failed_logins, user.locked_until = 0, None
    user.removed_at = user.updated_at = now
    revoke_all(session=session, user_id=user.id)
    _audit(session, "account.removed", user, actor_id, roles=roles)
    return address


def find_user(*, session: Session, email: str) -> User | None:
    """Return the user with this email address (case-insensitive), if any."""
    return session.scalar(
        select(User).options(selectinload(User.roles)).where(User.email == email.strip().lower())
    )


def end_sessions(*, session: Session, user: User) -> None:
    """Invalidate every session of ``user`` on the server side by rotating its token."""
    user.session_token = secrets.token_urlsafe(24)
    user.updated_at = utcnow()
    session.add(user)


def set_password(*, session: Session, user: User, password: str) -> None:
    """Set a new password and end every existing session of the user."""
    if problem := password_problem(password, email=user.email):
        raise AccountError(problem, field="password")
    now = utcnow()
    user.password_hash = hash_password(password)
    user.password_changed_at = user.password_chosen_at = now
    user.failed_logins, user.locked_until = 0, None
    # Following an emailed link proves the address too.
    user.email_confirmed_at = user.email_confirmed_at or now
    end_sessions(session=session, user=user)
    session.add(AuditEvent(actor_id=user.id, action="auth.password_changed"))
