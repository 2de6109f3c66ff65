"""Reasons and notes as codes with parameters (``matching.messages``), beside the sentences.

The sentences of the default output are the golden file's, byte for byte; asked for,
every sentence also comes as ``{"code", "params", "text"}`` whose text is the template of
a declared code filled in with the display names of its parameters.
"""

import json
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from jsonschema import Draft202012Validator

from matching import messages
from matching import vocabulary as vocab
from matching.messages import CODES, TEMPLATES, Reason, display, english
from tests.matching import reason_cases
from tests.spec import SPEC, assert_valid, needs_spec

CANDIDATE_KEYS = {"external_id", "rank", "score", "criteria", "reasons"}
LEVELS = set(vocab.LANGUAGE_LEVELS)
GRADES = {"P2", "P3", "P4", "P5", "D1"}
# What a parameter may hold, by its name: codes of a vocabulary, or numbers.
CODE_PARAMS = {
    "skill": set(vocab.EXPERTISE_AREAS),
    "accessibility": set(vocab.ACCESSIBILITY_EXPERTISE),
    "expertise": set(vocab.ACCESSIBILITY_EXPERTISE),
    "wanted": LEVELS,
    "level": LEVELS,
    "grade": GRADES,
    "role_grade": GRADES,
}


@pytest.fixture(scope="module")
def default() -> dict[str, dict]:
    return reason_cases.shortlists()


@pytest.fixture(scope="module")
def structured() -> dict[str, dict]:
    return reason_cases.shortlists(structured=True)


@pytest.fixture(scope="module")
def structured_teams() -> dict[str, dict]:
    return reason_cases.teams(structured=True)


@pytest.fixture(scope="module")
def structured_requirements() -> dict[str, dict]:
    return reason_cases.requirements(structured=True)


def every_structured(shortlists: dict, teams: dict, requirements: dict | None = None):
    """Each (structured reason, its sentence) of the shortlists, teams and requirements."""
    for shortlist in shortlists.values():
        for candidate in shortlist["candidates"]:
            yield from zip(candidate["reason_codes"], candidate["reasons"], strict=True)
        constraints = shortlist["constraints"]
        yield from zip(constraints["note_codes"], constraints["notes"], strict=True)
        yield from zip(shortlist["note_codes"], shortlist["notes"], strict=True)
    for team in teams.values():
        yield from zip(team["note_codes"], team["notes"], strict=True)
    for found in (requirements or {}).values():
        for requirement in found["requirements"]:
            yield {k: requirement[k] for k in ("code", "params", "text")}, requirement["text"]
        yield from zip(found["note_codes"], found["notes"], strict=True)


def test_the_default_sentences_are_those_written_before_they_had_codes():
    assert reason_cases.sentences() == json.loads(reason_cases.GOLDEN.read_text())


def test_the_default_output_has_only_the_contracts_keys(default):
    for shortlist in default.values():
        assert "note_codes" not in shortlist and "note_codes" not in shortlist["constraints"]
        assert all(set(c) == CANDIDATE_KEYS for c in shortlist["candidates"])
    assert all("note_codes" not in team for team in reason_cases.teams().values())


def test_the_structured_output_only_adds_the_codes(default, structured, structured_teams):
    for key, shortlist in structured.items():
        plain = json.loads(json.dumps(shortlist))
        plain.pop("note_codes")
        plain["constraints"].pop("note_codes")
        for candidate in plain["candidates"]:
            candidate.pop("reason_codes")
        assert plain == default[key]
    teams = reason_cases.teams()
    for name, team in structured_teams.items():
        assert {k: v for k, v in team.items() if k != "note_codes"} == teams[name]


def test_every_reason_and_note_has_a_declared_code_and_reads_as_its_template(
    structured, structured_teams, structured_requirements
):
    seen = set()
    for reason, sentence in every_structured(structured, structured_teams, structured_requirements):
        assert set(reason) == {"code", "params", "text"}
        assert reason["code"] in CODES
        as_reason = Reason(reason["code"], reason["params"])
        assert reason["text"] == as_reason.template % display(reason["params"]) == sentence
        assert str(as_reason) == english(reason["code"], reason["params"]) == sentence
        seen.add(reason["code"])
    # The cases reach most codes; the rest are read in the tests below.
    assert len(seen) >= 38, sorted(CODES - seen)


def test_the_parameters_are_codes_and_numbers(
    structured, structured_teams, structured_requirements
):
    for reason, _ in every_structured(structured, structured_teams, structured_requirements):
        if reason["code"] in messages.UNTRANSLATED:
            continue
        for name, value in reason["params"].items():
            if name == "language":
                assert vocab.language_name(value) and " " not in value, value
            elif name == "country":
                assert vocab.country_name(value), value
            elif name in CODE_PARAMS:
                assert value in CODE_PARAMS[name], (name, value)
            elif name == "skills":
                assert value and set(value) <= set(vocab.EXPERTISE_AREAS), value
            elif name == "regions":
                assert set(value) <= set(vocab.UN_REGIONAL_GROUPS)
            elif name in {"families", "alternatives", "role", "family"}:
                continue  # the team's constraint families and role ids, as in its output
            else:
                assert isinstance(value, int | float) and not isinstance(value, bool), name
        json.dumps(reason["params"])


def test_the_structured_shortlists_meet_the_contract(structured):
    for shortlist in structured.values():
        assert_valid(shortlist, "shortlist.schema.json")


