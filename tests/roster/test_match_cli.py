"""A planner asks the command line for shortlists and a team for a needs assessment."""

import json
import shutil

import pytest

from tests.factories import expert_record, write_jsonl
from tests.spec import EXAMPLES, assert_valid


@pytest.fixture
def example_roster(runner, tmp_path):
    source = shutil.copy(EXAMPLES / "roster.jsonl", tmp_path / "roster.jsonl")
    assert runner.invoke(args=["roster", "import", str(source)]).exit_code == 0
    return shutil.copy(EXAMPLES / "needs.json", tmp_path / "needs.json")


def test_shortlist_for_one_role_of_the_spec_example(runner, example_roster):
    result = runner.invoke(
        args=["match", "shortlist", str(example_roster), "--role", "R1", "--top", "5"]
    )
    assert result.exit_code == 0, result.output
    shortlist = json.loads(result.stdout)
    assert_valid(shortlist, "shortlist.schema.json")
    assert shortlist["needs_id"] == "NA-2027-ML-01" and shortlist["role_id"] == "R1"
    ids = [c["external_id"] for c in shortlist["candidates"]]
    assert ids[0] == "EXP-0001"
    assert "EXP-0004" not in ids  # under review, not rostered
    for candidate in shortlist["candidates"]:
        total = sum(
            shortlist["weights"][name] * value for name, value in candidate["criteria"].items()
        )
        assert candidate["score"] == pytest.approx(total, abs=1e-9)


def test_shortlists_for_every_role_when_none_is_named(runner, example_roster):
    result = runner.invoke(args=["match", "shortlist", str(example_roster)])
    assert result.exit_code == 0, result.output
    shortlists = json.loads(result.stdout)
    assert [s["role_id"] for s in shortlists] == ["R1", "R2"]
    for shortlist in shortlists:
        assert_valid(shortlist, "shortlist.schema.json")


def test_team_for_the_spec_example(runner, example_roster):
    result = runner.invoke(args=["match", "team", str(example_roster)])
    assert result.exit_code == 0, result.output
    team = json.loads(result.stdout)
    assert team["needs_id"] == "NA-2027-ML-01"
    members = [m["external_id"] for m in team["members"]]
    assert len(members) == len(set(members))


def test_unknown_role_is_a_plain_error(runner, example_roster):
    result = runner.invoke(args=["match", "shortlist", str(example_roster), "--role", "R9"])
    assert result.exit_code == 1
    assert "no role 'R9' in needs.json; its roles are R1, R2" in result.output


def test_invalid_needs_are_reported_by_field(runner, tmp_path):
    path = tmp_path / "needs.json"
    path.write_text(
        json.dumps(
            {
                "id": "N1",
                "country": "ML",
                "start": "2027-06-01",
                "end": "2027-01-01",
                "roles": [
                    {
                        "id": "R1",
                        "title": "Adviser",
                        "required_languages": [{"code": "Klingonese", "level": "C1"}],
                    }
                ],
            }
        )
    )
    result = runner.invoke(args=["match", "shortlist", str(path)])
    assert result.exit_code == 1
    assert "the needs assessment is invalid" in result.output
    assert "roles[0].required_languages[0].code" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "malformed JSON at line 1"),
        ("[1, 2]", "a needs assessment must be a JSON object"),
        ('{"roles": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ],
    ids=["malformed", "not an object", "nested too deeply"],
)
def test_unreadable_needs_files(runner, tmp_path, content, message):
    path = tmp_path / "needs.json"
    path.write_text(content)
    result = runner.invoke(args=["match", "shortlist", str(path)])
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output


def test_missing_needs_file(runner, tmp_path):
    result = runner.invoke(args=["match", "team", str(tmp_path / "nope.json")])
    assert result.exit_code == 1 and "no such file" in result.output


def test_gender_balance_on_the_command_line(runner, tmp_path):
    men = [expert_record(n, gender="man", full_name=f"Man {n}") for n in range(1, 7)]
    women = [
        expert_record(n, gender="woman", full_name=f"Woman {n}", years_experience=5)
        for n in range(7, 10)
    ]
    runner.invoke(args=["roster", "import", str(write_jsonl(tmp_path / "r.jsonl", men + women))])
    needs = {
        "id": "N1",
        "country": "ML",
        "start": "2027-02-01",
        "end": "2027-06-30",
        "gender_target": 0.5,
        "roles": [{"id": "R1", "title": "Adviser", "required_skills": ["electoral-management"]}],
    }
    (tmp_path / "needs.json").write_text(json.dumps(needs))
    result = runner.invoke(
        args=["match", "shortlist", str(tmp_path / "needs.json"), "--role", "R1", "--top", "6"]
    )
    shortlist = json.loads(result.stdout)
    assert shortlist["constraints"]["women"] == 3 and shortlist["constraints"]["satisfied"] is True
