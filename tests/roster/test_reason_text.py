"""The matcher's structured reasons in the request's language (``roster.i18n.reason_text``)."""

from contextlib import contextmanager

import pytest
from babel import Locale
from flask import render_template_string, session

from matching.messages import Reason, display
from roster.i18n import SESSION_KEY, _shown_in, pseudo, reason_text
from tests.matching import reason_cases
from tests.matching.test_reason_codes import every_structured

LANGUAGE = {
    "code": "language.required",
    "params": {"language": "fr", "wanted": "C1", "level": "C2"},
}


def skill_required(years: int) -> dict:
    return {"code": "skill.required", "params": {"skill": "mediation", "years": years}}


@contextmanager
def request_in(app, language: str):
    """A request of a user who chose ``language``."""
    with app.test_request_context("/"):
        session[SESSION_KEY] = language
        yield


def test_in_english_every_reason_and_note_reads_as_the_matchers_sentence(app):
    shortlists = reason_cases.shortlists(structured=True)
    teams = reason_cases.teams(structured=True)
    requirements = reason_cases.requirements(structured=True)
    with request_in(app, "en"):
        for reason, sentence in every_structured(shortlists, teams, requirements):
            assert reason_text(reason) == sentence
            assert reason_text(Reason(reason["code"], reason["params"])) == sentence


def test_in_the_pseudo_locale_the_template_is_translated_and_the_parameters_filled_in(app):
    with request_in(app, "en-XA"):
        text = reason_text(LANGUAGE)
        missing = reason_text(
            {"code": "skill.desired.missing", "params": {"skill": "voter-registration"}}
        )
        plural, single = reason_text(skill_required(3)), reason_text(skill_required(1))
        note = reason_text({"code": "needs.normalised", "params": {"note": "'Frnech' read as fr"}})
    assert text == pseudo("%(language)s %(wanted)s required: has %(level)s") % {
        "language": "French",
        "wanted": "C1",
        "level": "C2",
    }
    assert text.startswith("⟦French C1 ") and text.endswith(": ĥàš C2⟧")
    # The expertise area by its translated taxonomy label.
    assert missing == pseudo("lacks desired skill: %(skill)s") % {
        "skill": pseudo("Voter registration and voter lists")
    }
    assert plural.endswith("(3 ýéàŕš)⟧") and single.endswith("(1 ýéàŕ)⟧")
    assert note == "'Frnech' read as fr"  # not structured yet: shown as written


def test_in_the_pseudo_locale_a_shortfall_names_the_country_and_counts_by_its_plural(app):
    nationals = {
        "code": "shortfall.requirement.nationals",
        "params": {"country": "ML", "excluded": 1, "meet_everything_else": 1},
    }
    with request_in(app, "en-XA"):
        text = reason_text(nationals)
        positions = reason_text(
            {"code": "shortfall.positions", "params": {"eligible": 2, "positions": 3}}
        )
    assert text == pseudo(
        "Excluding nationals of %(country)s rules out %(excluded)d of the "
        "%(meet_everything_else)d who meets everything else."
    ) % {"country": "Mali", "excluded": 1, "meet_everything_else": 1}
    plural = pseudo("Only %(eligible)d eligible experts for %(positions)d positions.")
    assert positions == plural % {"eligible": 2, "positions": 3}


def test_the_reason_filter_renders_in_the_pages_language(app):
    page = "{{ reason|reason }}"
    with request_in(app, "en"):
        assert render_template_string(page, reason=LANGUAGE) == "French C1 required: has C2"
    with request_in(app, "en-XA"):
        assert render_template_string(page, reason=LANGUAGE) == reason_text(LANGUAGE)


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("language", "fr", "français"),
        ("language", "pt-BR", "portugais (Brésil)"),
        ("country", "DE", "Allemagne"),
        ("alternatives", ["gender", "region"], "gender ou region"),
        ("wanted", "C1", "C1"),
    ],
)
def test_a_parameter_is_named_in_the_pages_language(app, name, value, shown):
    with request_in(app, "en"):
        english = display({name: value})[name]
        assert _shown_in(Locale.parse("fr"), name, value, english) == shown


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "French C1 required: has native"), ("zh", "法语 C1（必需）：具备母语")],
)
def test_a_native_speaker_is_said_to_be_one_in_the_pages_language(app, language, shown):
    native = {"code": "language.required", "params": {"language": "fr", "wanted": "C1"}}
    native["params"]["level"] = "native"
    with request_in(app, language):
        assert reason_text(native) == shown
