"""Fixtures of the matcher's tests (the spec's example, fitted) and how they read a shortlist."""

import json

import pytest

from matching import Matcher
from tests.spec import EXAMPLES


@pytest.fixture(scope="module")
def example_matcher() -> Matcher:
    """A matcher fitted on the spec's example roster."""
    lines = (EXAMPLES / "roster.jsonl").read_text().splitlines()
    return Matcher().fit([json.loads(line) for line in lines if line.strip()])


@pytest.fixture(scope="module")
def example_needs() -> dict:
    """The spec's example needs assessment."""
    return json.loads((EXAMPLES / "needs.json").read_text())


def recomputed(candidate: dict, weights: dict) -> float:
    """Return a candidate's score as a client would recompute it from the JSON."""
    return sum(weights[name] * candidate["criteria"][name] for name in candidate["criteria"])


def ids(shortlist: dict) -> list[str]:
    """Return the external ids of a shortlist, in rank order."""
    return [candidate["external_id"] for candidate in shortlist["candidates"]]
