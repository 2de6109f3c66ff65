"""Schema migrations with Alembic, driven from the app rather than an alembic.ini."""

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def include_object(obj: object, name: str | None, kind: str, reflected: bool, compare_to) -> bool:
    """Leave out of migrations the tables of the job queue's PostgreSQL storage (``huey_*``)."""
    return not (
        kind == "table" and reflected and compare_to is None and (name or "").startswith("huey_")
    )


def alembic_config(database_url: str) -> Config:
    """Return an Alembic configuration for a database URL."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str) -> None:
    """Create or upgrade the schema to the newest revision; safe to run again."""
    command.upgrade(alembic_config(database_url), "head")
