"""A fitted matcher updated with a roster's changes ranks as a fit on the changed roster."""

import copy

import numpy as np
import pytest
import scipy.sparse as sp

from matching import Matcher
from matching import vocabulary as vocab
from matching.synthetic import make_needs, make_roster

ACCESS = list(vocab.ACCESSIBILITY_EXPERTISE)[-1]


def _changed(record: dict, i: int) -> dict:
    """A new version of an expert: other skills, languages, status, gender, dates, ratings."""
    record = copy.deepcopy(record)
    kinds = i % 6
    if kinds == 0:
        record["skills"] = [{"code": "electoral-management", "years": 15 + i % 5}]
    elif kinds == 1:
        record["languages"] = [{"code": "zu", "level": "C2"}, {"code": "fr", "level": "C1"}]
    elif kinds == 2:
        record["roster_status"] = "rostered"
        record["gender"], record["consent"] = "woman", {"gender": True}
    elif kinds == 3:
        record["availability"] = [{"from": "2027-01-01", "to": "2027-12-31"}]
        record["nationalities"] = ["TV", "NZ"]
    elif kinds == 4:
        record["deployments"] = [
            {"country": "ML", "role": "Adviser", "from": "2020-01-01", "to": "2020-02-01"}
            | {"rating": 1}
        ]
    else:
        record["summary"] = "Mediation of electoral disputes and voter registration audits."
        record["accessibility_expertise"] = [ACCESS]
    return record


@pytest.fixture(scope="module")
def change():
    """A fitted roster, its changes (removed, changed and new experts) and the changed roster."""
    roster = make_roster(600, seed=11)
    fitted, later = roster[:500], roster[500:]
    removed = {r["external_id"] for r in fitted[:40]}
    changed = [_changed(r, i) for i, r in enumerate(fitted[40:100])]
    final = changed + fitted[100:] + later
    return Matcher().fit(fitted), changed + later, removed, final


def _needs() -> list[dict]:
    base = make_needs(12, seed=5)
    return [dict(base, roles=[role]) for role in base["roles"]]


def test_an_updated_matcher_ranks_as_a_fresh_fit_with_the_same_text_model(change):
    fitted, records, removed, final = change
    updated = copy.copy(fitted).update(records, removed)
    fresh = Matcher().fit(final)
    assert updated.n_experts_ == fresh.n_experts_ == len(final)
    assert updated.index_.ids == fresh.index_.ids
    assert updated.rating_mean_ == fresh.rating_mean_
    fresh.text_model_ = updated.text_model_  # the one part an update keeps from the last fit
    for needs in _needs():
        for k in (5, 25):
            assert updated.shortlist(needs, k=k, structured=True) == fresh.shortlist(
                needs, k=k, structured=True
            )
    team = make_needs(4, seed=9)
    assert updated.team(team)["members"] == fresh.team(team)["members"]


def test_the_text_model_keeps_its_vocabulary_and_reads_the_new_summaries(change):
    fitted, records, removed, final = change
    updated = copy.copy(fitted).update(records, removed)
    vectorizer = fitted.text_model_.vectorizer
    summaries = [r["summary"] for r in sorted(final, key=lambda r: r["external_id"])]
    expected = sp.csr_array(vectorizer.transform(summaries))
    difference = updated.text_model_.by_expert - expected
    assert updated.text_model_.vectorizer is vectorizer
    assert abs(difference).max() == 0


def test_an_update_leaves_the_matcher_it_was_copied_from_as_it_was(change):
    fitted, records, removed, _ = change
    needs = _needs()[0]
    before = fitted.shortlist(needs, k=10)
    years = fitted.index_.years.copy()
    copy.copy(fitted).update(records, removed)
    assert fitted.shortlist(needs, k=10) == before
    assert np.array_equal(fitted.index_.years, years)


def test_an_update_with_nothing_changes_nothing(change):
    fitted = change[0]
    needs = _needs()[1]
    assert copy.copy(fitted).update([], ()).shortlist(needs, k=10) == fitted.shortlist(needs, k=10)
