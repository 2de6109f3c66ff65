"""The job queue: one Huey instance per app, its storage chosen by ``JOBS_URL``.

The storage is a SQLite file, ``instance/jobs.db``, by default (no extra service);
a ``redis://`` URL selects Redis and a ``postgresql://`` URL PostgreSQL, for
several machines sharing one queue. The consumer is ``flask --app wsgi roster
worker``: it builds the app as the web server does, so every job runs with the
app's configuration and database. With ``JOBS_IMMEDIATE`` (the test suite) a job
runs at once, in the caller, on Huey's in-memory storage.

The queue is not where mail is kept: the outbox table is. A job lost with its queue
is made good by the sweep, which runs every minute and at the consumer's start.
"""

import importlib.util
import logging
import sqlite3
import weakref
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from weakref import WeakKeyDictionary

import psycopg
from flask import Flask
from huey import Huey, MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.pool import Pool

from roster import outbox
from roster.config import ConfigurationError
from roster.db import checkpoint, engines
from roster.mail import send_mail
from roster.models import OutboxMessage

QUEUE_NAME = "roster"
SWEEP_SCHEDULE = crontab(minute="*")
# Reminders of unanswered call-outs are counted in days: once an hour is soon enough.
REMINDER_SCHEDULE = crontab(minute="7")
# The watched searches' digest: once a day, early in the morning (UTC).
DIGEST_SCHEDULE = crontab(minute="15", hour="5")

# Imports left behind by a stopped worker or a lost queue are looked for every few minutes.
IMPORTS_SCHEDULE = crontab(minute="*/5")
# The answers kept for retried API requests last a day: forgotten once an hour.
RETRIES_SCHEDULE = crontab(minute="41")
# The whole roster is compared for likely duplicates once a night.
DUPLICATES_SCHEDULE = crontab(minute="17", hour="2")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Jobs:
    """An app's queue and its jobs: send one outbox message, sweep the outbox, remind
    those who have not answered a call-out, mail the watched searches' digests, and look
    for duplicates every night, run the imports sent to the API, forget the answers
    kept for retried API requests after a day, and learn the matcher's weights from the
    roster's decisions when an admin asks."""

    queue: Huey
    send_message: TaskWrapper
    sweep_outbox: TaskWrapper
    remind_call_outs: TaskWrapper
    send_digests: TaskWrapper
    sweep_duplicates: TaskWrapper
    run_import: TaskWrapper
    sweep_imports: TaskWrapper
    forget_retries: TaskWrapper
    learn_weights: TaskWrapper


# Which app's jobs a session's commit belongs to, found from the connection pool of the
# session's engine: commits happen in requests, commands and tests alike, with or without
# an app context, and a request's engine is a copy with its own options (a shorter busy
# wait) that shares the app engine's pool. Weak both ways, so that an app and its engines
# are freed together.
_JOBS_BY_POOL: WeakKeyDictionary[Pool, "weakref.ref[Jobs]"] = WeakKeyDictionary()


def make_queue(config: Mapping) -> Huey:
    """Create the Huey instance that ``JOBS_URL`` (or ``JOBS_IMMEDIATE``) names."""
    # Results are never read: a job's outcome is written on the outbox row.
    options = {"results": False, "utc": True}
    if config.get("JOBS_IMMEDIATE"):
        return MemoryHuey(QUEUE_NAME, immediate=True, **options)
    url: str = config["JOBS_URL"]
    scheme = url.partition(":")[0].partition("+")[0]
    if scheme == "sqlite" and url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path), **options)
    if scheme in ("redis", "rediss"):
        if importlib.util.find_spec("redis") is None:
            raise ConfigurationError(
                "JOBS_URL names a Redis server, but the redis package is not installed. "
                "Install it (pip install redis==8.1.0) or use a sqlite:/// or postgresql:// URL."
            )
        return RedisHuey(QUEUE_NAME, url=url, **options)
    if scheme in ("postgres", "postgresql"):
        dsn = "postgresql:" + url.partition(":")[2]
        # Its tables are made by `roster init-db` and the worker (``prepare``), so that a web
        # process starts, and its commits stand, while the queue's server is down.
        return PostgresHuey(QUEUE_NAME, dsn=dsn, create_tables=False, **options)
    raise ConfigurationError(
        f"JOBS_URL must be sqlite:///path/to/jobs.db, redis://host:6379/0 or "
        f"postgresql://user@host/db, not {url!r}."
    )


def _transport(message: OutboxMessage) -> None:
    # A stable Message-ID lets a receiving server drop a copy resent after a crash.
    send_mail(
        to=message.recipient,
        subject=message.subject,
        body=message.body,
        message_id=f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S}@roster.local>",
    )


def sweep(app: Flask, *, now: datetime | None = None) -> int:
    """Send every outbox message of the app that is due; return how many went out."""
    with app.app_context():
        return outbox.send_due(engine=engines(app).write, transport=_transport, now=now)


