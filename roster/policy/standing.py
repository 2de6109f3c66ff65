"""How a person stands to an expert's record: as its owner, or in a staff role."""

from dataclasses import dataclass
from enum import StrEnum

from roster.models import STAFF_ROLES, Expert, RoleName, User


class Standing(StrEnum):
    """In whose name someone reads or changes an expert's record."""

    OWNER = "owner"
    # Whoever opens a link the roster mailed to the expert's address: the expert, without
    # signing in (they may have no account). The rules name what such a link may do.
    MAILED_LINK = "mailed_link"
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
        if self is Standing.MAILED_LINK:
            return "the expert through a link mailed to them"
        name = RoleName(self.value).label
        return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


@dataclass(frozen=True)
class MailedLink:
    """Who acts through a signed link mailed to one expert: that expert, and no one else.

    Stands in for an account where a change is made from a link (an answer to a
    call-out): it has no id, so what it records names no account.
    """

    expert_id: int
    id: None = None


def standing_of(*, user: "User | MailedLink | None", expert: Expert) -> frozenset[Standing]:
    """How ``user`` stands to ``expert``'s record: ``{OWNER}``, their staff roles, or nothing.

    The owner of a profile stands to it as its owner only: staff roles do not count
    on one's own record, so that nobody vets, suspends or shortlists themself.
    A disabled account, or none, stands nowhere. A mailed link stands as
    ``MAILED_LINK`` to its own expert's record only.

    Args:
        user: who reads or acts; None for nobody signed in.
        expert: whose record it is.
    Returns:
        The standings, empty when the user may neither see nor change anything of it.
    """
    if isinstance(user, MailedLink):
        mine = expert.id is not None and user.expert_id == expert.id
        return frozenset({Standing.MAILED_LINK}) if mine else frozenset()
    if user is None or user.id is None or user.disabled:
        return frozenset()
    if expert.user_id is not None and expert.user_id == user.id:
        return frozenset({Standing.OWNER})
    return frozenset(Standing(role.value) for role in STAFF_ROLES if user.has_role(role))


def who(standings: frozenset[Standing] | set[Standing]) -> str:
    """Name the standings in words: 'a recruiter or an administrator'."""
    names = [s.label for s in Standing if s in standings]
    return " or ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " or " + names[-1]
