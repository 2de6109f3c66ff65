"""The embedded database: settings, and concurrent writers that never deadlock."""

import threading

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from roster.db import make_engines
from roster.models import AuditEvent
from tests.conftest import POSTGRES_URL

sqlite_only = pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite settings")


@sqlite_only
def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(database_url):
    engine = make_engines(database_url).write
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15_000
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()


def test_concurrent_read_then_write_transactions_all_succeed(database_url):
    """Like gunicorn workers: each reads, then writes, in one transaction, at the same time."""
    workers, rounds = 4, 15
    errors: list[Exception] = []
    start = threading.Barrier(workers)

    def worker(number: int) -> None:
        engines = make_engines(database_url)  # one engine per worker, as in separate processes
        start.wait()
        try:
            for round_ in range(rounds):
                with Session(engines.write) as session:
                    seen = session.scalar(select(func.count()).select_from(AuditEvent))
                    session.add(
                        AuditEvent(
                            action="test.write",
                            detail={"worker": number, "seen": seen, "round": round_},
                        )
                    )
                    session.commit()
        except Exception as error:  # noqa: BLE001  (collected and reported below)
            errors.append(error)
        finally:
            engines.write.dispose()
            engines.read.dispose()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = make_engines(database_url).read
    with engine.connect() as connection:
        assert (
            connection.execute(text("SELECT count(*) FROM audit_event")).scalar()
            == workers * rounds
        )
    engine.dispose()
