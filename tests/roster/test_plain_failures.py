"""Commands and pages fail in plain words on database and file trouble, never a traceback."""

import sqlite3

import pytest

from roster import create_app, db
from tests.conftest import register
from tests.factories import expert_record, write_jsonl


@pytest.fixture
def fresh_runner(tmp_path):
    """A runner on a database file that nobody has run init-db on."""
    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}", "SECRET_KEY": "k"}
    )
    return app.test_cli_runner()


@pytest.mark.parametrize("command", [["export", "out.jsonl"], ["demo", "--experts", "3"]])
def test_a_database_without_the_schema_says_to_run_init_db(fresh_runner, tmp_path, command):
    if command[0] == "export":
        command = ["export", str(tmp_path / "out.jsonl")]
    result = fresh_runner.invoke(args=["roster", *command])
    assert result.exit_code == 1
    assert "no roster tables yet" in result.output and "roster init-db" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_import_into_a_database_without_the_schema_says_to_run_init_db(fresh_runner, tmp_path):
    path = write_jsonl(tmp_path / "one.jsonl", [expert_record()])
    result = fresh_runner.invoke(args=["roster", "import", str(path)])
    assert result.exit_code == 1 and "roster init-db" in result.output


def test_a_folder_is_neither_imported_nor_overwritten_by_an_export(runner, tmp_path):
    folder = tmp_path / "experts.jsonl"
    folder.mkdir()
    for command in ("import", "export"):
        result = runner.invoke(args=["roster", command, str(folder)])
        assert result.exit_code == 1
        assert "a folder, not a file" in result.output


def test_a_write_that_waits_too_long_for_another_says_the_database_is_busy(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "busy.db"
    from roster.migrate import upgrade

    upgrade(f"sqlite:///{path}")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "k"})
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # Another writer, an import say, holds the lock.
    try:
        result = app.test_cli_runner().invoke(
            args=["roster", "import", str(write_jsonl(tmp_path / "a.jsonl", [expert_record()]))]
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert "The database is busy with another write" in result.output
    assert "Traceback" not in result.output


def test_a_page_that_cannot_write_for_a_busy_database_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "WEB_BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "busy.db"
    from roster.migrate import upgrade

    upgrade(f"sqlite:///{path}")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "k"})
    client = app.test_client()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = register(client)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "The database is busy with another write" in response.get_data(as_text=True)
