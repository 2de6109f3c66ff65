"""Where the interchange contract lives for the tests.

The contract (`../shared/spec/`) sits beside the project in development and CI, but a
clone on its own has only the project. The tests therefore read the project's copies:
the schemas and taxonomy that `matching` ships, and the contract's example roster and
needs assessment kept under `tests/data/spec_examples/`. Tests that compare those copies
with the contract run only where the contract is present.
"""

import json
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from matching.vocabulary import DATA_DIR

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec"
EXAMPLES = Path(__file__).resolve().parent / "data" / "spec_examples"

needs_spec = pytest.mark.skipif(not SPEC.is_dir(), reason="../shared/spec is absent")


@cache
def _validator(name: str) -> Draft202012Validator:
    """A validator of one schema that ``matching`` ships, formats (dates, emails) checked."""
    schema = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def assert_valid(instance: object, schema: str) -> None:
    """Fail with every error of ``instance`` against ``schema`` (``"shortlist.schema.json"``)."""
    errors = [
        f"{'/'.join(map(str, error.path)) or 'record'}: {error.message}"
        for error in _validator(schema).iter_errors(instance)
    ]
    named = (
        instance.get("external_id") or instance.get("id") if isinstance(instance, dict) else None
    )
    assert not errors, (named, errors)
