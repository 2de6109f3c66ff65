"""The matcher's sentences as structured reasons: a stable code and its parameters.

Every reason of a shortlist candidate and every note of a shortlist's constraints or of
a team is a :class:`Reason`: a ``code`` from :data:`TEMPLATES` (``skill.required``,
``language.desired``, ``rank.raised.balance`` ...) and ``params`` that hold codes and
numbers only (the language tag ``fr``, level ``C1``, expertise code
``voter-registration``, years, positions). The English template of each code is marked
with :func:`N_` (:func:`Nn_` for a singular and plural pair) so that ``make messages``
extracts it for translators (``babel.cfg``).

``str(reason)`` is the English sentence: the template filled in with the parameters'
display names (:func:`display`), e.g. ``French C1 required: has C2``; :func:`english`
writes the same sentence from a code and parameters without making a ``Reason``. A web
page shows a reason in the reader's language by translating the template and the
display names instead (``roster.i18n.reason_text``). This module is free of Flask and
of the roster.
"""

import re
from collections.abc import Callable
from functools import lru_cache
from operator import methodcaller
from typing import Any, NamedTuple

from matching import vocabulary as vocab


def N_(message: str) -> str:  # noqa: N802  (the name gettext tools know)
    """Mark ``message`` for translation; return it unchanged."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802  (as N_, see the Makefile)
    """Mark a singular and plural pair for translation; return it unchanged."""
    return singular, plural


class Template(NamedTuple):
    """The English text of a code, and its plural form counted by one parameter."""

    text: str
    plural: str | None = None
    count: str | None = None  # the parameter choosing the plural: singular when it is 1


# Every code the matcher writes, with its English template. Parameters in ``%(name)s``
# placeholders; numbers keep their formatting in the template (``%(mean).1f``).
TEMPLATES: dict[str, Template] = {
    # --- reasons of a candidate (matching.explain) ---------------------------------
    "skill.required": Template(
        *Nn_(
            "has required skill: %(skill)s (%(years)d year)",
            "has required skill: %(skill)s (%(years)d years)",
        ),
        "years",
    ),
    "skill.desired": Template(
        *Nn_(
            "has desired skill: %(skill)s (%(years)d year)",
            "has desired skill: %(skill)s (%(years)d years)",
        ),
        "years",
    ),
    "skill.desired.missing": Template(N_("lacks desired skill: %(skill)s")),
    # Only for a roster fitted with ``verified``: the role's areas a recruiter verified.
    "skills.verified": Template(N_("verified by a recruiter: %(skills)s")),
    "language.required": Template(N_("%(language)s %(wanted)s required: has %(level)s")),
    "language.required.missing": Template(N_("%(language)s %(wanted)s required: has none")),
    "language.desired": Template(N_("%(language)s %(wanted)s desired: has %(level)s")),
    "language.desired.missing": Template(N_("%(language)s %(wanted)s desired: has none")),
    "accessibility.has": Template(N_("%(accessibility)s expertise: yes")),
    "accessibility.lacks": Template(N_("%(accessibility)s expertise: no")),
    "experience": Template(N_("%(years)d years of experience")),
    "experience.minimum": Template(N_("%(years)d years of experience (role minimum %(minimum)d)")),
    "seniority": Template(N_("seniority %(grade)s for a %(role_grade)s role")),
    "seniority.unknown": Template(N_("seniority not given for a %(role_grade)s role")),
    "availability.full": Template(N_("available for the whole period")),
    "availability.partial": Template(N_("available for %(percent)d%% of the period")),
    "text.similarity": Template(N_("terms of reference text similarity: %(similarity).2f")),
    "rating": Template(
        *Nn_(
            "past deployment rating %(mean).1f over %(count)d deployment, "
            "shrunk toward the roster mean %(roster_mean).1f",
            "past deployment rating %(mean).1f over %(count)d deployments, "
            "shrunk toward the roster mean %(roster_mean).1f",
        ),
        "count",
    ),
    "rating.none": Template(
        N_("no rated deployment: counted at the roster mean %(roster_mean).1f")
    ),
    "rank.raised.balance": Template(
        N_(
            "raised by the balance rule to position %(position)d "
            "(position %(score_position)d on score alone)"
        )
    ),
    "rank.raised.balance.below": Template(
        N_(
            "raised by the balance rule to position %(position)d "
            "(below the top %(k)d on score alone)"
        )
    ),
    "rank.raised.region": Template(
        N_(
            "raised by the regional cap to position %(position)d "
            "(position %(score_position)d on score alone)"
        )
    ),
    "rank.raised.region.below": Template(
        N_(
            "raised by the regional cap to position %(position)d "
            "(below the top %(k)d on score alone)"
        )
    ),
    "rank.lowered": Template(
        N_(
            "moved down to position %(position)d by the balance rules "
            "(position %(score_position)d on score alone)"
        )
    ),
    "rank.lowered.below": Template(
        N_(
            "moved down to position %(position)d by the balance rules "
            "(below the top %(k)d on score alone)"
        )
    ),
    # --- notes of a shortlist's constraints (matching.constraints) -------------------
    "shortlist.empty": Template(N_("No expert passes the hard filters for this role.")),
    "shortlist.short": Template(
        *Nn_(
            "Only %(length)d expert passes the hard filters: the shortlist holds %(length)d "
            "instead of %(k)d.",
            "Only %(length)d experts pass the hard filters: the shortlist holds %(length)d "
            "instead of %(k)d.",
        ),
        "length",
    ),
    "gender.met": Template(
        *Nn_(
            "Gender target met: %(women)d woman in %(length)d (at least %(needed)d for a "
            "target of %(target)d%%, in every prefix too).",
            "Gender target met: %(women)d women in %(length)d (at least %(needed)d for a "
            "target of %(target)d%%, in every prefix too).",
        ),
        "women",
    ),
    "gender.short": Template(
        N_(
            "Only %(eligible_women)d eligible women for a target of %(needed)d in "
            "%(length)d: the balance target is not met."
        )
    ),
    "gender.prefix": Template(
        N_("The gender balance could not be met in every prefix of the list.")
    ),
    "gender.consent": Template(
        N_(
            "Gender counts only where the expert consented to its use; "
            "undisclosed gender counts as not a woman and is never inferred."
        )
    ),
    "region.unmet": Template(
        N_(
            "Regional cap of %(share)d%% (at most %(cap)d of %(length)d) not met for "
            "%(regions)s: the eligible pool has too few experts from other "
            "groups to meet it (alongside the gender target, which comes first)."
        )
    ),
    "region.met": Template(
        N_("Regional cap met: no UN regional group holds more than %(cap)d of %(length)d.")
    ),
    # --- notes of a team (matching.team) ----------------------------------------------
    "team.uncovered.language": Template(
        N_(
            "No eligible candidate of any role has the host country's main language "
            "%(language)s: the team is proposed without it."
        )
    ),
    "team.uncovered.accessibility": Template(
        N_(
            "No eligible candidate of any role has the accessibility expertise "
            "'%(expertise)s': the team is proposed without it."
        )
    ),
    "team.optimal": Template(N_("Optimal team of %(members)d: total fit %(total).4f.")),
    "team.cost": Template(N_("The balance rules cost %(cost).4f in total fit.")),
    "team.cost.none": Template(N_("The balance rules cost nothing in total fit.")),
    "team.binding": Template(N_("Binding constraints: %(families)s.")),
    "team.role.short": Template(
        N_("Role %(role)s has %(eligible)d eligible experts for %(positions)d position(s).")
    ),
    "team.family.unmet": Template(
        N_("No candidate offered for any role meets the %(family)s constraint.")
    ),
    "team.infeasible": Template(
        N_("No feasible team: it becomes possible only without the %(alternatives)s constraint.")
    ),
    "team.infeasible.any": Template(
        N_("No feasible team, even with any single constraint family dropped.")
    ),
    # --- where a role's pool falls short (matching.shortfall) --------------------------
    # One sentence per kind of hard requirement: what it excludes of those who meet every
    # other requirement.
    "shortfall.requirement.skill": Template(
        *Nn_(
            "Expertise in %(skill)s excludes %(excluded)d of the %(meet_everything_else)d "
            "who meets everything else.",
            "Expertise in %(skill)s excludes %(excluded)d of the %(meet_everything_else)d "
            "who meet everything else.",
        ),
        "meet_everything_else",
    ),
    "shortfall.requirement.language": Template(
        *Nn_(
            "%(language)s %(level)s excludes %(excluded)d of the %(meet_everything_else)d "
            "who meets everything else.",
            "%(language)s %(level)s excludes %(excluded)d of the %(meet_everything_else)d "
            "who meet everything else.",
        ),
        "meet_everything_else",
    ),
    "shortfall.requirement.nationals": Template(
        *Nn_(
            "Excluding nationals of %(country)s rules out %(excluded)d of the "
            "%(meet_everything_else)d who meets everything else.",
            "Excluding nationals of %(country)s rules out %(excluded)d of the "
            "%(meet_everything_else)d who meet everything else.",
        ),
        "meet_everything_else",
    ),
    "shortfall.requirement.availability": Template(
        *Nn_(
            "Availability for the whole period excludes %(excluded)d of the "
            "%(meet_everything_else)d who meets everything else.",
            "Availability for the whole period excludes %(excluded)d of the "
            "%(meet_everything_else)d who meet everything else.",
        ),
        "meet_everything_else",
    ),
    "shortfall.requirement.availability.partial": Template(
        *Nn_(
            "Availability for any part of the period excludes %(excluded)d of the "
            "%(meet_everything_else)d who meets everything else.",
            "Availability for any part of the period excludes %(excluded)d of the "
            "%(meet_everything_else)d who meet everything else.",
        ),
        "meet_everything_else",
    ),
    "shortfall.positions": Template(
        *Nn_(
            "Only %(eligible)d eligible expert for %(positions)d positions.",
            "Only %(eligible)d eligible experts for %(positions)d positions.",
        ),
        "eligible",
    ),
    "shortfall.nobody": Template(N_("No expert meets every hard requirement of this role.")),
    "shortfall.nobody.several": Template(
        N_(
            "No expert meets every hard requirement of this role, and relaxing any single "
            "one of them would not change that."
        )
    ),
    "shortfall.gender": Template(
        *Nn_(
            "Only %(women)d eligible woman, where a gender target of %(target)d%% asks for "
            "%(needed)d of %(positions)d.",
            "Only %(women)d eligible women, where a gender target of %(target)d%% asks for "
            "%(needed)d of %(positions)d.",
        ),
        "women",
    ),
    # --- where the weights in use came from (matching.learning) ---------------------
    "learning.none": Template(N_("No decisions to learn from: the default weights are used.")),
    "learning.too_little": Template(
        *Nn_(
            "Only %(roles)d role in the history has a decision that shows a preference; "
            "at least %(minimum)d are needed to learn from, so the default weights are used.",
            "Only %(roles)d roles in the history have a decision that shows a preference; "
            "at least %(minimum)d are needed to learn from, so the default weights are used.",
        ),
        "roles",
    ),
    "learning.one_mission": Template(
        N_(
            "All the decisions in the history are about one mission: learning needs "
            "missions to hold out, so the default weights are used."
        )
    ),
    "learning.not_better": Template(
        N_(
            "Weights learned from the history ranked missions they had not seen no better "
            "than the default weights, so the default weights are used."
        )
    ),
    "learning.learned": Template(
        *Nn_(
            "Weights learned from the decisions on %(roles)d role of %(missions)d missions.",
            "Weights learned from the decisions on %(roles)d roles of %(missions)d missions.",
        ),
        "roles",
    ),
    # --- what the normalisation of the needs did (matching.records) ------------------
    # Written in English by the records' normalisation and passed on as it is: not
    # structured yet, so not for translation.
    "needs.normalised": Template("%(note)s"),
}

CODES = frozenset(TEMPLATES)
# Codes whose text is not marked for translation: shown as they are in every language.
UNTRANSLATED = frozenset({"needs.normalised"})
_NO_PARAMS: dict[str, Any] = {}  # never changed: a shared default
_PLACEHOLDER = re.compile(r"%\((\w+)\)")
_FLOAT = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?f")


# The short readable name of an expertise or accessibility code (a C call, no Python frame).
_skill = methodcaller("replace", "-", " ")


@lru_cache(maxsize=1024)
def _language(code: str) -> str:
    """The English name of a language tag, the tag itself if unknown."""
    try:
        return vocab.language_name(code)
    except (ValueError, LookupError):
        return code


@lru_cache(maxsize=1024)
def _country(code: str) -> str:
    """The English short name of a country code, the code itself if unknown."""
    try:
        return vocab.country_name(code)
    except (ValueError, LookupError):
        return code


def _expertise(code: str) -> str:
    """The taxonomy's label of an accessibility expertise code, the code if unknown."""
    return vocab.ACCESSIBILITY_EXPERTISE.get(code, code)


