"""Personal access tokens: made, listed, revoked and checked; typed, no request state.

A token acts for its owner and may do no more than the owner may do in the web pages,
narrowed further by its scopes. The secret is shown once, when the token is made; the
roster keeps its SHA-256 hash and the first characters, to tell tokens apart.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from roster.messages import N_, Message
from roster.models import ApiToken, AuditEvent, RoleName, User, utcnow
from roster.refusal import Problems, Refused
from roster.validation import clean_text

# Every token's secret starts so: a scanner of leaked secrets (and a person) can tell one.
SECRET_PREFIX = "eer_"
SHOWN_PREFIX = 8  # characters of the secret kept to tell tokens apart, after SECRET_PREFIX
MAX_NAME = 100
DEFAULT_DAYS = 90
MAX_DAYS = 366
# A token's "last used" is written at most this often: not a write on every request.
LAST_USED_EVERY = timedelta(minutes=5)

EXPERT = (RoleName.EXPERT,)
KEEPERS = (RoleName.RECRUITER, RoleName.ADMIN)
PLANNERS = (RoleName.PLANNER, RoleName.ADMIN)


@dataclass(frozen=True)
class Scope:
    """What a token may be allowed: its name, who may hold it, and what it opens."""

    name: str
    roles: tuple[RoleName, ...]
    description: Message


SCOPES: dict[str, Scope] = {
    scope.name: scope
    for scope in (
        Scope("profile:read", EXPERT, Message(N_("Read your own profile and candidacies."))),
        Scope(
            "profile:write",
            EXPERT,
            Message(N_("Change your own profile and answer call-outs.")),
        ),
        Scope(
            "roster:read",
            (RoleName.RECRUITER, RoleName.PLANNER, RoleName.ADMIN),
            Message(N_("Search the roster and read experts' profiles, each view audited.")),
        ),
        Scope(
            "roster:write",
            KEEPERS,
            Message(
                N_("Decide experts' roster status, merge duplicates, import and export experts.")
            ),
        ),
        Scope("needs:read", PLANNERS, Message(N_("Read needs assessments and their roles."))),
        Scope("needs:write", PLANNERS, Message(N_("Enter and change needs assessments."))),
        Scope(
            "shortlists:write",
            PLANNERS,
            Message(N_("Issue shortlists and teams, call candidates out, record decisions.")),
        ),
        Scope("admin", (RoleName.ADMIN,), Message(N_("Administer accounts and the audit trail."))),
    )
}


class TokenRefused(Refused):
    """A token that cannot be made as asked (its name, scopes or lifetime)."""


@dataclass(frozen=True)
class IssuedToken:
    """A token just made, and its secret: the only time the secret is known."""

    token: ApiToken
    secret: str


def hash_secret(secret: str) -> str:
    """The hash kept for ``secret``."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def scopes_for(user: User) -> list[str]:
    """The scopes ``user``'s roles allow, in the order they are listed."""
    return [name for name, scope in SCOPES.items() if user.has_role(*scope.roles)]


def create_token(
    *,
    session: Session,
    user: User,
    name: str,
    scopes: list[str],
    days: int = DEFAULT_DAYS,
    actor_id: int | None = None,
    via: str = "web",
) -> IssuedToken:
    """Make a token for ``user`` and audit it; the secret is in the answer, and nowhere else.

    ``actor_id`` is who made it (``user`` by default); ``via`` where: ``"web"``, or
    ``"cli"`` for the command line, whose events have no actor (as its imports' have not).

    Raises:
        TokenRefused: the account is disabled or removed (at the path ``""``: its token
            would not work); the name is empty, too long or unstorable; a scope is unknown
            or beyond ``user``'s roles; ``days`` is outside 1 to ``MAX_DAYS``.
    """
    problems = Problems()
    if user.disabled or user.removed_at is not None:
        problems.add("", N_("This account is disabled: its tokens would not work."))
    clean = problems.check(
        "name",
        lambda: clean_text(
            name,
            label=Message(N_("The token's name")),
            max_length=MAX_NAME,
            required=Message(N_("Give the token a name, such as the script that will use it.")),
        ),
    )
    allowed = scopes_for(user)
    if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
        scopes = []
        problems.add("scopes", N_("Scopes are a list of names, such as profile:read."))
    elif not scopes:
        problems.add("scopes", N_("Choose at least one scope."))
    for index, scope in enumerate(scopes):
        if scope not in SCOPES:
            problems.add(f"scopes[{index}]", N_("There is no scope '%(scope)s'."), scope=scope)
        elif scope not in allowed:
            problems.add(
                f"scopes[{index}]",
                N_("Your account's roles do not allow the scope '%(scope)s'."),
                scope=scope,
            )
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        problems.add(
            "days",
            N_("A token lasts between 1 and %(most)s days."),
            most=str(MAX_DAYS),
        )
    problems.raise_if_any(TokenRefused)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=clean,
        prefix=secret[: len(SECRET_PREFIX) + SHOWN_PREFIX],
        secret_hash=hash_secret(secret),
        scopes=[scope for scope in SCOPES if scope in scopes],
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    session.add(
        AuditEvent(
            actor_id=None if via == "cli" else actor_id if actor_id is not None else user.id,
            action="api.token_created",
            detail={
                "token": token.public_id,
                "user": user.public_id,
                "scopes": token.scopes,
                "days": days,
                "via": via,
            },
        )
    )
    return IssuedToken(token=token, secret=secret)


