"""Where an expert served before: past deployments the expert declares, or the Division records."""

from datetime import date

from sqlmodel import Session

from roster.messages import N_, Message
from roster.models import Deployment, Expert, utcnow
from roster.policy.deployments import self_declared
from roster.profiles.availability import period_problems
from roster.profiles.services import ProfileInvalid, lock
from roster.refusal import Refused
from roster.validation import clean_text, country_code


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
