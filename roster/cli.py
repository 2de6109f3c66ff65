"""The ``flask roster`` and ``flask match`` commands.

Errors go to standard error in plain words with exit code 1; a failed command
writes nothing (imports roll back whole, exports appear only when complete).
"""

import json
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import DBAPIError
from tqdm import tqdm

from roster.db import checkpoint, describe_failure, engines, is_busy, session_scope
from roster.models import RoleName


class PlainGroup(AppGroup):
    """A command group whose commands fail in plain words on database and file errors."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DBAPIError as error:
            fail(describe_failure(error))
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            fail(f"{where}{error.strerror or error}")


roster_cli = PlainGroup(
    "roster", help="Manage the roster: schema, import, export, demo data, users."
)
match_cli = PlainGroup("match", help="Match experts to a needs assessment.")
duplicates_cli = PlainGroup("duplicates", help="Find likely duplicates among the experts.")

# Below this, a progress bar is more noise than help.
PROGRESS_THRESHOLD_BYTES = 2 * 1024 * 1024
PROGRESS_THRESHOLD_RECORDS = 3000


def fail(message: str) -> None:
    """Print a plain-English error to standard error and exit with status 1."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _require_file(path: Path) -> None:
    """Fail in plain words unless ``path`` is an existing file."""
    if path.is_dir():
        fail(f"{path}: a folder, not a file")
    if not path.is_file():
        fail(f"{path}: no such file")


@contextmanager
def emptied_log_after() -> Iterator[None]:
    """Empty SQLite's write-ahead log after an import, committed or not.

    The log holds every row the import wrote; rolled back, they stay there, unread but
    readable, until the log is overwritten.
    """
    wait = True
    try:
        yield
    except DBAPIError as error:
        wait = not is_busy(error)  # Another writer holds the database: do not wait twice.
        raise
    finally:
        # A failed checkpoint must not hide what happened; the next start empties the log.
        with suppress(DBAPIError, sqlite3.Error):
            checkpoint(engines().write, wait=wait)


