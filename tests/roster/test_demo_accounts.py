"""A development instance's demo accounts: one per role, printed once per run."""

import re

from tests.conftest import sign_in


def demo_sign_ins(runner) -> dict[str, tuple[str, str]]:
    result = runner.invoke(args=["roster", "demo-accounts"])
    assert result.exit_code == 0, result.output
    rows = re.findall(r"^  (\w+) +(\S+@\S+) +(\S+)$", result.output, re.M)
    return {role: (email, password) for role, email, password in rows}


def test_a_development_instance_gets_one_sign_in_per_role(app, runner):
    app.config["ROSTER_ENV"] = "development"
    assert runner.invoke(args=["roster", "demo", "--experts", "60", "--seed", "3"]).exit_code == 0
    sign_ins = demo_sign_ins(runner)
    assert set(sign_ins) == {"admin", "recruiter", "planner", "expert"}
    landings = {"admin": "/experts", "recruiter": "/experts", "planner": "/needs", "expert": "/me"}
    for role, (email, password) in sign_ins.items():
        client = app.test_client()
        response = sign_in(client, email, password)
        assert (response.status_code, response.location) == (302, landings[role]), role
    # The expert's account opens a complete, rostered demo profile.
    expert = app.test_client()
    sign_in(expert, *sign_ins["expert"])
    page = expert.get("/me").get_data(as_text=True)
    assert "rostered" in page and "Languages" in page


def test_each_run_gives_new_passwords_and_the_old_ones_stop_working(app, runner):
    app.config["ROSTER_ENV"] = "development"
    runner.invoke(args=["roster", "demo", "--experts", "30", "--seed", "3"])
    first, second = demo_sign_ins(runner), demo_sign_ins(runner)
    assert first["expert"][0] == second["expert"][0]  # the same demo expert keeps the account
    for role in first:
        assert first[role][1] != second[role][1]
        assert sign_in(app.test_client(), first[role][0], first[role][1]).status_code == 400
        assert sign_in(app.test_client(), *second[role]).status_code == 302


def test_a_production_instance_refuses_demo_accounts(app, runner, db_session):
    result = runner.invoke(args=["roster", "demo-accounts"])
    assert result.exit_code == 1
    assert "only made on a development instance" in result.output
    assert "Traceback" not in result.output


def test_the_demo_planner_finds_assessments_in_progress_once(app, runner, db_session):
    from sqlalchemy import select

    from roster.models import NeedsAssessment, User

    app.config["ROSTER_ENV"] = "development"
    assert runner.invoke(args=["roster", "demo", "--experts", "60", "--seed", "3"]).exit_code == 0
    demo_sign_ins(runner)
    sign_ins = demo_sign_ins(runner)  # a second run adds nothing
    with db_session(write=False) as session:
        opened = session.scalars(
            select(NeedsAssessment).where(NeedsAssessment.status == "open")
        ).all()
        planner = session.scalar(select(User).where(User.email == sign_ins["planner"][0]))
        assert len(opened) == 3
        assert {needs.created_by_id for needs in opened} == {planner.id}
    client = app.test_client()
    sign_in(client, *sign_ins["planner"])
    page = client.get("/needs").get_data(as_text=True)
    assert "Support to the" in page and "general elections in Liberia" in page
    assert "Your work: " in client.get("/").get_data(as_text=True)
