"""The language each user chose for the pages and their mail

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 13:20:00.000000

A tag of the languages the roster is shown in (``ar``, ``zh``, ``en``, ``fr``, ``ru``,
``es``), or nothing until the user chooses one. Existing accounts have chosen none: their
pages follow the browser, and their mail the page that sent it, until they choose.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``user.language``."""
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )


def downgrade() -> None:
    """Drop ``user.language``."""
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("language")