@roster_cli.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (safe to run again)."""
    from roster.config import ConfigurationError
    from roster.jobs import jobs_of, prepare
    from roster.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    try:
        prepare(jobs_of(current_app).queue)
    except ConfigurationError as error:
        fail(str(error))
    click.echo("The database schema is up to date.")


def _print_report(report, *, verb: str) -> None:
    for line in report.note_lines():
        click.echo(f"note: {line}", err=True)
    click.echo(
        f"{verb} {report.read} record(s) from {report.source}: {report.created} created, "
        f"{report.updated} updated, {report.unchanged} unchanged."
    )
    if report.duplicates is None:
        click.echo("Too many records to look for duplicates now; the nightly sweep will.")
    elif report.duplicates:
        click.echo(f"{report.duplicates} likely duplicate(s) to review at /duplicates.")


@roster_cli.command("import")
@click.argument("path", type=click.Path(path_type=Path))
def import_command(path: Path) -> None:
    """Import experts from a .jsonl, .json or .csv file, all or nothing."""
    from roster.interchange.services import ImportFailed, import_file

    _require_file(path)
    size = path.stat().st_size
    bar = tqdm(
        total=size,
        unit="B",
        unit_scale=True,
        desc="Importing",
        file=sys.stderr,
        disable=None if size > PROGRESS_THRESHOLD_BYTES else True,
    )

    def advance(done: int) -> None:
        bar.update(done - bar.n)

    try:
        with emptied_log_after(), session_scope() as session:
            report = import_file(session=session, path=path, on_progress=advance)
    except ImportFailed as failure:
        bar.close()
        for problem in failure.report.problems:
            click.echo(str(problem), err=True)
        fail(
            f"{len(failure.report.problems)} problem(s) found in {path.name}; nothing was imported."
        )
    bar.close()
    _print_report(report, verb="Imported")


@roster_cli.command("export")
@click.argument("path", type=click.Path(path_type=Path))
def export_command(path: Path) -> None:
    """Export every expert to a .jsonl, .json or .csv file."""
    from roster.interchange.formats import FileRejected, file_format
    from roster.interchange.services import export_file

    try:
        file_format(path)
    except FileRejected as error:
        fail(str(error))
    if not path.parent.is_dir():
        fail(f"{path.parent}: no such folder")
    if path.is_dir():
        fail(f"{path}: a folder, not a file")
    with session_scope() as session:
        count = export_file(session=session, path=path)
    click.echo(f"Exported {count} expert(s) to {path}.")


@roster_cli.command("demo")
@click.option(
    "--experts",
    "count",
    type=click.IntRange(1, 100_000),
    default=2000,
    show_default=True,
    help="How many experts to generate.",
)
@click.option(
    "--seed",
    type=int,
    default=2024,
    show_default=True,
    help="Seed: the same seed and day, the same roster.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The demo's day (YYYY-MM-DD): histories end before it.  [default: today, UTC]",
)
@click.option("--if-empty", is_flag=True, help="Do nothing if the roster already holds experts.")
def demo_command(count: int, seed: int, as_of, if_empty: bool) -> None:
    """Fill the roster with a synthetic, realistic demo roster and its past missions.

    Experts are upserted by external_id; the demo's past missions and its experts'
    status histories are replaced.
    """
    from sqlalchemy import func, select

    from roster.demo import generate_demo
    from roster.demo.operations import load_demo
    from roster.interchange.services import ImportFailed
    from roster.models import Expert, utcnow

    if if_empty:
        with session_scope(write=False) as session:
            existing = session.scalar(select(func.count()).select_from(Expert))
        if existing:
            click.echo(f"The roster already holds {existing} experts; no demo data added.")
            return

    today = as_of.date() if as_of else utcnow().date()
    bar = tqdm(
        total=count,
        desc="Generating",
        unit=" experts",
        file=sys.stderr,
        disable=None if count > PROGRESS_THRESHOLD_RECORDS else True,
    )
    demo = generate_demo(count, seed=seed, today=today, on_expert=lambda n: bar.update(n - bar.n))
    bar.close()
    try:
        with emptied_log_after(), session_scope() as session:
            report = load_demo(session=session, demo=demo, source=f"demo seed {seed}")
    except ImportFailed as failure:
        for problem in failure.report.problems[:20]:
            click.echo(str(problem), err=True)
        fail("the demo generator made invalid records; nothing was written.")
    report.experts.notes.clear()  # Consent drops in synthetic data are expected, not news.
    _print_report(report.experts, verb="Generated")
    click.echo(
        f"Past missions as of {today.isoformat()}: {report.needs} needs assessment(s), "
        f"{report.shortlists} shortlist(s), {report.decisions} candidate decision(s), "
        f"{report.deployments} deployment(s)."
    )


@roster_cli.command("demo-accounts")
def demo_accounts_command() -> None:
    """Give a development instance one account per role, with new passwords; print them."""
    from flask import current_app

    from roster.demo_accounts import ensure_demo_accounts

    if current_app.config["ROSTER_ENV"] != "development":
        fail(
            "demo accounts are only made on a development instance (ROSTER_ENV=development): "
            "a roster in production has no default accounts."
        )
    with session_scope() as session:
        sign_ins = ensure_demo_accounts(session=session)
    click.echo(
        f"\nSign in at {current_app.config['ROSTER_BASE_URL']}/login with one of these demo "
        "accounts\n(new passwords on every run; this instance is for trying the roster):"
    )
    for sign_in in sign_ins:
        click.echo(f"  {sign_in.role:<10} {sign_in.email:<40} {sign_in.password}")
    if not any(s.role == RoleName.EXPERT for s in sign_ins):
        click.echo("  (no expert account: the roster has no complete demo profile to link)")
    click.echo("")


@roster_cli.command("create-user")
@click.option("--email", required=True, help="The account's email address.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    default=(RoleName.ADMIN.value,),
    show_default=True,
    type=click.Choice([role.value for role in RoleName]),
    help="Role (repeatable).",
)
@click.option("--name", default="", help="Display name.")
@click.option(
    "--password-file",
    type=click.File("r"),
    help="Read the password from this file ('-' for standard input) instead of prompting.",
)
def create_user_command(email: str, roles: tuple[str, ...], name: str, password_file) -> None:
    """Create an account, for instance the first admin."""
    from roster.accounts.services import AccountError, create_user

    if password_file is not None:
        password = password_file.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with session_scope() as session:
            user = create_user(
                session=session,
                email=email,
                password=password,
                roles=list(roles),
                display_name=name,
                confirmed=True,
            )
            summary = f"Created {user.email} with role(s) {', '.join(roles)}."
    except AccountError as error:
        fail(str(error.message))
    click.echo(summary)


@roster_cli.command("create-token")
@click.option("--email", required=True, help="The address of the account the token acts for.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    help="A scope the account's roles allow (repeatable), such as roster:read.",
)
@click.option(
    "--days",
    type=int,
    default=None,
    help="How many days the token lasts, 1 to 366.  [default: 90]",
)
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
def create_token_command(email: str, scopes: tuple[str, ...], days: int | None, name: str) -> None:
    """Make a personal access token and print its secret alone (audited).

    For set-up scripts: TOKEN=$(flask roster create-token --email E --scope S).
    """
    from roster.accounts.services import find_user
    from roster.accounts.tokens import DEFAULT_DAYS, TokenRefused, create_token

    try:
        with session_scope() as session:
            user = find_user(session=session, email=email)
            if user is None:
                fail(f"no account uses the address {email}; nothing was made.")
            issued = create_token(
                session=session,
                user=user,
                name=name,
                scopes=list(scopes),
                days=DEFAULT_DAYS if days is None else days,
                via="cli",
            )
            secret = issued.secret
    except TokenRefused as refusal:
        for problem in refusal.problems:
            click.echo(f"  {problem}", err=True)
        fail("the token was not made.")
    click.echo(secret)


@roster_cli.command("routes")
def routes_command() -> None:
    """Print who may use each route, as the Markdown table in the README."""
    from roster.auth.access import access_markdown

    click.echo(access_markdown(current_app))


@roster_cli.command("api-routes")
def api_routes_command() -> None:
    """Print the scope and roles each API operation needs, as the table in the README."""
    from roster.api.table import operations_markdown

    click.echo(operations_markdown(current_app))


@roster_cli.command("transitions")
def transitions_command() -> None:
    """Print who may change roster statuses and candidate outcomes, as tables in the README."""
    from roster.policy.candidacy import outcome_markdown
    from roster.policy.roster_status import status_markdown

    click.echo(f"{status_markdown()}\n\n{outcome_markdown()}")


def _load_needs(path: Path) -> dict:
    _require_file(path)
    try:
        needs = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        fail(f"{path.name}: not UTF-8 text")
    except json.JSONDecodeError as error:
        fail(
            f"{path.name}: malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        )
    except RecursionError:
        fail(f"{path.name}: lists or objects nested too deeply to be a needs assessment")
    if not isinstance(needs, dict):
        fail(f"{path.name}: a needs assessment must be a JSON object")
    return needs


def _fitted_matcher():
    """The process's matcher (``roster.matchers``), brought up to the roster's revision."""
    from roster.matchers import stop_matcher, up_to_date_matcher

    try:
        return up_to_date_matcher().matcher
    finally:
        stop_matcher(current_app)  # a command asks once: no thread to keep it fresh


def _needs_problem(error: Exception) -> str:
    errors = getattr(error, "errors", None)
    if errors:
        return "the needs assessment is invalid:\n" + "\n".join(
            f"  {e.field}: {e.message}" for e in errors
        )
    return str(error)


@match_cli.command("shortlist")
@click.argument("needs_path", metavar="NEEDS.json", type=click.Path(path_type=Path))
@click.option("--role", "role_id", help="The role's id; every role when omitted.")
@click.option(
    "--top",
    "k",
    type=click.IntRange(1, 500),
    default=10,
    show_default=True,
    help="How many candidates per shortlist.",
)
def shortlist_command(needs_path: Path, role_id: str | None, k: int) -> None:
    """Print ranked, explained shortlists (shortlist.schema.json) for a needs assessment."""
    from matching.records import RecordError, normalise_needs

    needs = _load_needs(needs_path)
    try:
        normalised, _ = normalise_needs(needs)
    except RecordError as error:
        fail(_needs_problem(error))
    role_ids = [role["id"] for role in normalised["roles"]]
    if role_id is not None and role_id not in role_ids:
        fail(f"no role '{role_id}' in {needs_path.name}; its roles are {', '.join(role_ids)}")
    matcher = _fitted_matcher()
    try:
        results = [
            matcher.shortlist(needs, role_id=rid, k=k)
            for rid in ([role_id] if role_id else role_ids)
        ]
    except ValueError as error:
        fail(_needs_problem(error))
    click.echo(json.dumps(results[0] if role_id else results, indent=2, ensure_ascii=False))


@match_cli.command("team")
@click.argument("needs_path", metavar="NEEDS.json", type=click.Path(path_type=Path))
@click.option(
    "--candidates",
    "per_role",
    type=click.IntRange(1, 500),
    default=50,
    show_default=True,
    help="How many of the best candidates per role the optimiser considers.",
)
def team_command(needs_path: Path, per_role: int) -> None:
    """Print a proposed team for a needs assessment: one distinct expert per position."""
    from matching.records import RecordError, normalise_needs

    needs = _load_needs(needs_path)
    try:
        normalise_needs(needs)
    except RecordError as error:
        fail(_needs_problem(error))
    try:
        team = _fitted_matcher().team(needs, candidates_per_role=per_role)
    except ValueError as error:
        fail(_needs_problem(error))
    click.echo(json.dumps(team, indent=2, ensure_ascii=False))


@roster_cli.command("remind-stale")
def remind_stale_command() -> None:
    """Queue a reminder to each expert whose profile is over a year old, once."""
    from roster.reminders import remind_stale

    with session_scope() as session:
        queued = remind_stale(session=session)
    click.echo(
        f"Queued {queued} reminder(s) about profiles more than a year old; "
        "the worker sends them (`flask roster outbox` lists any not sent yet)."
    )


@roster_cli.command("remind-call-outs")
def remind_call_outs_command() -> None:
    """Remind, once, each expert who has not answered a call-out in time."""
    from roster.jobs import remind

    queued = remind(current_app._get_current_object())
    click.echo(
        f"Queued {queued} reminder(s) of call-outs not answered; "
        "the worker sends them (`flask roster outbox` lists any not sent yet)."
    )


@roster_cli.command("digest")
def digest_command() -> None:
    """Mail the watched searches' digests now (the worker does it daily at 05:15 UTC)."""
    from roster.jobs import digest

    mailed = digest(current_app._get_current_object())
    click.echo(
        f"Queued {mailed} digest(s) of experts newly matching watched searches; "
        "the worker sends them (`flask roster outbox` lists any not sent yet)."
    )


