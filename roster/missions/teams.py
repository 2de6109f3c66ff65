"""The proposed team of a needs assessment, as a planner may see it, and the effect of swaps.

The team is the matcher's (``Matcher.team``, one distinct expert per position, the host
country's languages and the accessibility expertise asked for covered, the gender floor),
on the assessment as stored (``needs_record``). A swap takes a member out of their role's
pool (``Matcher.team(..., exclude=...)``): the team is then the one the roster would give
without that expert for that role, and the member's place goes to the next best. Swaps
stack; none is stored: a team is a proposal, and candidacies are recorded on role pages.

Planners see who is in the team by name and nationality, never by gender or disability:
women are a total against the floor. On an assessment under blind review a member shows
by a neutral label unless revealed on the role's page or past ``shortlisted`` there.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from matching import Matcher
from roster.messages import N_
from roster.missions.records import needs_record
from roster.missions.team_cache import cached_team
from roster.models import (
    CandidateDecision,
    CandidateOutcome,
    CandidateReveal,
    Expert,
    ExpertNationality,
    NeedsAssessment,
)
from roster.refusal import Refused

CANDIDATES_PER_ROLE = 50
# Each swap travels in the page's address as ``role:expert``; 40 keep it near 2 KB.
MAX_SWAPS = 40
SWAP = re.compile(r"^(?P<role>.{1,64}):(?P<expert>[A-Za-z0-9_-]{1,32})$", re.S)
NO_REGIONAL_GROUP = N_("Not in a UN regional group")
# The UN regional groups as the page names them; translated where shown.
REGION_WORDS: dict[str, str] = {
    "African": N_("African"),
    "Asia-Pacific": N_("Asia-Pacific"),
    "Eastern European": N_("Eastern European"),
    "Latin American and Caribbean": N_("Latin American and Caribbean"),
    "Western European and Others": N_("Western European and Others"),
    NO_REGIONAL_GROUP: NO_REGIONAL_GROUP,
}


class SwapInvalid(Refused):
    """A swap in the address that names no role of the assessment or no expert."""


@dataclass(frozen=True)
class Swap:
    """A member taken out of a role's pool: the role's key and the expert's public id."""

    role_key: str
    public_id: str

    @property
    def token(self) -> str:
        """The swap as the address carries it: ``R1:Xy3...``."""
        return f"{self.role_key}:{self.public_id}"


@dataclass(frozen=True)
class Family:
    """A constraint family of the team: ``gender``, ``region``, ``positions``, ``distinct
    experts``, or coverage (``host language`` or ``accessibility``) of one ``code``."""

    kind: str
    code: str | None = None

    @classmethod
    def parse(cls, name: str) -> "Family":
        """``host language: fr`` -> Family("host language", "fr")."""
        kind, _, code = name.partition(": ")
        return cls(kind, code or None)


@dataclass(frozen=True)
class Member:
    """A member of the team: never gender, disability or birth year.

    ``name`` and ``nationalities`` (country codes) are None and empty while the
    assessment's blind review hides the candidate; ``rank`` (on the role's shortlist)
    then labels them.
    """

    role_key: str
    role_title: str
    external_id: str
    public_id: str | None
    rank: int
    score: float
    name: str | None
    nationalities: tuple[str, ...] = ()

    @property
    def hidden(self) -> bool:
        """Whether the member shows by a neutral label."""
        return self.name is None

    def swap(self) -> Swap | None:
        """The swap taking this member out of their role (None for an expert erased since)."""
        return Swap(self.role_key, self.public_id) if self.public_id else None


@dataclass(frozen=True)
class RoleTeam:
    """A role of the assessment and its members, best rank first."""

    key: str
    title: str
    positions: int
    members: list[Member]


@dataclass(frozen=True)
class Coverage:
    """A host language or accessibility expertise the team should have, and whether it does."""

    family: Family
    covered: bool


