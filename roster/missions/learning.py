"""The matcher learns its weights from the roster's own decisions, and an admin adopts them.

The history is what planners decided about the candidates of every needs assessment
(``roster_history``: the assessment as ``needs.schema.json`` has it, and its candidacies
as ``decisions.schema.json`` has them). ``learn`` fits ``matching.Matcher`` on the
rostered experts with that history and keeps the outcome as a ``LearningRun``: the
weights, the shapes, and the matcher's account of them (``learning_``: learned or the
defaults and why, the roles and decisions used, the validation nDCG@10 of both on
missions the fit did not see). Nothing changes how the roster ranks until an admin
adopts a run (``adopt``) or goes back to the defaults (``restore_defaults``): each writes
a ``WeightsAdoption`` row and an audit event. The newest adoption is in force
(``in_use``); the matcher provider (``roster.matchers``) fits with its weights and shapes,
so every shortlist and team the app makes ranks with them and publishes them, and a
planner's weights for one request are laid over them.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from matching import Matcher, scoring
from matching.scoring import CRITERIA, DEFAULT_WEIGHTS
from roster.messages import N_
from roster.missions.decisions import decision_records
from roster.missions.records import needs_record
from roster.missions.shortlists import CRITERION_HINTS, CRITERION_NAMES
from roster.models import AuditEvent, LearningRun, NeedsAssessment, User, WeightsAdoption
from roster.refusal import Refused

__all__ = [
    "CRITERION_HINTS",
    "CRITERION_NAMES",
    "Overview",
    "WeightRow",
    "InUse",
    "LearningRefused",
    "adopt",
    "adoption_marker",
    "in_use",
    "latest_run",
    "overview",
    "failed_run",
    "fit_run",
    "keep_run",
    "learn",
    "request_learning",
    "restore_defaults",
    "roster_history",
    "run_by_public_id",
    "shape_words",
    "shapes_in_use",
    "take_requested",
    "forget_requested",
    "weights_in_use",
]

# The criteria's names and what each rewards are the role page's
# (``roster.missions.shortlists``): one wording for planners and admins.

# The shapes by which a criterion earns credit, in plain words; an unknown one by its name.
SHAPE_WORDS: dict[str, str] = {
    "margin": N_("a required language earns credit only for its level above the one asked for"),
    "met": N_("a required language earns half for meeting the level, half for the margin above"),
    "linear": N_("credit grows evenly with the years, up to twice the minimum asked for"),
    "concave": N_("the first years count most, later ones less"),
}


def shape_words(name: str) -> str:
    """The plain words (an ``N_`` id) for a shape's name; the name where none is known."""
    return SHAPE_WORDS.get(name, name)


# Where a session keeps the learning runs asked for until it commits.
_REQUESTED = "roster_learning_requested"


class LearningRefused(Refused):
    """A run that cannot be adopted, or defaults already in use."""


@dataclass(frozen=True)
class InUse:
    """The weights the roster ranks with, and where they came from.

    ``run`` is the adopted run, None while the defaults are in use; ``adoption`` the
    row that put them in force (None: never chosen, the defaults from the start).
    ``shapes`` None means the matcher's own default shapes.
    """

    adoption: WeightsAdoption | None
    run: LearningRun | None
    weights: dict[str, float]
    shapes: dict[str, str] | None

    @property
    def marker(self) -> int:
        """The adoption's id (0 before any): a matcher fitted under another is stale."""
        return self.adoption.id if self.adoption is not None else 0


def roster_history(session: Session) -> list[dict[str, Any]]:
    """Every needs assessment with candidate decisions, and those decisions.

    Returns:
        ``[{"needs": <needs.schema.json record>, "decisions": [<decisions.schema.json
        records>]}]`` in the order of the assessments' ids: one read of the decisions
        (``decision_records``, grouped by ``needs_id``) and one of the assessments.
    """
    grouped = [
        (needs_id, list(records))
        for needs_id, records in groupby(decision_records(session), key=lambda r: r["needs_id"])
    ]
    if not grouped:
        return []
    assessments = session.scalars(
        select(NeedsAssessment)
        .where(NeedsAssessment.external_id.in_([needs_id for needs_id, _ in grouped]))
        .options(selectinload(NeedsAssessment.roles))
    )
    needs = {assessment.external_id: needs_record(assessment) for assessment in assessments}
    return [{"needs": needs[needs_id], "decisions": records} for needs_id, records in grouped]


def _newest_adoption(session: Session) -> WeightsAdoption | None:
    """The adoption in force (the newest), None before any: one row, by the primary key."""
    return session.scalar(select(WeightsAdoption).order_by(WeightsAdoption.id.desc()).limit(1))


def adoption_marker(session: Session) -> int:
    """The newest adoption's id, 0 before any: one cheap read for the matcher provider."""
    return int(session.scalar(select(func.max(WeightsAdoption.id))) or 0)


