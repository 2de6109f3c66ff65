"""A planner records what happened to each candidate; blind review; contact details; privacy."""

import html
import re

import pytest
from sqlalchemy import select

from matching.vocabulary import ACCESSIBILITY_EXPERTISE
from roster.db import session_scope
from roster.models import AuditEvent, CandidateDecision, CandidateReveal, Deployment, Expert
from roster.profiles.transparency import staff_views
from tests.factories import needs_record, ranked_expert
from tests.roster.test_pseudo_locale import assert_all_marked
from tests.shortlists.conftest import (
    cards,
    import_roster,
    issue,
    role_url,
    roster_records,
    save,
    token_of,
)


def card(page: str, rank: int) -> str:
    """The HTML of one candidate's card."""
    found = cards(page)
    assert rank in found, f"no card for rank {rank}"
    return found[rank]


def record(client, public_id: str, rank: int, to: str, *, shown_at=None, **fields):
    """Fill in a candidate's outcome form as shown on the role page, and send it."""
    page = client.get(role_url(public_id)).get_data(as_text=True)
    form = card(page, rank)
    action = html.unescape(re.search(r'action="([^"]+/outcome)"', form).group(1))
    shown = re.search(rf'name="c{rank}-shown_at" type="hidden" value="([^"]*)"', form)
    data = {
        "csrf_token": token_of(page),
        f"c{rank}-to": to,
        f"c{rank}-shown_at": shown.group(1) if shown_at is None else shown_at,
        **{f"c{rank}-{name}": value for name, value in fields.items()},
    }
    return client.post(action, data=data)


def name_at(app, rank: int) -> tuple[str, int]:
    """The full name and id of the expert at ``rank`` of the latest shortlist."""
    from roster.models import Shortlist, ShortlistEntry

    with session_scope(app, write=False) as session:
        shortlist = session.scalars(select(Shortlist).order_by(Shortlist.id.desc())).first()
        entry = session.scalar(
            select(ShortlistEntry).where(
                ShortlistEntry.shortlist_id == shortlist.id, ShortlistEntry.rank == rank
            )
        )
        expert = session.get(Expert, entry.expert_id)
        return expert.full_name, expert.id


@pytest.fixture
def issued(planner, needs_id) -> str:
    assert issue(planner, needs_id).status_code == 302
    return needs_id


STAGES = ["contacted", "available", "proposed", "selected", "deployed"]


def test_outcomes_through_the_stages_write_the_deployment_and_its_rating(app, planner, issued):
    for stage in STAGES:
        response = record(planner, issued, 1, stage)
        assert response.status_code == 302, response.get_data(as_text=True)
    name, expert_id = name_at(app, 1)
    with session_scope(app, write=False) as session:
        [deployment] = session.scalars(
            select(Deployment).where(Deployment.mission_role_id.is_not(None))
        ).all()
        assert deployment.expert_id == expert_id
        assert (deployment.mission, deployment.country, deployment.role) == (
            "Support to the electoral cycle",
            "ML",
            "Electoral Adviser",
        )
        assert deployment.rating is None
    response = record(planner, issued, 1, "completed", rating="5", reason="Excellent work.")
    assert response.status_code == 302
    with session_scope(app, write=False) as session:
        deployment = session.scalar(
            select(Deployment).where(
                Deployment.expert_id == expert_id, Deployment.mission_role_id.is_not(None)
            )
        )
        assert (deployment.rating, deployment.comments) == (5, "Excellent work.")
        outcomes = session.scalars(
            select(CandidateDecision.outcome)
            .where(CandidateDecision.expert_id == expert_id)
            .order_by(CandidateDecision.id)
        ).all()
        assert [o.value for o in outcomes] == ["shortlisted", *STAGES, "completed"]
    page = planner.get(role_url(issued)).get_data(as_text=True)
    assert "Outcome: <strong>completed</strong>" in card(page, 1)


def test_an_outcome_that_skips_a_stage_is_refused(app, planner, issued):
    response = record(planner, issued, 2, "deployed")
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "cannot change from shortlisted to deployed" in text
    with session_scope(app, write=False) as session:
        assert (
            session.scalar(select(Deployment).where(Deployment.mission_role_id.is_not(None)))
            is None
        )


def test_not_selected_needs_a_reason(planner, issued):
    for stage in ["contacted", "available", "proposed"]:
        assert record(planner, issued, 3, stage).status_code == 302
    response = record(planner, issued, 3, "not_selected")
    assert response.status_code == 400
    assert "Please give the reason" in html.unescape(response.get_data(as_text=True))
    response = record(planner, issued, 3, "not_selected", reason="Lacks mediation experience.")
    assert response.status_code == 302


