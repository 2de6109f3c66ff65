"""The matcher learns its weights from the roster's decisions; an admin or a command adopts them.

The history is the roster's own decisions; ``flask match learn`` and the admin page show the
learned weights beside the defaults with the validation figures; adopting puts them (and
their shapes) into every shortlist and team, and going back to the defaults is as easy;
both are audited.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import event, select

from matching.scoring import CRITERIA, DEFAULT_SHAPES, DEFAULT_WEIGHTS
from matching.vocabulary import DATA_DIR
from roster import create_app
from roster.db import engines, session_scope
from roster.jobs import prepare
from roster.matchers import current_matcher, snapshot_folder, stop_matcher, up_to_date_matcher
from roster.missions.decisions import decision_records
from roster.missions.learning import in_use, roster_history
from roster.missions.records import save_needs
from roster.models import AuditEvent, LearningRun, Shortlist, WeightsAdoption
from tests.conftest import add_account, count_rows, sign_in
from tests.factories import needs_record
from tests.roster.conftest import ADMIN_EMAIL
from tests.shortlists.conftest import import_roster, issue, roster_records, save

NEEDS_SCHEMA = Draft202012Validator(
    json.loads((DATA_DIR / "needs.schema.json").read_text(encoding="utf-8")),
    format_checker=FormatChecker(),
)
DECISIONS_SCHEMA = Draft202012Validator(
    json.loads((DATA_DIR / "decisions.schema.json").read_text(encoding="utf-8")),
    format_checker=FormatChecker(),
)
PLANNER_EMAIL = "paula.planner@example.org"
# Weights and shapes no history would give by chance: what an adopted run holds here.
LEARNED = {
    "skills": 0.2,
    "languages": 0.3,
    "accessibility": 0.05,
    "experience": 0.25,
    "availability": 0.05,
    "text": 0.05,
    "ratings": 0.1,
}
OTHER_SHAPES = {"languages": "met", "experience": "concave"}


def learning_report(**more) -> dict:
    """A matcher's ``learning_`` for a run that learned, with its validation figures."""
    return {
        "source": "learned",
        "reason": "Weights learned from the decisions on 12 roles of 5 missions.",
        "reason_code": "learning.learned",
        "reason_params": {"roles": 12, "missions": 5},
        "roles": 12,
        "missions": 5,
        "decisions": 310,
        "decisions_total": 322,
        "pairs": 904,
        "unknown_experts": 3,
        "min_roles": 8,
        "default_weights": dict(DEFAULT_WEIGHTS),
        "default_shapes": dict(DEFAULT_SHAPES),
        "validation": {"metric": "nDCG@10", "folds": 5, "defaults": 0.81, "learned": 0.86},
        "regularisation": 1.0,
    } | more


def stored_run(app, **learning) -> str:
    """A learning run as the matcher would have written it; returns its public id.

    One whose ``source`` is "defaults" holds the default weights and shapes.
    """
    with session_scope(app) as session:
        learned = learning.get("source", "learned") == "learned"
        run = LearningRun(
            weights=dict(LEARNED if learned else DEFAULT_WEIGHTS),
            shapes=dict(OTHER_SHAPES if learned else DEFAULT_SHAPES),
            learning=learning_report(**learning),
        )
        session.add(run)
        session.flush()
        return run.public_id


def demo(runner, experts: int = 2000) -> None:
    """The demo roster with its past missions and what was decided about their candidates."""
    result = runner.invoke(
        args=["roster", "demo", "--experts", str(experts), "--seed", "8", "--as-of", "2026-12-01"]
    )
    assert result.exit_code == 0, result.output


def form_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def press(client, url: str, action: str | None = None):
    """Open ``url`` and send its form (to ``action``, or back to ``url``) as a browser would."""
    page = client.get(url).get_data(as_text=True)
    return client.post(action or url, data={"csrf_token": form_token(page)})


def audited(db_session, action: str) -> list[AuditEvent]:
    with db_session(write=False) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def demo_roster(runner):
    demo(runner)


@pytest.fixture
def roster(runner, tmp_path):
    import_roster(runner, tmp_path, roster_records())


@pytest.fixture
def planner(signed_in):
    return signed_in(PLANNER_EMAIL, "planner", name="Paula Planner")


# --- the history --------------------------------------------------------------------------


