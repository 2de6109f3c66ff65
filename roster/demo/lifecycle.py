"""Demo lifecycles: when each person registered, was vetted, confirmed the profile, was reminded.

A story is drawn for a roster status and tells how the person got there, in the status
history's rows, each with its reason. A profile is stale by the roster's own rule
(``roster.reminders.STALE_AFTER``) when it was last confirmed or changed more
than that long before the demo's day; the reminder of a stale profile comes after the
profile went stale, and only while it still is (a confirmation clears it).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from roster.demo.reference import ROSTER_YEARS, Draws, history_data, start_of
from roster.models import RosterStatus
from roster.reminders import STALE_AFTER

STATUS_SHARES = {
    RosterStatus.ROSTERED: 65,
    RosterStatus.UNDER_REVIEW: 12,
    RosterStatus.APPLICANT: 10,
    RosterStatus.INACTIVE: 7,
    RosterStatus.DECLINED: 3,
    RosterStatus.SUSPENDED: 2,
    RosterStatus.WITHDRAWN: 1,
}
# Of the rostered, how many let their profile go stale; of the stale, how many were reminded.
STALE_ROSTERED = 0.25
REMINDED = 0.6
# Applicants who filled in every section but have not submitted yet; the rest left gaps.
COMPLETE_APPLICANTS = 0.4
# Sections an applicant may leave empty, and what empty is.
SECTIONS: dict[str, dict[str, Any]] = {
    "languages": {"languages": []},
    "skills": {"skills": []},
    "availability": {"availability": []},
    "summary": {"summary": ""},
}
MINUTE = timedelta(minutes=1)
# Records a status change (when, to which status, the key of its reason); returns when.
Move = Callable[[datetime, str, str], datetime]
# Registrations are drawn as u ** GROWTH: under 1, more of them in recent years.
GROWTH = 0.75


@dataclass(frozen=True)
class StatusChange:
    """One row of the roster status history."""

    at: datetime
    from_status: str | None
    to_status: str
    reason: str


@dataclass
class Story:
    """When a demo expert registered, changed, confirmed and was reminded; how the status moved."""

    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime
    reminded_at: datetime | None
    consent_at: datetime
    changes: list[StatusChange] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The roster status now: where the last change led."""
        return self.changes[-1].to_status

    def status_at(self, moment: datetime) -> str | None:
        """The roster status at ``moment``; None before registration."""
        current = None
        for change in self.changes:
            if change.at > moment:
                break
            current = change.to_status
        return current

    def left_roster_after(self, moment: datetime) -> datetime | None:
        """When the expert, rostered at ``moment``, next stopped being rostered (None: never)."""
        for change in self.changes:
            if change.at > moment and change.from_status == "rostered":
                return change.at
        return None

    def first_rostered(self) -> datetime | None:
        """When the expert was first rostered, if ever."""
        return next((c.at for c in self.changes if c.to_status == "rostered"), None)


