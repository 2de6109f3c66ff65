"""Named lists of experts, and saved searches that may be watched

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-07 06:06:24.656608

A watched search keeps the experts it matched at its last digest (saved_search_match),
so the next digest names only those who newly match.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "expert_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user.id"], name=op.f("fk_expert_list_owner_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_list")),
        sa.UniqueConstraint("owner_id", "name", name="uq_expert_list_owner_name"),
    )
    with op.batch_alter_table("expert_list", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_list_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "saved_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("watched", sa.Boolean(), nullable=False),
        sa.Column("last_digest_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
            name=op.f("fk_saved_search_owner_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search")),
        sa.UniqueConstraint("owner_id", "name", name="uq_saved_search_owner_name"),
    )
    with op.batch_alter_table("saved_search", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_search_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_saved_search_watched"), ["watched"], unique=False)

    op.create_table(
        "expert_list_entry",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["user.id"],
            name=op.f("fk_expert_list_entry_added_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["expert.id"],
            name=op.f("fk_expert_list_entry_expert_id_expert"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["expert_list.id"],
            name=op.f("fk_expert_list_entry_list_id_expert_list"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("list_id", "expert_id", name=op.f("pk_expert_list_entry")),
    )
    with op.batch_alter_table("expert_list_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_expert_list_entry_expert_id"), ["expert_id"], unique=False
        )

    op.create_table(
        "saved_search_match",
        sa.Column("saved_search_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["expert.id"],
            name=op.f("fk_saved_search_match_expert_id_expert"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["saved_search_id"],
            ["saved_search.id"],
            name=op.f("fk_saved_search_match_saved_search_id_saved_search"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("saved_search_id", "expert_id", name=op.f("pk_saved_search_match")),
    )
    with op.batch_alter_table("saved_search_match", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_saved_search_match_expert_id"), ["expert_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("saved_search_match", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_search_match_expert_id"))

    op.drop_table("saved_search_match")
    with op.batch_alter_table("expert_list_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_list_entry_expert_id"))

    op.drop_table("expert_list_entry")
    with op.batch_alter_table("saved_search", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_search_watched"))
        batch_op.drop_index(batch_op.f("ix_saved_search_owner_id"))

    op.drop_table("saved_search")
    with op.batch_alter_table("expert_list", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_list_owner_id"))

    op.drop_table("expert_list")
