"""Who may see an expert's gender, disability and year of birth: one rule, asked everywhere.

The expert gives each of the three with its own consent, for the purpose stated
beside it on their page (``PURPOSE_OF_SENSITIVE``): roster diversity statistics and
the gender balance of shortlists, never shown to planners individually. So:

* the **owner** sees all three on their own pages, "not given" where they chose not to;
* **staff** see a value only while its consent stands, and only when the reason they
  gave for opening the profile fits that purpose (``STAFF_MAY_SEE``): gender to a
  recruiter or an administrator reviewing a shortlist (its gender balance) or
  correcting the record; disability and year of birth to an administrator correcting
  the record. Vetting shows none of them: whether someone joins the roster must not
  turn on gender, disability or age;
* **planners** never see them individually (shortlists carry totals only);
* a **data manager** moving roster files gets every consented value, so that an
  export read back in changes nothing (the interchange contract's rule);
* anyone else sees nothing.
"""

from collections.abc import Collection
from enum import StrEnum

from roster.models import Expert, User
from roster.policy.standing import Standing, standing_of

# Counts under this are withheld wherever the roster publishes aggregates ("fewer than 5").
SMALL_COUNT = 5


class SensitiveField(StrEnum):
    """A field stored only with its own consent, in the interchange record's order."""

    GENDER = "gender"
    BIRTH_YEAR = "birth_year"
    DISABILITY = "disability"

    @property
    def label(self) -> str:
        """The field as a page names it."""
        return {"birth_year": "year of birth"}.get(self.value, self.value)


class ViewPurpose(StrEnum):
    """Why a member of staff opens a profile; said before it opens, audited, shown to the expert."""

    VETTING = "vetting"
    SHORTLIST_REVIEW = "shortlist-review"
    DEPLOYMENT_FOLLOW_UP = "deployment-follow-up"
    DATA_CORRECTION = "data-correction"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The purpose as the form and the expert's views page name it."""
        return {
            "shortlist-review": "Shortlist review",
            "deployment-follow-up": "Deployment follow-up",
            "data-correction": "Data correction",
        }.get(self.value, self.value.capitalize())


VIEW_PURPOSES: dict[str, str] = {purpose.value: purpose.label for purpose in ViewPurpose}

PURPOSE_OF_SENSITIVE = (
    "used only for roster diversity statistics and gender balance of "
    "shortlists; never shown to planners individually"
)

# Which staff see which consented field, for which stated purposes of opening the profile.
STAFF_MAY_SEE: dict[SensitiveField, dict[Standing, frozenset[ViewPurpose]]] = {
    SensitiveField.GENDER: {
        Standing.RECRUITER: frozenset({ViewPurpose.SHORTLIST_REVIEW, ViewPurpose.DATA_CORRECTION}),
        Standing.ADMIN: frozenset({ViewPurpose.SHORTLIST_REVIEW, ViewPurpose.DATA_CORRECTION}),
    },
    SensitiveField.BIRTH_YEAR: {Standing.ADMIN: frozenset({ViewPurpose.DATA_CORRECTION})},
    SensitiveField.DISABILITY: {Standing.ADMIN: frozenset({ViewPurpose.DATA_CORRECTION})},
}

# STAFF_MAY_SEE in words, for the staff who open a profile and do not see everything.
STAFF_RULE_IN_WORDS = (
    "The roster shows these only where the expert consented, and only for the purposes "
    "that consent covers: gender to review a shortlist or to correct the record, "
    "disability and year of birth to an administrator correcting the record."
)


def consented_fields(expert: Expert) -> frozenset[SensitiveField]:
    """The sensitive fields whose consent the expert has given and not withdrawn."""
    return frozenset(f for f in SensitiveField if getattr(expert, f"{f.value}_consent_at"))


def visible_sensitive_fields(
    *,
    viewer: Collection[Standing],
    consented: Collection[SensitiveField | str],
    purpose: ViewPurpose | str | None = None,
) -> frozenset[SensitiveField]:
    """Decide which of an expert's sensitive fields a reader may see.

    Args:
        viewer: how the reader stands to the record (``standing.standing_of``);
            ``{Standing.DATA_MANAGER}`` for roster files.
        consented: the fields whose consent stands (``consented_fields``).
        purpose: why staff opened the profile (a ``ViewPurpose`` code); None when no
            reason was given, which shows staff nothing.
    Returns:
        The fields to show, or to write into an export. Fields left out are not shown
        at all (not even as "not given"), so the reader cannot tell whether consent was
        refused. The owner's set holds all three, consented or not.
    """
    if Standing.OWNER in viewer:
        return frozenset(SensitiveField)
    given = {SensitiveField(f) for f in consented}
    if Standing.DATA_MANAGER in viewer:
        return frozenset(given)
    try:
        reason = ViewPurpose(purpose) if purpose is not None else None
    except ValueError:
        reason = None
    return frozenset(
        f for f in given if any(reason in STAFF_MAY_SEE[f].get(standing, ()) for standing in viewer)
    )


def shown_to(
    *, user: User | None, expert: Expert, purpose: ViewPurpose | str | None = None
) -> frozenset[SensitiveField]:
    """``visible_sensitive_fields`` for a signed-in ``user`` reading a stored profile.

    Args:
        user: the reader.
        expert: whose profile it is.
        purpose: why staff opened it; None on the owner's own pages.
    """
    return visible_sensitive_fields(
        viewer=standing_of(user=user, expert=expert),
        consented=consented_fields(expert),
        purpose=purpose,
    )
