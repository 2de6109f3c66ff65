"""The proposed team page: the matcher's team, named as a planner may see it, and swaps."""

import html
import re

import pytest
from sqlalchemy import select

from matching import Matcher
from roster.missions.records import save_needs
from roster.missions.teams import Member, RoleTeam, Swap, Team, swap_effect
from roster.models import CandidateDecision, CandidateOutcome, CandidateReveal, Expert, MissionRole
from tests.factories import needs_record, ranked_expert, role_record, write_jsonl

ADVISER = role_record("R1", title="Electoral Adviser", positions=2, desired_skills=None)
OFFICER = role_record("R2", title="Operations Officer", desired_skills=["mediation"])
MISSION = needs_record(ADVISER, OFFICER, gender_target=0.5)


def team_roster() -> list[dict]:
    """Eight experts who qualify for both roles, from five regional groups; two mediate."""
    people = [
        ("M1", "Jean Dupont", 9, "man", "FR"),
        ("M2", "Kofi Mensah", 8, "man", "GH"),
        ("M3", "Pablo Ruiz", 7, "man", "MX"),
        ("M4", "Tomasz Nowak", 6, "man", "PL"),
        ("W1", "Amina Diallo", 5, "woman", "SN"),
        ("W2", "Lucia Gomez", 4, "woman", "AR"),
        ("W3", "Hana Sato", 3, "woman", "JP"),
        ("W4", "Ines Costa", 2, "woman", "PT"),
    ]
    mediators = {"M2", "W3"}  # the desired skill of the Operations Officer
    return [
        ranked_expert(
            key,
            years,
            gender,
            full_name=name,
            nationalities=[country],
            residence_country=country,
            skills=[{"code": "electoral-management", "years": years}]
            + ([{"code": "mediation", "years": 5}] if key in mediators else []),
        )
        for key, name, years, gender, country in people
    ]


NAMES = {record["external_id"]: record["full_name"] for record in team_roster()}


def load_roster(runner, tmp_path, records: list[dict]) -> None:
    result = runner.invoke(
        args=["roster", "import", str(write_jsonl(tmp_path / "roster.jsonl", records))]
    )
    assert result.exit_code == 0, result.output


def save(db_session, record: dict, *, blind: bool = False) -> str:
    """Store a needs assessment; return its public id."""
    with db_session() as session:
        needs, _ = save_needs(session=session, record=record, by=None)
        needs.blind_review = blind
        session.flush()
        return needs.public_id


@pytest.fixture
def planner(staff):
    return staff("planner", name="Paul Mensah")


@pytest.fixture
def mission(runner, tmp_path, db_session) -> str:
    load_roster(runner, tmp_path, team_roster())
    return save(db_session, MISSION)


def reference(records: list[dict] = None, needs: dict = MISSION, **kwargs) -> dict:
    # Fitted as the app fits it: verified areas known (none, in an imported roster).
    return Matcher().fit(records or team_roster(), verified={}).team(needs, **kwargs)


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def shown_members(page: str) -> dict[str, list[str]]:
    """Role title -> the names of its members, as the page lists them."""
    found: dict[str, list[str]] = {}
    for title, body in re.findall(
        r'<h2 id="role-\d+"><bdi>([^<]+)</bdi></h2>(.*?)</section>', page, re.S
    ):
        found[html.unescape(title)] = [
            html.unescape(re.sub(r"<[^>]+>", "", name))
            for name in re.findall(r'<p class="member-name"[^>]*>(.*?)</p>', body, re.S)
        ]
    return found


def expected_members(team: dict) -> dict[str, list[str]]:
    titles = {"R1": "Electoral Adviser", "R2": "Operations Officer"}
    members = sorted(team["members"], key=lambda m: (m["role_id"], m["rank"]))
    found: dict[str, list[str]] = {title: [] for title in titles.values()}
    for member in members:
        found[titles[member["role_id"]]].append(NAMES[member["external_id"]])
    return found


