"""Schema migrations with Alembic, driven from the app rather than an alembic.ini."""

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
PYPROJECT = MIGRATIONS.parent / "pyproject.toml"


def include_object(obj: object, name: str | None, kind: str, reflected: bool, compare_to) -> bool:
    """Leave out of migrations the tables of the job queue's PostgreSQL storage (``huey_*``)."""
    return not (
        kind == "table" and reflected and compare_to is None and (name or "").startswith("huey_")
    )


# What autogenerate compares, for ``alembic revision --autogenerate`` (migrations/env.py)
# and for the test that the migrations build what the models describe alike.
COMPARE = {"compare_type": True, "compare_server_default": True, "include_object": include_object}


def alembic_config(database_url: str) -> Config:
    """Return an Alembic configuration for a database URL.

    A revision written by autogenerate is formatted and fixed by ruff as it is
    written, so that ``make lint`` stays clean on the whole tree.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["database_url"] = database_url
    ruff = f'--config "{PYPROJECT}" REVISION_SCRIPT_FILENAME'
    hooks = {"format": f"format {ruff}", "fix": f"check --fix {ruff}"}
    config.set_section_option("post_write_hooks", "hooks", " ".join(hooks))
    for name, options in hooks.items():
        config.set_section_option("post_write_hooks", f"{name}.type", "module")
        config.set_section_option("post_write_hooks", f"{name}.module", "ruff")
        config.set_section_option("post_write_hooks", f"{name}.options", options)
    return config


def upgrade(database_url: str) -> None:
    """Create or upgrade the schema to the newest revision; safe to run again."""
    command.upgrade(alembic_config(database_url), "head")
