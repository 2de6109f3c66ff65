"""When an expert can deploy: windows added and removed one at a time, never overlapping."""

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session

from roster.messages import N_
from roster.models import AvailabilityWindow, Expert, utcnow
from roster.profiles.services import ProfileChanged, ProfileInvalid, at_row, lock
from roster.refusal import Problems

EARLIEST = date(1950, 1, 1)
LATEST = date(2100, 12, 31)
# Availability is a promise about the next few years, not a lifetime.
LONGEST_AVAILABILITY_YEARS = 3
FARTHEST_START_YEARS = 5
# A whole list of periods given at once: more than anyone plans, fewer than would cost.
MOST_PERIODS = 50


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_problems(row: str, start: object, end: object) -> Problems:
    """The problems of a period's days at ``<row>.from`` and ``<row>.to``: missing, out of
    range, or reversed."""
    problems = Problems()
    days = (
        ("from", start, N_("Please give the first day as a date, like 2027-03-01."),
         N_("The first day must be between %(earliest)s and %(latest)s.")),
        ("to", end, N_("Please give the last day as a date, like 2027-03-01."),
         N_("The last day must be between %(earliest)s and %(latest)s.")),
    )  # fmt: skip
    for name, value, missing, out_of_range in days:
        if not isinstance(value, date) or isinstance(value, datetime):
            problems.add(f"{row}.{name}", missing)
        elif not EARLIEST <= value <= LATEST:
            problems.add(f"{row}.{name}", out_of_range, earliest=EARLIEST, latest=LATEST)
    if not problems and start > end:
        problems.add(f"{row}.to", N_("The last day must be on or after the first day."))
    return problems


def add_availability(
    *, session: Session, expert: Expert, version: int, start: date, end: date
) -> None:
    """Add a window in which the expert can deploy (both days included).

    Raises:
        ProfileInvalid: dates missing, reversed, already past, too far or too long, or
            overlapping a window (at ``availability[<new row>].from`` / ``.to``).
        ProfileChanged: stale ``version``.
    """
    row = f"availability[{len(expert.availability)}]"
    problems = period_problems(row, start, end)
    today = utcnow().date()
    if not problems and end < today:
        problems.add(
            f"{row}.to", N_("This period has already ended: give one that ends today or later.")
        )
    if not problems and start > years_after(today, FARTHEST_START_YEARS):
        problems.add(
            f"{row}.from",
            N_(
                "A period of availability must start within the next %(years)s years. "
                "Add later periods nearer the time."
            ),
            years=FARTHEST_START_YEARS,
        )
    if not problems and end > years_after(start, LONGEST_AVAILABILITY_YEARS):
        problems.add(
            f"{row}.to",
            N_(
                "A period of availability lasts at most %(years)s years. Give a shorter "
                "one; you can add another when it is nearer."
            ),
            years=LONGEST_AVAILABILITY_YEARS,
        )
    if not problems:
        for window in expert.availability:
            if start <= window.end and window.start <= end:
                problems.add(
                    f"{row}.from",
                    N_(
                        "This period overlaps the one you already gave, %(start)s to "
                        "%(end)s. Change the dates, or remove that period first."
                    ),
                    start=window.start,
                    end=window.end,
                )
                break
    problems.raise_if_any(ProfileInvalid)
    lock(session=session, expert=expert, version=version)
    expert.availability.append(AvailabilityWindow(start=start, end=end))
    session.add(expert)


def remove_availability(*, session: Session, expert: Expert, version: int, window_id: int) -> None:
    """Remove one of the expert's own availability windows."""
    window = next((w for w in expert.availability if w.id == window_id), None)
    if window is None:
        raise ProfileInvalid.at("", N_("That period is no longer on your profile."))
    lock(session=session, expert=expert, version=version)
    expert.availability.remove(window)
    session.add(expert)


def replace_availability(
    *, session: Session, expert: Expert, version: int, periods: Sequence[tuple[object, object]]
) -> None:
    """Make the windows exactly ``periods`` (first day, last day): a window given again
    stays as it is, one left out is removed, and each new one is added under the rules
    of ``add_availability`` (so a period already past can stay, but not be added).

    Raises:
        ProfileInvalid: with every new period's problems, at ``availability[<index in
            periods>]``. ProfileChanged: stale ``version``.
    """
    if expert.version != version:
        raise ProfileChanged()
    if len(periods) > MOST_PERIODS:
        raise ProfileInvalid.at(
            f"availability[{MOST_PERIODS}]",
            N_("Give at most %(most)s periods of availability."),
            most=MOST_PERIODS,
        )
    left = list(expert.availability)
    new = []
    for index, (start, end) in enumerate(periods):
        same = next((w for w in left if (w.start, w.end) == (start, end)), None)
        if same is None:
            new.append((index, start, end))
        else:
            left.remove(same)
    for window in left:
        remove_availability(
            session=session, expert=expert, version=expert.version, window_id=window.id
        )
    problems = Problems()
    for index, start, end in new:
        stored = len(expert.availability)
        try:
            add_availability(
                session=session, expert=expert, version=expert.version, start=start, end=end
            )
        except ProfileInvalid as refusal:
            problems.extend(at_row(refusal, name="availability", stored=stored, given=index))
    problems.raise_if_any(ProfileInvalid)
    if not left and not new:  # saved as it was: the profile is confirmed all the same
        lock(session=session, expert=expert, version=version)
