"""Validation and normalisation of the spec's expert records and needs assessments.

:func:`normalise_expert` and :func:`normalise_needs` take a record as it arrives at
the roster's edge (a line of a ``.jsonl`` import, a form, a test's dict), check it
against the shipped copy of the spec's JSON Schema, turn every code into its
canonical form (:mod:`matching.vocabulary`) and apply the rules the schema cannot
express: ordered date ranges, no duplicate roles, consent for sensitive fields.

They return the canonical record and a list of plain-English notes saying what was
changed or dropped, or raise :class:`RecordError` listing *every* problem found,
each as a :class:`FieldError` naming the field (``languages[2].code``). A canonical
record goes through unchanged and without notes, so exports round-trip.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from matching.vocabulary import (
    DATA_DIR,
    LANGUAGE_LEVELS,
    Normalised,
    VocabularyError,
    normalise_accessibility,
    normalise_country,
    normalise_language,
    normalise_skill,
)

EXPERT_SCHEMA: dict[str, Any] = json.loads(
    (DATA_DIR / "expert.schema.json").read_text(encoding="utf-8")
)
NEEDS_SCHEMA: dict[str, Any] = json.loads(
    (DATA_DIR / "needs.schema.json").read_text(encoding="utf-8")
)

SENSITIVE_FIELDS: tuple[str, ...] = ("gender", "disability", "birth_year")

_FORMATS = FormatChecker(formats=("date",))


# The common shape of an address, which email-validator accepts, checked by a regex:
# email-validator costs ~60 us an address, too slow to run on every line of an import.
_PLAIN_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})",
    re.ASCII,
)
# Reserved domains that email-validator refuses; *.test is allowed for fixtures.
_RESERVED_DOMAINS = tuple(name for name in SPECIAL_USE_DOMAIN_NAMES if name != "test")


def _plain_email(text: str) -> bool:
    """Whether an address has the common shape that email-validator surely accepts."""
    plain = _PLAIN_EMAIL.fullmatch(text)
    if not plain or len(plain["local"]) > 64 or "--" in plain["domain"]:
        return False
    domain = plain["domain"].lower()
    return not any(domain == name or domain.endswith("." + name) for name in _RESERVED_DOMAINS)


@_FORMATS.checks("email", raises=EmailNotValidError)
def _is_email(instance: object) -> bool:
    """Check an address's syntax as the web forms do (email-validator), without DNS."""
    if isinstance(instance, str) and not _plain_email(instance):
        validate_email(instance, check_deliverability=False, test_environment=True)
    return True


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_LEVEL_RANKS = {level: rank for rank, level in enumerate(LANGUAGE_LEVELS, start=1)}


@dataclass
class FieldError:
    """One problem with one field of a record; ``field`` is a path like ``languages[2].code``."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class RecordError(ValueError):
    """A record that cannot be accepted, with every problem found in it."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


# --- schema errors in plain English ----------------------------------------------


def _key(key: object) -> str:
    """A field name as shown in a path; an empty name is shown as ''."""
    return str(key) if key != "" else "''"


def _path(parts: Iterable[str | int]) -> str:
    """A JSON path as people read it: ``languages[2].code``."""
    text = ""
    for part in parts:
        text = f"{text}[{part}]" if isinstance(part, int) else _join(text, part)
    return text


def _join(parent: str, key: object) -> str:
    """The path of a key inside the object at ``parent``."""
    return f"{parent}.{_key(key)}" if parent else _key(key)


def _show(value: object) -> str:
    """A short repr of a value for a message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _kind(value: object) -> str:
    """What a JSON value is, in words."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else type(value).__name__


_TYPE_WORDS = {
    "string": "text", "integer": "a whole number", "number": "a number",
    "boolean": "true or false", "array": "a list", "object": "an object", "null": "null",
}


