"""A planner opens a role, sees its shortlist as the matcher gives it, widens it and issues it."""

import html
import re

from sqlalchemy import select, update

from roster.db import session_scope
from roster.missions.shortlists import role_request
from roster.models import (
    CandidateDecision,
    Expert,
    ExpertSkill,
    MissionRole,
    Shortlist,
    UnmetDemand,
    utcnow,
)
from tests.conftest import count_rows
from tests.factories import needs_record, ranked_expert, role_record
from tests.shortlists.conftest import (
    cards,
    fitted,
    import_roster,
    issue,
    needs_row,
    role_url,
    save,
    token_of,
)


def page_ranking(page: str) -> list[tuple[int, str, str]]:
    """(rank, roster id, score) of each candidate card, in the page's order."""
    found = []
    for rank, card in cards(page).items():
        external = re.search(r'Roster id <bdi dir="auto">([^<]+)</bdi>', card)
        score = re.search(r"Score <strong>([^<]+)</strong>", card)
        found.append((int(rank), external.group(1) if external else "", score.group(1)))
    return found


def stored_shortlists(app) -> list[dict]:
    """Every stored shortlist, oldest first, with its entries' (rank, external id, score)."""
    with session_scope(app, write=False) as session:
        kept = []
        for shortlist in session.scalars(select(Shortlist).order_by(Shortlist.id)):
            kept.append(
                {
                    "request": shortlist.request,
                    "eligible": shortlist.eligible_count,
                    "k": shortlist.requested_k,
                    "public_id": shortlist.public_id,
                    "entries": [
                        (e.rank, e.expert_id, e.score, e.criteria, e.reason_codes)
                        for e in shortlist.entries
                    ],
                }
            )
        return kept


def external_ids(app) -> dict[int, str]:
    from roster.models import Expert

    with session_scope(app, write=False) as session:
        return dict(session.execute(select(Expert.id, Expert.external_id)).all())


def expected(app, needs_public_id: str, **widen) -> dict:
    """What ``matching.Matcher`` gives for the role, fitted on the same roster."""
    with session_scope(app, write=False) as session:
        role = session.scalar(select(MissionRole).where(MissionRole.role_key == "R1"))
        from roster.missions.shortlists import Widening

        request = role_request(role, Widening(**widen))
    return fitted(app).shortlist(request, role_id="R1", k=10, structured=True)


def test_the_live_page_and_the_issued_shortlist_equal_the_matcher(app, planner, needs_id):
    page = planner.get(role_url(needs_id))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Not issued yet" in text and "Issue this shortlist" in text
    want = expected(app, needs_id)
    shown = [(c["rank"], c["external_id"], f"{c['score']:.3f}") for c in want["candidates"]]
    assert page_ranking(text) == shown

    assert issue(planner, needs_id).status_code == 302
    [kept] = stored_shortlists(app)
    ids = external_ids(app)
    assert kept["eligible"] == want["eligible_count"] == 12
    assert kept["k"] == 10
    assert [(rank, ids[expert], score) for rank, expert, score, _, _ in kept["entries"]] == [
        (c["rank"], c["external_id"], c["score"]) for c in want["candidates"]
    ]
    assert [e[3] for e in kept["entries"]] == [c["criteria"] for c in want["candidates"]]
    assert [e[4] for e in kept["entries"]] == [c["reason_codes"] for c in want["candidates"]]
    assert page_ranking(planner.get(role_url(needs_id)).get_data(as_text=True)) == shown


def test_issuing_shortlists_every_candidate_once_and_keeps_earlier_shortlists(
    app, db_session, planner, needs_id
):
    assert issue(planner, needs_id).status_code == 302
    assert count_rows(db_session, CandidateDecision) == 10
    assert issue(planner, needs_id).status_code == 302
    # The same candidates: nobody is shortlisted twice; both shortlists are kept.
    assert count_rows(db_session, CandidateDecision) == 10
    first, second = stored_shortlists(app)
    page = planner.get(role_url(needs_id)).get_data(as_text=True)
    assert "Other shortlists of this role" in page
    earlier = planner.get(role_url(needs_id) + f"/shortlists/{first['public_id']}")
    assert earlier.status_code == 200
    assert "This is an earlier shortlist, as it was issued." in earlier.get_data(as_text=True)
    assert planner.get(role_url(needs_id) + "/shortlists/nope").status_code == 404


def test_a_candidate_who_changed_or_left_since_is_noted(app, planner, needs_id, runner, tmp_path):
    assert issue(planner, needs_id).status_code == 302
    records = {
        r["external_id"]: r
        for r in __import__(
            "tests.shortlists.conftest", fromlist=["roster_records"]
        ).roster_records()
    }
    changed = dict(records["EXP-T-0010"], summary="Now also a mediator.")
    gone = dict(records["EXP-T-0012"], roster_status="inactive")
    import_roster(runner, tmp_path, [changed, gone])
    page = planner.get(role_url(needs_id)).get_data(as_text=True)
    assert "Has changed their profile since this shortlist was issued." in page
    assert "Has since left the roster." in page