def remind(app: Flask, *, now: datetime | None = None) -> int:
    """Queue the reminders of call-outs that are due, in one transaction; return how many."""
    from roster.db import session_scope
    from roster.missions.callouts import remind_due, reply_links

    with app.app_context(), session_scope(app) as session:
        return remind_due(session=session, links=reply_links(app.config), now=now)


def digest(app: Flask, *, now: datetime | None = None) -> int:
    """Queue the watched searches' digests, in one transaction; return how many mails."""
    from roster.db import session_scope
    from roster.links import public_url
    from roster.recruiting.saved import send_digests

    with app.app_context(), session_scope(app) as session:
        results = public_url("experts.search")
        return send_digests(
            session=session,
            search_link=lambda query: f"{results}?{query}" if query else results,
            searches_page=public_url("searches.index"),
            now=now,
        )


def sweep_duplicates(app: Flask) -> int:
    """Compare the whole roster for likely duplicates, in one transaction; return how many new."""
    from roster.db import session_scope
    from roster.recruiting.duplicates import sweep as sweep_roster

    with app.app_context(), session_scope(app) as session:
        return sweep_roster(session=session).new


def run_import(app: Flask, public_id: str) -> str | None:
    """Run one import sent to the API, all or nothing; return the state it ended in.

    Its progress is kept in the queue's storage while it runs (the import's transaction
    holds SQLite's write lock until it ends), and SQLite's log is emptied after it, as
    after ``flask roster import``: a refused import's rows must not stay there.
    """
    from roster.db import session_scope
    from roster.interchange.runs import execute, progress_key

    queue = jobs_of(app).queue
    key = progress_key(public_id)
    with app.app_context():
        try:
            state = execute(
                open_session=lambda: session_scope(app),
                public_id=public_id,
                on_progress=lambda read: queue.put(key, read),
            )
        finally:
            queue.delete(key)
            with suppress(DBAPIError, sqlite3.Error):
                checkpoint(engines(app).write, wait=False)
    return state.value if state else None


def sweep_imports(app: Flask, *, now: datetime | None = None) -> list[str]:
    """Fail the imports whose worker stopped, queue again those left waiting; return these."""
    from roster.db import session_scope
    from roster.interchange.runs import sweep_runs

    with app.app_context(), session_scope(app) as session:
        waiting = sweep_runs(session=session, now=now)
    for public_id in waiting:
        jobs_of(app).run_import(public_id)
    return waiting


def forget_retries(app: Flask, *, now: datetime | None = None) -> int:
    """Forget the answers kept for retried API requests past their day; return how many."""
    from roster.db import session_scope
    from roster.retries import forget_old_answers

    with app.app_context(), session_scope(app) as session:
        return forget_old_answers(session=session, now=now)


def learn_weights(app: Flask, actor_id: int | None) -> str:
    """Fit the matcher's weights on the roster's decisions and keep the run; return its id.

    Nothing is adopted: an admin reads the run's figures first. A history the matcher
    cannot read is kept as a failed run (the page says why), and logged as a warning.
    """
    from roster.db import session_scope
    from roster.missions.learning import learn

    with app.app_context():
        run = learn(open_session=partial(session_scope, app), by_id=actor_id)
        if run.failed:
            logger.warning("Learning run %s failed: %s", run.public_id, run.learning["reason"])
        return run.public_id