@dataclass(frozen=True)
class Team:
    """The matcher's team for an assessment, shown as a planner may see it."""

    status: str  # "optimal" or "infeasible"
    roles: list[RoleTeam]
    total_score: float | None
    unconstrained_total_score: float | None
    balance_cost: float | None
    women: int
    women_required: int
    gender_target: float
    positions: int
    region_counts: list[tuple[str, int]]
    coverage: list[Coverage]
    binding: list[Family]
    infeasible_because: list[Family]
    note_codes: list[dict[str, Any]]
    swaps: tuple[Swap, ...] = ()
    blind: bool = False

    @property
    def feasible(self) -> bool:
        """Whether a team could be proposed."""
        return self.status == "optimal"

    @property
    def balance_share(self) -> float | None:
        """What the balance rules cost, as a share of the best fit without them."""
        if not self.feasible or not self.unconstrained_total_score:
            return None
        return (self.balance_cost or 0.0) / self.unconstrained_total_score

    @property
    def members(self) -> list[Member]:
        """Every member, role by role."""
        return [member for role in self.roles for member in role.members]


@dataclass(frozen=True)
class SwapEffect:
    """What the last swap changed: who left and came in, the fit, women, coverage."""

    swap: Swap
    out: Member | None  # the member swapped out, if they were in the team before
    came_in: list[Member]  # experts new to the team
    left: list[Member]  # experts gone from the team, beside ``out``
    score_change: float | None  # None where either team is infeasible
    women_before: int
    women_after: int
    coverage_lost: list[Family] = field(default_factory=list)
    coverage_kept: list[Family] = field(default_factory=list)
    # Experts in both teams in another role (the one swapped out among them, if the team
    # now needs them elsewhere): (before, after).
    moved: list[tuple[Member, Member]] = field(default_factory=list)
    feasible_before: bool = True
    feasible_after: bool = True


def needs_by_public_id(*, session: Session, public_id: str) -> NeedsAssessment | None:
    """The assessment at ``public_id``, None if there is none."""
    return session.scalar(select(NeedsAssessment).where(NeedsAssessment.public_id == public_id))


def parse_swaps(values: Sequence[str]) -> tuple[Swap, ...]:
    """Read the swaps of the page's address (``role:expert`` each), in order, once each.

    Raises:
        SwapInvalid: more than ``MAX_SWAPS``, or one that is not ``role:expert``.
    """
    if len(values) > MAX_SWAPS:
        raise SwapInvalid.at(
            "swap", N_("At most %(most)d swaps can be made at once."), most=MAX_SWAPS
        )
    swaps: dict[Swap, None] = {}
    for value in values:
        found = SWAP.match(value)
        if not found:
            raise SwapInvalid.at("swap", N_("This address holds a swap the roster cannot read."))
        swaps[Swap(found["role"], found["expert"])] = None
    return tuple(swaps)


def proposed_team(
    *,
    session: Session,
    needs: NeedsAssessment,
    matcher: Matcher,
    revision: int = 0,
    swaps: Sequence[Swap] = (),
    candidates_per_role: int = CANDIDATES_PER_ROLE,
) -> Team:
    """The matcher's team for ``needs`` with the ``swaps`` made, as a planner may see it.

    Args:
        session: the session to read the members' names and the reveals in.
        needs: the stored assessment.
        matcher: a matcher fitted on the roster.
        revision: the roster revision the matcher stands at; teams solved lately for
            the same matcher, revision, assessment and swaps are not solved again.
        swaps: members taken out of their roles' pools, each as if not on the roster
            for that role.
        candidates_per_role: each role's shortlist length offered to the optimiser.
    Returns:
        The team: members per role (rank on the role's shortlist, score, name and
        nationality or a neutral label), the fit and what balance cost, women against
        the floor, regional groups and coverage as totals, binding constraints, and
        the matcher's notes (``note_codes``).
    Raises:
        SwapInvalid: a swap names a role the assessment lacks or an unknown expert.
    """
    exclude = _exclusions(session, needs, swaps)
    record = needs_record(needs)
    result = cached_team(
        matcher,
        revision=revision,
        record=record,
        candidates_per_role=candidates_per_role,
        exclude=exclude,
    )
    return _team(session, needs, record, result, tuple(swaps))


