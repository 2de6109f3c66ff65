"""What happened to each shortlisted candidate of a demo mission, in the contract's order.

The outcomes (``candidate_outcomes`` of the taxonomy) follow one another as the
contract lists them: ``shortlisted``, ``contacted``, then ``available`` /
``unavailable`` / ``no_response``, ``proposed``, ``selected`` / ``not_selected``,
``deployed``, ``completed``; ``withdrawn`` ends a candidacy at any stage. A candidacy
keeps one decision per step, each dated after the one before, so its last decision is
the record of decisions.schema.json (the furthest stage reached, or how it ended).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from roster.demo.reference import DAY, Draws, history_data, start_of

# How contacted candidates answer, in shares.
RESPONSES = {"available": 62, "unavailable": 20, "no_response": 12, "withdrawn": 6}
# A planner weighs languages and past ratings more than the matcher's default weights do.
PLANNER_EXTRA = {"languages": 0.15, "ratings": 0.10}


@dataclass
class Decision:
    """One step of a candidacy: the outcome, when, a note (why), a rating once completed."""

    outcome: str
    at: datetime
    note: str = ""
    rating: int | None = None


@dataclass
class Candidacy:
    """One candidate of a shortlist, as issued by the matcher, and the decisions about them."""

    external_id: str
    rank: int
    score: float
    criteria: dict[str, float]
    reasons: list[str]
    decisions: list[Decision] = field(default_factory=list)
    # The deployment added to the expert's history once deployed (interchange shape).
    deployment: dict[str, Any] | None = None

    @property
    def outcome(self) -> str:
        """Where the candidacy stands: its last decision's outcome."""
        return self.decisions[-1].outcome


@dataclass(frozen=True)
class RoleTerms:
    """What the decisions about a role need to know of it."""

    title: str
    mission: str
    country: str
    positions: int
    start: date
    end: date
    shortlisted_at: datetime


