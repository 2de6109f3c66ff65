"""Schemathesis against the OpenAPI document the app serves: the whole API kept to its word.

Every operation of the document gets requests generated from its declaration, valid ones
and invalid ones, on a small realistic roster (``tests/api/seed.py``) with tokens that may
call it: a staff member holding every staff role with all their scopes, and an expert for
the expert's own operations; now and then another account's token, or none. Path and
query parameters that name records are more often real ids of the roster than generated
ones, so that requests reach the handlers past their 404s, and an update sends
``If-Match: *`` now and then so that it reaches the write. Each answer must be no server
error, with a status, content type, headers and body its document declares. Generation
is derandomized (fixed draws): every run sends as many requests, made the same way.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.seed import Seeded, seed_roster
from tests.factories import pdf

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

# The floor for one run, on each database.
REQUESTS_AT_LEAST = 2000
# Requests planned beyond the floor, shared among the operations (20 at least each, valid
# and invalid): one to two minutes on each database.
PLANNED = 2400
EXAMPLES_AT_LEAST = 20
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
    response_headers_conformance,
]
STAFF_ROLES = {"admin", "recruiter", "planner"}
# The segment before a path parameter names the kind of record it is the id of.
KINDS = {
    "experts": "experts",
    "needs": "needs",
    "roles": "roles",
    "shortlists": "shortlists",
    "call-outs": "call-outs",
    "callouts": "call-outs",
    "duplicates": "duplicates",
    "tokens": "tokens",
    "users": "users",
    "accounts": "users",
    "candidates": "candidates",
    "expertise": "expertise",
    "lists": "lists",
    "saved-searches": "saved-searches",
    "outbox": "outbox",
}
# Query parameters that name a record, by the kind of record.
QUERY_KINDS = {"needs": "needs", "role": "roles", "expert": "experts"}
GENERATED = None


@schemathesis.serializer("application/pdf")
def _pdf(context, value) -> bytes:
    """A CV's body: a real PDF as often as the bytes generated for it."""
    data = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")
    return pdf() if len(data) % 2 == 0 else data


@dataclass
class Run:
    """What a run sent (by operation; by token and status) and what broke."""

    requests: Counter = field(default_factory=Counter)
    succeeded: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)

    def report(self) -> str:
        """The failures, one per operation and check, each with a request that shows it."""
        return "\n\n".join(
            f"{label} [{check}]\n{text}" for (label, check), text in self.failures.items()
        )


def _real_ids(path: str, seeded: Seeded) -> dict[str, list[str]]:
    """For each parameter of ``path``, the seeded ids of the kind its segment names."""
    found = {}
    for before, name in re.findall(r"([^/{}]+)/\{([^}]+)\}", path):
        found[name] = list(seeded.ids.get(KINDS.get(before, ""), []))
    return found


def _real_query(definition: dict, seeded: Seeded) -> dict[str, list[str]]:
    """For each query parameter that names a record, the seeded ids of its kind."""
    return {
        parameter["name"]: list(seeded.ids[QUERY_KINDS[parameter["name"]]])
        for parameter in definition.get("parameters", [])
        if parameter["in"] == "query" and parameter["name"] in QUERY_KINDS
    }


def _draw_real(data, real: dict[str, list[str]], label: str) -> dict[str, str]:
    """Real ids for some of the parameters, the others left to be generated."""
    return {
        name: value
        for name, values in real.items()
        if (value := data.draw(st.sampled_from([*values, GENERATED]), label=f"{label} {name}"))
        is not GENERATED
    }


def _tokens_for(operation: dict, seeded: Seeded) -> tuple[str, str]:
    """The token of an account that may call ``operation``, and of one that may not."""
    roles = set(operation.get("x-roles", []))
    if roles & STAFF_ROLES or not roles:
        return seeded.staff_token, seeded.expert_token
    return seeded.expert_token, seeded.staff_token


def _explore(operation, definition: dict, mode: GenerationMode, examples: int, seeded, run: Run):
    real, real_query = _real_ids(operation.path, seeded), _real_query(definition, seeded)
    token, other = _tokens_for(definition, seeded)
    updates = any(p.get("name") == "If-Match" for p in definition.get("parameters", []))

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def explore(data):
        fixed, query = _draw_real(data, real, "path"), _draw_real(data, real_query, "query")
        case = data.draw(operation.as_strategy(mode, path_parameters=fixed, query=query or None))
        case.headers = dict(case.headers or {})
        # Mostly a token that may call the operation; now and then another account's, or
        # the Authorization header as generated (none, or a malformed one).
        who = data.draw(st.sampled_from(["owner", "owner", "owner", "other", "generated"]))
        if who != "generated":
            case.headers["Authorization"] = f"Bearer {token if who == 'owner' else other}"
        if updates and data.draw(st.booleans(), label="any version"):
            case.headers["If-Match"] = "*"
        response = case.call()
        run.requests[operation.label] += 1
        run.statuses[who, response.status_code] += 1
        run.succeeded[operation.label] += response.status_code < 300
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, FailureGroup) as failure:
            for single in getattr(failure, "exceptions", [failure]):
                key = (operation.label, getattr(single, "title", type(single).__name__))
                run.failures.setdefault(
                    key,
                    f"{single}\n{case.as_curl_command()}\n-> {response.status_code} "
                    f"{response.text[:800]}",
                )

    explore()


def test_every_operation_answers_as_its_document_says(app, runner):
    app.config["API_RATE_LIMIT"] = "1000000 per minute"
    seeded = seed_roster(app, runner)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    # Deletions last: an erased expert's token would close the operations after it.
    operations = sorted(
        (found.ok() for found in schema.get_all_operations()),
        key=lambda operation: operation.method.upper() == "DELETE",
    )
    examples = max(EXAMPLES_AT_LEAST, math.ceil(PLANNED / (2 * len(operations))))
    run = Run()

    for operation in operations:
        definition = document["paths"][operation.path][operation.method.lower()]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _explore(operation, definition, mode, examples, seeded, run)

    print(f"{sum(run.requests.values())} requests; by token and status:")
    for (who, status), count in sorted(run.statuses.items()):
        print(f"  {who:9} {status}: {count}")
    for label, count in sorted(run.requests.items()):
        print(f"  {count:5} {label} ({run.succeeded[label]} succeeded)")
    assert not run.failures, run.report()
    assert sum(run.requests.values()) >= REQUESTS_AT_LEAST, run.requests
