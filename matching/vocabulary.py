"""Codes of the roster and the normalisation of what people type for them.

Everything the roster codes comes from one of three places, never from lists
retyped here: ``matching/data/taxonomy.json`` (the shipped copy of the spec's
taxonomy), pycountry (ISO 3166-1 countries, ISO 639 languages) and langcodes
(BCP 47 tags). The one hand-written table is ``un_regional_groups.csv``, because
no library carries the UN regional groups.

Every ``normalise_*`` function takes what a person or a spreadsheet typed and
returns a :class:`Normalised` code, with a plain-English note whenever the input
was not already the canonical code, or raises :class:`VocabularyError` saying
what was not understood. Results are cached: a 100k-record import asks the same
few hundred questions millions of times.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import langcodes
import pycountry
from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import DamerauLevenshtein

DATA_DIR = Path(__file__).resolve().parent / "data"

TAXONOMY: dict[str, Any] = json.loads((DATA_DIR / "taxonomy.json").read_text(encoding="utf-8"))

LANGUAGE_LEVELS: tuple[str, ...] = ("A1", "A2", "B1", "B2", "C1", "C2", "native")
if LANGUAGE_LEVELS != tuple(TAXONOMY["language_levels"]):  # the taxonomy is normative
    raise RuntimeError("LANGUAGE_LEVELS disagrees with taxonomy.json")

EXPERTISE_AREAS: dict[str, str] = dict(TAXONOMY["expertise_areas"])
ACCESSIBILITY_EXPERTISE: dict[str, str] = dict(TAXONOMY["accessibility_expertise"])
GENDERS: tuple[str, ...] = tuple(TAXONOMY["genders"])
ROSTER_STATUSES: tuple[str, ...] = tuple(TAXONOMY["roster_statuses"])
SENIORITY: tuple[str, ...] = tuple(TAXONOMY["seniority"])

OFFICIAL_UN_LANGUAGES: tuple[str, ...] = ("ar", "zh", "en", "fr", "ru", "es")

UN_REGIONAL_GROUPS: tuple[str, ...] = (
    "African",
    "Asia-Pacific",
    "Eastern European",
    "Latin American and Caribbean",
    "Western European and Others",
)

# rapidfuzz score (0-100) at or above which a near spelling of an expertise code or
# label is accepted. Chosen on the tests' misspellings: "voter registraton", "sign
# langauge", "Electoral idspute resolution" pass; "fishing", "cooking", "voter" do not.
CODE_CUTOFF = 85.0

_LEVEL_RANKS = {level: rank for rank, level in enumerate(LANGUAGE_LEVELS, start=1)}
_CACHE_SIZE = 65536


class VocabularyError(ValueError):
    """An input that matches no code of the vocabulary, in plain English."""


@dataclass(frozen=True)
class Normalised:
    """A canonical code and, when the input was not already that code, what was done."""

    code: str
    note: str | None


def level_rank(level: str) -> int:
    """Rank of a language level, A1 = 1 up to native = 7; unknown levels raise."""
    try:
        return _LEVEL_RANKS[level]
    except (KeyError, TypeError):
        raise VocabularyError(
            f"unknown language level {level!r}: use one of {', '.join(LANGUAGE_LEVELS)}"
        ) from None


def _fold(text: str) -> str:
    """Lower-case text without diacritics or punctuation, for name comparisons."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return utils.default_process(bare)


