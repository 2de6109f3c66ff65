"""Validation and normalisation of the spec's expert records and needs assessments.

:func:`normalise_expert` and :func:`normalise_needs` take a record as it arrives at
the roster's edge (a line of a ``.jsonl`` import, a form, a test's dict), check it
against the shipped copy of the spec's JSON Schema (:mod:`matching.schema`, whose
public names are re-exported here), turn every code into its
canonical form (:mod:`matching.vocabulary`) and apply the rules the schema cannot
express: ordered date ranges, no duplicate roles, consent for sensitive fields.

They return the canonical record and a list of plain-English notes saying what was
changed or dropped, or raise :class:`RecordError` listing *every* problem found,
each as a :class:`FieldError` naming the field (``languages[2].code``). A canonical
record goes through unchanged and without notes, so exports round-trip.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, cast

from matching.schema import (
    _EXPERT_CHECKER,
    _NEEDS_CHECKER,
    EXPERT_SCHEMA,
    NEEDS_SCHEMA,
    FieldError,
    RecordError,
    _kind,
    _SchemaChecker,
)
from matching.storable import storable_texts
from matching.vocabulary import (
    LANGUAGE_LEVELS,
    Normalised,
    VocabularyError,
    normalise_accessibility,
    normalise_country,
    normalise_language,
    normalise_skill,
)

__all__ = [
    "EXPERT_SCHEMA",
    "NEEDS_SCHEMA",
    "SENSITIVE_FIELDS",
    "FieldError",
    "RecordError",
    "normalise_expert",
    "normalise_needs",
]

SENSITIVE_FIELDS: tuple[str, ...] = ("gender", "disability", "birth_year")
# The fields that hold several lines, as the profile forms' text areas do; every other
# string of a record is a single line.
MULTILINE_FIELDS = frozenset({("summary",), ("deployments", "comments")})

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_LEVEL_RANKS = {level: rank for rank, level in enumerate(LANGUAGE_LEVELS, start=1)}


# --- codes -----------------------------------------------------------------------


class _Notebook:
    """Collects the notes and errors of one record while it is being normalised."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.errors: list[FieldError] = []

    def code(self, normalise: Callable[[str], Normalised], value: object, field: str) -> object:
        """The canonical code of ``value``, noting what was done; ``value`` if it fails."""
        if not isinstance(value, str) or self.failed(field):
            return value  # the schema, or the text rule, reports it
        try:
            result = normalise(value)
        except VocabularyError as error:
            self.errors.append(FieldError(field, str(error)))
            return value
        if result.note:
            self.notes.append(result.note)
        return result.code

    def failed(self, field: str) -> bool:
        """Whether ``field`` already carries an error."""
        return any(error.field == field for error in self.errors)

    def texts(self, record: dict) -> dict:
        """Every string of ``record`` as stored (the text rule of the web forms too)."""
        cleaned, problems, notes = storable_texts(record, multiline=MULTILINE_FIELDS)
        self.errors += [FieldError(field, message) for field, message in problems]
        self.notes += notes
        return cast(dict, cleaned)

    def schema(self, checker: _SchemaChecker, record: dict) -> None:
        """Add the schema's errors, except on fields that already carry one."""
        already = {error.field for error in self.errors}
        self.errors += [e for e in checker.field_errors(record) if e.field not in already]


def _level(value: object) -> int:
    """Rank of a level, 0 for anything that is not one (the schema reports it)."""
    return _LEVEL_RANKS.get(value, 0) if isinstance(value, str) else 0


def _merge_language(kept: dict, repeat: dict) -> str:
    """Keep the higher level of a language listed twice; say so."""
    if _level(repeat.get("level")) > _level(kept.get("level")):
        kept["level"] = repeat["level"]
    return f"language {kept['code']!r} listed twice; kept level {kept.get('level')}"


def _merge_skill(kept: dict, repeat: dict) -> str:
    """Keep the larger years of an expertise area listed twice; say so."""
    years = [y for y in (kept.get("years"), repeat.get("years")) if isinstance(y, int)]
    if years:
        kept["years"] = max(years)
    what = f"{kept['years']} years" if "years" in kept else "it once"
    return f"expertise area {kept['code']!r} listed twice; kept {what}"


def _entries(
    items: object,
    path: str,
    book: _Notebook,
    normalise: Callable[[str], Normalised],
    merge: Callable[[dict, dict], str],
) -> object:
    """Normalise the ``code`` of each entry of a list, merging entries of the same code."""
    if not isinstance(items, list):
        return items
    merged: list[object] = []
    seen: dict[str, dict] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict) or "code" not in item:
            merged.append(item)
            continue
        item = {**item, "code": book.code(normalise, item["code"], f"{path}[{index}].code")}
        code = item["code"]
        if isinstance(code, str) and code in seen:
            book.notes.append(merge(seen[code], item))
            continue
        if isinstance(code, str):
            seen[code] = item
        merged.append(item)
    return merged