# How a parameter holding codes is shown in English, by its name; others as they are.
DISPLAY = {
    "skill": _skill,  # an expertise area code
    "skills": lambda codes: ", ".join(map(_skill, codes)),  # expertise area codes
    "accessibility": _skill,  # an accessibility expertise code
    "expertise": _expertise,  # an accessibility expertise code, shown by its label
    "language": _language,  # a language tag
    "country": _country,  # an ISO 3166-1 alpha-2 code
    "regions": ", ".join,  # UN regional groups
    "families": ", ".join,  # constraint families of the team
    "alternatives": " or the ".join,  # constraint families, any one of them
}


def display(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters with their codes turned into English display names."""
    return {
        name: DISPLAY[name](value) if name in DISPLAY else value for name, value in params.items()
    }


def _formatter(template: Template) -> Callable[[dict[str, Any]], str]:
    """The function writing a code's English sentence from its parameters.

    Made once per code, not per sentence: a shortlist writes about a hundred sentences,
    in a request of about half a millisecond. A template without plural or display
    names is formatted by ``str.__mod__`` itself.
    """
    text, plural, count = template
    named = set(_PLACEHOLDER.findall(text + (plural or "")))
    shown = tuple((name, DISPLAY[name]) for name in DISPLAY if name in named)
    if not named:
        return lambda params: text
    if plural is None and not shown:
        return text.__mod__
    if len(shown) == 1:
        ((name, show),) = shown
        if plural is None:
            return lambda params: text % {**params, name: show(params[name])}
        return lambda params: (
            (text if params[count] == 1 else plural)
            % {
                **params,
                name: show(params[name]),
            }
        )

    def write(params: dict[str, Any]) -> str:
        chosen = plural if plural is not None and params[count] != 1 else text
        if shown:
            params = params.copy()
            for name, show in shown:
                params[name] = show(params[name])
        return chosen % params

    return write


_FORMATTERS = {code: _formatter(template) for code, template in TEMPLATES.items()}


# Codes whose sentences are kept once written (see ``english``): parameters of strings and
# whole numbers only. Not those formatting a float ("%(mean).1f": 0.0 and -0.0 are one key
# but two texts) or naming a list.
_KEPT = frozenset(
    code
    for code, (text, plural, _) in TEMPLATES.items()
    if not _FLOAT.search(text + (plural or ""))
    and not {"regions", "families", "alternatives", "skills"} & set(_PLACEHOLDER.findall(text))
)


@lru_cache(maxsize=8192)
def _kept(code: str, items: tuple) -> str:
    return _FORMATTERS[code](dict(items))


def english(code: str, params: dict[str, Any] = _NO_PARAMS) -> str:
    """The English sentence of a code and its parameters: ``str(Reason(code, params))``.

    The matcher writes its sentences with this when no structured form is asked for,
    without making a ``Reason`` for each (about a hundred per shortlist). Most of them
    come back again and again ("available for the whole period", "French B2 required:
    has C1"), so they are kept by code and parameters once written: a shortlist then
    costs about as much as when its sentences were plain f-strings.
    """
    if code in _KEPT:
        return _kept(code, tuple(params.items()))
    return _FORMATTERS[code](params)


class Reason(NamedTuple):
    """A sentence of the matcher: a code of :data:`TEMPLATES` and its parameters.

    ``str()`` gives the English sentence: the template filled in with
    ``display(params)``; :meth:`as_dict` the JSON form ``{"code", "params", "text"}``
    of ``Matcher.shortlist(..., structured=True)``.
    """

    code: str
    params: dict[str, Any] = _NO_PARAMS

    @property
    def template(self) -> str:
        """The English template of this reason, the plural one where the count asks it."""
        text, plural, count = TEMPLATES[self.code]
        return plural if plural is not None and self.params[count] != 1 else text

    def __str__(self) -> str:
        return english(self.code, self.params)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: code, parameters (codes and numbers) and English text."""
        return {"code": self.code, "params": dict(self.params), "text": str(self)}


def normalisation_notes(notes: list[str]) -> list[Reason]:
    """The English notes of the needs' normalisation, each as a ``needs.normalised`` reason."""
    return [Reason("needs.normalised", {"note": note}) for note in notes]


def texts(reasons: list[Reason]) -> list[str]:
    """The English sentences of ``reasons``."""
    return [str(reason) for reason in reasons]


def structured(reasons: list[Reason]) -> list[dict[str, Any]]:
    """The JSON forms of ``reasons``."""
    return [reason.as_dict() for reason in reasons]