def fact(page: str, term: str) -> str:
    """The text of the description of ``term`` in the page's fact lists."""
    found = re.search(rf"<dt>{re.escape(term)}</dt>\s*<dd>(.*?)</dd>", page, re.S)
    assert found, term
    text = re.sub(r"<[^>]+>", " ", re.sub(r"</?bdi>", "", found.group(1)))
    return " ".join(html.unescape(text).split())


def swap_url(page: str, name: str) -> str:
    """The address the "Swap for the next best" form of the member ``name`` leads to."""
    card = re.search(
        rf'<p class="member-name" id="([^"]+)"><bdi>{re.escape(name)}</bdi></p>(.*?)</li>',
        page,
        re.S,
    )
    assert card, name
    form = re.search(
        r'<form method="get" action="([^"#]+)#effect">(.*?)</form>', card.group(2), re.S
    )
    assert form and f'aria-describedby="{card.group(1)}"' in form.group(2)
    values = re.findall(r'name="swap" value="([^"]+)"', form.group(2))
    from urllib.parse import urlencode

    return form.group(1) + "?" + urlencode([("swap", html.unescape(v)) for v in values])


def test_the_page_shows_the_matchers_team(planner, mission):
    page = page_of(planner, f"/needs/{mission}/team")
    team = reference()
    assert team["status"] == "optimal"
    assert shown_members(page) == expected_members(team)
    assert fact(page, "Total fit").startswith(f"{team['total_score']:.3f}")
    assert fact(page, "Women in the team").startswith(f"{team['women']} of 3 members")
    assert f"the floor is at least {team['women_required']}" in fact(page, "Women in the team")
    share = team["balance_cost"] / team["unconstrained_total_score"]
    assert f"Balance costs {share:.1%} of the total fit" in fact(page, "What balance costs")
    assert "the gender floor" in fact(page, "Binding constraints")
    assert fact(page, "Host country’s languages") == (
        "Bambara: no eligible candidate speaks it French: spoken in the team"
    )
    for name in NAMES.values():  # nobody's gender is named beside them
        assert not re.search(rf"{name}.{{0,200}}\b(wom[ae]n|man|female|male)\b", page, re.S)


def test_ranks_scores_and_nationality_are_shown_per_member(planner, mission):
    page = page_of(planner, f"/needs/{mission}/team")
    member = next(m for m in reference()["members"] if m["role_id"] == "R2")
    card = re.search(rf"<bdi>{NAMES[member['external_id']]}</bdi></p>(.*?)</li>", page, re.S).group(
        1
    )
    assert f"Rank {member['rank']} on the role’s shortlist, score {member['score']:.3f}" in card
    assert "Nationality: " in card


def test_a_swap_brings_in_the_next_best_and_says_what_changed(planner, mission):
    first = reference()
    out = next(m for m in first["members"] if m["role_id"] == "R2")["external_id"]
    assert NAMES[out] == "Hana Sato"  # the Operations Officer, a mediator
    page = page_of(planner, f"/needs/{mission}/team")
    swapped_page = page_of(planner, swap_url(page, NAMES[out]))
    swapped = reference(exclude={"R2": [out]})
    assert shown_members(swapped_page) == expected_members(swapped)
    # Kofi Mensah, the other mediator, takes the role; to keep two women, Lucia Gomez
    # comes in as an adviser in place of Jean Dupont.
    assert expected_members(swapped) == {
        "Electoral Adviser": ["Amina Diallo", "Lucia Gomez"],
        "Operations Officer": ["Kofi Mensah"],
    }
    assert fact(swapped_page, "Swapped out") == "Hana Sato, from Operations Officer"
    assert fact(swapped_page, "In") == (
        "Lucia Gomez, for Electoral Adviser; Kofi Mensah, for Operations Officer"
    )
    assert fact(swapped_page, "Also out") == "Jean Dupont, from Electoral Adviser"
    assert "Changing roles" not in swapped_page
    change = swapped["total_score"] - first["total_score"]
    assert change < 0
    assert fact(swapped_page, "Total fit").startswith(f"−{-change:.3f} (from ")
    # Whether the floor holds, never the counts before and after: they would tell who moved.
    assert fact(swapped_page, "Women in the team") == "The floor of at least 2 is still met."
    assert "2 of 3 members" not in swapped_page
    # French stays spoken; Bambara, which nobody eligible speaks, was never covered.
    assert fact(swapped_page, "Coverage") == "Kept: French."
    assert 'id="effect"' in swapped_page and "Undo this swap" in swapped_page