def _code_list(
    items: object, path: str, book: _Notebook, normalise: Callable[[str], Normalised], kind: str
) -> object:
    """Normalise a list of bare codes, keeping the first of any repeated code."""
    if not isinstance(items, list):
        return items
    kept: list[object] = []
    for index, item in enumerate(items):
        code = book.code(normalise, item, f"{path}[{index}]")
        if isinstance(code, str) and code in kept:
            book.notes.append(f"{kind} {code!r} listed twice; kept it once")
            continue
        kept.append(code)
    return kept


# --- dates -----------------------------------------------------------------------


def _date(value: object) -> date | None:
    """A YYYY-MM-DD date, or None for anything else (the schema reports it)."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _ranges(items: object, path: str, book: _Notebook, start: str, end: str) -> None:
    """Report every item of a list whose ``start`` date is after its ``end`` date."""
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if isinstance(item, dict):
            first, last = _date(item.get(start)), _date(item.get(end))
            if first and last and first > last:
                book.errors.append(
                    FieldError(f"{path}[{index}]", f"'{start}' {first} is after '{end}' {last}")
                )


# --- canonical shape -------------------------------------------------------------


def _ordered(value: object, schema: dict, root: dict) -> object:
    """A deep copy of ``value`` with object keys in the schema's order."""
    if "$ref" in schema:  # only local "#/$defs/..." references occur in the spec
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    properties = schema.get("properties")
    if isinstance(value, dict) and properties:
        return {
            key: _ordered(value[key], properties[key], root) for key in properties if key in value
        }
    if isinstance(value, list) and "items" in schema:
        return [_ordered(item, schema["items"], root) for item in value]
    return value


def _natural(field: str) -> list[str | int]:
    """Sort key putting ``languages[2]`` before ``languages[10]``."""
    parts = re.split(r"([0-9]+)", field)  # odd places hold the captured numbers
    return [int(part) if place % 2 else part for place, part in enumerate(parts)]


def _finish(record: dict, book: _Notebook, schema: dict) -> dict:
    """Raise every error found, in field order; else the record in the schema's key order."""
    if book.errors:
        raise RecordError(sorted(book.errors, key=lambda error: _natural(error.field)))
    return cast(dict, _ordered(record, schema, schema))


def _require_object(raw: object, what: str) -> dict:
    """A shallow copy of ``raw``, or RecordError if it is not a JSON object."""
    if not isinstance(raw, dict):
        raise RecordError([FieldError("record", f"{what} must be a JSON object, not {_kind(raw)}")])
    return dict(raw)


# --- experts ---------------------------------------------------------------------


def _expert_countries(record: dict, book: _Notebook) -> None:
    """Normalise nationalities, residence and deployment countries in place."""
    nationalities = record.get("nationalities")
    if isinstance(nationalities, list):
        record["nationalities"] = _code_list(
            nationalities, "nationalities", book, normalise_country, "nationality"
        )
    if "residence_country" in record:
        record["residence_country"] = book.code(
            normalise_country, record["residence_country"], "residence_country"
        )
    deployments = record.get("deployments")
    if isinstance(deployments, list):
        record["deployments"] = [
            {
                **item,
                "country": book.code(
                    normalise_country, item["country"], f"deployments[{index}].country"
                ),
            }
            if isinstance(item, dict) and "country" in item
            else item
            for index, item in enumerate(deployments)
        ]


def _apply_consent(record: dict, book: _Notebook) -> None:
    """Drop the sensitive fields the expert did not consent to, saying so."""
    consent = record.get("consent")
    consent = consent if isinstance(consent, dict) else {}
    for field in SENSITIVE_FIELDS:
        if field in record and consent.get(field) is not True:
            del record[field]
            book.notes.append(f"{field} dropped: no consent")


def normalise_expert(raw: dict) -> tuple[dict, list[str]]:
    """Validate an expert record and return it in canonical form with notes.

    Parameters
    ----------
    raw:
        A dict shaped as ``expert.schema.json``; codes may be names or near spellings.

    Returns
    -------
    (record, notes)
        ``record`` has canonical codes (``fr``, ``voter-registration``, ``ML``), keys in
        the schema's order, duplicates merged, and the sensitive fields (gender,
        disability, birth_year) only where ``consent`` allows them; every string is
        trimmed as the web forms store it. ``notes`` says, in plain sentences,
        everything that was read differently, trimmed, merged or dropped.

    Raises
    ------
    RecordError
        Listing every problem: schema violations, unknown codes, reversed dates, text
        holding a control character (:mod:`matching.storable`, the web forms' rule too).
    """
    book = _Notebook()
    # Text first: a stored string has no control character and no surrounding spaces.
    record = book.texts(_require_object(raw, "an expert record"))
    # Countries before the schema: it wants upper-case codes, and "ml" is a fixable "ML".
    _expert_countries(record, book)
    book.schema(_EXPERT_CHECKER, record)
    if "languages" in record:
        record["languages"] = _entries(
            record["languages"], "languages", book, normalise_language, _merge_language
        )
    if "skills" in record:
        record["skills"] = _entries(record["skills"], "skills", book, normalise_skill, _merge_skill)
    if "accessibility_expertise" in record:
        record["accessibility_expertise"] = _code_list(
            record["accessibility_expertise"],
            "accessibility_expertise",
            book,
            normalise_accessibility,
            "accessibility expertise",
        )
    _ranges(record.get("availability"), "availability", book, "from", "to")
    _ranges(record.get("deployments"), "deployments", book, "from", "to")
    canonical = _finish(record, book, EXPERT_SCHEMA)
    _apply_consent(canonical, book)
    return canonical, book.notes


