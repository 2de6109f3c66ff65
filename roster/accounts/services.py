"""Creating and managing accounts: typed, keyword-only, no request state."""

from sqlalchemy import func, select
from sqlmodel import Session

from roster.auth.passwords import hash_password, password_problem
from roster.models import STAFF_ROLES, AuditEvent, RoleName, User, UserRole, utcnow


class AccountError(ValueError):
    """An account operation refused, with a plain-English reason."""


def create_user(
    *,
    session: Session,
    email: str,
    password: str,
    roles: list[str],
    display_name: str = "",
    confirmed: bool = False,
    actor_id: int | None = None,
) -> User:
    """Create an account with the given roles.

    Raises:
        AccountError: the email is taken or malformed, a role is unknown, or the
            password does not meet the policy.
    """
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError(f"'{email}' is not an email address.")
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(f"An account with the email {email} already exists.")
    unknown = [role for role in roles if role not in {r.value for r in RoleName}]
    if unknown:
        valid = ", ".join(r.value for r in RoleName)
        raise AccountError(f"Unknown role {', '.join(unknown)}; the roles are {valid}.")
    if problem := password_problem(password):
        raise AccountError(problem)
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        email_confirmed_at=utcnow() if confirmed else None,
    )
    user.roles = [UserRole(role=role, granted_by_id=actor_id) for role in dict.fromkeys(roles)]
    session.add(user)
    session.flush()
    session.add(
        AuditEvent(
            actor_id=actor_id,
            action="account.create",
            detail={"user": user.public_id, "roles": sorted(set(roles))},
        )
    )
    return user


def list_users(*, session: Session, query: str = "") -> list[User]:
    """Return accounts, staff first, filtered by email or name."""
    from sqlalchemy.orm import selectinload

    statement = select(User).options(selectinload(User.roles)).order_by(User.email)
    if query.strip():
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(
            func.lower(User.email).like(pattern) | func.lower(User.display_name).like(pattern)
        )
    users = list(session.scalars(statement))
    return sorted(users, key=lambda u: (not u.has_role(*STAFF_ROLES), u.email))


def user_by_public_id(*, session: Session, public_id: str) -> User | None:
    """Return the account with this public id, if any."""
    return session.scalar(select(User).where(User.public_id == public_id))


def _active_admins(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(UserRole)
            .join(User, User.id == UserRole.user_id)
            .where(UserRole.role == RoleName.ADMIN.value, User.disabled.is_(False))
        )
        or 0
    )


def update_access(
    *, session: Session, user: User, roles: list[str], disabled: bool, actor_id: int
) -> list[str]:
    """Set a user's roles and whether the account is disabled; return what changed.

    Disabling an account ends all its sessions. The last active admin cannot lose
    the admin role or be disabled: nobody could manage accounts any more.
    """
    import secrets

    wanted = set(roles)
    unknown = wanted - {r.value for r in RoleName}
    if unknown:
        raise AccountError(f"Unknown role {', '.join(sorted(unknown))}.")
    held = {role.role for role in user.roles}
    losing_admin = RoleName.ADMIN.value in held and (RoleName.ADMIN.value not in wanted or disabled)
    if losing_admin and not user.disabled and _active_admins(session) <= 1:
        raise AccountError(
            "This is the last active admin account: give another account the admin role first."
        )
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
        session.add(
            AuditEvent(
                actor_id=actor_id,
                action="account.access_changed",
                detail={"user": user.public_id, "changes": changes},
            )
        )
    return changes
