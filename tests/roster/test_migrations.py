"""The migrations build exactly the schema that the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import roster.models  # noqa: F401  (registers every table)
from roster.db import make_engines
from roster.migrate import include_object


def test_the_migrated_database_matches_the_models(migrated_database):
    engine = make_engines(migrated_database).write
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_object}
            )
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        engine.dispose()
