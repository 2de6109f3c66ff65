"""``flask match learn``, ``flask match weights`` and ``flask match use-defaults``.

The matcher learns its weights from the roster's decisions (``roster.missions.learning``),
prints them beside the defaults with the validation figures, and, when asked, adopts
them; like every ``flask match`` command they fail in plain words with exit status 1.
"""

from typing import Any

import click

from matching.scoring import CRITERIA, DEFAULT_WEIGHTS
from roster.cli import fail, match_cli
from roster.db import session_scope
from roster.models import LearningRun, User


def _weights_table(run: LearningRun | None, in_use: dict[str, float]) -> list[str]:
    """criterion, default, learned (when there is a run), in use: a plain table."""
    learned = f"{'learned':>9}" if run else ""
    lines = [f"{'criterion':<14}{'default':>9}{learned}{'in use':>9}"]
    for name in CRITERIA:
        line = f"{name:<14}{DEFAULT_WEIGHTS[name]:>9.3f}"
        if run:
            # A run kept by a matcher without this criterion (or a failed run) has none.
            learned_weight = run.weights.get(name)
            line += "—".rjust(9) if learned_weight is None else f"{learned_weight:>9.3f}"
        lines.append(line + f"{in_use[name]:>9.3f}")
    return lines


def _shapes_line(shapes: dict[str, str] | None, defaults: dict[str, str] | None) -> str | None:
    if not shapes:
        return None
    parts = []
    for name, shape in shapes.items():
        default = (defaults or {}).get(name)
        moved = f" (default: {default})" if default and default != shape else ""
        parts.append(f"{name} {shape}{moved}")
    return "Shapes: " + ", ".join(parts) + "."


def describe_run(run: LearningRun) -> list[str]:
    """A run's counts and validation figures in plain words."""
    learning: dict[str, Any] = run.learning
    if run.failed:
        return [f"Run {run.public_id}: {learning.get('reason', '')}".rstrip()]
    lines = [
        f"Run {run.public_id}: {learning.get('reason', '')}".rstrip(),
        f"History: {learning.get('roles', 0)} role(s) of {learning.get('missions', 0)} "
        f"mission(s) with {learning.get('decisions', 0)} usable decision(s) of "
        f"{learning.get('decisions_total', 0)} ({learning.get('unknown_experts', 0)} about "
        f"experts not on the roster now), {learning.get('pairs', 0)} preference pair(s); "
        f"at least {learning.get('min_roles', 0)} role(s) needed to learn.",
    ]
    validation = learning.get("validation")
    if validation and run.learned:
        lines.append(
            f"Validation on missions the fit did not see ({validation['folds']} fold(s)): "
            f"{validation['metric']} {validation['learned']:.3f} with the learned weights, "
            f"{validation['defaults']:.3f} with the defaults."
        )
    elif validation:  # kept the defaults: the weights chosen were the defaults themselves
        lines.append(
            f"Validation on missions the fit did not see ({validation['folds']} fold(s)): "
            f"{validation['metric']} {validation['defaults']:.3f} with the defaults; "
            "no learned weights did better, so none were kept."
        )
    if (shapes := _shapes_line(run.shapes, learning.get("default_shapes"))) is not None:
        lines.append(shapes)
    return lines


@match_cli.command("learn")
@click.option(
    "--adopt",
    is_flag=True,
    help="Rank with the learned weights from now on (only if the history was enough).",
)
def learn_command(adopt: bool) -> None:
    """Learn the score's weights from the roster's decisions; print them beside the defaults.

    The run is kept (the admin page shows it). With --adopt, shortlists and teams rank
    with its weights from now on; if the history was too small to learn from, nothing
    is adopted and the command exits with status 1, saying why. A history that cannot
    be read (a stored decision the matcher refuses) is kept as a failed run, and the
    command says which record and exits with status 1.
    """
    from roster.missions.learning import LearningRefused, fit_run, in_use, keep_run
    from roster.missions.learning import adopt as adopt_run

    refusal = None
    with session_scope(write=False) as session:  # the fit holds no write lock
        run = fit_run(session=session, by_id=None)
    with session_scope() as session:
        keep_run(session=session, run=run)
        if adopt:
            try:
                adopt_run(session=session, run=run, by_id=None)
            except LearningRefused as refused:
                refusal = refused
        weights = in_use(session).weights
        for line in describe_run(run):
            click.echo(line)
        if not run.failed:
            for line in _weights_table(run, weights):
                click.echo(line)
    if run.failed:
        fail(
            f"{run.learning.get('reason')} Nothing was learned and the weights in use "
            "stay; correct that record and run `flask match learn` again."
        )
    if refusal is not None:
        fail(f"nothing adopted: {str(refusal.problems[0].message)}")
    if adopt:
        click.echo("Adopted: shortlists and teams rank with the learned weights from now on.")
    elif run.learned:
        click.echo("Not adopted: run `flask match learn --adopt`, or adopt it at /admin/matching.")


@match_cli.command("weights")
def weights_command() -> None:
    """Print the weights shortlists and teams rank with, and where they came from."""
    from roster.missions.learning import in_use

    with session_scope(write=False) as session:
        used = in_use(session)
        if used.run is None:
            when = f" since {used.adoption.at:%Y-%m-%d %H:%M} UTC" if used.adoption else ""
            click.echo(f"In use: the default weights{when}.")
        else:
            by = session.get(User, used.adoption.by_id) if used.adoption.by_id else None
            click.echo(
                f"In use: the weights of run {used.run.public_id}, learned "
                f"{used.run.created_at:%Y-%m-%d %H:%M} UTC, adopted "
                f"{used.adoption.at:%Y-%m-%d %H:%M} UTC by "
                f"{by.email if by else 'the command line'}."
            )
        for line in _weights_table(used.run, used.weights):
            click.echo(line)
        if used.run is not None:
            shapes = _shapes_line(used.run.shapes, used.run.learning.get("default_shapes"))
            if shapes:
                click.echo(shapes)


@match_cli.command("use-defaults")
def use_defaults_command() -> None:
    """Rank with the default weights and shapes again (the learned runs are kept)."""
    from roster.missions.learning import LearningRefused, restore_defaults

    with session_scope() as session:
        try:
            restore_defaults(session=session, by_id=None)
        except LearningRefused as refused:
            fail(str(refused.problems[0].message))
    click.echo("Shortlists and teams rank with the default weights from now on.")