@roster_cli.command("worker")
@click.option(
    "--workers",
    type=click.IntRange(1, 16),
    default=2,
    show_default=True,
    help="How many jobs may run at the same time (threads).",
)
def worker_command(workers: int) -> None:
    """Run the job queue's worker until Ctrl-C: it sends queued mail and retries failed mail."""
    from roster.config import ConfigurationError
    from roster.jobs import run_consumer

    try:
        run_consumer(current_app, workers=workers)
    except ConfigurationError as error:
        fail(str(error))


@roster_cli.command("outbox")
@click.option(
    "--retry", is_flag=True, help="Give the messages given up on ten more tries, starting now."
)
def outbox_command(retry: bool) -> None:
    """List the mail not sent yet: whom to, how many tries, the last error and the next try."""
    from roster.db import engines
    from roster.outbox import retry_given_up, unsent

    if retry:
        with session_scope() as session:
            click.echo(f"{retry_given_up(session=session)} message(s) will be tried again.")
    messages = unsent(engine=engines().read)
    for message in messages:
        next_try = (
            f"next try {message.next_attempt_at:%Y-%m-%d %H:%M} UTC"
            if message.next_attempt_at
            else "no more tries"
        )
        error = f"; last error: {message.last_error}" if message.last_error else ""
        click.echo(
            f"{message.id}\t{message.recipient}\t{message.subject}\t"
            f"tries: {message.attempts}, {next_try}{error}"
        )
    click.echo(f"{len(messages)} message(s) not sent yet.")


