"""Where the interchange contract lives for the tests.

The contract (`../shared/spec/`) sits beside the project in development and CI, but a
clone on its own has only the project. The tests therefore read the project's copies:
the schemas and taxonomy that `matching` ships, and the contract's example roster and
needs assessment kept under `tests/data/spec_examples/`. Tests that compare those copies
with the contract run only where the contract is present.
"""

from pathlib import Path

import pytest

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec"
EXAMPLES = Path(__file__).resolve().parent / "data" / "spec_examples"

needs_spec = pytest.mark.skipif(not SPEC.is_dir(), reason="../shared/spec is absent")
