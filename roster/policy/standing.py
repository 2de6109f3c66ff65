"""How a person stands to an expert's record: as its owner, or in a staff role."""

from dataclasses import dataclass
from enum import StrEnum

from roster.messages import N_, Message, either, listed
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
    def label(self) -> Message:
        """Who this is, in a sentence: 'the expert themself', 'a recruiter'."""
        return Message(_IN_A_SENTENCE[self.value])


# A staff role named on its own, as the expert's views page shows it ('mission planner').
STAFF_ROLE_WORDS = {
    "recruiter": N_("recruiter"),
    "planner": N_("mission planner"),
    "admin": N_("administrator"),
}

_IN_A_SENTENCE = {
    "owner": N_("the expert themself"),
    "mailed_link": N_("the expert through a link mailed to them"),
    "recruiter": N_("a recruiter"),
    "planner": N_("a mission planner"),
    "admin": N_("an administrator"),
    "data_manager": N_("a data manager"),
}


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


def who(standings: frozenset[Standing] | set[Standing]) -> Message:
    """Name the standings in words: 'a recruiter or an administrator' (translated where shown)."""
    names = [s.label for s in Standing if s in standings]
    if len(names) < 3:
        return either(names)
    return either([listed(names[:-1]), names[-1]])
