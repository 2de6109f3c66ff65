"""How a person stands to an expert's record: as its owner, or in a staff role."""

from enum import StrEnum

from roster.models import STAFF_ROLES, Expert, RoleName, User


class Standing(StrEnum):
    """In whose name someone reads or changes an expert's record."""

    OWNER = "owner"
    RECRUITER = RoleName.RECRUITER.value
    PLANNER = RoleName.PLANNER.value
    ADMIN = RoleName.ADMIN.value
    # Staff at the command line, moving roster files in and out: no account, no page.
    DATA_MANAGER = "data_manager"

    @property
    def label(self) -> str:
        """Who this is, in a sentence: 'the expert themself', 'a recruiter'."""
        if self is Standing.OWNER:
            return "the expert themself"
        if self is Standing.DATA_MANAGER:
            return "a data manager"
        name = RoleName(self.value).label
        return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def standing_of(*, user: User | None, expert: Expert) -> frozenset[Standing]:
    """How ``user`` stands to ``expert``'s record: ``{OWNER}``, their staff roles, or nothing.

    The owner of a profile stands to it as its owner only: staff roles do not count
    on one's own record, so that nobody vets, suspends or shortlists themself.
    A disabled account, or none, stands nowhere.

    Args:
        user: who reads or acts; None for nobody signed in.
        expert: whose record it is.
    Returns:
        The standings, empty when the user may neither see nor change anything of it.
    """
    if user is None or user.id is None or user.disabled:
        return frozenset()
    if expert.user_id is not None and expert.user_id == user.id:
        return frozenset({Standing.OWNER})
    return frozenset(Standing(role.value) for role in STAFF_ROLES if user.has_role(role))


def who(standings: frozenset[Standing] | set[Standing]) -> str:
    """Name the standings in words: 'a recruiter or an administrator'."""
    names = [s.label for s in Standing if s in standings]
    return " or ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " or " + names[-1]
