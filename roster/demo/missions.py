"""Past missions of the demo: needs assessments, shortlists made by the matcher, decisions.

Missions are taken in the order they were shortlisted. For each one:

1. a needs assessment (needs.schema.json) for a UN Member State among the usual hosts of
   electoral assistance, in one of the past years, its roles drawn from the taxonomy's
   expertise areas, nationals of the host excluded (the contract's default);
2. the roster as it stood on the shortlist day: the experts rostered that day, each with
   the availability declared then (less the time already taken by a deployment) and the
   deployments finished by then, whose ratings count; ``matching.Matcher`` is fitted on
   it and shortlists every role, and nothing here ranks anyone;
3. the decisions about each candidate (``roster.demo.decisions``); a deployment joins
   the expert's history, so the next missions' rosters know of it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from matching.geography import UN_WORKING_LANGUAGES
from matching.matcher import Matcher
from matching.vocabulary import EXPERTISE_AREAS, UN_MEMBER_STATES
from roster.demo.decisions import Candidacy, Decider, RoleTerms
from roster.demo.people import SENIORITY
from roster.demo.reference import (
    DAY,
    Draws,
    country_name,
    history_data,
    reference_data,
    start_of,
)

if TYPE_CHECKING:
    from roster.demo.generate import DemoExpert

# One mission for every so many experts, and no more than so many in all.
EXPERTS_PER_MISSION = 110
MOST_MISSIONS = 18
MISSION_YEARS = 6
SHORTLIST_LENGTH = 10
# A mission ends at least this long before the demo's day: its appraisals are in.
ENDED_BEFORE = timedelta(days=45)
# Declared availability: spells of so many days, with gaps of so many between them.
AVAILABLE_SPELL = (150, 600)
UNAVAILABLE_SPELL = (20, 150)
# The mean rating each expert tends to earn, and how many experts tend to earn it.
QUALITY_SHARES = {2.6: 5, 3.4: 20, 3.9: 45, 4.5: 30}


@dataclass
class RoleHistory:
    """A role of a past mission: its shortlist as the matcher issued it, and the candidacies."""

    role: dict[str, Any]
    shortlist: dict[str, Any]
    shortlisted_at: datetime
    candidacies: list[Candidacy]


@dataclass
class PastMission:
    """A past needs assessment and what became of each of its roles."""

    needs: dict[str, Any]
    created_at: datetime
    shortlisted_at: datetime
    roles: list[RoleHistory]

    @property
    def closed_at(self) -> datetime:
        """When the last decision about any of its candidates was taken."""
        return max(
            (d.at for r in self.roles for c in r.candidacies for d in c.decisions),
            default=self.shortlisted_at,
        )


def _days(windows: list[tuple[date, date]]) -> list[dict[str, str]]:
    return [{"from": a.isoformat(), "to": b.isoformat()} for a, b in windows]


def _without(windows: list[tuple[date, date]], busy: list[tuple[date, date]]):
    """The windows less the busy spells, a free day kept on either side of each."""
    for first, last in busy:
        pieces = []
        for start, end in windows:
            if last < start - DAY or first > end + DAY:
                pieces.append((start, end))
                continue
            if start <= first - 2 * DAY:
                pieces.append((start, first - 2 * DAY))
            if last + 2 * DAY <= end:
                pieces.append((last + 2 * DAY, end))
        windows = pieces
    return windows


class PastMissions:
    """Plans the demo's past missions and plays them out on the demo roster."""

    def __init__(self, seed: int, today: date, experts: list["DemoExpert"]) -> None:
        self.draws = Draws(seed, "missions")
        self.today, self.now = today, start_of(today)
        self.ref, self.history = reference_data(), history_data()
        self.experts = {e.record["external_id"]: e for e in experts}
        self.ever_rostered = [e for e in experts if e.story.first_rostered() is not None]
        self.declared = {e.record["external_id"]: self._declared(e) for e in self.ever_rostered}
        self.quality = {
            e.record["external_id"]: self.draws.pick(QUALITY_SHARES) for e in self.ever_rostered
        }
        self.busy = {
            external_id: [
                (date.fromisoformat(d["from"]), date.fromisoformat(d["to"]))
                for d in self.experts[external_id].record.get("deployments", [])
            ]
            for external_id in self.declared
        }
        self.decider = Decider(
            seed,
            left_roster=lambda eid, at: self.experts[eid].story.left_roster_after(at),
            is_free=self._is_free,
            quality=self.quality.__getitem__,
            comments=self.ref["comments"],
        )

    def _declared(self, expert: "DemoExpert") -> list[tuple[date, date]]:
        """The availability an expert declared over the years, from first being rostered."""
        day = expert.story.first_rostered().date() + self.draws.days(0, 60)
        horizon, windows = self.today + timedelta(days=730), []
        while day < horizon:
            end = day + self.draws.days(*AVAILABLE_SPELL)
            windows.append((day, end))
            day = end + self.draws.days(*UNAVAILABLE_SPELL)
        return windows

    def _is_free(self, external_id: str, first: date, last: date) -> bool:
        return all(end + DAY < first or start - DAY > last for start, end in self.busy[external_id])

    def roster_at(self, moment: datetime) -> list[dict[str, Any]]:
        """The records of the experts rostered at ``moment``, as they stood then."""
        day = moment.date()
        horizon = day + timedelta(days=730)  # what was declared then: the next two years
        records = []
        for expert in self.ever_rostered:
            if expert.story.status_at(moment) != "rostered":
                continue
            external_id = expert.record["external_id"]
            windows = [
                (start, end)
                for start, end in self.declared[external_id]
                if end >= day and start <= horizon
            ]
            record = dict(expert.record)
            record["roster_status"] = "rostered"
            record["availability"] = _days(_without(windows, self.busy[external_id]))
            record["deployments"] = [
                d for d in record.get("deployments", []) if date.fromisoformat(d["to"]) < day
            ]
            records.append(record)
        return records

    def plan(self, count: int) -> list[tuple[dict[str, Any], datetime, datetime]]:
        """``count`` needs assessments, with when each was written and shortlisted, in order."""
        hosts = {
            code: weight
            for code, (_, weight) in self.ref["hosts"].items()
            if code in UN_MEMBER_STATES
        }
        earliest = self.today - timedelta(days=365 * MISSION_YEARS)
        planned, used = [], set()
        for _ in range(count):
            length = self.draws.days(60, 180)
            latest = self.today - ENDED_BEFORE - length
            start = earliest + self.draws.days(0, (latest - earliest).days)
            country = self.draws.pick(hosts)
            shortlisted = self.draws.moment(
                start_of(start - timedelta(days=90)), start_of(start - timedelta(days=55))
            )
            created = self.draws.moment(shortlisted - 30 * DAY, shortlisted - 7 * DAY)
            needs = self._needs(country, start, start + length, used)
            planned.append((needs, created, shortlisted))
        return sorted(planned, key=lambda item: item[2])

    def _needs(self, country: str, start: date, end: date, used: set[str]) -> dict[str, Any]:
        """A needs assessment for ``country`` from ``start`` to ``end``."""
        key = f"DEMO-{start.year}-{country}"
        number = 1
        while (needs_id := key if number == 1 else f"{key}-{number}") in used:
            number += 1
        used.add(needs_id)
        template = self.draws.rng.choice(self.ref["missions"])
        title = template.format(year=end.year, start=start.year, end=end.year + 1)
        needs: dict[str, Any] = {
            "id": needs_id,
            "title": f"{title} in {country_name(country)}",
            "country": country,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "gender_target": 0.5 if self.draws.chance(0.8) else 0.4,
        }
        if self.draws.chance(0.3):
            needs["max_region_share"] = 0.5
        needs["exclude_nationals"] = True
        needs["roles"] = self._roles(country, needs["title"])
        return needs

    def _roles(self, country: str, mission: str) -> list[dict[str, Any]]:
        """A lead adviser and one to three more roles, each for one expertise area."""
        kinds = self.history["mission_roles"]
        codes = [self.draws.pick(kinds["lead"])]
        while len(codes) < 1 + self.draws.rng.randint(1, 3):
            code = self.draws.pick(kinds["team"])
            if code not in codes:
                codes.append(code)
        # The mission works in the host's language where it is a UN working language,
        # and in English otherwise, the host's language then being welcome.
        spoken = self.ref["hosts"][country][0]
        language = spoken if spoken in UN_WORKING_LANGUAGES else "en"
        welcome = [] if language == spoken else [{"code": spoken, "level": "B1"}]
        roles = []
        for number, code in enumerate(codes, start=1):
            lead = number == 1
            skill = self.ref["skills"][code]
            title = skill["roles"][0] if lead else self.draws.rng.choice(skill["roles"])
            grade = self.draws.pick({"P5": 3, "D1": 1} if lead else {"P2": 1, "P3": 2, "P4": 2})
            clusters = [cluster for cluster in self.ref["skill_clusters"] if code in cluster]
            desired = sorted({c for cluster in clusters for c in cluster if c != code})
            role: dict[str, Any] = {
                "id": f"R{number}",
                "title": title,
                "positions": 2 if not lead and self.draws.chance(0.2) else 1,
                "seniority": grade,
                "min_years": SENIORITY[grade][0],
                "required_skills": [code],
                "desired_skills": self.draws.rng.sample(desired, min(len(desired), 2)),
                "required_languages": [{"code": language, "level": "C1" if lead else "B2"}],
            }
            english = [] if language == "en" else [{"code": "en", "level": "B2"}]
            if welcome or english:
                role["desired_languages"] = welcome + english
            inclusive = code == "voter-education" and self.draws.chance(0.3)
            if code == "minority-inclusion" or inclusive:
                role["accessibility_expertise"] = self.draws.rng.sample(
                    kinds["inclusion_accessibility"], 2
                )
            role["description"] = (
                f"The {title} works with the electoral management body of "
                f"{country_name(country)} on {EXPERTISE_AREAS[code][0].lower()}"
                f"{EXPERTISE_AREAS[code][1:]}, for the {mission[0].lower()}{mission[1:]}."
            )
            roles.append(role)
        return roles

    def play(
        self, count: int, *, on_mission: Callable[[int], None] | None = None
    ) -> list[PastMission]:
        """Plan ``count`` missions, shortlist them with the matcher, and decide each candidacy."""
        missions = []
        for needs, created, shortlisted in self.plan(count):
            matcher = Matcher().fit(self.roster_at(shortlisted))
            roles = []
            for role in needs["roles"]:
                shortlist = matcher.shortlist(needs, role_id=role["id"], k=SHORTLIST_LENGTH)
                terms = RoleTerms(
                    title=role["title"],
                    mission=needs["title"],
                    country=needs["country"],
                    positions=role["positions"],
                    start=date.fromisoformat(needs["start"]),
                    end=date.fromisoformat(needs["end"]),
                    shortlisted_at=shortlisted,
                )
                candidacies = self.decider.decide(terms, shortlist)
                for candidacy in candidacies:
                    if candidacy.deployment is not None:
                        self._deployed(candidacy)
                roles.append(RoleHistory(role, shortlist, shortlisted, candidacies))
            missions.append(PastMission(needs, created, shortlisted, roles))
            if on_mission:
                on_mission(len(missions))
        return missions

    def _deployed(self, candidacy: Candidacy) -> None:
        """Add a deployment to the expert's history, which changes then, and keep its time."""
        deployment = candidacy.deployment
        expert = self.experts[candidacy.external_id]
        expert.story.updated_at = max(expert.story.updated_at, candidacy.decisions[-1].at)
        record = expert.record
        record["deployments"] = sorted(
            [*record.get("deployments", []), deployment], key=lambda d: d["from"]
        )
        self.busy[candidacy.external_id].append(
            (date.fromisoformat(deployment["from"]), date.fromisoformat(deployment["to"]))
        )


def mission_count(experts: int) -> int:
    """How many past missions a demo roster of ``experts`` gets (none for a handful of experts)."""
    return min(MOST_MISSIONS, experts // EXPERTS_PER_MISSION)
