"""The demo roster as a whole: people with their histories, duplicates, past missions."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from roster.demo.duplicates import Duplicates
from roster.demo.lifecycle import Lifecycle, Story
from roster.demo.missions import PastMission, PastMissions, mission_count
from roster.demo.people import People


@dataclass
class DemoExpert:
    """A demo expert: the interchange record, the story behind it, whom it duplicates."""

    record: dict[str, Any]
    story: Story
    duplicate_of: str | None = None


@dataclass
class DemoRoster:
    """Everything the demo puts in the roster, for one seed and one day."""

    seed: int
    today: date
    experts: list[DemoExpert]
    missions: list[PastMission] = field(default_factory=list)


def generate_experts(n: int, *, seed: int, today: date) -> Iterator[DemoExpert]:
    """Yield n demo experts with their stories, one at a time, identical for the same seed and day.

    The records hold the deployments the experts declared; the deployments of the demo's
    past missions are added by ``generate_demo``.
    """
    if n < 0:
        raise ValueError(f"the number of experts must not be negative, got {n}")
    people = People(seed, today)
    lives = Lifecycle(seed, today)
    twins = Duplicates(seed, today, people)
    for number in range(1, n + 1):
        first = twins.original_for(number)
        if first is None:
            status = lives.status()
            record = lives.shape(people.expert(number, status=status))
            story = lives.story(status)
            twins.remember(record, story)
            yield DemoExpert(record, story)
            continue
        original, original_story = first
        status = twins.status()
        story = lives.story(status, registered_after=twins.registered_after(original_story))
        record = twins.record(original, number, status)
        yield DemoExpert(record, story, duplicate_of=original["external_id"])


def generate_demo(
    n: int,
    *,
    seed: int,
    today: date,
    on_expert: Callable[[int], None] | None = None,
) -> DemoRoster:
    """The whole demo roster: ``n`` experts and the past missions matched on them.

    Args:
        n: how many experts.
        seed: the same seed and day give the same roster, missions and decisions.
        today: the demo's day; every date is before it, availability after it.
        on_expert: called with the number of experts made so far, for a progress bar.
    """
    experts = []
    for expert in generate_experts(n, seed=seed, today=today):
        experts.append(expert)
        if on_expert:
            on_expert(len(experts))
    missions = PastMissions(seed, today, experts).play(mission_count(n))
    return DemoRoster(seed, today, experts, missions)
