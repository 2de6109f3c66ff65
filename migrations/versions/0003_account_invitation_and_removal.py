"""Accounts: when the owner chose the password, and when an admin removed the account

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-09 10:12:00.000000

``password_chosen_at`` is filled from ``password_changed_at`` for every account whose
owner chose a password: every expert (registration asks for one) and every account
whose address is confirmed (choosing a password from an invitation confirms it, and
``roster create-user`` and the demo accounts open confirmed accounts). An unconfirmed
account without the expert role can only be a staff invitation still waiting, so it
stays empty there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("password_chosen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("removed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )

    user = sa.table(
        "user",
        sa.column("id", sa.Integer()),
        sa.column("email_confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime()),
        sa.column("password_changed_at", sqlmodel.sql.sqltypes.UTCDateTime()),
        sa.column("password_chosen_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    )
    user_role = sa.table(
        "user_role", sa.column("user_id", sa.Integer()), sa.column("role", sa.String())
    )
    experts = sa.select(user_role.c.user_id).where(user_role.c.role == "expert")
    op.execute(
        user.update()
        .where(sa.or_(user.c.email_confirmed_at.is_not(None), user.c.id.in_(experts)))
        .values(password_chosen_at=user.c.password_changed_at)
    )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
        batch_op.drop_column("password_chosen_at")