def _check_text(text: object, kind: str) -> str:
    """Return the stripped text, or raise if it is not text or is empty."""
    if not isinstance(text, str):
        raise VocabularyError(f"{kind} must be text, not {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise VocabularyError(f"{kind} is empty")
    return stripped


def _cached_outcome(function: Callable[[str], Normalised]) -> Callable[[str], Normalised]:
    """Cache a normaliser's answers, failures included, and re-raise the failures.

    ``lru_cache`` alone does not remember exceptions, and a large import with one
    bad spelling repeated on every line would otherwise redo the fuzzy search.
    """

    @lru_cache(maxsize=_CACHE_SIZE)
    def outcome(text: str) -> Normalised | VocabularyError:
        try:
            return function(text)
        except VocabularyError as error:
            return error

    def normalise(text: str) -> Normalised:
        try:
            result = outcome(text)
        except TypeError:  # unhashable input: not text, never cached
            result = function(text)
        if isinstance(result, VocabularyError):
            raise VocabularyError(str(result))
        return result

    normalise.__wrapped__ = function  # type: ignore[attr-defined]
    normalise.cache_info = outcome.cache_info  # type: ignore[attr-defined]
    return normalise


# --- languages -------------------------------------------------------------------

# Codes that are valid BCP 47 but name no language a person can work in.
_PRIVATE_USE = re.compile(r"^q[a-t][a-z]$")
_NOT_WORKING_LANGUAGES = {
    "S": "is not a specific language",
    "C": "is a constructed language, not a working language of the roster",
}


def _rejection(tag: str) -> str | None:
    """Why a syntactically valid tag is not a language the roster records, or None."""
    language = langcodes.Language.get(tag)
    base = language.language
    if not language.is_valid() or "-x-" in tag.lower() or tag.lower().startswith("x-"):
        return "not a language tag"
    if base is None:  # "und" and its variants
        return "is not a specific language"
    if _PRIVATE_USE.match(base):
        return f"{base!r} is a private-use code"
    entry = pycountry.languages.get(**{"alpha_2" if len(base) == 2 else "alpha_3": base})
    if entry is None and (family := pycountry.language_families.get(alpha_3=base)):
        # "sgn" (sign languages), "ber" (Berber languages): nobody works in a family.
        return f"{base!r} names a group of languages ({family.name}); name the language itself"
    reason = _NOT_WORKING_LANGUAGES.get(getattr(entry, "type", ""))
    return f"{language.display_name('en')} {reason}" if reason else None


def _as_tag(text: str) -> str | None:
    """The standard form of text read as a BCP 47 tag, or None if it is not one."""
    try:
        # macro=True folds individual languages into their macrolanguage (cmn -> zh,
        # arb -> ar) so that experts and requirements meet on the same code.
        tag = langcodes.standardize_tag(text, macro=True)
    except ValueError:
        return None
    return tag if langcodes.Language.get(tag).is_valid() else None


@cache
def _language_name_index() -> dict[str, str]:
    """Folded English names and autonyms of the ISO 639-1 languages, mapped to their tag.

    Restricted to the languages with a two-letter code: these are the ones people
    misspell in a CV, and a small index keeps fuzzy matches from landing on one of
    thousands of minor languages with a similar name.
    """
    index: dict[str, str] = {}
    for entry in pycountry.languages:
        alpha_2 = getattr(entry, "alpha_2", None)
        if alpha_2 is None:
            continue
        language = langcodes.Language.get(alpha_2)
        names = [*entry.name.split(";"), getattr(entry, "common_name", "")]
        names += [language.display_name("en"), language.autonym()]
        for name in names:
            name = re.sub(r"\(.*?\)", "", name)  # "Swahili (macrolanguage)"
            folded = _fold(name)
            if folded:
                index.setdefault(folded, langcodes.standardize_tag(alpha_2, macro=True))
    return index


_UNREADABLE = {"Cc", "Cs", "Co", "Cn"}


def _find(text: str, language: str | None) -> str | None:
    """The tag of a language with this exact name (in English, or in any language)."""
    try:
        return langcodes.standardize_tag(str(langcodes.find(text, language)), macro=True)
    except (LookupError, ValueError):
        return None


def _near_language(folded: str) -> str | None:
    """The tag of the one common language whose name is a typing error or two away.

    Damerau-Levenshtein counts a swapped pair of letters as one error, so "Geramn"
    is as near to "German" as "Germna" is. One error is allowed in names of up to
    eight letters, two in longer ones; none in names of three letters or fewer,
    where one error turns any word into some language.
    """
    if len(folded) < 4:
        return None
    index = _language_name_index()
    allowed = 1 if len(folded) <= 8 else 2
    matches = process.extract(
        folded,
        index.keys(),
        scorer=DamerauLevenshtein.distance,
        processor=None,
        score_cutoff=allowed,
        limit=None,
    )
    nearest = {index[name] for name, distance, _ in matches if distance == matches[0][1]}
    return nearest.pop() if len(nearest) == 1 else None


def _language_candidates(text: str) -> Iterator[tuple[str, str]]:
    """What ``text`` may stand for, most literal reading first, as (how, tag) pairs."""
    tag = _as_tag(text)
    if tag is not None:
        yield "tag", tag
    folded = _fold(text)
    index = _language_name_index()
    # The common languages' names and their near spellings come before langcodes'
    # long list of names, where "Sanish" is a language of China rather than a slip
    # for "Spanish": experts far more often misspell a common language than list a
    # rare one by a name one letter away from it, and the note shows the reading.
    readings = (
        lambda: index.get(folded),
        lambda: _near_language(folded),
        lambda: _find(text, "en"),
        lambda: _find(text, None),
    )
    for reading in readings:
        found = reading()
        if found is not None:
            yield "name", found
            return


@_cached_outcome
def normalise_language(text: str) -> Normalised:
    """Read a BCP 47 tag, a language name or a near spelling of one as a language tag.

    Text that is a valid tag is read as a tag first: "Ga" is Irish (``ga``); the Ga
    language of Ghana is ``gaa``. Otherwise names are tried in this order: English
    names and autonyms of the common (ISO 639-1) languages, near spellings of those,
    English names of all languages, names in any language.

    Parameters
    ----------
    text:
        ``"fr"``, ``"pt-br"``, ``"ase"``, ``"French"``, ``"Francais"``, ``"Swahilli"`` ...

    Returns
    -------
    Normalised
        The tag in langcodes' standard form (``fr``, ``pt-BR``, ``ase``), and a note
        such as ``language 'Francais' read as 'fr' (French)`` unless ``text`` already
        was that tag.

    Raises
    ------
    VocabularyError
        For empty text, unknown names (``unknown language 'Klingonese'``), invalid
        tags (``xx``) and codes that name no working language (``qqq``, ``und``,
        constructed languages such as Klingon or Esperanto).
    """
    stripped = _check_text(text, "language")
    reason = None
    # No language name holds control or unassigned characters, and langcodes' name
    # index (marisa-trie) fails with a SystemError on some of them.
    readable = not any(unicodedata.category(char) in _UNREADABLE for char in stripped)
    for how, tag in _language_candidates(stripped) if readable else ():
        reason = _rejection(tag)
        if reason is None:
            return _language_result(text, tag)
        if how == "name":
            break
    message = f"unknown language {stripped!r}"
    raise VocabularyError(f"{message}: {reason}" if reason else message)


def _language_result(text: str, tag: str) -> Normalised:
    """A Normalised language tag with a note unless the input was the tag itself."""
    if text == tag:
        return Normalised(tag, None)
    return Normalised(tag, f"language {text!r} read as {tag!r} ({language_name(tag)})")


def language_name(code: str) -> str:
    """English display name of a language tag, e.g. 'Portuguese (Brazil)' for pt-BR."""
    try:
        return langcodes.Language.get(code).display_name("en")
    except (ValueError, TypeError, AttributeError):
        raise VocabularyError(f"unknown language {code!r}") from None


def is_sign_language(code: str) -> bool:
    """Whether a language tag names a sign language (``ase``, ``fsl``, ``bzs`` ...)."""
    try:
        return "sign language" in language_name(code).lower()
    except VocabularyError:
        return False


# --- expertise areas and accessibility expertise ---------------------------------


@cache
def _code_index(vocabulary: str) -> dict[str, str]:
    """Processed codes and labels of a taxonomy vocabulary, mapped to their code."""
    index: dict[str, str] = {}
    for code, label in TAXONOMY[vocabulary].items():
        index[utils.default_process(code)] = code
        index[utils.default_process(label)] = code
    return index


def _phrase_score(query: str, choice: str, *, score_cutoff: float | None = None) -> float:
    """Similarity of two phrases: the better of the plain and the word-order-free ratio."""
    return max(fuzz.ratio(query, choice), fuzz.token_sort_ratio(query, choice))


def _normalise_code(vocabulary: str, kind: str, text: str) -> Normalised:
    """Read a code, its label or a near spelling of either as a code of the vocabulary."""
    stripped = _check_text(text, kind)
    if text in TAXONOMY[vocabulary]:
        return Normalised(text, None)
    index = _code_index(vocabulary)
    processed = utils.default_process(stripped)
    code = index.get(processed)
    if code is None:
        # Whole phrases are compared, so a shared word such as "elections" or "voter"
        # is not enough to claim a code; plain ratio as well, because sorting the
        # words of "electoral idspute resolution" would move the misspelt one.
        matches = process.extract(
            processed,
            index.keys(),
            scorer=_phrase_score,
            processor=None,
            score_cutoff=CODE_CUTOFF,
            limit=None,
        )
        if not matches:
            raise VocabularyError(f"unknown {kind} {stripped!r}: no near match")
        best_score = matches[0][1]
        tied = sorted({index[name] for name, score, _ in matches if score == best_score})
        if len(tied) > 1:
            raise VocabularyError(
                f"unknown {kind} {stripped!r}: as near to {' as to '.join(map(repr, tied))}"
            )
        code = tied[0]
    return Normalised(code, f"{kind} {text!r} read as {code!r}")


@_cached_outcome
def normalise_skill(text: str) -> Normalised:
    """Read an expertise area code, its label or a near spelling as an expertise area code.

    ``"Voter registraton"`` gives ``voter-registration`` with the note
    ``expertise area 'Voter registraton' read as 'voter-registration'``; an unrelated
    word raises ``VocabularyError("unknown expertise area 'fishing': no near match")``.
    """
    return _normalise_code("expertise_areas", "expertise area", text)


@_cached_outcome
def normalise_accessibility(text: str) -> Normalised:
    """Read an accessibility expertise code, its label or a near spelling as its code.

    ``"sign langauge"`` gives ``sign-language`` with a note; unrelated words raise
    :class:`VocabularyError`.
    """
    return _normalise_code("accessibility_expertise", "accessibility expertise", text)


# --- countries and UN regional groups --------------------------------------------


@_cached_outcome
def normalise_country(text: str) -> Normalised:
    """Read an ISO 3166-1 alpha-2 code in any case, an alpha-3 code or a name as alpha-2.

    ``"ML"`` is returned as is; ``"ml"``, ``"MLI"`` and ``"Mali"`` give ``ML`` with the
    note ``country 'ml' read as 'ML' (Mali)``. Codes outside ISO 3166-1 (``XK``) and
    unknown names raise :class:`VocabularyError`.
    """
    stripped = _check_text(text, "country")
    if pycountry.countries.get(alpha_2=text) is not None and text.isupper():
        return Normalised(text, None)
    try:
        alpha_2 = pycountry.countries.lookup(stripped).alpha_2
    except LookupError:
        raise VocabularyError(f"unknown country {stripped!r}") from None
    return Normalised(alpha_2, f"country {text!r} read as {alpha_2!r} ({country_name(alpha_2)})")


def country_name(code: str) -> str:
    """English short name of an ISO 3166-1 alpha-2 code, e.g. 'Bolivia' for BO."""
    entry = pycountry.countries.get(alpha_2=code) if isinstance(code, str) else None
    if entry is None:
        raise VocabularyError(f"unknown country {code!r}")
    return getattr(entry, "common_name", None) or entry.name


def _load_un_member_states() -> dict[str, str]:
    """Read un_regional_groups.csv into alpha-2 -> group, refusing a malformed table."""
    path = DATA_DIR / "un_regional_groups.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        members: dict[str, str] = {}
        for row in rows:
            code, group = row["alpha2"], row["group"]
            if code in members or group not in UN_REGIONAL_GROUPS:
                raise RuntimeError(f"{path.name}: bad row for {code!r} ({group!r})")
            members[code] = group
    return members


UN_MEMBER_STATES: dict[str, str] = _load_un_member_states()


def un_region(alpha2: str) -> str | None:
    """UN regional group of a member state's alpha-2 code; None for non-members."""
    if not isinstance(alpha2, str):
        return None
    return UN_MEMBER_STATES.get(alpha2.strip().upper())
