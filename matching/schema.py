"""Checking records against the spec's JSON Schemas, fast and in plain English.

Loads the shipped copies of ``expert.schema.json``, ``needs.schema.json`` and
``decisions.schema.json`` (:data:`EXPERT_SCHEMA`, :data:`NEEDS_SCHEMA`,
:data:`DECISIONS_SCHEMA`) and checks records against them under
Draft 2020-12, with ``date`` and ``email`` formats enforced (email syntax as the web
forms check it, by email-validator, without DNS).

Every problem is reported as a :class:`FieldError` naming the field as people read
it (``languages[2].code``) with a plain-English message instead of jsonschema's;
:class:`RecordError` carries all of a record's problems at once. The check itself is
:class:`_SchemaChecker`, which walks plain objects and lists itself and remembers the
errors of recurring values, so a 100k-line import is checked in seconds while giving
exactly the errors of validating each whole record with jsonschema.

Normalisation of codes, dates, consent and roles is :mod:`matching.records`; this
module knows nothing of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from matching.vocabulary import DATA_DIR

EXPERT_SCHEMA: dict[str, Any] = json.loads(
    (DATA_DIR / "expert.schema.json").read_text(encoding="utf-8")
)
NEEDS_SCHEMA: dict[str, Any] = json.loads(
    (DATA_DIR / "needs.schema.json").read_text(encoding="utf-8")
)
DECISIONS_SCHEMA: dict[str, Any] = json.loads(
    (DATA_DIR / "decisions.schema.json").read_text(encoding="utf-8")
)

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
    """A field name as shown in a path: '' when empty, escaped and cut when it is odd.

    Names of unknown fields come from the file: a control character or a terminal escape
    in one must not reach the report, nor a name of thousands of characters.
    """
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in str(key))
    text = text if len(text) <= 60 else text[:57] + "..."
    return text if text else "''"


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
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


def _bounds_message(error: ValidationError, name: str) -> str:
    """Messages of the length, size and count keywords."""
    limit = error.validator_value
    return {
        "minLength": f"'{name}' must not be empty"
        if limit == 1
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
    return FieldError(_join(parent, key), f"unknown field '{_key(key)}'")


def _messages(error: ValidationError, prefix: tuple[str | int, ...]) -> list[FieldError]:
    """Translate one jsonschema error, found at ``prefix``, into plain-English FieldErrors."""
    parent = _path((*prefix, *error.absolute_path))
    name = parent or "record"
    keyword, value, instance = error.validator, error.validator_value, error.instance
    if keyword == "required":
        return [
            _missing(parent, key)
            for key in value
            if isinstance(instance, dict) and key not in instance
        ]
    if keyword == "additionalProperties":
        known = error.schema.get("properties", {})
        return [_unknown(parent, key) for key in instance if key not in known]
    if keyword == "enum":
        message = f"'{name}' must be one of {', '.join(map(str, value))}, not {_show(instance)}"
    elif keyword == "type":
        wanted = " or ".join(
            _TYPE_WORDS.get(t, t) for t in ([value] if isinstance(value, str) else value)
        )
        message = f"'{name}' must be {wanted}, not {_kind(instance)}"
    elif keyword == "pattern" and value == "^[A-Z]{2}$":
        message = f"'{name}' must be a two-letter country code like 'FR', not {_show(instance)}"
    elif keyword == "format" and value == "date":
        message = f"'{name}' must be a date written YYYY-MM-DD, not {_show(instance)}"
    elif keyword == "format" and value == "email":
        message = f"'{name}' is not a valid email address: {_show(instance)}"
    elif keyword in {
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "minItems",
        "uniqueItems",
    }:
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
_OBJECT_KEYWORDS = {
    "type",
    "required",
    "additionalProperties",
    "properties",
    "$schema",
    "$id",
    "$defs",
    "title",
    "description",
    "default",
}
# Keywords of text and list schemas whose plainly valid values _plainly_valid can accept.
_PLAIN_KEYWORDS = {
    "type",
    "minLength",
    "maxLength",
    "minItems",
    "uniqueItems",
    "format",
    "description",
}


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
            elif (
                schema.get("type") == "string"
                and set(schema) <= _PLAIN_KEYWORDS
                and schema.get("format") != "date"
            ):
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

    def _check_object(
        self, schema: dict, value: object, path: tuple, found: list[FieldError]
    ) -> None:
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

    def _report(self, errors: list[ValidationError], path: tuple, found: list[FieldError]) -> None:
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
_DECISIONS_CHECKER = _SchemaChecker(DECISIONS_SCHEMA)


def decision_errors(record: object) -> list[FieldError]:
    """Every problem of a ``decisions.schema.json`` record; empty when it is valid."""
    return _DECISIONS_CHECKER.field_errors(record)
