"""Export then import changes nothing, whatever valid text the roster holds, in every format."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from matching.records import RecordError, normalise_expert
from roster.interchange.formats import read_records, write_records
from roster.interchange.store import canonical
from tests.factories import deployment_record, expert_record, write_jsonl

SUFFIXES = [".jsonl", ".json", ".csv"]
# Text as people paste it: any script, quotes, the CSV and list separators, characters
# that start a spreadsheet formula, spaces and line breaks of every kind.
AWKWARD = " \t\r\n\r\n'\"=+-@,;:/\\\u00a0\u2028\u200b\u202e\ufeff"
characters = st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from(AWKWARD)


def as_exported(raw: dict) -> dict:
    """The record as the roster stores and exports it (trimmed, codes normalised)."""
    record, _ = normalise_expert(raw)
    return canonical(record)


def through(suffix: str, record: dict) -> dict:
    """Write a record in a format, read it back and store it again."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"roster{suffix}"
        write_records(path, [record])
        [(_, item)] = list(read_records(path))
    assert isinstance(item, dict), item
    again = as_exported(item)
    if suffix == ".csv":  # Deployment history is JSON-only: the stored one is kept.
        again["deployments"] = record["deployments"]
    return again


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(characters, min_size=1, max_size=40),
    summary=st.text(characters, max_size=80),
    role=st.text(characters, min_size=1, max_size=20),
    comments=st.text(characters, max_size=40),
)
def test_any_text_the_roster_accepts_comes_back_unchanged(name, summary, role, comments):
    deployment = deployment_record() | {"role": role, "comments": comments}
    raw = expert_record(1, full_name=name, summary=summary, deployments=[deployment])
    try:
        stored = as_exported(raw)
    except RecordError:
        assume(False)  # Refused (a lone CR, a line break in a name ...): nothing to export.
    for suffix in SUFFIXES:
        assert through(suffix, stored) == stored, suffix


TRICKY = [
    ('Awa "Nana" Ndiaye, Jr.', "Line one\nLine two\n\n\tindented, third"),
    ("=1+2", "=cmd|' /C calc'!A0"),
    ("Ndiaye; Awa: B/C", "a;b:c/d, \"quoted\", 'single'"),
    ("'Awa", "''=x"),
    ("'", "-"),
    ("Ōtsuka 大塚 محمد", "A vote 🗳️ and a judge 👩\u200d⚖️"),
    ("A\u200bB \u200fRTL", "U+2028\u2028, U+00A0\u00a0 and an \u2067isolate\u2069 inside"),
    ("  Awa Ndiaye \r\n", "  spaces around \r\nand CR LF inside\r\n"),
    ("\\r and \\n, written out", "ends with a backslash \\"),
]


def tricky_roster() -> list[dict]:
    records = []
    for number, (name, summary) in enumerate(TRICKY, start=1):
        deployment = deployment_record() | {"mission": name, "comments": summary}
        records.append(
            expert_record(
                number,
                external_id=f"{name.strip()[:20]}#{number}",
                full_name=name,
                summary=summary,
                deployments=[deployment],
            )
        )
    return records


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_roster_of_tricky_text_exports_and_imports_back_unchanged(runner, tmp_path, suffix):
    first = runner.invoke(
        args=["roster", "import", str(write_jsonl(tmp_path / "in.jsonl", tricky_roster()))]
    )
    assert first.exit_code == 0, first.output
    exported = tmp_path / f"out{suffix}"
    assert runner.invoke(args=["roster", "export", str(exported)]).exit_code == 0
    again = runner.invoke(args=["roster", "import", str(exported)])
    assert again.exit_code == 0, again.output
    assert f"0 created, 0 updated, {len(TRICKY)} unchanged." in again.output
    assert "note:" not in again.output
    second = tmp_path / f"second{suffix}"
    runner.invoke(args=["roster", "export", str(second)])
    assert second.read_bytes() == exported.read_bytes()

    reference = tmp_path / "reference.jsonl"
    runner.invoke(args=["roster", "export", str(reference)])
    by_id = {item["external_id"]: item for _, item in read_records(reference)}
    assert by_id["Awa Ndiaye#8"]["full_name"] == "Awa Ndiaye"
    assert by_id["Awa Ndiaye#8"]["summary"] == "spaces around \nand CR LF inside"
    assert by_id["=1+2#2"]["summary"] == "=cmd|' /C calc'!A0"
    assert by_id["'#5"]["deployments"][0]["comments"] == "-"
