"""The reference page's reading of the OpenAPI document: operations by tag, schemas, answers.

The page is made from the document alone, so an operation added to the API appears on it
with nothing else to write. The document is English; its words that the roster marked for
translation (``spec.MARKED_WORDS``: the common answers, the headers' descriptions) are
shown in the reader's language, and the rest (operations' summaries and descriptions,
written in their docstrings; schemas' descriptions) as English, marked ``lang="en"``.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from markupsafe import Markup, escape

from roster.accounts.tokens import SCOPES
from roster.api.spec import COMMON_PROBLEMS, MARKED_WORDS
from roster.i18n import translate

METHODS = ("get", "post", "put", "patch", "delete")
# The note ``spec`` adds to each description; the page shows scope and roles apart.
_ACCESS_NOTE = re.compile(r"\s*Scope `[^`]*`; roles: [^\n]*\.\s*$")
_CODE = re.compile(r"`([^`]+)`")
_SCHEMA_REF = "#/components/schemas/"


@dataclass(frozen=True)
class Words:
    """A text of the document: translated if the roster marked it, else English."""

    text: str
    english: bool


@dataclass(frozen=True)
class Shape:
    """What a value is, in a few words: a type, a format, or a schema of the document."""

    text: str
    schema: str | None = None


@dataclass(frozen=True)
class Parameter:
    """A path, query or header parameter of an operation."""

    name: str
    where: str
    required: bool
    shape: Shape
    description: Words | None


@dataclass(frozen=True)
class Answer:
    """One answer an operation may give: its status, meaning, and body."""

    status: str
    description: Words
    media: list[tuple[str, Shape]]


@dataclass
class Operation:
    """One operation as the page shows it."""

    anchor: str
    method: str
    path: str
    summary: str
    paragraphs: list[Markup]
    scope: str | None
    scope_words: str | None
    roles: list[str]
    open: bool
    parameters: list[Parameter] = field(default_factory=list)
    bodies: list[tuple[str, Shape]] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)


@dataclass
class Group:
    """The operations of one tag."""

    name: str
    anchor: str
    description: str
    operations: list[Operation] = field(default_factory=list)


@dataclass(frozen=True)
class Property:
    """A top-level property of a schema."""

    name: str
    shape: Shape
    required: bool
    description: str


@dataclass(frozen=True)
class Schema:
    """A schema of the document's components, by its top-level properties."""

    name: str
    anchor: str
    title: str
    description: str
    properties: list[Property]


def words(text: str) -> Words:
    """``text`` in the reader's language if the roster marked it, else as English data."""
    if text in MARKED_WORDS:
        return Words(gettext(text), english=False)
    return Words(text, english=True)


def slug(text: str) -> str:
    """An anchor for ``text``: lower case letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def paragraphs(text: str) -> list[Markup]:
    """A description's paragraphs, escaped, its `code` spans as <code>."""
    return [
        Markup(_CODE.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(part.strip()))))
        for part in re.split(r"\n\s*\n", text)
        if part.strip()
    ]


def shape_of(schema: dict[str, Any] | None) -> Shape:
    """A schema in a few words (``string (date)``, ``array of Needs``), linked if named."""
    if not schema:
        return Shape(gettext("any"))
    if "$ref" in schema and schema["$ref"].startswith(_SCHEMA_REF):
        name = schema["$ref"].removeprefix(_SCHEMA_REF).split("/", 1)[0]
        return Shape(name, schema=name)
    if "enum" in schema:
        return Shape(" | ".join(str(value) for value in schema["enum"]))
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = " | ".join(str(each) for each in kind)
    if kind == "array":
        inner = shape_of(schema.get("items"))
        return Shape(gettext("array of %(items)s", items=inner.text), schema=inner.schema)
    if kind is None:
        for combined in ("anyOf", "oneOf", "allOf"):
            if combined in schema:
                return Shape(" | ".join(shape_of(part).text for part in schema[combined]))
        return Shape(gettext("any"))
    if schema.get("format"):
        return Shape(f"{kind} ({schema['format']})")
    return Shape(str(kind))


def _operation(path: str, method: str, operation: dict[str, Any]) -> Operation:
    scope = operation.get("x-scope")
    description = _ACCESS_NOTE.sub("", operation.get("description") or "")
    found = Operation(
        anchor=f"op-{method}-{slug(path)}",
        method=method.upper(),
        path=path,
        summary=operation.get("summary") or "",
        paragraphs=paragraphs(description),
        scope=scope,
        scope_words=translate(SCOPES[scope].description) if scope in SCOPES else None,
        roles=list(operation.get("x-roles") or []),
        open=not operation.get("security"),
    )
    for parameter in operation.get("parameters") or []:
        found.parameters.append(
            Parameter(
                name=parameter["name"],
                where=parameter.get("in", ""),
                required=bool(parameter.get("required")),
                shape=shape_of(parameter.get("schema")),
                description=words(parameter["description"])
                if parameter.get("description")
                else None,
            )
        )
    body = operation.get("requestBody") or {}
    found.bodies = [
        (kind, shape_of(media.get("schema"))) for kind, media in body.get("content", {}).items()
    ]
    common = {str(status) for status in COMMON_PROBLEMS}
    for status, answer in sorted((operation.get("responses") or {}).items()):
        if status in common:
            continue  # said once for every operation
        found.answers.append(
            Answer(
                status=status,
                description=words(answer.get("description") or ""),
                media=[
                    (kind, shape_of(media.get("schema")))
                    for kind, media in (answer.get("content") or {}).items()
                ],
            )
        )
    return found


def groups(document: dict[str, Any]) -> list[Group]:
    """The operations grouped by their first tag: the document's tags first, then the rest."""
    described = {tag["name"]: tag.get("description", "") for tag in document.get("tags") or []}
    by_tag: dict[str, Group] = {}
    for path, item in sorted(document.get("paths", {}).items()):
        for method in METHODS:
            if method not in item:
                continue
            operation = item[method]
            tag = (operation.get("tags") or [""])[0]
            group = by_tag.setdefault(
                tag, Group(tag, f"tag-{slug(tag) or 'other'}", described.get(tag, ""))
            )
            group.operations.append(_operation(path, method, operation))
    order = list(described)
    return sorted(
        (group for group in by_tag.values() if group.operations),
        key=lambda group: (
            order.index(group.name) if group.name in order else len(order),
            group.name.casefold(),
        ),
    )


def schemas(document: dict[str, Any]) -> list[Schema]:
    """The document's named schemas, each with its top-level properties."""
    found = []
    for name, schema in (document.get("components") or {}).get("schemas", {}).items():
        required = set(schema.get("required") or [])
        found.append(
            Schema(
                name=name,
                anchor=f"schema-{name}",
                title=schema.get("title") or "",
                description=schema.get("description") or "",
                properties=[
                    Property(
                        name=key,
                        shape=shape_of(value),
                        required=key in required,
                        description=value.get("description") or "",
                    )
                    for key, value in (schema.get("properties") or {}).items()
                ],
            )
        )
    return found


def common_answers() -> list[tuple[str, str]]:
    """The answers any operation may give, with their meaning in the reader's language."""
    return [(str(status), gettext(text)) for status, text in COMMON_PROBLEMS.items()]