# --- needs assessments -----------------------------------------------------------


def _defaults(schema: dict) -> dict[str, Any]:
    """The ``default`` values of an object schema's properties."""
    return {key: spec["default"] for key, spec in schema["properties"].items() if "default" in spec}


_NEEDS_DEFAULTS = _defaults(NEEDS_SCHEMA)
_ROLE_DEFAULTS = _defaults(NEEDS_SCHEMA["properties"]["roles"]["items"])


def _role_codes(role: dict, path: str, book: _Notebook) -> dict:
    """A copy of a role with its skills, languages and accessibility codes normalised."""
    role = dict(role)
    for field in ("required_skills", "desired_skills"):
        if field in role:
            role[field] = _code_list(
                role[field], f"{path}.{field}", book, normalise_skill, "expertise area"
            )
    for field in ("required_languages", "desired_languages"):
        if field in role:
            role[field] = _entries(
                role[field], f"{path}.{field}", book, normalise_language, _merge_language
            )
    if "accessibility_expertise" in role:
        role["accessibility_expertise"] = _code_list(
            role["accessibility_expertise"],
            f"{path}.accessibility_expertise",
            book,
            normalise_accessibility,
            "accessibility expertise",
        )
    return role


def _role_period(role: dict, path: str, mission: tuple[date, date] | None, book: _Notebook) -> None:
    """Report a role whose own dates are reversed or fall outside the mission's."""
    start, end = _date(role.get("start")), _date(role.get("end"))
    if start and end and start > end:
        book.errors.append(FieldError(path, f"'start' {start} is after 'end' {end}"))
    if mission is None:
        return
    first, last = mission
    problems = []
    if start and start < first:
        problems.append(("start", f"role starts {start}, before the mission starts {first}"))
    if start and start > last:
        problems.append(("start", f"role starts {start}, after the mission ends {last}"))
    if end and end > last:
        problems.append(("end", f"role ends {end}, after the mission ends {last}"))
    if end and end < first:
        problems.append(("end", f"role ends {end}, before the mission starts {first}"))
    book.errors += [FieldError(f"{path}.{field}", message) for field, message in problems]


def _roles(record: dict, book: _Notebook) -> None:
    """Normalise the roles in place and check their periods and ids."""
    roles = record.get("roles")
    if not isinstance(roles, list):
        return
    start, end = _date(record.get("start")), _date(record.get("end"))
    mission = (start, end) if start and end and start <= end else None
    ids: set[str] = set()
    for index, role in enumerate(roles):
        if not isinstance(role, dict):
            continue
        path = f"roles[{index}]"
        roles[index] = _role_codes(role, path, book)
        _role_period(role, path, mission, book)
        role_id = role.get("id")
        if isinstance(role_id, str):
            if role_id in ids:
                message = f"role id {role_id!r} is used more than once"
                book.errors.append(FieldError(f"{path}.id", message))
            ids.add(role_id)


def normalise_needs(raw: dict) -> tuple[dict, list[str]]:
    """Validate a mission needs assessment and return it in canonical form with notes.

    Parameters
    ----------
    raw:
        A dict shaped as ``needs.schema.json``; codes may be names or near spellings.

    Returns
    -------
    (needs, notes)
        ``needs`` has canonical codes, keys in the schema's order and the schema's
        defaults filled in (``gender_target``, ``exclude_nationals``,
        ``allow_partial_availability``, each role's ``positions``). Roles without
        dates keep them absent: they run for the mission's period. ``notes`` says what
        was read differently or merged.

    Raises
    ------
    RecordError
        Listing every problem: schema violations, unknown codes, a mission or role
        that ends before it starts, a role outside the mission's period, a role id
        used twice.
    """
    record = _require_object(raw, "a needs assessment")
    book = _Notebook()
    if "country" in record:
        record["country"] = book.code(normalise_country, record["country"], "country")
    book.schema(_NEEDS_CHECKER, record)
    if isinstance(record.get("roles"), list):
        record["roles"] = list(record["roles"])
        _roles(record, book)
    start, end = _date(record.get("start")), _date(record.get("end"))
    if start and end and start > end:
        book.errors.append(FieldError("start", f"'start' {start} is after 'end' {end}"))
    canonical = _finish(record, book, NEEDS_SCHEMA)
    for key, value in _NEEDS_DEFAULTS.items():
        canonical.setdefault(key, value)
    for role in canonical["roles"]:
        for key, value in _ROLE_DEFAULTS.items():
            role.setdefault(key, value)
    return cast(dict, _ordered(canonical, NEEDS_SCHEMA, NEEDS_SCHEMA)), book.notes
