"""Expertise verification note: the evidence a recruiter saw when verifying an area

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-07 06:06:55.819445
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("expert_skill", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "verification_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True
            )
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("expert_skill", schema=None) as batch_op:
        batch_op.drop_column("verification_note")