def in_use(session: Session) -> InUse:
    """The weights (and shapes) the roster ranks with now: the newest adoption's."""
    adoption = _newest_adoption(session)
    run = session.get(LearningRun, adoption.run_id) if adoption and adoption.run_id else None
    if run is None:
        return InUse(adoption=adoption, run=None, weights=dict(DEFAULT_WEIGHTS), shapes=None)
    # A criterion or shape the matcher has since gained or dropped: its default, so that
    # a run kept from an older matcher never stops the matcher from fitting.
    weights = {name: float(run.weights.get(name, DEFAULT_WEIGHTS[name])) for name in CRITERIA}
    shapes = {
        name: shape for name, shape in run.shapes.items() if shape in scoring.SHAPES.get(name, ())
    }
    return InUse(adoption=adoption, run=run, weights=weights, shapes=shapes)


def weights_in_use(session: Session) -> dict[str, float]:
    """The adopted run's weights, else ``matching.scoring.DEFAULT_WEIGHTS``."""
    return in_use(session).weights


def shapes_in_use(session: Session) -> dict[str, str] | None:
    """The adopted run's shapes, else None (the matcher's default shapes)."""
    return in_use(session).shapes


def latest_run(session: Session) -> LearningRun | None:
    """The newest learning run, None before any."""
    return session.scalar(select(LearningRun).order_by(LearningRun.id.desc()).limit(1))


def run_by_public_id(session: Session, public_id: str) -> LearningRun | None:
    """The run at ``public_id``, None if there is none."""
    return session.scalar(select(LearningRun).where(LearningRun.public_id == public_id))


def request_learning(*, session: Session, by_id: int | None) -> None:
    """Ask for a learning run, queued as a job once this session's transaction commits.

    The job (``roster.jobs``) fits the whole roster: never inside a request, and never
    while the request still holds the database.
    """
    session.connection()  # a transaction to commit, after which the job is queued
    session.info.setdefault(_REQUESTED, []).append(by_id)


def take_requested(session: Session) -> list[int | None]:
    """Who asked for learning runs in the transaction the session just committed."""
    return session.info.pop(_REQUESTED, [])


def forget_requested(session: Session) -> None:
    """Rolled back: the learning runs asked for are not queued."""
    session.info.pop(_REQUESTED, None)


def fit_run(*, session: Session, by_id: int | None) -> LearningRun:
    """Fit the weights on the rostered experts and the roster's history; nothing is written.

    Below the matcher's minimum of history the run holds the defaults and says why
    (``learning["reason"]``). A history the matcher refuses (an invalid stored
    assessment, a decision for a role no longer on its assessment) gives a failed run
    that says which (``failed_run``) rather than an error. The fit takes seconds on a
    large roster: read in a session that does not hold the database for writing, then
    ``keep_run``.

    Args:
        session: the session to read the roster and its history in (one transaction).
        by_id: the admin who asked for it; None for the command line.
    Returns:
        The run, not added to any session.
    """
    # Imported here: roster.matchers imports this module for ``in_use``.
    from roster.matchers import read_records, read_verified

    session.connection()  # one transaction: the roster and its history agree
    history = roster_history(session)
    try:
        matcher = Matcher().fit(
            read_records(session), verified=read_verified(session), history=history
        )
    except ValueError as error:  # a stored decision the matcher cannot read
        return failed_run(error, history=history, by_id=by_id)
    return LearningRun(
        weights={name: float(matcher.weights_[name]) for name in CRITERIA},
        shapes=dict(matcher.shapes_),
        learning=dict(matcher.learning_),
        created_by_id=by_id,
    )


_WHERE = re.compile(r"^history\[(\d+)\](?:\.(decisions)\[(\d+)\])?")


def failed_run(
    error: ValueError, *, history: list[dict[str, Any]], by_id: int | None
) -> LearningRun:
    """A run that learned nothing because the history could not be read, and why.

    The matcher names the record by its place (``history[2].decisions[5]: ...``): the run
    names the needs assessment by its external id instead, and keeps the matcher's words
    (``learning["error"]``). It holds no weights (nothing to adopt; the page and the
    command show "—"), and ``learning["source"]`` is "failed".
    """
    message = str(error)
    needs_id = None
    found = _WHERE.match(message)
    if found is not None and int(found.group(1)) < len(history):
        needs_id = history[int(found.group(1))]["needs"].get("id")
        message = message[found.end() :].lstrip(":. ").strip() or message
        if found.group(2):
            message = f"decision {int(found.group(3)) + 1}: {message}"
    reason = (
        f"Learning failed: needs assessment {needs_id}, or a decision about its candidates, "
        f"could not be read ({message})."
        if needs_id
        else f"Learning failed: the roster's decisions could not be read ({message})."
    )
    return LearningRun(
        weights={},
        shapes={},
        learning={
            "source": "failed",
            "reason_code": "learning.failed",
            "reason": reason,
            "error": message,
            "needs_id": needs_id,
        },
        created_by_id=by_id,
    )