def test_swaps_stack_and_undo(planner, mission):
    first = reference()
    adviser = next(m for m in first["members"] if m["role_id"] == "R1")["external_id"]
    page = page_of(planner, swap_url(page_of(planner, f"/needs/{mission}/team"), NAMES[adviser]))
    second = reference(exclude={"R1": [adviser]})
    officer = next(m for m in second["members"] if m["role_id"] == "R2")["external_id"]
    url = swap_url(page, NAMES[officer])
    assert url.count("swap=") == 2
    stacked = page_of(planner, url)
    assert shown_members(stacked) == expected_members(
        reference(exclude={"R1": [adviser], "R2": [officer]})
    )
    undo = re.search(r'<a href="([^"]+)">Undo this swap</a>', stacked).group(1)
    assert shown_members(page_of(planner, html.unescape(undo))) == expected_members(second)


def test_a_swap_that_loses_coverage_says_so(planner, runner, tmp_path, db_session):
    # Only W1 speaks Bambara: swapping her out loses it.
    records = team_roster()
    records[4]["languages"].append({"code": "bm", "level": "native"})
    load_roster(runner, tmp_path, records)
    public_id = save(db_session, needs_record(role_record("R1", title="Electoral Adviser")))
    page = page_of(planner, f"/needs/{public_id}/team")
    assert shown_members(page) == {"Electoral Adviser": ["Amina Diallo"]}
    swapped = page_of(planner, swap_url(page, "Amina Diallo"))
    assert "Lost: Bambara." in fact(swapped, "Coverage")
    assert "Kept: French." in fact(swapped, "Coverage")


def test_a_team_nobody_can_form_says_why_not_a_500(planner, runner, tmp_path, db_session):
    load_roster(runner, tmp_path, team_roster()[:1])
    public_id = save(db_session, needs_record(role_record("R1", positions=3)))
    response = planner.get(f"/needs/{public_id}/team")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "No team can be proposed" in page
    assert "A role has fewer eligible experts than positions" in page
    assert "Role R1 has 1 eligible experts for 3 position(s)." in page


def test_a_swap_the_page_cannot_read_is_refused_in_plain_words(planner, mission):
    for query in ("swap=nonsense", "swap=R9:AAAAAAAA", "swap=R1:unknown-expert"):
        response = planner.get(f"/needs/{mission}/team?{query}")
        assert response.status_code == 400, query
        assert "swap" in response.get_data(as_text=True)
    too_many = "&".join(f"swap=R1:x{n}" for n in range(41))
    assert planner.get(f"/needs/{mission}/team?{too_many}").status_code == 400


@pytest.mark.parametrize("role", ["expert", "recruiter"])
def test_only_planners_and_admins_see_a_team(staff, mission, role):
    assert staff(role).get(f"/needs/{mission}/team").status_code == 403


def test_an_admin_sees_the_team_and_a_visitor_is_asked_to_sign_in(admin, client, mission):
    assert admin.get(f"/needs/{mission}/team").status_code == 200
    response = client.get(f"/needs/{mission}/team")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_an_unknown_assessment_is_not_found(planner):
    assert planner.get("/needs/no-such-assessment/team").status_code == 404


def test_gender_and_disability_never_show_per_person(planner, runner, tmp_path, db_session):
    records = team_roster()
    records[4] |= {"disability": True, "consent": {"gender": True, "disability": True}}
    load_roster(runner, tmp_path, records)
    public_id = save(db_session, MISSION)
    page = page_of(planner, f"/needs/{public_id}/team")
    assert "Amina Diallo" in page  # the consenting woman with a disability is in the team
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert not re.search(r"disab", text, re.I)
    cards = " ".join(re.findall(r'<ul class="members">(.*?)</ul>', page, re.S))
    assert not re.search(r"\b(wom[ae]n|man|men|female|male|gender)\b", cards, re.I)
    assert "Women in the team" in page  # a total against the floor