def team_with_effect(
    *,
    session: Session,
    needs: NeedsAssessment,
    matcher: Matcher,
    revision: int = 0,
    swaps: Sequence[Swap] = (),
    candidates_per_role: int = CANDIDATES_PER_ROLE,
) -> tuple[Team, SwapEffect | None]:
    """The team with every swap made and, after a swap, the effect of the last one.

    See ``proposed_team``; the effect compares the team before the last swap with it.
    """
    team = proposed_team(
        session=session,
        needs=needs,
        matcher=matcher,
        revision=revision,
        swaps=swaps,
        candidates_per_role=candidates_per_role,
    )
    if not swaps:
        return team, None
    before = proposed_team(
        session=session,
        needs=needs,
        matcher=matcher,
        revision=revision,
        swaps=swaps[:-1],
        candidates_per_role=candidates_per_role,
    )
    return team, swap_effect(before=before, after=team, swap=swaps[-1])


def swap_effect(*, before: Team, after: Team, swap: Swap) -> SwapEffect:
    """What ``swap`` changed from team ``before`` to team ``after``."""
    old = {m.external_id: m for m in before.members}  # an expert holds one position at most
    new = {m.external_id: m for m in after.members}
    out = next(
        (
            m
            for m in before.members
            if m.role_key == swap.role_key and m.public_id == swap.public_id
        ),
        None,
    )
    covered_before = {c.family for c in before.coverage if c.covered}
    covered_after = {c.family for c in after.coverage if c.covered}
    return SwapEffect(
        swap=swap,
        out=out,
        came_in=[member for key, member in new.items() if key not in old],
        left=[member for key, member in old.items() if key not in new and member != out],
        moved=[
            (member, new[key])
            for key, member in old.items()
            if key in new and new[key].role_key != member.role_key
        ],
        score_change=(
            after.total_score - before.total_score
            if before.total_score is not None and after.total_score is not None
            else None
        ),
        women_before=before.women,
        women_after=after.women,
        coverage_lost=[
            c.family for c in before.coverage if c.family in covered_before - covered_after
        ],
        coverage_kept=[
            c.family for c in before.coverage if c.family in covered_before & covered_after
        ],
        feasible_before=before.feasible,
        feasible_after=after.feasible,
    )


def _exclusions(
    session: Session, needs: NeedsAssessment, swaps: Iterable[Swap]
) -> dict[str, list[str]]:
    """Role key -> external ids the swaps take out of that role's pool."""
    swaps = list(swaps)
    if not swaps:
        return {}
    keys = {role.role_key for role in needs.roles}
    ids = dict(
        session.execute(
            select(Expert.public_id, Expert.external_id).where(
                Expert.public_id.in_({s.public_id for s in swaps})
            )
        ).all()
    )
    exclude: dict[str, list[str]] = {}
    for swap in swaps:
        if swap.role_key not in keys or swap.public_id not in ids:
            raise SwapInvalid.at(
                "swap",
                N_(
                    "A swap in this address names a role or an expert this assessment "
                    "does not have (the roster may have changed since)."
                ),
            )
        exclude.setdefault(swap.role_key, []).append(ids[swap.public_id])
    return exclude