def _bounds_message(error: ValidationError, name: str) -> str:
    """Messages of the length, size and count keywords."""
    limit = error.validator_value
    return {
        "minLength": f"'{name}' must not be empty" if limit == 1
        else f"'{name}' must be at least {limit} characters long",
        "maxLength": f"'{name}' must be at most {limit} characters long",
        "minimum": f"'{name}' must be at least {limit}, not {_show(error.instance)}",
        "maximum": f"'{name}' must be at most {limit}, not {_show(error.instance)}",
        "exclusiveMinimum": f"'{name}' must be more than {limit}, not {_show(error.instance)}",
        "minItems": f"'{name}' must list at least {limit} item" + ("s" if limit != 1 else ""),
        "uniqueItems": f"'{name}' must not list the same value twice",
    }[str(error.validator)]


def _missing(parent: str, key: object) -> FieldError:
    """A required field that is absent."""
    return FieldError(_join(parent, key), f"missing required field '{key}'")


def _unknown(parent: str, key: object) -> FieldError:
    """A field the schema does not know."""
    return FieldError(_join(parent, key), f"unknown field '{key}'")


def _messages(error: ValidationError, prefix: tuple[str | int, ...]) -> list[FieldError]:
    """Translate one jsonschema error, found at ``prefix``, into plain-English FieldErrors."""
    parent = _path((*prefix, *error.absolute_path))
    name = parent or "record"
    keyword, value, instance = error.validator, error.validator_value, error.instance
    if keyword == "required":
        return [_missing(parent, key) for key in value
                if isinstance(instance, dict) and key not in instance]
    if keyword == "additionalProperties":
        known = error.schema.get("properties", {})
        return [_unknown(parent, key) for key in instance if key not in known]
    if keyword == "enum":
        message = f"'{name}' must be one of {', '.join(map(str, value))}, not {_show(instance)}"
    elif keyword == "type":
        wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in ([value] if isinstance(value, str)
                                                          else value))
        message = f"'{name}' must be {wanted}, not {_kind(instance)}"
    elif keyword == "pattern" and value == "^[A-Z]{2}$":
        message = f"'{name}' must be a two-letter country code like 'FR', not {_show(instance)}"
    elif keyword == "format" and value == "date":
        message = f"'{name}' must be a date written YYYY-MM-DD, not {_show(instance)}"
    elif keyword == "format" and value == "email":
        message = f"'{name}' is not a valid email address: {_show(instance)}"
    elif keyword in {"minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
                     "minItems", "uniqueItems"}:
        message = _bounds_message(error, name)
    else:  # keywords the shipped schemas do not use today
        message = f"'{name}' does not satisfy the schema's '{keyword}' rule"
    return [FieldError(name, message)]


# Lists whose repeats are merged with a note rather than rejected.
_MERGED_LISTS = ("nationalities", "accessibility_expertise")
# Answers remembered per property; cleared when full, as a cheap bound on memory.
_MEMO_SIZE = 100_000


def _freeze(value: object) -> Hashable:
    """A hashable key for a JSON value; types are part of it, so 1 and True differ."""
    if isinstance(value, list):
        return (list, tuple(_freeze(item) for item in value))
    if isinstance(value, dict):
        return (dict, tuple((key, _freeze(item)) for key, item in value.items()))
    return (type(value), value)


# Keywords of object schemas that _SchemaChecker walks itself.
_OBJECT_KEYWORDS = {"type", "required", "additionalProperties", "properties",
                    "$schema", "$id", "$defs", "title", "description", "default"}
# Keywords of text and list schemas whose plainly valid values _plainly_valid can accept.
_PLAIN_KEYWORDS = {"type", "minLength", "maxLength", "minItems", "uniqueItems", "format",
                   "description"}


def _plainly_valid(schema: dict, value: object) -> bool:
    """Whether ``value`` surely meets a plain text or list schema (False: ask jsonschema).

    Only ever answers True for values jsonschema accepts, so the errors still come
    from jsonschema; it spares the ~5 us jsonschema needs for a name or a list.
    """
    kind = schema.get("type")
    if kind == "string" and isinstance(value, str):
        if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)):
            return False
        form = schema.get("format")
        return form is None or (form == "email" and _plain_email(value))
    if kind == "array" and isinstance(value, list) and len(value) >= schema.get("minItems", 0):
        if not schema.get("uniqueItems"):
            return True
        return all(isinstance(item, str) for item in value) and len(set(value)) == len(value)
    return False