def blind_mission(runner, tmp_path, db_session) -> str:
    load_roster(runner, tmp_path, team_roster())
    return save(db_session, MISSION, blind=True)


def test_blind_review_shows_neutral_labels(planner, runner, tmp_path, db_session):
    public_id = blind_mission(runner, tmp_path, db_session)
    page = page_of(planner, f"/needs/{public_id}/team")
    for name in NAMES.values():
        assert name not in page
    assert "Nationality" not in page
    team = reference()
    ranks = {
        title: [
            f"Candidate {r}"
            for r in sorted(m["rank"] for m in team["members"] if m["role_id"] == key)
        ]
        for key, title in (("R1", "Electoral Adviser"), ("R2", "Operations Officer"))
    }
    assert shown_members(page) == ranks


def test_blind_review_names_the_revealed_and_those_past_shortlisted(
    planner, runner, tmp_path, db_session
):
    public_id = blind_mission(runner, tmp_path, db_session)
    team = reference()
    adviser = next(m for m in team["members"] if m["role_id"] == "R1")["external_id"]
    officer = next(m for m in team["members"] if m["role_id"] == "R2")["external_id"]
    other = [
        m["external_id"] for m in team["members"] if m["external_id"] not in (adviser, officer)
    ]
    with db_session() as session:
        roles = dict(session.execute(select(MissionRole.role_key, MissionRole.id)).all())
        ids = dict(session.execute(select(Expert.external_id, Expert.id)).all())
        session.add(CandidateReveal(role_id=roles["R1"], expert_id=ids[adviser]))
        # Past shortlisted on R2; only shortlisted for the other member's role.
        session.add(
            CandidateDecision(
                role_id=roles["R2"], expert_id=ids[officer], outcome=CandidateOutcome.SHORTLISTED
            )
        )
        session.add(
            CandidateDecision(
                role_id=roles["R2"], expert_id=ids[officer], outcome=CandidateOutcome.CONTACTED
            )
        )
        for external_id in other:
            session.add(
                CandidateDecision(
                    role_id=roles["R1"],
                    expert_id=ids[external_id],
                    outcome=CandidateOutcome.SHORTLISTED,
                )
            )
            # A reveal for another role names nobody here.
            session.add(CandidateReveal(role_id=roles["R2"], expert_id=ids[external_id]))
    page = page_of(planner, f"/needs/{public_id}/team")
    assert NAMES[adviser] in page and NAMES[officer] in page
    for external_id in other:
        assert NAMES[external_id] not in page


def member(role: str, external_id: str) -> Member:
    return Member(role, f"Role {role}", external_id, f"p-{external_id}", 1, 0.5, external_id)


def team_of(*members: Member, total: float) -> Team:
    return Team(
        status="optimal",
        roles=[RoleTeam("R", "Role", len(members), list(members))],
        total_score=total,
        unconstrained_total_score=total,
        balance_cost=0.0,
        women=1,
        women_required=1,
        gender_target=0.5,
        positions=len(members),
        region_counts=[],
        coverage=[],
        binding=[],
        infeasible_because=[],
        note_codes=[],
    )


def test_a_swap_that_reshuffles_the_team_says_who_changes_roles():
    before = team_of(member("R1", "A"), member("R2", "B"), member("R2", "C"), total=2.0)
    after = team_of(member("R1", "B"), member("R2", "A"), member("R2", "D"), total=1.5)
    effect = swap_effect(before=before, after=after, swap=Swap("R1", "p-A"))
    assert effect.out == member("R1", "A")
    assert [m.external_id for m in effect.came_in] == ["D"]
    assert [m.external_id for m in effect.left] == ["C"]
    assert [(was.role_key, now.role_key, now.external_id) for was, now in effect.moved] == [
        ("R1", "R2", "A"),
        ("R2", "R1", "B"),
    ]
    assert effect.score_change == -0.5