@duplicates_cli.command("sweep")
def duplicates_sweep_command() -> None:
    """Compare the whole roster within its blocks and record the likely duplicates found."""
    import time

    from roster.recruiting.duplicates import sweep

    started = time.perf_counter()
    with session_scope() as session:
        report = sweep(session=session)
    click.echo(
        f"Compared {report.records} record(s) in {report.comparisons} pair(s) sharing a block, "
        f"in {time.perf_counter() - started:.1f} s: {len(report.found)} likely duplicate(s), "
        f"{report.new} new to review at /duplicates."
    )


@match_cli.command("exposure")
@click.option("--from", "since", metavar="YYYY-MM-DD", help="The first day (UTC).")
@click.option("--to", "until", metavar="YYYY-MM-DD", help="The last day, included (UTC).")
def exposure_command(since: str | None, until: str | None) -> None:
    """Print how concentrated the top of the shortlists issued in a period is, as JSON.

    The last 90 days by default; as ``GET /api/v1/figures/exposure`` answers it.
    """
    from roster.api.exposure import exposure_answer
    from roster.models import utcnow
    from roster.recruiting.exposure import ExposureRefused, exposure, parse_period

    try:
        period = parse_period(since=since, until=until, today=utcnow().date())
    except ExposureRefused as refused:
        fail("; ".join(f"--{found}" for found in refused.problems))
    with session_scope(write=False) as session:
        found = exposure(session=session, period=period)
    click.echo(exposure_answer(found).model_dump_json(indent=2))
