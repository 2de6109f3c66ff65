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
    400: "The request could not be read (broken JSON, a null character in the address).",
    401: "No access token, or one that is malformed, unknown, revoked or expired.",
    403: "The token lacks the operation's scope, or its owner lacks the role.",
    404: "There is no such record, or it is not yours to see.",
    405: "The address does not take this method.",
    429: "Too many requests with this token: wait for Retry-After seconds.",
}
CHANGED_MEANWHILE = "Someone changed the record meanwhile: nothing changed; read it again."
BODY_PROBLEMS = {
    413: "The body is larger than the operation reads.",
    415: "The body is not of a type the operation reads.",
    422: "The content was refused: each problem names its field's path.",
}


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
        problems[409] = "A request with this Idempotency-Key is still running."
        problems[422] = BODY_PROBLEMS[422] + " Also: the Idempotency-Key was used before."
        operation.setdefault("parameters", []).append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Retry under the same key: the thing is created once.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            }
        )
    if description.if_match:
        problems[412] = "The record changed since the version in If-Match: nothing changed."
        problems[428] = "If-Match is missing: an update names the version it changes."
        operation.setdefault("parameters", []).append(
            {
                "name": "If-Match",
                "in": "header",
                "required": True,
                "description": "The ETag of your last read of the record.",
                "schema": {"type": "string"},
            }
        )
    if description.query:
        operation.setdefault("parameters", []).extend(description.query)
    for status, words in problems.items():
        responses.setdefault(str(status), _problem(words))
    operation["responses"] = responses


def _status_words(status: int) -> str:
    return {200: "OK", 201: "Created", 202: "Accepted: runs as a job", 204: "Done, no content"}.get(
        status, "OK"
    )


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