def _team(
    session: Session,
    needs: NeedsAssessment,
    record: dict[str, Any],
    result: dict[str, Any],
    swaps: tuple[Swap, ...],
) -> Team:
    """The matcher's ``result`` with its members named as the planner may see them."""
    roles = {role.role_key: role for role in needs.roles}
    found = _people(session, [m["external_id"] for m in result["members"]])
    shown = _identified(
        session,
        needs,
        [(roles[m["role_id"]].id, found.get(m["external_id"])) for m in result["members"]],
    )
    by_role: dict[str, list[Member]] = {key: [] for key in roles}
    for raw in sorted(result["members"], key=lambda m: (m["role_id"], m["rank"])):
        role = roles[raw["role_id"]]
        person = found.get(raw["external_id"])
        visible = person is not None and (role.id, person.id) in shown
        by_role[role.role_key].append(
            Member(
                role_key=role.role_key,
                role_title=role.title,
                external_id=raw["external_id"],
                public_id=person.public_id if person else None,
                rank=int(raw["rank"]),
                score=float(raw["score"]),
                name=person.name if visible else None,
                nationalities=person.nationalities if visible else (),
            )
        )
    uncovered = {Family.parse(name) for name in result["uncovered"]}
    wanted = [Family("host language", code) for code in result["host_languages"]]
    wanted += [
        Family("accessibility", code)
        for code in dict.fromkeys(
            code for role in record["roles"] for code in role.get("accessibility_expertise", [])
        )
    ]
    feasible = result["status"] == "optimal"
    return Team(
        status=result["status"],
        roles=[
            RoleTeam(role.role_key, role.title, role.positions, by_role[role.role_key])
            for role in needs.roles
        ],
        total_score=result["total_score"],
        unconstrained_total_score=result["unconstrained_total_score"],
        balance_cost=result["balance_cost"],
        women=int(result["women"]),
        women_required=int(result["women_required"]),
        gender_target=float(result["gender_target"]),
        positions=sum(role.positions for role in needs.roles),
        region_counts=_regions(result["region_counts"]),
        coverage=[Coverage(family, feasible and family not in uncovered) for family in wanted],
        binding=[Family.parse(name) for name in result["binding_constraints"]],
        infeasible_because=[Family.parse(name) for name in result["infeasible_because"]],
        note_codes=list(result.get("note_codes", [])),
        swaps=swaps,
        blind=needs.blind_review,
    )


def _regions(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The team's count per UN regional group, the members outside any group last."""
    named = sorted((group, n) for group, n in counts.items() if group != "unknown")
    return named + ([(NO_REGIONAL_GROUP, counts["unknown"])] if counts.get("unknown") else [])


@dataclass(frozen=True)
class _Person:
    id: int
    public_id: str
    name: str
    nationalities: tuple[str, ...]


def _people(session: Session, external_ids: list[str]) -> dict[str, _Person]:
    """Name and nationalities of each expert, by external id: nothing sensitive is read."""
    if not external_ids:
        return {}
    rows = session.execute(
        select(Expert.id, Expert.public_id, Expert.external_id, Expert.full_name).where(
            Expert.external_id.in_(external_ids)
        )
    ).all()
    countries: dict[int, list[str]] = {}
    for expert_id, country in session.execute(
        select(ExpertNationality.expert_id, ExpertNationality.country)
        .where(ExpertNationality.expert_id.in_([row.id for row in rows]))
        .order_by(ExpertNationality.expert_id, ExpertNationality.position)
    ):
        countries.setdefault(expert_id, []).append(country)
    return {
        row.external_id: _Person(
            row.id, row.public_id, row.full_name, tuple(countries.get(row.id, ()))
        )
        for row in rows
    }


def _identified(
    session: Session, needs: NeedsAssessment, pairs: list[tuple[int, _Person | None]]
) -> set[tuple[int, int]]:
    """The (role id, expert id) pairs whose identity the planner may see.

    Without blind review, all. With it, those revealed on the role's page and those
    with a decision past ``shortlisted`` for that role.
    """
    known = [(role_id, person.id) for role_id, person in pairs if person is not None]
    if not needs.blind_review:
        return set(known)
    if not known:
        return set()
    role_ids = {role_id for role_id, _ in known}
    expert_ids = {expert_id for _, expert_id in known}
    revealed = session.execute(
        select(CandidateReveal.role_id, CandidateReveal.expert_id).where(
            CandidateReveal.role_id.in_(role_ids), CandidateReveal.expert_id.in_(expert_ids)
        )
    ).all()
    decided = session.execute(
        select(CandidateDecision.role_id, CandidateDecision.expert_id).where(
            CandidateDecision.role_id.in_(role_ids),
            CandidateDecision.expert_id.in_(expert_ids),
            CandidateDecision.outcome != CandidateOutcome.SHORTLISTED,
        )
    ).all()
    return {tuple(row) for row in (*revealed, *decided)} & set(known)