def test_the_history_is_every_assessment_with_decisions_as_the_contracts_have_them(
    app, demo_roster, db_session
):
    with db_session() as session:  # an assessment nobody has decided anything about
        save_needs(session=session, record=needs_record(id="NA-UNDECIDED"), by=None)
    statements = []
    engine = engines(app).read

    def count(_connection, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with db_session(write=False) as session:
            history = roster_history(session)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    with db_session(write=False) as session:
        records = list(decision_records(session))
    assert history and "NA-UNDECIDED" not in {h["needs"]["id"] for h in history}
    assert sorted({r["needs_id"] for r in records}) == [h["needs"]["id"] for h in history]
    assert sum(len(h["decisions"]) for h in history) == len(records)
    for mission in history:
        assert not list(NEEDS_SCHEMA.iter_errors(mission["needs"])), mission["needs"]["id"]
        roles = {role["id"] for role in mission["needs"]["roles"]}
        for decision in mission["decisions"]:
            assert not list(DECISIONS_SCHEMA.iter_errors(decision)), decision
            assert decision["needs_id"] == mission["needs"]["id"]
            assert decision["role_id"] in roles
    # One read of the decisions, one of the assessments and one of their roles: however
    # many assessments there are.
    assert len(statements) <= 3 < len(history), statements


# --- the command ----------------------------------------------------------------------------


def test_learn_prints_the_weights_beside_the_defaults_and_adopt_puts_them_in_use(
    app, demo_roster, runner, db_session
):
    result = runner.invoke(args=["match", "learn", "--adopt"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert re.search(r"criterion\s+default\s+learned\s+in use", out)
    with db_session(write=False) as session:
        run = session.scalar(select(LearningRun))
        used = in_use(session)
    assert run.learned, run.learning["reason"]
    assert used.run.id == run.id and used.weights == run.weights
    assert used.shapes == run.shapes
    for name in CRITERIA:
        row = re.search(rf"^{name}\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", out, re.M)
        assert row, name
        assert row.group(1) == f"{DEFAULT_WEIGHTS[name]:.3f}"
        assert row.group(2) == f"{run.weights[name]:.3f}"
        assert row.group(2) == row.group(3)  # in use: the learned weights
    check = run.learning["validation"]
    assert (
        f"nDCG@10 {check['learned']:.3f} with the learned weights, "
        f"{check['defaults']:.3f} with the defaults" in out
    )
    assert f"{run.learning['roles']} role(s) of {run.learning['missions']} mission(s)" in out
    assert "Adopted: shortlists and teams rank with the learned weights" in out
    # Without an account: the command line, in the trail.
    [learned] = audited(db_session, "matcher.learned")
    [adopted] = audited(db_session, "matcher.weights_adopted")
    assert learned.actor_id is None and adopted.actor_id is None
    assert adopted.detail["run"] == run.public_id

    shown = runner.invoke(args=["match", "weights"])
    assert shown.exit_code == 0
    assert f"In use: the weights of run {run.public_id}" in shown.output
    assert "by the command line" in shown.output

    # The matcher the app ranks with was fitted with them.
    fitted = up_to_date_matcher(app).matcher
    assert fitted.weights_ == run.weights and fitted.shapes_ == run.shapes

    back = runner.invoke(args=["match", "use-defaults"])
    assert back.exit_code == 0, back.output
    again = runner.invoke(args=["match", "use-defaults"])
    assert again.exit_code == 1
    assert "Error: The default weights are in use already." in again.output
    with db_session(write=False) as session:
        assert in_use(session).weights == DEFAULT_WEIGHTS
    assert len(audited(db_session, "matcher.defaults_restored")) == 1


def test_with_too_little_history_nothing_is_adopted_and_the_command_says_why(
    app, roster, runner, db_session
):
    result = runner.invoke(args=["match", "learn", "--adopt"])
    assert result.exit_code == 1
    assert "Error: nothing adopted: Nothing was learned in this run" in result.output
    assert re.search(r"criterion\s+default\s+learned\s+in use", result.output)
    with db_session(write=False) as session:
        run = session.scalar(select(LearningRun))
        assert not run.learned and run.weights == DEFAULT_WEIGHTS
        assert in_use(session).run is None  # kept, not adopted
    assert count_rows(db_session, WeightsAdoption) == 0
    assert "at least 8 role(s) needed to learn" in result.output


# --- the admin page -----------------------------------------------------------------------


def test_the_page_shows_the_run_beside_the_defaults_in_plain_words(app, admin, db_session):
    run = stored_run(app)
    page = admin.get("/admin/matching")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'href="/admin/matching" aria-current="page"' in text  # in the admin navigation
    assert "The matcher ranks with its default weights: no learned weights" in text
    assert (
        "On missions it did not see, the learned weights rank the chosen candidates at "
        "nDCG@10 0.860, against 0.810 for the defaults" in text
    )
    assert "Learned from 310 decision(s) about the candidates of 12 role(s) of 5 mission(s)" in text
    assert "3 decision(s) about experts no longer on the roster were left out." in text
    rows = re.findall(
        r'<tr>\s*<th scope="row">([^<]+) <span class="hint">[^<]+</span></th>\s*'
        r"<td>([\d.]+)</td>\s*<td>([\d.]+)</td>\s*<td>([\d.]+)</td>",
        text,
    )
    assert rows[0] == ("Expertise", "0.300", "0.200", "0.300")
    assert rows[1] == ("Languages", "0.150", "0.300", "0.150")
    assert len(rows) == len(CRITERIA)
    assert "half for meeting the level, half for the margin above" in text  # the shapes
    assert f'href="/admin/matching/runs/{run}/adopt"' in text


def test_an_admin_adopts_a_run_and_new_shortlists_publish_its_weights(
    app, roster, admin, planner, db_session
):
    run = stored_run(app)
    confirm = admin.get(f"/admin/matching/runs/{run}/adopt")
    assert confirm.status_code == 200
    assert "From now on every new shortlist and proposed team ranks" in confirm.get_data(
        as_text=True
    )
    done = press(admin, f"/admin/matching/runs/{run}/adopt")
    assert done.status_code == 302
    page = admin.get("/admin/matching").get_data(as_text=True)
    assert "The learned weights are adopted" in page
    assert "The matcher ranks with the weights learned on" in page
    assert "which Ada Lovelace adopted on" in page
    assert "These weights are in use." in page
    [event_] = audited(db_session, "matcher.weights_adopted")
    assert event_.detail["weights"] == LEARNED and event_.detail["shapes"] == OTHER_SHAPES

    up_to_date_matcher(app)  # the refit the adoption asked for
    needs_id = save(app, needs_record())
    assert issue(planner, needs_id).status_code == 302
    with db_session(write=False) as session:
        shortlist = session.scalar(select(Shortlist))
        assert shortlist.weights == LEARNED
        for entry in shortlist.entries:
            total = sum(LEARNED[name] * entry.criteria[name] for name in CRITERIA)
            assert total == pytest.approx(entry.score, abs=1e-6)

    # Adopting it again is refused in plain words; nothing is written.
    again = press(admin, "/admin/matching", f"/admin/matching/runs/{run}/adopt")
    assert again.status_code == 302
    assert "These weights are in use already." in admin.get("/admin/matching").get_data(
        as_text=True
    )
    assert count_rows(db_session, WeightsAdoption) == 1


def test_an_admin_goes_back_to_the_defaults(app, roster, admin, planner, db_session):
    run = stored_run(app)
    press(admin, f"/admin/matching/runs/{run}/adopt")
    confirm = admin.get("/admin/matching/defaults").get_data(as_text=True)
    assert "the learned runs are kept and can be adopted again" in confirm
    assert press(admin, "/admin/matching/defaults").status_code == 302
    page = admin.get("/admin/matching").get_data(as_text=True)
    assert "The default weights are back" in page
    assert "The matcher ranks with its default weights, which Ada Lovelace put back on" in page
    [event_] = audited(db_session, "matcher.defaults_restored")
    assert event_.detail["replaced"] == run
    with session_scope(app, write=False) as session:
        assert event_.actor_id == session.scalar(
            select(AuditEvent.actor_id).where(AuditEvent.action == "matcher.weights_adopted")
        )
    up_to_date_matcher(app)
    assert issue(planner, save(app, needs_record())).status_code == 302
    with db_session(write=False) as session:
        assert session.scalar(select(Shortlist)).weights == DEFAULT_WEIGHTS
    trail = admin.get("/admin/audit").get_data(as_text=True)
    assert "put the matcher back on its default weights" in trail
    assert "adopted the matcher&#39;s learned weights" in trail


def test_a_run_that_learned_nothing_cannot_be_adopted(app, admin, db_session):
    run = stored_run(
        app,
        source="defaults",
        reason_code="learning.too_little",
        reason_params={"roles": 3, "minimum": 8},
        reason="Only 3 roles ...",
        roles=3,
        decisions_total=41,
        validation=None,
    )
    text = admin.get("/admin/matching").get_data(as_text=True)
    assert "Nothing learned: the default weights stay" in text
    assert (
        "Only 3 roles in the history have a decision that shows a preference; at least 8 "
        "are needed to learn from, so the default weights are used." in text
    )
    assert "The roster holds 41 decision(s) about candidates; 3 role(s) show a preference" in text
    assert "/adopt" not in text
    refused = press(admin, "/admin/matching", f"/admin/matching/runs/{run}/adopt")
    assert refused.status_code == 302
    assert "Nothing was learned in this run" in admin.get("/admin/matching").get_data(as_text=True)
    assert count_rows(db_session, WeightsAdoption) == 0


def test_learning_from_the_page_runs_as_a_job_and_the_page_shows_it(app, admin, db_session):
    # The queue runs jobs at once in the tests (JOBS_IMMEDIATE): the job's own code runs.
    answer = press(admin, "/admin/matching", "/admin/matching/learn")
    assert answer.status_code == 302
    page = admin.get("/admin/matching").get_data(as_text=True)
    assert "The matcher is learning from the roster&#39;s decisions." in page
    assert "Learned on" in page and "asked for by Ada Lovelace" in page
    assert "No decisions to learn from: the default weights are used." in page
    [learned] = audited(db_session, "matcher.learned")
    with db_session(write=False) as session:
        run = session.scalar(select(LearningRun))
        assert run.created_by_id == learned.actor_id is not None


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/matching"),
        ("post", "/admin/matching/learn"),
        ("get", "/admin/matching/runs/{run}/adopt"),
        ("post", "/admin/matching/runs/{run}/adopt"),
        ("get", "/admin/matching/defaults"),
        ("post", "/admin/matching/defaults"),
    ],
)
def test_only_admins_see_or_change_the_weights(app, staff, client, method, url):
    url = url.format(run=stored_run(app))
    for role in ("planner", "recruiter", "expert"):
        assert getattr(staff(role), method)(url).status_code == 403, role
    assert getattr(client, method)(url).status_code in (302, 401, 403)
    with session_scope(app, write=False) as session:
        assert in_use(session).run is None


def test_a_broken_run_address_is_a_404_and_an_expired_form_a_400(app, admin):
    assert admin.get("/admin/matching/runs/nope/adopt").status_code == 404
    assert admin.post("/admin/matching/learn", data={}).status_code == 400


# --- the matcher provider -------------------------------------------------------------------


def test_adopting_refits_the_matcher_and_no_snapshot_with_other_shapes_is_served(
    app, roster, db_session
):
    first = up_to_date_matcher(app)
    assert first.matcher.weights_ == DEFAULT_WEIGHTS and first.matcher.shapes_ == DEFAULT_SHAPES
    run = stored_run(app)
    from roster.missions.learning import adopt, run_by_public_id

    with session_scope(app) as session:
        adopt(session=session, run=run_by_public_id(session, run), by_id=None)
    # The running provider follows the adoption: a fit with the run's weights and shapes.
    served = up_to_date_matcher(app)
    assert served.matcher.weights_ == LEARNED and served.matcher.shapes_ == OTHER_SHAPES
    stop_matcher(app)
    # A new process starts from the newest snapshot: the one with the adopted shapes.
    assert current_matcher(app).matcher.shapes_ == OTHER_SHAPES
    stop_matcher(app)
    # Back to the defaults: a snapshot fitted with other shapes is never served.
    from roster.missions.learning import restore_defaults

    with session_scope(app) as session:
        restore_defaults(session=session, by_id=None)
    assert list(snapshot_folder(app).glob("matcher-*.joblib"))
    fresh = current_matcher(app)
    assert fresh.matcher.weights_ == DEFAULT_WEIGHTS and fresh.matcher.shapes_ == DEFAULT_SHAPES


@pytest.mark.slow
def test_a_worker_process_runs_the_learning_an_admin_asked_for(app, database_url, tmp_path):
    """The page's button queues the job; the real consumer, in its own process, runs it."""

    web = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SESSION_COOKIE_SECURE": False,
            "JOBS_IMMEDIATE": False,
        }
    )
    prepare(web.extensions["roster_jobs"].queue)
    env = os.environ | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "ROSTER_INSTANCE_PATH": app.instance_path,
    }
    env.pop("JOBS_IMMEDIATE", None)
    log = tmp_path / "worker.log"
    with log.open("wb") as handle:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "roster", "worker", "--workers", "1"],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        add_account(web, ADMIN_EMAIL, "admin", name="Ada Lovelace")
        admin = web.test_client()
        assert sign_in(admin, ADMIN_EMAIL).status_code == 302
        assert press(admin, "/admin/matching", "/admin/matching/learn").status_code == 302
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with session_scope(app, write=False) as session:
                if session.scalar(select(LearningRun)) is not None:
                    break
            time.sleep(0.2)
        page = admin.get("/admin/matching").get_data(as_text=True)
        assert "asked for by Ada Lovelace" in page, log.read_text()
    finally:
        worker.send_signal(signal.SIGINT)
        code = worker.wait(timeout=30)
        web.extensions["roster_jobs"].queue.storage.close()
        for engine in {engines(web).read, engines(web).write}:
            engine.dispose()
    assert code == 0, log.read_text()
    assert "Learning run" in log.read_text()


