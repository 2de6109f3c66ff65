"""The API's reference page: made from the OpenAPI document, readable, linked from every page."""

import html
import re

from roster.api import reference
from roster.api.kernel import PROBLEM_TYPES
from roster.api.spec import COMMON_PROBLEMS


def document_operations(client) -> list[tuple[str, str]]:
    document = client.get("/api/v1/openapi.json").get_json()
    return [
        (method, path)
        for path, item in document["paths"].items()
        for method in reference.METHODS
        if method in item
    ]


def test_every_operation_of_the_document_is_on_the_page(client):
    page = client.get("/api-reference").get_data(as_text=True)

    operations = document_operations(client)
    assert operations, "the document has no operation"
    for method, path in operations:
        anchor = f"op-{method}-{reference.slug(path)}"
        assert f'id="{anchor}"' in page, (method, path)


def test_the_token_operation_reads_as_a_person_needs(client):
    page = client.get("/api-reference").get_data(as_text=True)

    section = re.search(
        r'<section class="api-operation" aria-labelledby="op-get-api-v1-token">.*?</section>',
        page,
        re.S,
    ).group(0)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section)).split())
    assert "GET /api/v1/token" in text
    assert "Who a token acts for" in text
    assert "any token" in text
    assert "expert, recruiter, planner, admin" in text
    assert "200 OK: application/json TokenInUse" in text
    assert 'href="#schema-TokenInUse"' in section
    # Grouped under its tag, with the answers every operation may give said once below.
    assert re.search(r'<h2 id="tag-tokens"><span lang="en">Tokens</span></h2>', page)
    assert "401" not in text


def test_the_page_explains_problems_scopes_and_how_to_start(client):
    page = client.get("/api-reference").get_data(as_text=True)

    for name in PROBLEM_TYPES:
        assert f'id="problem-{name}"' in page
    for status in COMMON_PROBLEMS:
        assert f"<dt><code>{status}</code></dt>" in page
    assert 'id="scope-roster-read"' in page
    assert 'href="/api/v1/openapi.json"' in page
    assert 'href="/account/tokens"' in page
    assert (
        'curl -H "Authorization: Bearer $ROSTER_TOKEN" http://localhost/api/v1/token'
        in html.unescape(page)
    )
    for schema in ("Expert", "Needs", "Shortlist", "Decisions", "Problem"):
        assert f'id="schema-{schema}"' in page


def test_a_problem_document_s_type_leads_to_its_explanation(app, client, api_as):
    api = api_as("rita@example.org", "recruiter")
    page = client.get("/api-reference").get_data(as_text=True)
    with app.test_request_context():
        from roster.api.kernel import problem_type

        address = problem_type("invalid")

    assert address == "http://localhost/api-reference#problem-invalid"
    assert f'id="{address.rsplit("#", 1)[1]}"' in page
    assert api.get("/token").status_code == 200


def test_the_reference_is_linked_from_every_page_s_footer(client):
    for path in ("/", "/login", "/api-reference"):
        footer = re.search(
            r'<footer class="site-footer">.*?</footer>',
            client.get(path).get_data(as_text=True),
            re.S,
        ).group(0)
        assert 'href="/api-reference"' in footer, path


def test_operations_added_later_appear_grouped_by_tag_with_their_details():
    document = {
        "tags": [{"name": "Needs", "description": "Needs assessments."}],
        "paths": {
            "/api/v1/needs/{public_id}": {
                "put": {
                    "tags": ["Needs"],
                    "summary": "Replace a needs assessment.",
                    "description": "Send the whole `needs` record.\n\nScope `needs:write`; "
                    "roles: planner, admin.",
                    "security": [{"bearerToken": ["needs:write"]}],
                    "x-scope": "needs:write",
                    "x-roles": ["planner", "admin"],
                    "parameters": [
                        {
                            "name": "public_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "If-Match",
                            "in": "header",
                            "required": True,
                            "description": "The ETag of your last read of the record.",
                            "schema": {"type": "string"},
                        },
                    ],
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Needs"}}
                        }
                    },
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Needs"}
                                }
                            },
                        },
                        "404": {
                            "description": "There is no such record, or it is not yours to see."
                        },
                        "412": {
                            "description": (
                                "The record changed since the version in If-Match: nothing changed."
                            )
                        },
                    },
                }
            },
            "/api/v1/experts": {
                "get": {
                    "tags": ["Experts"],
                    "summary": "Search the roster.",
                    "security": [{"bearerToken": ["roster:read"]}],
                    "x-scope": "roster:read",
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "format": "int32"},
                        },
                        {
                            "name": "area",
                            "in": "query",
                            "schema": {"type": "array", "items": {"type": "string"}},
                        },
                    ],
                    "responses": {"200": {"description": "OK"}},
                }
            },
        },
    }

    [needs, experts] = reference.groups(document)

    assert (needs.name, experts.name) == ("Needs", "Experts")  # declared tags first
    [put] = needs.operations
    assert (put.method, put.path, put.anchor) == (
        "PUT",
        "/api/v1/needs/{public_id}",
        "op-put-api-v1-needs-public-id",
    )
    assert [str(p) for p in put.paragraphs] == ["Send the whole <code>needs</code> record."]
    assert put.scope == "needs:write" and put.roles == ["planner", "admin"] and not put.open
    assert put.scope_words == "Enter and change needs assessments."
    assert [(p.name, p.where, p.required, p.shape.text) for p in put.parameters] == [
        ("public_id", "path", True, "string"),
        ("If-Match", "header", True, "string"),
    ]
    assert put.parameters[1].description.english is False  # the roster's own words, translated
    assert [(kind, shape.schema) for kind, shape in put.bodies] == [("application/json", "Needs")]
    assert [answer.status for answer in put.answers] == ["200", "412"]  # 404 is said once
    [search] = experts.operations
    assert [p.shape.text for p in search.parameters] == ["integer (int32)", "array of string"]