@needs_spec
def test_the_structured_shortlists_meet_the_contracts_own_schema(structured):
    schema = json.loads((SPEC / "shortlist.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    for key, shortlist in structured.items():
        assert list(validator.iter_errors(shortlist)) == [], key


def test_without_reasons_there_are_no_reason_codes():
    needs = reason_cases.needs_cases()[0][1]
    matcher = reason_cases.matcher()
    shortlist = matcher.shortlist(needs, role_id="R1", reasons=False, structured=True)
    assert all("reasons" not in c and "reason_codes" not in c for c in shortlist["candidates"])
    assert len(shortlist["constraints"]["note_codes"]) == len(shortlist["constraints"]["notes"])


@pytest.mark.parametrize(
    ("code", "params", "sentence"),
    [
        ("skill.required", {"skill": "voter-registration", "years": 1},
         "has required skill: voter registration (1 year)"),
        ("skill.desired", {"skill": "mediation", "years": 0},
         "has desired skill: mediation (0 years)"),
        ("skills.verified", {"skills": ["voter-registration", "mediation"]},
         "verified by a recruiter: voter registration, mediation"),
        ("language.required", {"language": "fr", "wanted": "C1", "level": "C2"},
         "French C1 required: has C2"),
        ("language.desired.missing", {"language": "pt-BR", "wanted": "B1"},
         "Portuguese (Brazil) B1 desired: has none"),
        ("accessibility.has", {"accessibility": "sign-language"}, "sign language expertise: yes"),
        ("seniority.unknown", {"role_grade": "P4"}, "seniority not given for a P4 role"),
        ("availability.partial", {"percent": 57}, "available for 57% of the period"),
        ("rating", {"mean": 4.25, "count": 1, "roster_mean": 3.5},
         "past deployment rating 4.2 over 1 deployment, shrunk toward the roster mean 3.5"),
        ("rank.raised.balance", {"position": 4, "score_position": 7},
         "raised by the balance rule to position 4 (position 7 on score alone)"),
        ("rank.lowered.below", {"position": 9, "k": 10},
         "moved down to position 9 by the balance rules (below the top 10 on score alone)"),
        ("shortlist.short", {"length": 1, "k": 10},
         "Only 1 expert passes the hard filters: the shortlist holds 1 instead of 10."),
        ("gender.met", {"women": 1, "length": 2, "needed": 1, "target": 50},
         "Gender target met: 1 woman in 2 (at least 1 for a target of 50%, in every prefix too)."),
        ("gender.prefix", {}, "The gender balance could not be met in every prefix of the list."),
        ("region.unmet",
         {"share": 20, "cap": 2, "length": 10, "regions": ["African", "Asia-Pacific"]},
         "Regional cap of 20% (at most 2 of 10) not met for African, Asia-Pacific: the eligible "
         "pool has too few experts from other groups to meet it (alongside the gender target, "
         "which comes first)."),
        ("team.uncovered.accessibility", {"expertise": "sign-language"},
         "No eligible candidate of any role has the accessibility expertise 'Sign language "
         "voter information and interpretation': the team is proposed without it."),
        ("team.infeasible", {"alternatives": ["gender", "region"]},
         "No feasible team: it becomes possible only without the gender or the region constraint."),
        ("team.family.unmet", {"family": "host language: fr"},
         "No candidate offered for any role meets the host language: fr constraint."),
        ("team.infeasible.any", {},
         "No feasible team, even with any single constraint family dropped."),
        ("needs.normalised", {"note": "'Frnech' read as fr"}, "'Frnech' read as fr"),
        ("shortfall.requirement.language",
         {"language": "ar", "level": "C1", "excluded": 212, "meet_everything_else": 260},
         "Arabic C1 excludes 212 of the 260 who meet everything else."),
        ("shortfall.requirement.skill",
         {"skill": "voter-registration", "excluded": 1, "meet_everything_else": 1},
         "Expertise in voter registration excludes 1 of the 1 who meets everything else."),
        ("shortfall.requirement.nationals",
         {"country": "BO", "excluded": 3, "meet_everything_else": 40},
         "Excluding nationals of Bolivia rules out 3 of the 40 who meet everything else."),
        ("shortfall.requirement.availability.partial",
         {"excluded": 0, "meet_everything_else": 7},
         "Availability for any part of the period excludes 0 of the 7 who meet everything else."),
        ("shortfall.positions", {"eligible": 1, "positions": 3},
         "Only 1 eligible expert for 3 positions."),
        ("shortfall.gender", {"women": 1, "needed": 2, "positions": 3, "target": 50},
         "Only 1 eligible woman, where a gender target of 50% asks for 2 of 3."),
    ],
)  # fmt: skip
def test_a_code_reads_as_the_sentence_it_replaced(code, params, sentence):
    assert english(code, params) == str(Reason(code, params)) == sentence
    assert Reason(code, params).as_dict() == {"code": code, "params": params, "text": sentence}


def test_every_template_is_extracted_for_translators():
    """What ``make messages`` finds in ``matching/messages.py`` (keywords as in the Makefile)."""
    path = Path(messages.__file__)
    found = {
        message
        for _, message, _, _ in extract_from_file(
            "python", str(path), keywords={"N_": None, "Nn_": (1, 2)}
        )
    }
    for code, (text, plural, _) in TEMPLATES.items():
        if code in messages.UNTRANSLATED:
            assert text not in found
        else:
            assert (text if plural is None else (text, plural)) in found, code


def test_every_template_names_only_parameters_a_translation_can_keep():
    for code, (text, plural, count) in TEMPLATES.items():
        named = set(messages._PLACEHOLDER.findall(text))
        assert plural is None or set(messages._PLACEHOLDER.findall(plural)) == named, code
        assert count is None or count in named, code