class Decider:
    """Draws the decisions about the candidates of one shortlist after another."""

    def __init__(
        self,
        seed: int,
        *,
        left_roster: Callable[[str, datetime], datetime | None],
        is_free: Callable[[str, date, date], bool],
        quality: Callable[[str], float],
        comments: list[str],
    ) -> None:
        self.draws = Draws(seed, "decisions")
        self.notes = history_data()["decision_notes"]
        self.left_roster = left_roster
        self.is_free = is_free
        self.quality = quality
        self.comments = comments

    def _note(self, key: str, stage: str | None = None) -> str:
        notes = self.notes[key] if stage is None else self.notes[key][stage]
        return notes if isinstance(notes, str) else self.draws.rng.choice(notes)

    def _step(self, candidacy: Candidacy, outcome: str, at: datetime, note: str = "") -> bool:
        """Record a step, unless the expert left the roster first (then the candidacy ends)."""
        if candidacy.outcome not in ("selected", "deployed"):
            left = self.left_roster(candidacy.external_id, candidacy.decisions[0].at)
            if left is not None and left <= at:
                at = max(left, candidacy.decisions[-1].at)
                candidacy.decisions.append(Decision("withdrawn", at, self._note("left_roster")))
                return False
        candidacy.decisions.append(Decision(outcome, at, note))
        return True

    def _withdraw(self, candidacy: Candidacy, at: datetime) -> None:
        self._step(candidacy, "withdrawn", at, self._note("withdrawn", candidacy.outcome))

    def _utility(self, candidacy: Candidacy) -> float:
        extra = sum(w * candidacy.criteria.get(c, 0.0) for c, w in PLANNER_EXTRA.items())
        return candidacy.score + extra + self.draws.rng.gauss(0, 0.04)

    def decide(self, terms: RoleTerms, shortlist: dict[str, Any]) -> list[Candidacy]:
        """The candidacies of one issued shortlist, each with its decisions, in rank order."""
        shortlisted = terms.shortlisted_at
        candidacies = [
            Candidacy(
                c["external_id"],
                c["rank"],
                c["score"],
                dict(c["criteria"]),
                list(c.get("reasons", [])),
                [Decision("shortlisted", shortlisted)],
            )
            for c in shortlist["candidates"]
        ]
        available = self._contact(terms, candidacies)
        responded = max((d.at for c in candidacies for d in c.decisions), default=shortlisted)
        proposed_at = self.draws.moment(responded + DAY, shortlisted + 28 * DAY)
        proposed = self._propose(available, proposed_at, terms.positions)
        selected_at = self.draws.moment(proposed_at + 5 * DAY, proposed_at + 15 * DAY)
        for candidacy in self._select(proposed, selected_at, terms):
            self._deploy(candidacy, terms, selected_at)
        return candidacies

    def _contact(self, terms: RoleTerms, candidacies: list[Candidacy]) -> list[Candidacy]:
        """Contact the best-ranked in one or two waves until enough are available."""
        wanted, available, contacted = terms.positions + 1, [], 0
        waves = ((terms.shortlisted_at, terms.positions * 2 + self.draws.rng.randint(1, 2)),)
        waves += ((terms.shortlisted_at + 8 * DAY, 3),)
        for start, count in waves:
            for candidacy in candidacies[contacted : contacted + count]:
                at = self.draws.moment(start + DAY / 2, start + 5 * DAY)
                if self._step(candidacy, "contacted", at):
                    self._respond(candidacy, terms, available)
            contacted += count
            if len(available) >= wanted:
                break
        return available

    def _respond(self, candidacy: Candidacy, terms: RoleTerms, available: list) -> None:
        contacted = candidacy.decisions[-1].at
        answer = self.draws.pick(RESPONSES)
        if not self.is_free(candidacy.external_id, terms.start, terms.end):
            answer = "unavailable"  # already chosen for another role at the same time
        if answer == "no_response":
            self._step(candidacy, answer, contacted + 14 * DAY, self._note("no_response"))
            return
        at = self.draws.moment(contacted + DAY / 4, contacted + 10 * DAY)
        if answer == "withdrawn":
            self._withdraw(candidacy, at)
        elif answer == "unavailable":
            self._step(candidacy, answer, at, self._note("unavailable"))
        elif self._step(candidacy, "available", at):
            available.append(candidacy)

    def _propose(self, available: list[Candidacy], at: datetime, positions: int) -> list:
        """Propose the planner's preferred available candidates to the host; others wait."""
        ranked = sorted(available, key=self._utility, reverse=True)
        proposed = []
        for candidacy in ranked[: positions + self.draws.rng.randint(0, 2)]:
            if self._step(candidacy, "proposed", at):
                if self.draws.chance(0.05):
                    self._withdraw(candidacy, at + self.draws.days(1, 4))
                else:
                    proposed.append(candidacy)
        return proposed

    def _select(self, proposed: list[Candidacy], at: datetime, terms: RoleTerms) -> list:
        """Select as many as there are positions; tell the others why not."""
        selected = []
        for candidacy in sorted(proposed, key=self._utility, reverse=True):
            free = self.is_free(candidacy.external_id, terms.start, terms.end)
            if len(selected) < terms.positions and free:
                if self._step(candidacy, "selected", at):
                    selected.append(candidacy)
            else:
                self._step(candidacy, "not_selected", at, self._note("not_selected"))
        return selected

    def _deploy(self, candidacy: Candidacy, terms: RoleTerms, selected_at: datetime) -> None:
        """Deploy on the role's first day and complete with a rating, or withdraw on the way."""
        first_day = start_of(terms.start)
        if self.draws.chance(0.04):
            self._withdraw(candidacy, self.draws.moment(selected_at + DAY, first_day - DAY))
            return
        self._step(candidacy, "deployed", self.draws.moment(first_day, first_day + DAY / 2))
        last, rating = terms.end, None
        if self.draws.chance(0.03):
            last = terms.start + self.draws.days(7, max(7, (terms.end - terms.start).days - 7))
            self._withdraw(candidacy, self.draws.moment(start_of(last), start_of(last) + DAY / 2))
        else:
            expected = self.quality(candidacy.external_id)
            rating = max(1, min(5, round(self.draws.rng.gauss(expected, 0.6))))
            at = self.draws.moment(start_of(last) + DAY, start_of(last) + 10 * DAY)
            candidacy.decisions.append(Decision("completed", at, rating=rating))
        candidacy.deployment = {
            "mission": terms.mission,
            "country": terms.country,
            "role": terms.title,
            "from": terms.start.isoformat(),
            "to": last.isoformat(),
        }
        if rating is not None:
            candidacy.deployment["rating"] = rating
            if rating >= 4 and self.draws.chance(0.25):
                candidacy.deployment["comments"] = self.draws.rng.choice(self.comments)