def init_app(app: Flask) -> None:
    """Create the app's queue and register its jobs on it."""
    queue = make_queue(app.config)
    write = engines(app).write

    def send_outbox_message(message_id: int) -> None:
        """Send one outbox message, unless another sender has it or it went out."""
        with app.app_context():
            outbox.send_message(engine=write, message_id=message_id, transport=_transport)

    def sweep_outbox() -> None:
        """Send every outbox message that is due: left unsent, or due for another try."""
        if sent := sweep(app):
            logger.info("The sweep sent %d message(s) from the outbox.", sent)

    def remind_call_outs() -> None:
        """Remind, once, the experts who have not answered a call-out in time."""
        if reminded := remind(app):
            logger.info("%d call-out reminder(s) queued.", reminded)

    def send_watch_digests() -> None:
        """Mail each watcher the experts who newly match their watched searches."""
        if mailed := digest(app):
            logger.info("%d digest(s) of watched searches queued.", mailed)

    def nightly_duplicates() -> None:
        """Compare the whole roster for likely duplicates (blocked, never all pairs)."""
        if found := sweep_duplicates(app):
            logger.info("%d new likely duplicate(s) to review.", found)

    def run_sent_import(public_id: str) -> None:
        """Run one import sent to the API: every record written, or none."""
        if state := run_import(app, public_id):
            logger.info("Import %s: %s.", public_id, state)

    def look_after_imports() -> None:
        """Fail imports whose worker stopped; queue again those whose job was lost."""
        if waiting := sweep_imports(app):
            logger.info("%d import(s) queued again.", len(waiting))

    def forget_old_retries() -> None:
        """Forget the answers kept for retried API requests once they are a day old."""
        if forgotten := forget_retries(app):
            logger.info("%d kept answer(s) of retried requests forgotten.", forgotten)

    def learn_from_decisions(actor_id: int | None) -> None:
        """Learn the matcher's weights from the roster's decisions (an admin asked)."""
        logger.info("Learning run %s stored.", learn_weights(app, actor_id))

    jobs = Jobs(
        queue=queue,
        send_message=queue.task(name="send_outbox_message")(send_outbox_message),
        sweep_outbox=queue.periodic_task(SWEEP_SCHEDULE, name="sweep_outbox")(sweep_outbox),
        remind_call_outs=queue.periodic_task(REMINDER_SCHEDULE, name="remind_call_outs")(
            remind_call_outs
        ),
        send_digests=queue.periodic_task(DIGEST_SCHEDULE, name="send_watch_digests")(
            send_watch_digests
        ),
        sweep_duplicates=queue.periodic_task(DUPLICATES_SCHEDULE, name="sweep_duplicates")(
            nightly_duplicates
        ),
        run_import=queue.task(name="run_import")(run_sent_import),
        sweep_imports=queue.periodic_task(IMPORTS_SCHEDULE, name="sweep_imports")(
            look_after_imports
        ),
        forget_retries=queue.periodic_task(RETRIES_SCHEDULE, name="forget_retries")(
            forget_old_retries
        ),
        learn_weights=queue.task(name="learn_weights")(learn_from_decisions),
    )
    app.extensions["roster_jobs"] = jobs
    for engine in {write, engines(app).read}:
        _JOBS_BY_POOL[engine.pool] = weakref.ref(jobs)


def jobs_of(app: Flask) -> Jobs:
    """The app's queue and jobs."""
    return app.extensions["roster_jobs"]


@event.listens_for(OrmSession, "after_commit")
def _send_after_commit(session: OrmSession) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its messages go when the whole transaction commits
    message_ids = outbox.take_committed(session)
    found = _JOBS_BY_POOL.get(session.bind.pool) if message_ids and session.bind else None
    jobs = found() if found else None
    if jobs is None:
        return
    for message_id in message_ids:
        try:
            jobs.send_message(message_id)
        except Exception:  # noqa: BLE001  (the change is committed: a queue that is down must not fail it)
            logger.exception(
                "Outbox message %s could not be queued; the sweep will send it.", message_id
            )


@event.listens_for(OrmSession, "after_commit")
def _import_after_commit(session: OrmSession) -> None:
    if session.in_nested_transaction():
        return
    from roster.interchange.runs import take_committed

    public_ids = take_committed(session)
    found = _JOBS_BY_POOL.get(session.bind.pool) if public_ids and session.bind else None
    jobs = found() if found else None
    if jobs is None:
        return
    for public_id in public_ids:
        try:
            jobs.run_import(public_id)
        except Exception:  # noqa: BLE001  (the import is kept: it is queued again by hand)
            logger.exception("Import %s could not be queued.", public_id)


@event.listens_for(OrmSession, "after_rollback")
def _forget_imports(session: OrmSession) -> None:
    if not session.in_nested_transaction():
        from roster.interchange.runs import forget_rolled_back
        from roster.missions.learning import forget_requested

        forget_rolled_back(session)
        forget_requested(session)


@event.listens_for(OrmSession, "after_commit")
def _learn_after_commit(session: OrmSession) -> None:
    if session.in_nested_transaction():
        return
    from roster.missions.learning import take_requested

    asked = take_requested(session)
    found = _JOBS_BY_POOL.get(session.bind.pool) if asked and session.bind else None
    jobs = found() if found else None
    if jobs is None:
        return
    for actor_id in asked:
        try:
            jobs.learn_weights(actor_id)
        except Exception:  # noqa: BLE001  (nothing is lost: the admin asks again)
            logger.exception("A learning run could not be queued.")


def prepare(queue: Huey) -> None:
    """Create the queue's tables where it keeps them in a database server (safe to run again)."""
    if isinstance(queue, PostgresHuey):
        try:
            queue.storage.initialize_schema()
        except psycopg.OperationalError as error:
            raise ConfigurationError(
                f"The job queue named by JOBS_URL cannot be reached: {error}".strip()
            ) from None


def run_consumer(app: Flask, *, workers: int) -> None:
    """Run the consumer until interrupted: jobs as they come, the sweep every minute."""
    jobs = jobs_of(app)
    if jobs.queue.immediate:
        raise ConfigurationError(
            "JOBS_IMMEDIATE is set: jobs run inside the web process and there is no queue "
            "to consume. Unset it to run a worker."
        )
    prepare(jobs.queue)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s %(name)s: %(message)s"))
    for name in ("huey", __name__):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
    # Mail left unsent while no consumer ran goes out now, not at the next minute.
    jobs.sweep_outbox()
    jobs.queue.create_consumer(workers=workers, periodic=True, max_delay=2.0).run()
