"""The OpenAPI 3.1 document: APIFlask's paths, completed from each operation's declaration.

APIFlask makes the paths, their parameters, summaries and tags from the routes and
docstrings. This module adds what it cannot know: who may call an operation (its scope
and roles, from ``token_required``), its bodies (``described``), the contract's schemas
for experts, needs, shortlists and decisions (read from the files themselves, so they
cannot drift), and the problem documents every operation may answer.
"""

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask
from pydantic import BaseModel

from roster.accounts.tokens import SCOPES
from roster.api.kernel import PROBLEM_TYPES, Description, description_of
from roster.auth.access import TokenRule, access_rule
from roster.i18n import translate
from roster.messages import N_

CONTRACT = Path(__file__).resolve().parents[2] / "matching" / "data"
# The contract's formats, by the name operations use and the schema's name in the document.
CONTRACT_SCHEMAS = {
    "expert": "Expert",
    "needs": "Needs",
    "shortlist": "Shortlist",
    "decisions": "Decisions",
}
SECURITY_SCHEME = "bearerToken"
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "A problem document (RFC 9457).",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "problems": {
            "type": "array",
            "description": "What to correct, each at its field's path in the request.",
            "items": {
                "type": "object",
                "required": ["path", "message_id", "params", "message"],
                "properties": {
                    "path": {"type": "string"},
                    "message_id": {"type": "string"},
                    "params": {"type": "object"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
# What any operation may answer, besides what it declares.
COMMON_PROBLEMS = {
    400: N_("The request could not be read (broken JSON, a null character in the address)."),
    401: N_("No access token, or one that is malformed, unknown, revoked or expired."),
    403: N_("The token lacks the operation's scope, or its owner lacks the role."),
    404: N_("There is no such record, or it is not yours to see."),
    405: N_("The address does not take this method."),
    429: N_("Too many requests with this token: wait for Retry-After seconds."),
}
CHANGED_MEANWHILE = N_("Someone changed the record meanwhile: nothing changed; read it again.")
BODY_PROBLEMS = {
    413: N_("The body is larger than the operation reads."),
    415: N_("The body is not of a type the operation reads."),
    422: N_("The content was refused: each problem names its field's path."),
}

# What some operations answer besides: those that create, and those that update.
OPERATION_PROBLEMS = {
    409: N_("A request with this Idempotency-Key is still running."),
    412: N_("The record changed since the version in If-Match: nothing changed."),
    422: N_(
        "The content was refused, each problem naming its field's path; or the "
        "Idempotency-Key was used before for another request."
    ),
    428: N_("If-Match is missing: an update names the version it changes."),
}
STATUS_WORDS = {
    200: N_("OK"),
    201: N_("Created"),
    202: N_("Accepted: runs as a job"),
    204: N_("Done, no content"),
}
IDEMPOTENCY_KEY_WORDS = N_("Retry under the same key: the thing is created once.")
IF_MATCH_WORDS = N_("The ETag of your last read of the record.")
# The document's own words, marked for translation: the reference page shows them in the
# reader's language. Summaries and descriptions written in the operations' docstrings are
# English data (the document is English), shown as such.
MARKED_WORDS = frozenset(
    [
        *COMMON_PROBLEMS.values(),
        *BODY_PROBLEMS.values(),
        *OPERATION_PROBLEMS.values(),
        CHANGED_MEANWHILE,
        *STATUS_WORDS.values(),
        IDEMPOTENCY_KEY_WORDS,
        IF_MATCH_WORDS,
    ]
)


@cache
def contract_schema(name: str) -> dict[str, Any]:
    """The contract's JSON Schema ``name`` as a component of the OpenAPI document.

    Its ``$schema`` and relative ``$id`` go (the document's dialect is 2020-12 already);
    its own ``$defs`` stay and its references are made absolute within the document.
    """
    schema = json.loads((CONTRACT / f"{name}.schema.json").read_text())
    schema.pop("$schema", None)
    schema.pop("$id", None)
    text = json.dumps(schema).replace(
        '"#/$defs/', f'"#/components/schemas/{CONTRACT_SCHEMAS[name]}/$defs/'
    )
    return json.loads(text)


def _schema_ref(body: str | type[BaseModel] | dict, components: dict[str, Any]) -> dict:
    if isinstance(body, str):
        return {"$ref": f"#/components/schemas/{CONTRACT_SCHEMAS[body]}"}
    if isinstance(body, dict):
        return body
    schema = body.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault(body.__name__, schema)
    return {"$ref": f"#/components/schemas/{body.__name__}"}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def _operation_for(app: Flask, path: str, method: str) -> tuple[Any, Description | None]:
    """The access rule and description of the view answering ``method`` at ``path``."""
    for rule in app.url_map.iter_rules():
        if method.upper() in (rule.methods or ()) and openapi_path(rule.rule) == path:
            view = app.view_functions[rule.endpoint]
            return access_rule(view), description_of(view)
    return None, None


def openapi_path(rule: str) -> str:
    """A Werkzeug rule (``/needs/<public_id>``) as an OpenAPI path (``/needs/{public_id}``)."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def complete(app: Flask, spec: dict[str, Any]) -> dict[str, Any]:
    """Add access, bodies, contract schemas and problems to APIFlask's document."""
    spec = copy.deepcopy(spec)
    spec["paths"] = {
        path: item for path, item in spec.get("paths", {}).items() if path.startswith("/api/")
    }
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, title in CONTRACT_SCHEMAS.items():
        schemas[title] = contract_schema(name)
    schemas["Problem"] = PROBLEM_SCHEMA
    components["securitySchemes"] = {
        SECURITY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token, made on the account page.",
        }
    }
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            rule, description = _operation_for(app, path, method)
            _complete_operation(operation, method, rule, description, schemas)
    spec["info"]["description"] = _document_description()
    return spec


def _complete_operation(
    operation: dict, method: str, rule, description: Description | None, schemas: dict
) -> None:
    responses: dict[str, Any] = {}
    if isinstance(rule, TokenRule):
        operation["security"] = [{SECURITY_SCHEME: [rule.scope] if rule.scope else []}]
        operation["x-roles"] = list(rule.roles)
        if rule.scope:
            operation["x-scope"] = rule.scope
        roles = ", ".join(rule.roles)
        note = f"Scope `{rule.scope or 'any'}`; roles: {roles}."
        operation["description"] = f"{operation.get('description', '').strip()}\n\n{note}".strip()
    else:
        operation["security"] = []
    description = description or Description()
    for status, body in description.responses.items():
        entry: dict[str, Any] = {"description": _status_words(status)}
        if isinstance(body, tuple):  # (media type, schema): an answer other than JSON
            kind, schema = body
            entry["content"] = {kind: {"schema": _schema_ref(schema, schemas)}}
        elif isinstance(body, str) and "/" in body:  # a media type: a file, not JSON
            entry["content"] = {body: {"schema": {"type": "string", "format": "binary"}}}
        elif body is not None:
            entry["content"] = {"application/json": {"schema": _schema_ref(body, schemas)}}
        if description.etag or description.if_match:
            entry["headers"] = {"ETag": {"schema": {"type": "string"}}}
        responses[str(status)] = entry
    if not responses:
        responses["200"] = {"description": "OK"}
    problems = dict(COMMON_PROBLEMS)
    if description.request is not None or description.query or method != "get":
        # Besides refused content, any change may be refused by the domain's rules.
        problems.update({422: BODY_PROBLEMS[422]})
    if method != "get":
        # A change races others: the services' ``Changed`` is answered 412 on any of them.
        problems[412] = CHANGED_MEANWHILE
    if description.request is not None:
        problems.update(BODY_PROBLEMS)
        operation["requestBody"] = {
            "required": True,
            "content": {
                kind: {"schema": _schema_ref(description.request, schemas)}
                if kind == "application/json" or isinstance(description.request, dict)
                else {"schema": {"type": "string", "format": "binary"}}
                for kind in description.request_types
            },
        }
    if description.idempotent:
        problems[409] = OPERATION_PROBLEMS[409]
        problems[422] = OPERATION_PROBLEMS[422]
        operation.setdefault("parameters", []).append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": IDEMPOTENCY_KEY_WORDS,
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            }
        )
    if description.if_match:
        problems[412] = OPERATION_PROBLEMS[412]
        problems[428] = OPERATION_PROBLEMS[428]
        operation.setdefault("parameters", []).append(
            {
                "name": "If-Match",
                "in": "header",
                "required": True,
                "description": IF_MATCH_WORDS,
                "schema": {"type": "string"},
            }
        )
    if description.query:
        operation.setdefault("parameters", []).extend(description.query)
    problems.update(description.problems)
    for status, words in problems.items():
        responses.setdefault(str(status), _problem(words))
    operation["responses"] = responses


def _status_words(status: int) -> str:
    return STATUS_WORDS.get(status, STATUS_WORDS[200])


def _document_description() -> str:
    lines = [
        "Every workflow of the roster's pages, for scripts and partner systems, under the "
        "same rules: a token does what its owner may do, narrowed by its scopes.",
        "",
        "Scopes:",
        "",
        *(f"- `{name}`: {translate(scope.description)}" for name, scope in SCOPES.items()),
        "",
        "Problem types:",
        "",
        *(f"- `problem-{name}`: {words}" for name, words in PROBLEM_TYPES.items()),
    ]
    return "\n".join(lines)