class _SchemaChecker:
    """A Draft 2020-12 validation of a record, node by node, remembering repeated values.

    jsonschema spends about half a millisecond on an expert record, too slow for a
    100k-line import. Most of it goes on descending into objects and lists, and on
    values such as a level or a date that recur on thousands of records. So this
    checker walks the schema's plain objects and lists itself (``type``,
    ``required``, ``additionalProperties: false``, ``properties``, ``items``),
    accepts plainly valid text and lists at once, and hands every other node to
    jsonschema with its sub-schema from the shipped schema, remembering the errors
    of each recurring value already seen. The errors are those of validating the
    whole record with the whole schema.
    """

    def __init__(self, schema: dict) -> None:
        self._root = schema
        self._plans: dict[int, tuple[str, dict]] = {}
        self._validators: dict[int, Draft202012Validator] = {}
        self._memory: dict[tuple[int, Hashable], list[ValidationError]] = {}

    def field_errors(self, record: object) -> list[FieldError]:
        """Every schema error of a record as FieldErrors, without repeats."""
        found: list[FieldError] = []
        self._check(self._root, record, (), found)
        return found

    def _plan(self, schema: dict) -> tuple[str, dict]:
        """How to check a node: 'object', 'array' (with its shell), 'plain', 'text' or 'value'."""
        plan = self._plans.get(id(schema))
        if plan is None:
            if "$ref" in schema:  # only local "#/$defs/..." references occur in the spec
                plan = self._plan(self._root["$defs"][schema["$ref"].rsplit("/", 1)[1]])
            elif schema.get("type") == "object" and set(schema) <= _OBJECT_KEYWORDS:
                plan = ("object", schema)
            elif schema.get("type") == "array" and isinstance(schema.get("items"), dict):
                plan = ("array", {key: rule for key, rule in schema.items() if key != "items"})
            elif (schema.get("type") == "string" and set(schema) <= _PLAIN_KEYWORDS
                  and schema.get("format") != "date"):
                plan = ("text", schema)  # names, emails, summaries: rarely recur
            else:
                plan = ("value", schema)
            self._plans[id(schema)] = plan
        return plan

    def _check(self, schema: dict, value: object, path: tuple, found: list[FieldError]) -> None:
        """Add the errors of ``value`` at ``path`` against ``schema``."""
        how, rule = self._plan(schema)
        if how == "object":
            self._check_object(rule, value, path, found)
        elif how == "array":
            if not _plainly_valid(rule, value):
                self._report(self._validate(rule, value), path, found)
            if isinstance(value, list):
                for index, item in enumerate(value):
                    self._check(schema["items"], item, (*path, index), found)
        elif how == "text":
            if not _plainly_valid(rule, value):
                self._report(self._validate(rule, value), path, found)
        else:
            self._report(self._remembered(rule, value), path, found)

    def _check_object(self, schema: dict, value: object, path: tuple,
                      found: list[FieldError]) -> None:
        """Check type, required and unknown fields of an object, then each known field."""
        if not isinstance(value, dict):
            name = _path(path) or "record"
            found.append(FieldError(name, f"'{name}' must be an object, not {_kind(value)}"))
            return
        properties = schema.get("properties", {})
        missing = [key for key in schema.get("required", ()) if key not in value]
        unknown = [key for key in value if key not in properties]
        if missing or (unknown and schema.get("additionalProperties") is False):
            name = _path(path)
            found += [_missing(name, key) for key in missing]
            if schema.get("additionalProperties") is False:
                found += [_unknown(name, key) for key in unknown]
        for key, item in value.items():
            if key in properties:
                self._check(properties[key], item, (*path, key), found)

    def _report(self, errors: list[ValidationError], path: tuple,
                found: list[FieldError]) -> None:
        """Add jsonschema's errors found at ``path``, in plain English."""
        merged = len(path) == 1 and path[0] in _MERGED_LISTS
        for error in errors:
            if not (merged and error.validator == "uniqueItems"):
                found += [e for e in _messages(error, path) if e not in found]

    def _remembered(self, schema: dict, value: object) -> list[ValidationError]:
        """The errors of a value that recurs across records, from memory when seen before."""
        key = (id(schema), _freeze(value))
        errors = self._memory.get(key)
        if errors is None:
            if len(self._memory) >= _MEMO_SIZE:
                self._memory.clear()
            errors = self._memory[key] = self._validate(schema, value)
        return errors

    def _validate(self, schema: dict, value: object) -> list[ValidationError]:
        """jsonschema's errors of a value against a sub-schema, with date and email checks."""
        validator = self._validators.get(id(schema))
        if validator is None:
            shared = {"$defs": self._root["$defs"]} if "$defs" in self._root else {}
            validator = Draft202012Validator({**schema, **shared}, format_checker=_FORMATS)
            self._validators[id(schema)] = validator
        return list(validator.iter_errors(value))