def test_the_pages_are_all_marked_for_translation(app, admin):
    from tests.roster.test_pseudo_locale import assert_all_marked
    from tests.roster.test_pseudo_locale_staff import choose

    run = stored_run(app)
    pseudo = choose(admin, "en-XA")
    data = ("Ada Lovelace", ADMIN_EMAIL, "nDCG@10")
    assert_all_marked(pseudo.get("/admin/matching"), *data)
    assert_all_marked(pseudo.get(f"/admin/matching/runs/{run}/adopt"), *data)
    press(pseudo, f"/admin/matching/runs/{run}/adopt")
    assert_all_marked(pseudo.get("/admin/matching"), *data)
    assert_all_marked(pseudo.get("/admin/matching/defaults"), *data)


def test_the_proposed_team_ranks_with_the_adopted_weights(app, roster, admin, planner):
    from matching import Matcher
    from roster.interchange.store import iter_records
    from roster.matchers import read_verified
    from roster.missions.records import needs_record as stored_needs_record
    from roster.missions.teams import needs_by_public_id, proposed_team

    run = stored_run(app)
    press(admin, f"/admin/matching/runs/{run}/adopt")
    needs_id = save(app, needs_record())
    fitted = up_to_date_matcher(app)
    with session_scope(app, write=False) as session:
        needs = needs_by_public_id(session=session, public_id=needs_id)
        team = proposed_team(
            session=session, needs=needs, matcher=fitted.matcher, revision=fitted.revision
        )
        by_hand = Matcher(weights=LEARNED, shapes=OTHER_SHAPES).fit(
            iter_records(session, rostered_only=True), verified=read_verified(session)
        )
        wanted = by_hand.team(stored_needs_record(needs))
        records = list(iter_records(session, rostered_only=True))
        default = Matcher().fit(records, verified=read_verified(session))
        assert default.team(stored_needs_record(needs))["total_score"] != pytest.approx(
            wanted["total_score"]
        )
    assert team.total_score == pytest.approx(wanted["total_score"])
    assert [m.external_id for m in team.members] == [m["external_id"] for m in wanted["members"]]
    # And the planner's page shows that team.
    page = planner.get(f"/needs/{needs_id}/team").get_data(as_text=True)
    assert all(m.name in page for m in team.members)


