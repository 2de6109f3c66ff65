"""Where an expert served before: past deployments the expert declares, or the Division records."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from roster.messages import N_, Message
from roster.models import Deployment, Expert, utcnow
from roster.policy.deployments import self_declared
from roster.profiles.availability import period_problems
from roster.profiles.services import ProfileChanged, ProfileInvalid, at_row, lock
from roster.refusal import Problems, Refused
from roster.validation import clean_text, country_code

# A whole list of deployments given at once: a long career's, and not a costly one.
MOST_DEPLOYMENTS = 100
# Ratings and comments are given by the Division after a deployment, never self-entered.
_DIVISIONS = N_(
    "Ratings and comments are recorded by the Electoral Assistance Division after a "
    "deployment: leave them out of a deployment you add, and as they are on one you keep."
)


def add_deployment(
    *,
    session: Session,
    expert: Expert,
    version: int,
    mission: str,
    country: str,
    role: str,
    start: date,
    end: date,
) -> None:
    """Add a past deployment as the expert declares it; ratings are never self-entered.

    Raises:
        ProfileInvalid: at ``deployments[<new row>].<field>``: days missing, reversed or
            not yet past, a country not recognised, no role. ProfileChanged: stale ``version``.
    """
    row = f"deployments[{len(expert.deployments)}]"
    problems = period_problems(row, start, end)
    today = utcnow().date()
    if not problems.has(f"{row}.from") and start > today:
        problems.add(f"{row}.from", N_("A past deployment cannot start in the future."))
    elif not problems and end > today:
        problems.add(
            f"{row}.to",
            N_(
                "A past deployment must have ended by today. Add a deployment that is "
                "still going on once it is over."
            ),
        )
    mission_text = problems.check(
        f"{row}.mission",
        lambda: clean_text(mission, label=Message(N_("Mission")), max_length=300),
    )
    role_text = problems.check(
        f"{row}.role",
        lambda: clean_text(
            role,
            label=Message(N_("Your role")),
            max_length=200,
            required=Message(N_("Please enter your role.")),
        ),
    )
    code = problems.check(f"{row}.country", lambda: _country(country))
    problems.raise_if_any(ProfileInvalid)
    lock(session=session, expert=expert, version=version)
    expert.deployments.append(
        Deployment(mission=mission_text or None, country=code, role=role_text, start=start, end=end)
    )
    session.add(expert)


def _country(text: str) -> str:
    if not (text or "").strip():
        raise Refused.at("", N_("Please give the country of the deployment."))
    return country_code(text, label=Message(N_("Country")))


def remove_deployment(
    *, session: Session, expert: Expert, version: int, deployment_id: int
) -> None:
    """Remove a deployment the expert declared; rated or recorded ones stay."""
    deployment = next((d for d in expert.deployments if d.id == deployment_id), None)
    if deployment is None:
        raise ProfileInvalid.at("", N_("That deployment is no longer on your profile."))
    if not self_declared(deployment):
        raise ProfileInvalid.at(
            "",
            N_(
                "This deployment was recorded by the Electoral Assistance Division; "
                "ask a recruiter to correct it."
            ),
        )
    lock(session=session, expert=expert, version=version)
    expert.deployments.remove(deployment)
    session.add(expert)


@dataclass(frozen=True)
class DeclaredDeployment:
    """A past deployment as the expert gives it in a whole list (the interchange's terms).

    ``rating`` and ``comments`` are the Division's: they may only come back as stored.
    """

    mission: str | None
    country: str
    role: str
    start: object  # a date, or what was sent instead (refused with its path)
    end: object
    rating: int | None = None
    comments: str | None = None


def _same(row: DeclaredDeployment, stored: Deployment) -> bool:
    return (row.mission or None, row.country, row.role, row.start, row.end) == (
        stored.mission or None,
        stored.country,
        stored.role,
        stored.start,
        stored.end,
    )


def replace_deployments(
    *, session: Session, expert: Expert, version: int, rows: Sequence[DeclaredDeployment]
) -> None:
    """Make the past deployments exactly ``rows``: one given again stays as it is, one left
    out is removed (if the expert declared it: a recorded one stays, and is refused), and
    each new one is added under the rules of ``add_deployment``, without a rating.

    Raises:
        ProfileInvalid: every problem, at ``deployments[<index in rows>].<field>``, or at
            ``deployments`` for a recorded deployment left out. ProfileChanged: stale
            ``version``.
    """
    if expert.version != version:
        raise ProfileChanged()
    if len(rows) > MOST_DEPLOYMENTS:
        raise ProfileInvalid.at(
            f"deployments[{MOST_DEPLOYMENTS}]",
            N_("Give at most %(most)s past deployments."),
            most=MOST_DEPLOYMENTS,
        )
    problems = Problems()
    left = list(expert.deployments)
    new = []
    for index, row in enumerate(rows):
        same = next((d for d in left if _same(row, d)), None)
        if same is None:
            new.append((index, row))
        else:
            left.remove(same)
        kept = (same.rating, same.comments or None) if same else (None, None)
        for name, given, stored in zip(
            ("rating", "comments"), (row.rating, row.comments or None), kept, strict=True
        ):
            if given != stored:
                problems.add(f"deployments[{index}].{name}", _DIVISIONS)
    for deployment in left:
        problems.check(
            "deployments",
            lambda d=deployment: remove_deployment(
                session=session, expert=expert, version=expert.version, deployment_id=d.id
            ),
        )
    for index, row in new:
        stored = len(expert.deployments)
        try:
            add_deployment(
                session=session,
                expert=expert,
                version=expert.version,
                mission=row.mission or "",
                country=row.country,
                role=row.role,
                start=row.start,
                end=row.end,
            )
        except ProfileInvalid as refusal:
            problems.extend(at_row(refusal, name="deployments", stored=stored, given=index))
    problems.raise_if_any(ProfileInvalid)
    if not left and not new:  # saved as it was: the profile is confirmed all the same
        lock(session=session, expert=expert, version=version)
