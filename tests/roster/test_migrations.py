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


def test_migration_0003_knows_which_owners_chose_a_password(tmp_path):
    """Experts and confirmed accounts chose a password; an unconfirmed staff account waits."""
    from alembic import command
    from sqlalchemy import text

    from roster.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'roster.db'}"
    command.upgrade(alembic_config(url), "0002")
    engine = make_engines(url).write
    columns = (
        "public_id, email, display_name, password_hash, session_token, disabled, "
        "failed_logins, password_changed_at, created_at, updated_at, email_confirmed_at"
    )
    accounts = [
        ("invited", None, None),
        ("admin", "2026-01-02 00:00:00", None),
        ("expert", None, "expert"),
        ("confirmed-expert", "2026-01-03 00:00:00", "expert"),
    ]
    try:
        with engine.begin() as connection:
            for n, (name, confirmed, role) in enumerate(accounts, start=1):
                connection.execute(
                    text(
                        f'INSERT INTO "user" (id, {columns}) VALUES (:id, :name, :email, :name, '
                        "'x', :name, 0, 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00', "
                        "'2026-01-01 00:00:00', :confirmed)"
                    ),
                    {"id": n, "name": name, "email": f"{name}@example.org", "confirmed": confirmed},
                )
                connection.execute(
                    text(
                        "INSERT INTO user_role (user_id, role, granted_at) VALUES (:id, :role, "
                        "'2026-01-01 00:00:00')"
                    ),
                    {"id": n, "role": role or "recruiter"},
                )
        command.upgrade(alembic_config(url), "head")
        with engine.connect() as connection:
            chosen = dict(
                connection.execute(
                    text('SELECT public_id, password_chosen_at IS NOT NULL FROM "user"')
                ).all()
            )
    finally:
        engine.dispose()
    assert chosen == {"invited": 0, "admin": 1, "expert": 1, "confirmed-expert": 1}
