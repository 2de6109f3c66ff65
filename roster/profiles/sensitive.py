"""Gender, disability and year of birth: each stored only with its own consent."""

from sqlmodel import Session

from matching.vocabulary import GENDERS
from roster.messages import N_, Message
from roster.models import Expert, utcnow
from roster.profiles.services import ProfileInvalid, lock
from roster.refusal import Problems
from roster.validation import whole_number

OLDEST_BIRTH_YEAR = 1900
YOUNGEST_AGE = 16
# What the expert lets the roster store, as the sentence asking for the consent says it.
_WITHOUT_CONSENT = {
    "gender": N_("Tick the box to let the roster store your gender, or leave it empty."),
    "disability": N_("Tick the box to let the roster store your disability, or leave it empty."),
    "birth_year": N_("Tick the box to let the roster store your year of birth, or leave it empty."),
}


def _birth_year(value: int | None) -> int | None:
    return whole_number(
        value,
        label=Message(N_("Year of birth")),
        low=OLDEST_BIRTH_YEAR,
        high=utcnow().year - YOUNGEST_AGE,
    )


def save_sensitive(
    *,
    session: Session,
    expert: Expert,
    version: int,
    gender: str,
    gender_consent: bool,
    disability: bool | None,
    disability_consent: bool,
    birth_year: int | None,
    birth_year_consent: bool,
) -> None:
    """Store gender, disability and birth year only where consent is given.

    Withdrawing a consent removes the value at once and clears its timestamp; a new
    consent is dated now, a standing one keeps its date.

    Raises:
        ProfileInvalid: a value outside its choices, or given without its consent.
        ProfileChanged: stale ``version``.
    """
    problems = Problems()
    if gender not in ("", *GENDERS):
        problems.add("gender", N_("Choose one of the options for gender, or leave it empty."))
    year = problems.check("birth_year", lambda: _birth_year(birth_year))
    if disability not in (None, True, False):
        problems.add("disability", N_("Choose yes, no or prefer not to say."))
    wanted = {
        "gender": (gender or None, gender_consent),
        "disability": (disability, disability_consent),
        "birth_year": (year, birth_year_consent),
    }
    for name, (value, consent) in wanted.items():
        if value is not None and not consent and not problems.has(name):
            problems.add(name, _WITHOUT_CONSENT[name])
    problems.raise_if_any(ProfileInvalid)
    lock(session=session, expert=expert, version=version)
    now = utcnow()
    for name, (value, consent) in wanted.items():
        stamp = getattr(expert, f"{name}_consent_at")
        setattr(expert, f"{name}_consent_at", (stamp or now) if consent else None)
        setattr(expert, name, value if consent else None)
    session.add(expert)