# Built once: compiling validators costs more than checking a record.
_EXPERT_CHECKER = _SchemaChecker(EXPERT_SCHEMA)
_NEEDS_CHECKER = _SchemaChecker(NEEDS_SCHEMA)


# --- codes -----------------------------------------------------------------------


class _Notebook:
    """Collects the notes and errors of one record while it is being normalised."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.errors: list[FieldError] = []

    def code(self, normalise: Callable[[str], Normalised], value: object, field: str) -> object:
        """The canonical code of ``value``, noting what was done; ``value`` if it fails."""
        if not isinstance(value, str):
            return value  # the schema reports the wrong type
        try:
            result = normalise(value)
        except VocabularyError as error:
            self.errors.append(FieldError(field, str(error)))
            return value
        if result.note:
            self.notes.append(result.note)
        return result.code

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
    items: object, path: str, book: _Notebook,
    normalise: Callable[[str], Normalised], merge: Callable[[dict, dict], str],
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
        return {key: _ordered(value[key], properties[key], root)
                for key in properties if key in value}
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
            {**item, "country": book.code(normalise_country, item["country"],
                                          f"deployments[{index}].country")}
            if isinstance(item, dict) and "country" in item else item
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
        disability, birth_year) only where ``consent`` allows them. ``notes`` says, in
        plain sentences, everything that was read differently, merged or dropped.

    Raises
    ------
    RecordError
        Listing every problem: schema violations, unknown codes, reversed dates.
    """
    record = _require_object(raw, "an expert record")
    book = _Notebook()
    # Countries before the schema: it wants upper-case codes, and "ml" is a fixable "ML".
    _expert_countries(record, book)
    book.schema(_EXPERT_CHECKER, record)
    if "languages" in record:
        record["languages"] = _entries(record["languages"], "languages", book,
                                       normalise_language, _merge_language)
    if "skills" in record:
        record["skills"] = _entries(record["skills"], "skills", book, normalise_skill,
                                    _merge_skill)
    if "accessibility_expertise" in record:
        record["accessibility_expertise"] = _code_list(
            record["accessibility_expertise"], "accessibility_expertise", book,
            normalise_accessibility, "accessibility expertise",
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
            role[field] = _code_list(role[field], f"{path}.{field}", book, normalise_skill,
                                     "expertise area")
    for field in ("required_languages", "desired_languages"):
        if field in role:
            role[field] = _entries(role[field], f"{path}.{field}", book, normalise_language,
                                   _merge_language)
    if "accessibility_expertise" in role:
        role["accessibility_expertise"] = _code_list(
            role["accessibility_expertise"], f"{path}.accessibility_expertise", book,
            normalise_accessibility, "accessibility expertise",
        )
    return role


def _role_period(role: dict, path: str, mission: tuple[date, date] | None,
                 book: _Notebook) -> None:
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