def keep_run(*, session: Session, run: LearningRun) -> LearningRun:
    """Write a fitted run and its audit event (nothing is adopted); the caller commits."""
    session.add(run)
    session.flush()
    session.add(
        AuditEvent(
            actor_id=run.created_by_id,
            action="matcher.learned",
            detail={"run": run.public_id, **_counts(run)},
        )
    )
    return run


def learn(*, open_session: Callable[..., Any], by_id: int | None) -> LearningRun:
    """Fit a run in a reading session, then keep it in a short writing one.

    Args:
        open_session: ``roster.db.session_scope`` bound to the app: called with
            ``write=False`` for the fit, without arguments for the write (it commits).
        by_id: the admin who asked for it; None for the command line.
    """
    with open_session(write=False) as session:
        run = fit_run(session=session, by_id=by_id)
    with open_session() as session:
        return keep_run(session=session, run=run)


def _counts(run: LearningRun) -> dict[str, Any]:
    """What the audit keeps of a run: where its weights came from and on how much."""
    learning = run.learning
    counts = {
        "source": learning.get("source"),
        "roles": learning.get("roles"),
        "decisions": learning.get("decisions"),
    }
    if run.failed:
        counts["error"] = learning.get("reason")
    return counts


def adopt(*, session: Session, run: LearningRun, by_id: int | None) -> WeightsAdoption:
    """Rank with ``run``'s weights and shapes from now on (audited).

    Raises:
        LearningRefused: the run learned nothing (too little history: its weights are the
            defaults), or it is the one in use already.
    """
    if run.failed:
        raise LearningRefused.at(
            "run", N_("This learning run failed: it holds no weights to adopt.")
        )
    if not run.learned:
        raise LearningRefused.at(
            "run",
            N_("Nothing was learned in this run: its weights are the defaults, which stay."),
        )
    current = in_use(session)
    if current.run is not None and current.run.id == run.id:
        raise LearningRefused.at("run", N_("These weights are in use already."))
    adoption = WeightsAdoption(run_id=run.id, by_id=by_id)
    session.add(adoption)
    session.add(
        AuditEvent(
            actor_id=by_id,
            action="matcher.weights_adopted",
            detail={"run": run.public_id, "weights": run.weights, "shapes": run.shapes},
        )
    )
    session.flush()
    return adoption


def restore_defaults(*, session: Session, by_id: int | None) -> WeightsAdoption:
    """Rank with the default weights and shapes from now on (audited).

    Raises:
        LearningRefused: the defaults are in use already.
    """
    current = in_use(session)
    if current.run is None:
        raise LearningRefused.at("run", N_("The default weights are in use already."))
    adoption = WeightsAdoption(run_id=None, by_id=by_id)
    session.add(adoption)
    session.add(
        AuditEvent(
            actor_id=by_id,
            action="matcher.defaults_restored",
            detail={"replaced": current.run.public_id, "weights": dict(DEFAULT_WEIGHTS)},
        )
    )
    session.flush()
    return adoption


@dataclass(frozen=True)
class WeightRow:
    """One criterion's weight: by default, in the latest run (None: no run, or a run
    without this criterion), in use."""

    criterion: str
    default: float
    learned: float | None
    in_use: float


@dataclass(frozen=True)
class Overview:
    """What the admin page shows: the weights in use and whence, the latest run beside."""

    used: InUse
    latest: LearningRun | None
    rows: list[WeightRow]
    adopted_by: User | None
    run_by: User | None

    @property
    def latest_in_use(self) -> bool:
        """Whether the latest run's weights are the ones in use."""
        return (
            self.latest is not None
            and self.used.run is not None
            and (self.used.run.id == self.latest.id)
        )


def _figure(value: Any) -> float | None:
    """A stored weight, None where the run has none (kept by a matcher without the criterion)."""
    return None if value is None else float(value)


def overview(session: Session) -> Overview:
    """The weights in use and where they came from, and the latest run beside the defaults."""
    used = in_use(session)
    latest = latest_run(session)
    rows = [
        WeightRow(
            criterion=name,
            default=float(DEFAULT_WEIGHTS[name]),
            learned=_figure(latest.weights.get(name)) if latest is not None else None,
            in_use=used.weights[name],
        )
        for name in CRITERIA
    ]
    adopter = used.adoption.by_id if used.adoption is not None else None
    runner = latest.created_by_id if latest is not None else None
    return Overview(
        used=used,
        latest=latest,
        rows=rows,
        adopted_by=session.get(User, adopter) if adopter else None,
        run_by=session.get(User, runner) if runner else None,
    )