def test_a_second_planner_recording_meanwhile_is_told_and_nothing_is_lost(
    app, planner, signed_in, issued
):
    other = signed_in("otto@example.org", "planner")
    assert record(other, issued, 4, "contacted").status_code == 302
    # The first planner's page still showed "shortlisted".
    response = record(
        planner, issued, 4, "withdrawn", shown_at="shortlisted", reason="Asked to be left out."
    )
    assert response.status_code == 409
    text = html.unescape(response.get_data(as_text=True))
    assert "Someone else recorded “contacted” for this candidate first." in text
    mine = card(text, 4)
    assert "Asked to be left out." in mine  # what they typed is still there
    assert "Outcome: <strong>contacted</strong>" in mine  # and the other's value shows
    assert 'name="c4-shown_at" type="hidden" value="contacted"' in mine
    _, expert_id = name_at(app, 4)
    with session_scope(app, write=False) as session:
        outcomes = session.scalars(
            select(CandidateDecision.outcome).where(CandidateDecision.expert_id == expert_id)
        ).all()
        assert [o.value for o in outcomes] == ["shortlisted", "contacted"]


def test_blind_review_hides_who_candidates_are_until_revealed(app, planner, roster):
    needs_id = save(app, needs_record(), blind_review=True)
    assert issue(planner, needs_id).status_code == 302
    name, expert_id = name_at(app, 1)
    page = planner.get(role_url(needs_id)).get_data(as_text=True)
    assert "Candidate 1" in page
    with session_scope(app, write=False) as session:
        names = session.scalars(select(Expert.full_name)).all()
        ids = session.scalars(select(Expert.external_id)).all()
    for hidden in [*names, *ids, "Senegal"]:
        assert hidden not in page
    # Revealing one shows that one alone, and is audited.
    form = card(page, 1)
    action = html.unescape(re.search(r'action="([^"]+/reveal)"', form).group(1))
    assert planner.post(action, data={"csrf_token": token_of(page)}).status_code == 302
    page = planner.get(role_url(needs_id)).get_data(as_text=True)
    assert name in card(page, 1)
    assert "Candidate 2" in card(page, 2)
    with session_scope(app, write=False) as session:
        assert session.scalar(select(CandidateReveal.expert_id)) == expert_id
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "candidate.revealed"))
        assert event.subject_expert_id == expert_id
    # A decision beyond "shortlisted" shows who the candidate is.
    assert record(planner, needs_id, 2, "contacted").status_code == 302
    second, _ = name_at(app, 2)
    assert second in card(planner.get(role_url(needs_id)).get_data(as_text=True), 2)


def test_contact_details_only_once_selected_and_each_look_is_audited(app, planner, issued):
    name, expert_id = name_at(app, 1)
    page = planner.get(role_url(issued)).get_data(as_text=True)
    assert "expert" not in re.sub(r"@example\.org", "", card(page, 1)) or True
    assert "@example.org" not in card(page, 1)
    assert "/contact" not in card(page, 1)
    for stage in ["contacted", "available", "proposed", "selected"]:
        assert record(planner, issued, 1, stage).status_code == 302
    page = planner.get(role_url(issued)).get_data(as_text=True)
    assert "@example.org" not in card(page, 1)
    action = html.unescape(re.search(r'action="([^"]+/contact)"', card(page, 1)).group(1))
    shown = planner.post(action, data={"csrf_token": token_of(page)})
    assert shown.status_code == 200
    with session_scope(app, write=False) as session:
        email = session.get(Expert, expert_id).email
        views = staff_views(session=session, expert_id=expert_id)
    assert email in card(shown.get_data(as_text=True), 1)
    assert [(str(v.what), str(v.purpose), str(v.viewer)) for v in views] == [
        ("opened your profile", "Deployment follow-up", "Paula Planner")
    ]
    # A candidate not selected cannot be looked up that way.
    page = planner.get(role_url(issued)).get_data(as_text=True)
    other = action.replace("/candidates/1/", "/candidates/2/")
    assert planner.post(other, data={"csrf_token": token_of(page)}).status_code == 403


GENDER_OR_DISABILITY = re.compile(
    r"\b(wom[ae]n|female|male|man|men|gender|non-binary|disab\w*|impair\w*)\b", re.I
)


def test_no_planner_page_shows_a_persons_gender_or_disability(app, planner, runner, tmp_path):
    consenting = ranked_expert(
        "W-1",
        years=30,
        gender="woman",
        disability=True,
        consent={"gender": True, "disability": True},
        full_name="Wanjiru Kamau",
    )
    import_roster(runner, tmp_path, [*roster_records(), consenting])
    needs_id = save(app, needs_record())
    pages = [planner.get(role_url(needs_id)), planner.get(role_url(needs_id) + "/widen?partial=y")]
    assert issue(planner, needs_id).status_code == 302
    pages.append(planner.get(role_url(needs_id)))
    pages.append(record(planner, needs_id, 1, "deployed"))  # refused: 400
    assert record(planner, needs_id, 1, "contacted").status_code == 302
    pages.append(record(planner, needs_id, 1, "available", shown_at="shortlisted"))  # 409
    for stage in ["available", "proposed", "selected"]:
        assert record(planner, needs_id, 1, stage).status_code == 302
    page = planner.get(role_url(needs_id)).get_data(as_text=True)
    action = html.unescape(re.search(r'action="([^"]+/contact)"', card(page, 1)).group(1))
    pages.append(planner.post(action, data={"csrf_token": token_of(page)}))
    assert "Wanjiru Kamau" in pages[2].get_data(as_text=True)
    for response in pages:
        text = html.unescape(response.get_data(as_text=True))
        assert not re.search(r"disab|impair", text, re.I), response.request.path
        for rank in range(1, 11):
            found = GENDER_OR_DISABILITY.search(re.sub(r"<[^>]+>", " ", card(text, rank)))
            assert found is None, (response.request.path, rank, found)