def test_widening_previews_the_difference_then_issues_it(app, planner, runner, tmp_path):
    # Five more experts speak French at B2 only: eligible once the level is lowered.
    more = [
        ranked_expert(
            f"B2-{n}",
            years=15,
            languages=[{"code": "fr", "level": "B2"}],
            skills=[
                {"code": "electoral-management", "years": 15},
                {"code": "mediation", "years": 10},
            ],
            full_name=f"Bee {n}",
        )
        for n in range(5)
    ]
    from tests.shortlists.conftest import roster_records

    import_roster(runner, tmp_path, roster_records() + more)
    # A recruiter verified their expertise: it counts for more than self-declared years.
    with session_scope(app) as session:
        bees = select(Expert.id).where(Expert.external_id.like("B2-%"))
        session.execute(
            update(ExpertSkill).where(ExpertSkill.expert_id.in_(bees)).values(verified_at=utcnow())
        )
    needs_id = save(app, needs_record())
    page = planner.get(role_url(needs_id) + "/widen?lower=fr")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    want = expected(app, needs_id, lower_languages=("fr",))
    before = {c["external_id"] for c in expected(app, needs_id)["candidates"]}
    new = len({c["external_id"] for c in want["candidates"]} - before)
    assert new > 0
    assert f"+5 eligible experts; {new} new in the top 10." in " ".join(text.split())
    assert [r[1] for r in page_ranking(text)] == [c["external_id"] for c in want["candidates"]]
    # Nothing is saved by a preview.
    assert stored_shortlists(app) == []

    token = token_of(text)
    response = planner.post(
        role_url(needs_id) + "/issue", data={"csrf_token": token, "lower": "fr"}
    )
    assert response.status_code == 302
    [kept] = stored_shortlists(app)
    assert kept["request"]["roles"][0]["required_languages"] == [{"code": "fr", "level": "B2"}]
    assert kept["eligible"] == 17
    # The role itself is unchanged ...
    with session_scope(app, write=False) as session:
        role = session.scalar(select(MissionRole))
        assert role.required_languages == [{"code": "fr", "level": "C1"}]
    # ... until the planner saves the terms to it.
    version = needs_row(app, needs_id).version
    response = planner.post(
        role_url(needs_id) + "/terms",
        data={"csrf_token": token, "lower": "fr", "version": str(version)},
    )
    assert response.status_code == 302
    with session_scope(app, write=False) as session:
        role = session.scalar(select(MissionRole))
        assert role.required_languages == [{"code": "fr", "level": "B2"}]
    # Saving on a stale version is told, and nothing is saved.
    response = planner.post(
        role_url(needs_id) + "/terms",
        data={"csrf_token": token, "optional": "electoral-management", "version": str(version)},
    )
    assert response.status_code == 409


def test_a_widening_naming_what_the_role_does_not_require_is_refused(planner, needs_id):
    response = planner.get(role_url(needs_id) + "/widen?lower=ar")
    assert response.status_code == 400
    assert "is not a valid choice for this field" in response.get_data(as_text=True)


def test_a_role_nobody_can_fill_shows_an_empty_shortlist_and_is_logged(
    app, db_session, planner, roster
):
    needs_id = save(
        app, needs_record(role_record(required_skills=["electoral-dispute-resolution"]))
    )
    page = planner.get(role_url(needs_id))
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert "Nobody on the roster can fill this role as it is asked for" in text
    assert "No candidate: nobody meets every requirement of this role." in text
    assert issue(planner, needs_id).status_code == 302
    with session_scope(app, write=False) as session:
        [short] = session.scalars(select(UnmetDemand)).all()
        assert (short.kind, short.positions, short.eligible_count) == ("short", 1, 0)
    assert count_rows(db_session, CandidateDecision) == 0


def test_an_unknown_role_is_a_404(planner, needs_id):
    assert planner.get(role_url(needs_id, "R9")).status_code == 404
    assert planner.get(role_url("nope")).status_code == 404


def test_only_planners_and_administrators_open_the_page(app, signed_in, needs_id):
    recruiter = signed_in("rita@example.org", "recruiter")
    assert recruiter.get(role_url(needs_id)).status_code == 403
    admin = signed_in("ada@example.org", "admin")
    assert admin.get(role_url(needs_id)).status_code == 200
    assert app.test_client().get(role_url(needs_id)).status_code == 302


def test_the_role_page_says_which_expertise_is_verified(app, planner, needs_id):
    with session_scope(app) as session:
        top = select(Expert.id).where(Expert.external_id == "EXP-T-0012")
        session.execute(
            update(ExpertSkill).where(ExpertSkill.expert_id.in_(top)).values(verified_at=utcnow())
        )
    page = planner.get(role_url(needs_id)).get_data(as_text=True)
    want = expected(app, needs_id)
    assert want["candidates"][0]["external_id"] == "EXP-T-0012"
    assert "verified by a recruiter: electoral management" in html.unescape(page)
    assert page.count("verified by a recruiter") == 1
    assert page_ranking(page)[0][1] == "EXP-T-0012"
