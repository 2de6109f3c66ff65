"""Creating and managing accounts: typed, keyword-only, no request state."""

from sqlalchemy import func, select
from sqlmodel import Session

from roster.auth.passwords import hash_password, password_problem
from roster.models import AuditEvent, RoleName, User, UserRole, utcnow


class AccountError(ValueError):
    """An account operation refused, with a plain-English reason."""


def create_user(*, session: Session, email: str, password: str, roles: list[str],
                display_name: str = "", confirmed: bool = False,
                actor_id: int | None = None) -> User:
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
    user = User(email=email, display_name=display_name, password_hash=hash_password(password),
                email_confirmed_at=utcnow() if confirmed else None)
    user.roles = [UserRole(role=role, granted_by_id=actor_id) for role in dict.fromkeys(roles)]
    session.add(user)
    session.flush()
    session.add(AuditEvent(actor_id=actor_id, action="account.create",
                           detail={"user": user.public_id, "roles": sorted(set(roles))}))
    return user
