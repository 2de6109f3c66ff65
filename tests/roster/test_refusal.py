"""One refusal: every problem at its interchange path, with a message id and parameters."""

import pytest

from roster.messages import N_
from roster.profiles.identity import save_identity
from roster.profiles.services import ProfileInvalid
from roster.refusal import Problems, Refused


def test_a_check_run_under_a_path_places_its_problem_there():
    problems = Problems()

    def row_code():
        raise Refused.at("", N_("We did not recognise '%(text)s' as a language."), text="Klingon")

    assert problems.check("languages[2].code", row_code) is None
    problems.add("languages[2].level", N_("Choose your level (%(levels)s)."), levels="A1, C2")
    with pytest.raises(Refused) as caught:
        problems.raise_if_any()
    assert caught.value.as_json() == [
        {
            "path": "languages[2].code",
            "message_id": "We did not recognise '%(text)s' as a language.",
            "params": {"text": "Klingon"},
            "message": "We did not recognise 'Klingon' as a language.",
        },
        {
            "path": "languages[2].level",
            "message_id": "Choose your level (%(levels)s).",
            "params": {"levels": "A1, C2"},
            "message": "Choose your level (A1, C2).",
        },
    ]


def test_problems_found_inside_a_nested_refusal_keep_their_own_path():
    inner = Refused.at("[1].to", N_("The last day must be on or after the first day."))
    problems = Problems()
    problems.extend(inner, under="availability")
    problems.extend(Refused.at("", N_("Please enter your role.")), under="deployments[0].role")
    with pytest.raises(Refused) as caught:
        problems.raise_if_any()
    assert [found.path for found in caught.value.problems] == [
        "availability[1].to",
        "deployments[0].role",
    ]


def test_nothing_is_raised_without_a_problem_and_a_refusal_names_one():
    Problems().raise_if_any()
    with pytest.raises(TypeError):
        Refused([])


def test_a_service_refuses_every_field_at_once_in_interchange_terms():
    with pytest.raises(ProfileInvalid) as caught:
        save_identity(
            session=None,
            user=None,
            expert=None,
            version=0,
            full_name="",
            nationalities=["Atlantis", "", ""],
            residence="",
            years_experience=90,
            seniority="P9",
        )
    refused = caught.value
    assert [found.path for found in refused.problems] == [
        "full_name",
        "nationalities[0]",
        "years_experience",
        "seniority",
    ]
    assert str(refused.problems[2].message) == "Years of experience must be between 0 and 70."
