"""The ``flask roster needs`` and ``flask roster decisions`` commands.

Needs assessments in and out in the contract's format, and the record of every
candidacy; like every ``flask roster`` command they fail in plain words, import all or
nothing, and write an export only when it is complete.
"""

from pathlib import Path

import click

from roster.cli import PlainGroup, _require_file, emptied_log_after, fail
from roster.db import session_scope

needs_cli = PlainGroup("needs", help="Import and export needs assessments (.json, .jsonl).")
decisions_cli = PlainGroup("decisions", help="Export what happened to each candidate.")


def _require_export_path(path: Path, problem: str | None) -> None:
    """Fail in plain words unless an export can be written at ``path``."""
    if problem:
        fail(problem)
    if not path.parent.is_dir():
        fail(f"{path.parent}: no such folder")
    if path.is_dir():
        fail(f"{path}: a folder, not a file")


@needs_cli.command("import")
@click.argument("path", type=click.Path(path_type=Path))
def needs_import_command(path: Path) -> None:
    """Import needs assessments from a .json (one or a list) or .jsonl file, all or nothing.

    An assessment whose id is already stored is updated in place; its roles that already
    have candidates are kept.
    """
    from roster.interchange.services import ImportFailed
    from roster.missions.needs_io import import_needs

    _require_file(path)
    try:
        with emptied_log_after(), session_scope() as session:
            report = import_needs(session=session, path=path)
    except ImportFailed as failure:
        for problem in failure.report.problems:
            click.echo(str(problem), err=True)
        fail(
            f"{len(failure.report.problems)} problem(s) found in {path.name}; "
            "no needs assessment was imported."
        )
    for line in report.note_lines():
        click.echo(f"note: {line}", err=True)
    click.echo(
        f"Imported {report.read} needs assessment(s) from {report.source}: "
        f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged."
    )


@needs_cli.command("export")
@click.argument("path", type=click.Path(path_type=Path))
def needs_export_command(path: Path) -> None:
    """Export every needs assessment to a .json (a list) or .jsonl file."""
    from roster.missions.needs_io import export_needs, needs_file_problem

    _require_export_path(path, needs_file_problem(path))
    with session_scope(write=False) as session:
        count = export_needs(session=session, path=path)
    click.echo(f"Exported {count} needs assessment(s) to {path}.")


@decisions_cli.command("export")
@click.argument("path", type=click.Path(path_type=Path))
def decisions_export_command(path: Path) -> None:
    """Export one record per candidate and role, as it stands at its last decision (.jsonl)."""
    from roster.missions.decisions import export_decisions

    suffix = path.suffix.lower()
    _require_export_path(
        path,
        None
        if suffix == ".jsonl"
        else f"{path.name}: decisions are written as JSON Lines (.jsonl)",
    )
    with session_scope(write=False) as session:
        count = export_decisions(session=session, path=path)
    click.echo(f"Exported {count} candidate decision record(s) to {path}.")