def tokens_of(*, session: Session, user: User) -> list[ApiToken]:
    """``user``'s tokens that are not revoked, newest first (expired ones included)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(*, session: Session, user: User, public_id: str) -> ApiToken | None:
    """Revoke ``user``'s token ``public_id`` and audit it; None if they hold no such token."""
    token = session.scalar(
        select(ApiToken).where(
            ApiToken.public_id == public_id,
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
        )
    )
    if token is None:
        return None
    token.revoked_at = utcnow()
    session.add(
        AuditEvent(
            actor_id=user.id,
            action="api.token_revoked",
            detail={"token": token.public_id, "user": user.public_id},
        )
    )
    return token


def revoke_all(*, session: Session, user_id: int) -> int:
    """Revoke every live token of an account (it was disabled or removed); how many."""
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ).all()
    now = utcnow()
    for token in tokens:
        token.revoked_at = now
    return len(tokens)


class TokenFailure(Exception):
    """Why a presented token does not authenticate; ``reason`` is said to the client."""

    def __init__(self, reason: Message) -> None:
        self.reason = reason
        super().__init__(str(reason))


def authenticate(*, session: Session, secret: str) -> tuple[User, ApiToken]:
    """The active account and live token that ``secret`` names.

    Raises:
        TokenFailure: the secret is malformed, unknown, revoked or expired, or its
            account is disabled or removed. The reasons differ only where telling them
            apart helps the token's holder and tells a guesser nothing (a revoked or
            expired token was real; an unknown one gets the same words as a malformed one).
    """
    if not secret.startswith(SECRET_PREFIX) or not 20 <= len(secret) <= 200:
        raise TokenFailure(Message(N_("The access token is not valid.")))
    token = session.scalar(
        select(ApiToken)
        .options(selectinload(ApiToken.user).selectinload(User.roles))  # type: ignore[arg-type]
        .where(ApiToken.secret_hash == hash_secret(secret))
    )
    if token is None:
        raise TokenFailure(Message(N_("The access token is not valid.")))
    if token.revoked_at is not None:
        raise TokenFailure(Message(N_("The access token was revoked.")))
    now = utcnow()
    if token.expires_at <= now:
        raise TokenFailure(Message(N_("The access token has expired.")))
    user = token.user
    if user.disabled or user.removed_at is not None:
        raise TokenFailure(Message(N_("The account of this access token is disabled.")))
    return user, token


def use_to_note(token: ApiToken) -> bool:
    """Whether ``token``'s last use is older than ``LAST_USED_EVERY``: worth writing again."""
    return token.last_used_at is None or utcnow() - token.last_used_at > LAST_USED_EVERY


def note_use(*, engine: Engine, token: ApiToken) -> None:
    """Write now as when ``token`` was last used, in a short transaction of its own.

    For a request that only reads: its read transaction stays one, and on SQLite never
    becomes a writer that another's commit would make fail. A request that writes sets
    ``last_used_at`` in its own transaction instead (this one would wait for it).
    """
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token.id,
                or_(
                    ApiToken.last_used_at.is_(None),
                    ApiToken.last_used_at < now - LAST_USED_EVERY,
                ),
            )
            .values(last_used_at=now)
        )