# --- a history the matcher cannot read ------------------------------------------------------


def broken_history(db_session) -> None:
    """A decision on an assessment stored as no needs record may be: no such country."""
    from datetime import date

    from roster.models import CandidateDecision, Expert, MissionRole, NeedsAssessment

    with db_session() as session:
        needs = NeedsAssessment(
            external_id="NA-BROKEN",
            title="Broken",
            country="ZZ",
            start=date(2027, 1, 1),
            end=date(2027, 3, 1),
        )
        session.add(needs)
        session.flush()
        role = MissionRole(needs_id=needs.id, role_key="R1", position=0, title="Analyst")
        session.add(role)
        session.flush()
        expert = session.scalar(select(Expert).limit(1))
        session.add(CandidateDecision(role_id=role.id, expert_id=expert.id, outcome="selected"))


def test_a_history_that_cannot_be_read_fails_the_command_in_plain_words(
    app, roster, runner, db_session
):
    broken_history(db_session)
    result = runner.invoke(args=["match", "learn", "--adopt"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, ValueError)
    assert (
        "Error: Learning failed: needs assessment NA-BROKEN, or a decision about its candidates, "
        "could not be read (needs: country: unknown country 'ZZ')." in result.output
    )
    assert "the weights in use stay" in result.output
    with db_session(write=False) as session:
        run = session.scalar(select(LearningRun))
        assert run.failed and not run.learned and run.weights == {}
        assert run.learning["needs_id"] == "NA-BROKEN"
        assert in_use(session).run is None
    assert count_rows(db_session, WeightsAdoption) == 0
    [kept] = audited(db_session, "matcher.learned")
    assert kept.detail["source"] == "failed"


def test_a_failed_job_says_on_the_page_that_learning_failed_and_why(app, roster, admin, db_session):
    broken_history(db_session)
    answer = press(admin, "/admin/matching", "/admin/matching/learn")
    assert answer.status_code == 302
    page = admin.get("/admin/matching")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.get_data(as_text=True))
    assert "The last learning run failed: the weights in use stay" in text
    assert "Tried on" in text and "asked for by Ada Lovelace" in text
    assert (
        "Needs assessment NA-BROKEN, or a decision about its candidates, could not be read" in text
    )
    assert "Adopt these weights" not in text and 'id="weights"' not in text
    with db_session(write=False) as session:
        run = session.scalar(select(LearningRun))
    assert run.failed
    refused = press(admin, f"/admin/matching/runs/{run.public_id}/adopt")
    assert refused.status_code == 302
    after = admin.get("/admin/matching").get_data(as_text=True)
    assert "This learning run failed: it holds no weights to adopt." in after
    assert count_rows(db_session, WeightsAdoption) == 0