class Lifecycle:
    """Draws roster statuses and the stories that lead to them, relative to the demo's day."""

    def __init__(self, seed: int, today: date) -> None:
        self.draws = Draws(seed, "lifecycle")
        self.now = start_of(today)
        self.opened = self.now - timedelta(days=round(365.25 * ROSTER_YEARS))
        self.reasons = history_data()["status_reasons"]

    def status(self) -> str:
        """A roster status in the roster's usual shares."""
        return self.draws.pick(STATUS_SHARES)

    def _between(self, low: datetime, high: datetime) -> datetime:
        return self.draws.moment(low, min(high, self.now - MINUTE))

    def _after(self, previous: datetime, low_days: float, high_days: float) -> datetime:
        """Some days after ``previous``, and before the demo's day: at most half the time left."""
        room = (self.now - previous) / 2
        high = min(timedelta(days=high_days), room)
        return self.draws.moment(previous + min(timedelta(days=low_days), high), previous + high)

    def _registered(self, earliest: datetime, latest: datetime) -> datetime:
        """A registration between the two, more of them recent: the roster grew."""
        earliest = min(earliest, latest)
        share = self.draws.rng.random() ** GROWTH
        return earliest + (latest - earliest) * share

    def _reason(self, key: str) -> str:
        reasons = self.reasons[key]
        return reasons if isinstance(reasons, str) else self.draws.rng.choice(reasons)

    def story(self, status: str, *, registered_after: datetime | None = None) -> Story:
        """The story of an expert who is now ``status``, registered after ``registered_after``."""
        earliest = max(self.opened, registered_after or self.opened)
        changes: list[StatusChange] = []

        def move(at: datetime, to: str, key: str) -> datetime:
            at = at.replace(microsecond=0)
            changes.append(
                StatusChange(at, changes[-1].to_status if changes else None, to, self._reason(key))
            )
            return at

        if status == "applicant":
            recent = self.draws.chance(0.6)
            low = self.now - timedelta(days=120 if recent else 4 * 365)
            high = self.now - (MINUTE * 60 if recent else timedelta(days=120))
            registered = move(self._between(max(low, earliest), high), "applicant", "registered")
            return self._finish(changes, edited=self._after(registered, 0, 30))
        if status == "under_review":
            waiting = timedelta(days=min(120, self.draws.rng.expovariate(1 / 25)))
            submitted = self.now - waiting - MINUTE * self.draws.rng.randint(60, 600)
            registered = self._between(max(earliest, submitted - timedelta(days=90)), submitted)
            move(registered, "applicant", "registered")
            move(max(submitted, registered + MINUTE), "under_review", "submitted")
            return self._finish(changes, edited=changes[-1].at)
        latest = self.now - timedelta(days=90)
        registered = move(self._registered(earliest, latest), "applicant", "registered")
        if status == "withdrawn" and self.draws.chance(0.25):
            return self._left_before_review(changes, move, registered)
        submitted = move(self._after(registered, 0.1, 60), "under_review", "submitted")
        vetted = self._after(submitted, 7, 75)
        if status == "declined":
            move(vetted, "declined", "declined")
            return self._finish(changes, edited=submitted)
        move(vetted, "rostered", "rostered")
        after_vetting = {
            "rostered": self._rostered,
            "inactive": self._inactive,
            "suspended": self._suspended,
            "withdrawn": self._withdrawn,
        }
        return after_vetting[status](changes, move, vetted)

    def _left_before_review(
        self, changes: list[StatusChange], move: Move, registered: datetime
    ) -> Story:
        if self.draws.chance(0.5):
            registered = move(self._after(registered, 0.1, 60), "under_review", "submitted")
        left = move(self._after(registered, 3, 300), "withdrawn", "withdrawn_before_review")
        return self._finish(changes, edited=self._between(left - timedelta(days=2), left))

    def _rostered(self, changes: list[StatusChange], move: Move, vetted: datetime) -> Story:
        last = vetted
        if vetted < self.now - timedelta(days=900) and self.draws.chance(0.12):
            # Went stale once, was made inactive, and confirmed the profile again later.
            confirmed = self._after(vetted, 0, 300)
            reminded = confirmed + STALE_AFTER + self.draws.days(1, 45)
            inactive = reminded + self.draws.days(30, 90)
            if inactive < self.now - timedelta(days=40):
                move(inactive, "inactive", "inactive_stale")
                last = move(self._after(inactive, 20, 500), "rostered", "reactivated")
                return self._finish(changes, edited=last, confirmed=last)
        if last < self.now - STALE_AFTER - timedelta(days=1) and self.draws.chance(STALE_ROSTERED):
            confirmed = self._between(last, self.now - STALE_AFTER - timedelta(days=1))
        else:
            confirmed = self._between(max(last, self.now - STALE_AFTER + MINUTE * 60), self.now)
        return self._finish(changes, edited=self._edit(changes, confirmed), confirmed=confirmed)

    def _inactive(self, changes: list[StatusChange], move: Move, vetted: datetime) -> Story:
        latest_confirmation = self.now - STALE_AFTER - timedelta(days=140)
        if vetted < latest_confirmation and self.draws.chance(0.7):
            confirmed = self._between(vetted, latest_confirmation)
            reminded = confirmed + STALE_AFTER + self.draws.days(1, 40)
            move(reminded + self.draws.days(30, 90), "inactive", "inactive_stale")
            edited = self._edit(changes, confirmed)
            return self._finish(changes, edited=edited, confirmed=confirmed, reminded=reminded)
        asked = move(self._after(vetted, 60, 1500), "inactive", "inactive_request")
        return self._finish(changes, edited=self._between(asked - timedelta(days=3), asked))

    def _suspended(self, changes: list[StatusChange], move: Move, vetted: datetime) -> Story:
        suspended = move(self._after(vetted, 120, 2000), "suspended", "suspended")
        return self._finish(changes, edited=self._between(vetted, suspended))

    def _withdrawn(self, changes: list[StatusChange], move: Move, vetted: datetime) -> Story:
        left = move(self._after(vetted, 60, 2500), "withdrawn", "withdrawn")
        return self._finish(changes, edited=self._between(left - timedelta(days=2), left))

    def _edit(self, changes: list[StatusChange], confirmed: datetime) -> datetime:
        """The last change to a profile confirmed at ``confirmed``: then, or some time before."""
        if self.draws.chance(0.55):
            return confirmed
        submitted = next((c.at for c in changes if c.to_status == "under_review"), changes[0].at)
        return self._between(min(submitted, confirmed), confirmed)

    def _finish(
        self,
        changes: list[StatusChange],
        *,
        edited: datetime,
        confirmed: datetime | None = None,
        reminded: datetime | None = None,
    ) -> Story:
        """Close a story: no timestamp before registration; a reminder for some stale profiles."""
        created = changes[0].at
        edited = max(edited, created).replace(microsecond=0)
        confirmed = max(confirmed or edited, created).replace(microsecond=0)
        stale_since = confirmed + STALE_AFTER
        if reminded is None and stale_since < self.now - MINUTE and self.draws.chance(REMINDED):
            reminded = self._between(stale_since + MINUTE, self.now)
        if reminded is not None:
            reminded = reminded.replace(microsecond=0)
        consent = self._between(created, min(created + timedelta(days=14), confirmed))
        return Story(
            created_at=created,
            updated_at=max(edited, changes[-1].at),
            confirmed_at=confirmed,
            reminded_at=reminded,
            consent_at=consent,
            changes=changes,
        )

    def shape(self, record: dict[str, Any]) -> dict[str, Any]:
        """An applicant's profile as left: complete for some, with empty sections for the rest."""
        if record["roster_status"] != "applicant" or self.draws.chance(COMPLETE_APPLICANTS):
            return record
        missing = self.draws.rng.sample(list(SECTIONS), self.draws.rng.randint(1, len(SECTIONS)))
        shaped = dict(record)
        for section in missing:
            shaped |= SECTIONS[section]
        if self.draws.chance(0.5):
            shaped |= {"deployments": [], "accessibility_expertise": []}
        if self.draws.chance(0.4):
            shaped.pop("seniority", None)
            shaped.pop("years_experience", None)
        return shaped
