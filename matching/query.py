"""One role of a needs assessment, compiled to codes, ranks and day numbers.

The needs are normalised by ``matching.records.normalise_needs`` before they get here;
this module only reads the normalised dictionary and applies the defaults of
``needs.schema.json`` (gender target 0.5, nationals excluded, no partial availability,
role period defaulting to the mission's).
"""

from dataclasses import dataclass

from matching import vocabulary as vocab
from matching.index import SENIORITY_RANK, day

DEFAULT_GENDER_TARGET = 0.5


@dataclass(frozen=True)
class RoleQuery:
    """What a role asks for, in the terms of the fitted index."""

    needs_id: str
    role_id: str
    title: str
    country: str
    positions: int
    start: int
    end: int
    exclude_nationals: bool
    partial: bool
    gender_target: float
    max_region_share: float | None
    required_skills: tuple[str, ...]
    desired_skills: tuple[str, ...]
    required_languages: tuple[tuple[str, int], ...]
    desired_languages: tuple[tuple[str, int], ...]
    accessibility: tuple[str, ...]
    min_years: int | None
    seniority: int
    text: str

    @property
    def days(self) -> int:
        """Length of the role period in days, both ends included."""
        return self.end - self.start + 1


def _languages(entries: list[dict]) -> tuple[tuple[str, int], ...]:
    """Return ``(code, level rank)`` pairs, the highest level kept for a repeated code."""
    best: dict[str, int] = {}
    for entry in entries:
        rank = vocab.level_rank(entry["level"])
        best[entry["code"]] = max(best.get(entry["code"], 0), rank)
    return tuple(best.items())


def _unique(codes: list[str]) -> tuple[str, ...]:
    """Return codes without repeats, in their first order."""
    return tuple(dict.fromkeys(codes))


def role_query(needs: dict, role_id: str) -> RoleQuery:
    """Compile role ``role_id`` of normalised ``needs`` into a ``RoleQuery``.

    Raises
    ------
    ValueError
        If the needs assessment has no role with that id, or the period ends before it starts.
    """
    roles = {role["id"]: role for role in needs["roles"]}
    if role_id not in roles:
        known = ", ".join(roles)
        raise ValueError(f"needs assessment {needs['id']} has no role {role_id!r} (roles: {known})")
    role = roles[role_id]
    start, end = day(role.get("start", needs["start"])), day(role.get("end", needs["end"]))
    if end < start:
        raise ValueError(f"role {role_id}: the period ends before it starts")
    required_skills = _unique(role.get("required_skills", []))
    return RoleQuery(
        needs_id=needs["id"],
        role_id=role_id,
        title=role.get("title", ""),
        country=needs["country"],
        positions=int(role.get("positions", 1)),
        start=start,
        end=end,
        exclude_nationals=bool(needs.get("exclude_nationals", True)),
        partial=bool(needs.get("allow_partial_availability", False)),
        gender_target=float(needs.get("gender_target", DEFAULT_GENDER_TARGET)),
        max_region_share=needs.get("max_region_share"),
        required_skills=required_skills,
        desired_skills=tuple(
            s for s in _unique(role.get("desired_skills", [])) if s not in required_skills
        ),
        required_languages=_languages(role.get("required_languages", [])),
        desired_languages=_languages(role.get("desired_languages", [])),
        accessibility=_unique(role.get("accessibility_expertise", [])),
        min_years=role.get("min_years"),
        seniority=SENIORITY_RANK.get(role.get("seniority"), 0),
        text=" ".join([role.get("title", ""), role.get("description", "")]).strip(),
    )