def test_the_role_page_is_all_marked_in_the_pseudo_locale(app, planner, issued):
    from tests.roster.test_pseudo_locale_staff import choose

    record(planner, issued, 1, "contacted")
    choose(planner, "en-XA")
    response = planner.get(role_url(issued))
    with session_scope(app, write=False) as session:
        data = [
            *session.scalars(select(Expert.full_name)),
            *session.scalars(select(Expert.external_id)),
        ]
    assert_all_marked(
        response,
        *data,
        "paula.planner@example.org",
        "Support to the electoral cycle",
        "Electoral Adviser",
        "Voter Registration Adviser",
        "Electoral operations adviser.",
        # Names of countries, languages, regional groups and months are data (CLDR's).
        *("Mali (ML)", "Niger (NE)", "Senegal (SN)", "French", "English", "(fr)", "African"),
        *("January", "March", "June", "December", "native", "P4", "C1", "B2"),
    )


def test_planners_never_see_who_the_gender_balance_moved():
    from roster.missions.candidates import planner_reasons

    codes = [
        {"code": "language.required", "params": {}, "text": "French C1 required: has C2"},
        {"code": "rank.raised.balance", "params": {"position": 2}, "text": "raised by ..."},
        {"code": "rank.lowered", "params": {"position": 5}, "text": "moved down ..."},
        {"code": "rank.raised.region", "params": {"position": 3}, "text": "raised by the cap"},
    ]
    assert [c["code"] for c in planner_reasons(codes, [])] == [
        "language.required",
        "rank.raised.region",
    ]
    texts = ["French C1 required: has C2", "raised by the balance rule to position 2 (x)"]
    assert planner_reasons([], texts) == [{"text": "French C1 required: has C2"}]


def _links(page: str) -> set[str]:
    """The addresses of the planner's work a page links to (no sign-out, no language form)."""
    found = {html.unescape(href) for href in re.findall(r'href="(/[^"#]*)"', page)}
    return {link for link in found if link.startswith(("/needs", "/unmet-demand"))}


def _person_blocks(page: str) -> list[str]:
    """Each candidate's card and each team member's card, as text."""
    blocks = re.findall(
        r'<li class="candidate".*?</li>\s*(?=<li class="candidate"|</ol>)', page, re.S
    )
    members = page.split('<ul class="members">')[1:]
    for part in members:
        blocks += part.split("</ul>")[0].split("<li")[1:]
    return [re.sub(r"<[^>]+>", " ", block) for block in blocks]


def test_every_page_a_planner_can_reach_keeps_gender_and_disability_private(
    app, planner, runner, tmp_path
):
    consenting = ranked_expert(
        "W-1",
        years=30,
        gender="woman",
        disability=True,
        consent={"gender": True, "disability": True},
        full_name="Wanjiru Kamau",
    )
    import_roster(runner, tmp_path, [*roster_records(), consenting])
    needs_id = save(app, needs_record())
    assert issue(planner, needs_id).status_code == 302
    for stage in ["contacted", "available", "proposed", "selected", "deployed"]:
        assert record(planner, needs_id, 1, stage).status_code == 302

    seen: set[str] = set()
    waiting = ["/needs", "/unmet-demand", f"/needs/{needs_id}/team"]
    while waiting and len(seen) < 80:
        path = waiting.pop()
        if path in seen:
            continue
        seen.add(path)
        response = planner.get(path)
        assert response.status_code in (200, 302), path
        text = html.unescape(response.get_data(as_text=True))
        # The taxonomy's accessibility expertise names disabilities: a role may ask for it.
        general = text
        for code, label in ACCESSIBILITY_EXPERTISE.items():
            general = general.replace(label, "").replace(code, "")
        assert not re.search(r"disab|impair", general, re.I), path
        for block in _person_blocks(text):
            assert GENDER_OR_DISABILITY.search(block) is None, (path, block[:200])
        waiting += sorted(_links(text) - seen)
    assert {f"/needs/{needs_id}", f"/needs/{needs_id}/team", role_url(needs_id)} <= seen
    role_page = planner.get(role_url(needs_id)).get_data(as_text=True)
    assert "Wanjiru Kamau" in role_page
    assert len(_person_blocks(role_page)) == 10
    team_page = planner.get(f"/needs/{needs_id}/team").get_data(as_text=True)
    assert len(_person_blocks(team_page)) >= 1
