"""Whether an answer is what the OpenAPI document says it is, status and body."""

from jsonschema import Draft202012Validator

from roster.api.spec import openapi_path


def assert_conforms(api, method: str, rule: str, answer) -> None:
    """Fail unless ``answer`` to ``method`` ``rule`` (``/api/v1/x/{id}``) is documented:
    its status listed, and its JSON body valid against the schema given for it."""
    document = api.get("/openapi.json").get_json()
    operation = document["paths"][openapi_path(rule)][method.lower()]
    declared = operation["responses"].get(str(answer.status_code))
    assert declared is not None, f"{method} {rule} answered {answer.status_code}, undocumented"
    content = declared.get("content", {})
    kind = answer.mimetype
    if not content:
        return
    assert kind in content, f"{method} {rule} answered {kind}, not {sorted(content)}"
    schema = {**document, "$ref": content[kind]["schema"].get("$ref")}
    if schema["$ref"] is None:
        schema = {**document, **content[kind]["schema"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(answer.get_json()), key=str)
    assert not errors, f"{method} {rule}: {errors[0]}"
