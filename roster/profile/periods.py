"""Availability windows and past deployments: periods added and removed one at a time."""

from datetime import date, datetime

from sqlmodel import Session

from roster.models import AvailabilityWindow, Deployment, Expert, utcnow
from roster.profile.services import ProfileInvalid, checked, clean_text, country_code, lock

EARLIEST = date(1950, 1, 1)
LATEST = date(2100, 12, 31)
# Availability is a promise about the next few years, not a lifetime.
LONGEST_AVAILABILITY_YEARS = 3
FARTHEST_START_YEARS = 5


def long_date(day: date) -> str:
    """A date as people read it: 1 March 2027."""
    return f"{day.day} {day:%B %Y}"


def _years_after(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _period_errors(start: object, end: object) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, value, label in (("start", start, "first day"), ("end", end, "last day")):
        if not isinstance(value, date) or isinstance(value, datetime):
            errors[name] = f"Please give the {label} as a date, like 2027-03-01."
        elif not EARLIEST <= value <= LATEST:
            errors[name] = (
                f"The {label} must be between {long_date(EARLIEST)} and {long_date(LATEST)}."
            )
    if not errors and start > end:
        errors["end"] = "The last day must be on or after the first day."
    return errors


def add_availability(
    *, session: Session, expert: Expert, version: int, start: date, end: date
) -> None:
    """Add a window in which the expert can deploy (both days included).

    Raises:
        ProfileInvalid: dates missing, reversed, already past, or overlapping a window.
        ProfileChanged: stale ``version``.
    """
    errors = _period_errors(start, end)
    today = utcnow().date()
    if not errors and end < today:
        errors["end"] = "This period has already ended: give one that ends today or later."
    if not errors and start > _years_after(today, FARTHEST_START_YEARS):
        errors["start"] = (
            f"A period of availability must start within the next {FARTHEST_START_YEARS} "
            "years. Add later periods nearer the time."
        )
    if not errors and end > _years_after(start, LONGEST_AVAILABILITY_YEARS):
        errors["end"] = (
            f"A period of availability lasts at most {LONGEST_AVAILABILITY_YEARS} years. Give "
            "a shorter one; you can add another when it is nearer."
        )
    if not errors:
        for window in expert.availability:
            if start <= window.end and window.start <= end:
                errors["start"] = (
                    f"This period overlaps the one you already gave, {long_date(window.start)} to "
                    f"{long_date(window.end)}. Change the dates, or remove that period first."
                )
                break
    if errors:
        raise ProfileInvalid(errors)
    lock(session=session, expert=expert, version=version)
    expert.availability.append(AvailabilityWindow(start=start, end=end))
    session.add(expert)


def remove_availability(*, session: Session, expert: Expert, version: int, window_id: int) -> None:
    """Remove one of the expert's own availability windows."""
    window = next((w for w in expert.availability if w.id == window_id), None)
    if window is None:
        raise ProfileInvalid({"item": "That period is no longer on your profile."})
    lock(session=session, expert=expert, version=version)
    expert.availability.remove(window)
    session.add(expert)


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
    """Add a past deployment as the expert declares it; ratings are never self-entered."""
    errors = _period_errors(start, end)
    today = utcnow().date()
    if "start" not in errors and start > today:
        errors["start"] = "A past deployment cannot start in the future."
    elif not errors and end > today:
        errors["end"] = (
            "A past deployment must have ended by today. Add a deployment that is still going "
            "on once it is over."
        )
    mission_text = checked(
        errors, "mission", lambda: clean_text(mission, label="Mission", max_length=300)
    )
    role_text = checked(
        errors, "role", lambda: clean_text(role, label="Your role", max_length=200, required=True)
    )
    code = checked(
        errors,
        "country",
        lambda: (
            country_code(country, label="Country")
            if (country or "").strip()
            else _missing_country()
        ),
    )
    if errors:
        raise ProfileInvalid(errors)
    lock(session=session, expert=expert, version=version)
    expert.deployments.append(
        Deployment(mission=mission_text or None, country=code, role=role_text, start=start, end=end)
    )
    session.add(expert)


def _missing_country() -> str:
    raise ValueError("Please give the country of the deployment.")


def self_declared(deployment: Deployment) -> bool:
    """Whether the expert may remove a deployment: not rated, not recorded by the Division."""
    return (
        deployment.rating is None and deployment.mission_role_id is None and not deployment.comments
    )


def remove_deployment(
    *, session: Session, expert: Expert, version: int, deployment_id: int
) -> None:
    """Remove a deployment the expert declared; rated or recorded ones stay."""
    deployment = next((d for d in expert.deployments if d.id == deployment_id), None)
    if deployment is None:
        raise ProfileInvalid({"item": "That deployment is no longer on your profile."})
    if not self_declared(deployment):
        raise ProfileInvalid(
            {
                "item": "This deployment was recorded by the Electoral Assistance "
                "Division; ask a recruiter to correct it."
            }
        )
    lock(session=session, expert=expert, version=version)
    expert.deployments.remove(deployment)
    session.add(expert)
