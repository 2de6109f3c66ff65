"""Public ids for named lists, saved searches and outbox messages

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 09:53:36.637205

Addresses (of the pages and of the API) name these records by an unguessable id, not
by their sequential key, which would let anyone count them and try their neighbours.
Each existing row gets a random url-safe id here, as ``new_public_id`` makes them for
new rows; the column is then made required and unique.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("expert_list", "outbox_message", "saved_search")
# Rows given their ids per statement: few round trips, bounded memory.
BATCH = 1000


def _public_id_column(nullable: bool) -> sa.Column:
    return sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=nullable)


def _fill(name: str) -> None:
    """Give every row of the table ``name`` a random public id (``new_public_id``'s kind)."""
    table = sa.table(name, sa.column("id", sa.Integer()), _public_id_column(True))
    connection = op.get_bind()
    ids = list(connection.scalars(sa.select(table.c.id).order_by(table.c.id)))
    change = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values(public_id=sa.bindparam("new_id"))
    )
    for start in range(0, len(ids), BATCH):
        connection.execute(
            change,
            [
                {"row_id": row_id, "new_id": secrets.token_urlsafe(12)}
                for row_id in ids[start : start + BATCH]
            ],
        )


def upgrade() -> None:
    """Apply this revision."""
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(_public_id_column(True))
        _fill(name)
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column(
                "public_id",
                existing_type=sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=False,
            )
            batch_op.create_index(batch_op.f(f"ix_{name}_public_id"), ["public_id"], unique=True)


def downgrade() -> None:
    """Revert this revision."""
    for name in reversed(TABLES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_public_id"))
            batch_op.drop_column("public_id")