def test_a_run_kept_by_a_matcher_without_a_criterion_shows_a_dash(app, admin, runner, db_session):
    public_id = stored_run(app)
    with db_session() as session:
        run = session.scalar(select(LearningRun).where(LearningRun.public_id == public_id))
        run.weights = {k: v for k, v in run.weights.items() if k != "ratings"}
    page = admin.get("/admin/matching")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<span aria-hidden="true">—</span><span class="visually-hidden">none in this run' in text
    adopted = runner.invoke(args=["match", "learn"])  # a new run is the latest: read the old
    assert adopted.exit_code == 0, adopted.output
    with db_session() as session:
        session.add(WeightsAdoption(run_id=run.id))
    shown = runner.invoke(args=["match", "weights"])
    assert shown.exit_code == 0, shown.output
    assert re.search(r"^ratings\s+[\d.]+\s+—\s+[\d.]+$", shown.output, re.M), shown.output


def test_when_the_defaults_did_as_well_the_page_and_command_show_the_defaults_figure(
    app, admin, db_session
):
    from roster.learning_cli import describe_run

    stored_run(
        app,
        source="defaults",
        reason_code="learning.not_better",
        reason_params={},
        reason="Weights learned from the history ranked missions they had not seen no better "
        "than the default weights, so the default weights are used.",
        validation={
            "metric": "nDCG@10",
            "folds": 5,
            "defaults": 0.81,
            "learned": 0.81,
            "best": 0.812,
        },
    )
    text = re.sub(r"\s+", " ", admin.get("/admin/matching").get_data(as_text=True))
    assert "no better than the default weights, so the default weights are used." in text
    assert (
        "On missions it did not see, the default weights rank the chosen candidates at "
        "nDCG@10 0.810 (1 is a perfect ranking; missions held out in 5 rounds); no learned "
        "weights did better." in text
    )
    assert (
        "0.812" not in text and "did worse" not in text and "the learned weights rank" not in text
    )
    with db_session(write=False) as session:
        run = session.scalar(select(LearningRun))
        lines = describe_run(run)
    assert any("nDCG@10 0.810 with the defaults; no learned weights did better" in x for x in lines)
    assert not any("0.812" in x for x in lines)
