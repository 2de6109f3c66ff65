"""How a request's session cookie becomes a user."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from roster.db import get_session
from roster.extensions import login_manager
from roster.models import User


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """Find the active user whose current session token the cookie carries."""
    return get_session().scalar(
        select(User)
        .options(selectinload(User.roles))
        .where(
            User.session_token == session_token,
            User.disabled.is_(False),
            User.removed_at.is_(None),
        )
    )
