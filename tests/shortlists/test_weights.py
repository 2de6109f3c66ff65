"""A planner weighs the criteria for one request: previews the order, issues it, sees it kept."""

import html
import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from matching.scoring import CRITERIA, DEFAULT_WEIGHTS
from roster.db import session_scope
from roster.models import CandidateDecision, Expert, Shortlist
from tests.conftest import count_rows
from tests.factories import deployment_record, needs_record, ranked_expert
from tests.shortlists.conftest import (
    cards,
    import_roster,
    issue,
    role_url,
    roster_records,
    save,
    token_of,
)

ONLY_LANGUAGES = {name: (1 if name == "languages" else 0) for name in CRITERIA}


def weights_query(weights: dict) -> dict[str, str]:
    return {f"weights-{name}": str(value) for name, value in weights.items()}


def ranking(page: str) -> list[str]:
    """The roster ids of the candidates, in the page's order."""
    found = []
    for card in cards(page).values():
        external = re.search(r'Roster id <bdi dir="auto">([^<]+)</bdi>', card)
        found.append(external.group(1) if external else "")
    return found


def words(page) -> str:
    return " ".join(html.unescape(page.get_data(as_text=True)).split())


def seasoned_experts() -> list[dict]:
    """Five experts strong on everything but French, only at the level asked (C1): among
    the first by default, out of the top ten when only languages count (twelve natives)."""
    return [
        ranked_expert(
            f"C1-{n}",
            years=30,
            years_experience=30,
            skills=[
                {"code": "electoral-management", "years": 30},
                {"code": "mediation", "years": 30},
            ],
            summary="Electoral adviser: advise the commission on electoral operations.",
            languages=[{"code": "fr", "level": "C1"}],
            deployments=[deployment_record(rating=5)],
            full_name=f"Cee {n}",
        )
        for n in range(5)
    ]


@pytest.fixture
def needs_id(app, runner, tmp_path) -> str:
    import_roster(runner, tmp_path, roster_records() + seasoned_experts())
    return save(app, needs_record())


def test_the_page_offers_the_weights_in_use_each_with_what_it_rewards(planner, needs_id):
    text = words(planner.get(role_url(needs_id)))
    assert "Weigh the criteria for this request" in text
    for name, value in DEFAULT_WEIGHTS.items():
        assert re.search(
            rf'<input [^>]*id="weights-{name}"[^>]*value="{value}"', text
        ) or re.search(rf'<input [^>]*value="{value}"[^>]*id="weights-{name}"', text)
    assert '<label for="weights-languages">Languages</label>' in text
    assert "Speaking the role's languages at or above the level it asks for." in text
    assert "Reset to the roster’s weights" in text


def test_a_planner_previews_with_weights_on_languages_issues_and_the_weights_are_kept(
    app, planner, needs_id
):
    default = ranking(planner.get(role_url(needs_id)).get_data(as_text=True))
    seasoned = {f"C1-{n}" for n in range(5)}
    assert len(seasoned & set(default)) >= 4

    page = planner.get(role_url(needs_id) + "?" + urlencode(weights_query(ONLY_LANGUAGES)))
    assert page.status_code == 200
    text = words(page)
    assert "A shortlist under your weights, not issued" in text
    assert "The candidates are ranked with your weights, which differ from the roster’s:" in text
    assert "Languages: 1 instead of 0.15" in text
    assert "Expertise: 0 instead of 0.3" in text
    weighed = ranking(page.get_data(as_text=True))
    assert weighed != default
    assert not seasoned & set(weighed)
    # Nothing is kept by a preview.
    with session_scope(app, write=False) as session:
        assert session.scalars(select(Shortlist)).all() == []

    # The preview's button issues the same weights, carried in hidden inputs.
    hidden = dict(re.findall(r'<input type="hidden" name="(weights-\w+)" value="([^"]+)"', text))
    assert {name: float(value) for name, value in hidden.items()} == {
        f"weights-{name}": float(value) for name, value in ONLY_LANGUAGES.items()
    }
    response = planner.post(
        role_url(needs_id) + "/issue", data={"csrf_token": token_of(text), **hidden}
    )
    assert response.status_code == 302
    with session_scope(app, write=False) as session:
        [kept] = session.scalars(select(Shortlist)).all()
        assert kept.weights == {name: float(value) for name, value in ONLY_LANGUAGES.items()}
        ids = dict(session.execute(select(Expert.id, Expert.external_id)).all())
        assert [ids[e.expert_id] for e in kept.entries] == weighed
        for entry in kept.entries:
            total = 0.0
            for name in CRITERIA:  # the order the score is added up in
                total += kept.weights[name] * entry.criteria[name]
            assert total == entry.score

    # The issued shortlist's page shows the weights it was issued with.
    text = words(planner.get(role_url(needs_id)))
    assert "The weights this shortlist was issued with" in text
    assert "This shortlist was issued with weights that differ from the roster’s" in text
    assert ranking(planner.get(role_url(needs_id)).get_data(as_text=True)) == weighed


def test_a_shortlist_issued_without_weights_keeps_the_roster_weights(app, planner, needs_id):
    assert issue(planner, needs_id).status_code == 302
    with session_scope(app, write=False) as session:
        [kept] = session.scalars(select(Shortlist)).all()
        assert kept.weights == DEFAULT_WEIGHTS
    text = words(planner.get(role_url(needs_id)))
    assert "The weights this shortlist was issued with" in text
    assert "differ from the roster’s weights in use now" not in text


def test_weights_can_be_combined_with_a_widening(planner, needs_id):
    query = {"partial": "y", **weights_query(ONLY_LANGUAGES)}
    page = planner.get(role_url(needs_id) + "?" + urlencode(query))
    assert page.status_code == 200
    text = words(page)
    assert "A wider shortlist under your weights, not issued" in text
    assert '<input type="hidden" name="partial" value="y">' in text


@pytest.mark.parametrize(
    ("sent", "where", "said"),
    [
        (
            {"languages": "-1"},
            "weights-languages",
            "The weight of Languages must be a number from 0 to 10.",
        ),
        (
            {"skills": "lots"},
            "weights-skills",
            "The weight of Expertise must be a number from 0 to 10.",
        ),
        (
            {"text": "11"},
            "weights-text",
            "The weight of Terms of reference must be a number from 0 to 10.",
        ),
        (
            {"ratings": "nan"},
            "weights-ratings",
            "The weight of Past ratings must be a number from 0 to 10.",
        ),
        (
            {"ratings": ""},
            "weights-ratings",
            "The weight of Past ratings must be a number from 0 to 10.",
        ),
        ({name: "0" for name in CRITERIA}, None, "Give at least one criterion a weight above 0."),
    ],
)
def test_weights_that_are_not_weights_are_refused_on_their_field(
    app, db_session, planner, needs_id, sent, where, said
):
    weights = {**DEFAULT_WEIGHTS, **sent}
    page = planner.get(role_url(needs_id) + "?" + urlencode(weights_query(weights)))
    assert page.status_code == 400
    text = words(page)
    assert said in text
    assert "There is a problem" in text
    if where:
        assert f'<a href="#{where}">{said}</a>' in text
        assert re.search(
            rf'id="{where}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{where}"', text
        )
    # Issued with the same weights: refused, and nothing is written.
    response = planner.post(
        role_url(needs_id) + "/issue",
        data={"csrf_token": token_of(text), **weights_query(weights)},
    )
    assert response.status_code == 400
    assert said in words(response)
    with session_scope(app, write=False) as session:
        assert session.scalars(select(Shortlist)).all() == []
    assert count_rows(db_session, CandidateDecision) == 0
