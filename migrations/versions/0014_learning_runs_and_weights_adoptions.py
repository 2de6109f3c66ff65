"""Learning runs and weights adoptions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:43:26.195642

The weights the matcher learned from the roster's decisions are kept run by run, as they
came out, with the figures that judge them; which weights the roster ranks with is the
newest adoption (a run, or the defaults restored), and the rows before it say who chose
what, when.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "learning_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("shapes", sa.JSON(), nullable=False),
        sa.Column("learning", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_learning_run_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_run")),
    )
    with op.batch_alter_table("learning_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learning_run_public_id"), ["public_id"], unique=True)

    op.create_table(
        "weights_adoption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_id"], ["user.id"], name=op.f("fk_weights_adoption_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["learning_run.id"],
            name=op.f("fk_weights_adoption_run_id_learning_run"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weights_adoption")),
    )
    with op.batch_alter_table("weights_adoption", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_weights_adoption_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("weights_adoption", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_weights_adoption_run_id"))

    op.drop_table("weights_adoption")
    with op.batch_alter_table("learning_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_run_public_id"))

    op.drop_table("learning_run")
