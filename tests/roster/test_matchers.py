"""The roster revision moves with every write the matcher sees, and the provider follows it."""

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import joblib
import pytest
from sqlalchemy import select

from matching import Matcher
from roster.interchange.services import import_records
from roster.interchange.store import iter_records
from roster.matchers import (
    current_matcher,
    read_records,
    read_verified,
    roster_revision,
    snapshot_folder,
    stop_matcher,
    up_to_date_matcher,
)
from roster.models import AuditEvent, Deployment, Expert, RosterChange, utcnow
from tests.conftest import PASSWORD, sign_in
from tests.factories import deployment_record, needs_record, ranked_expert

ROOT = Path(__file__).resolve().parents[2]
# A bounded wait for the background thread, far above what it needs; not a speed check.
PATIENCE_S = 120


@pytest.fixture
def roster(app, db_session):
    """Three rostered experts ranked E3 > E2 > E1, and one under review; returns their ids."""
    records = [
        ranked_expert("E1", 2),
        ranked_expert("E2", 5, deployments=[deployment_record()]),
        ranked_expert("E3", 9),
        ranked_expert("E4", 12, roster_status="under_review"),
    ]
    with db_session() as session:
        import_records(session=session, records=enumerate(records, 1), source="test")
    with db_session() as session:
        return dict(session.execute(select(Expert.external_id, Expert.id)).all())


def revision(db_session) -> int:
    with db_session(write=False) as session:
        return roster_revision(session)


def changes_since(db_session, start: int) -> list[int | None]:
    with db_session(write=False) as session:
        query = select(RosterChange.expert_id).where(RosterChange.id > start)
        return list(session.scalars(query.order_by(RosterChange.id)))


def ranked(fitted) -> list[str]:
    shortlist = fitted.matcher.shortlist(needs_record(), k=10, reasons=False)
    return [c["external_id"] for c in shortlist["candidates"]]


def test_an_import_bumps_the_revision_and_an_unchanged_one_does_not(app, db_session, roster):
    start = revision(db_session)
    assert start > 0
    again = [ranked_expert("E1", 2)]
    with db_session() as session:
        import_records(session=session, records=enumerate(again, 1), source="again")
    assert changes_since(db_session, start) == []
    changed = [ranked_expert("E1", 3)]
    with db_session() as session:
        import_records(session=session, records=enumerate(changed, 1), source="changed")
    assert changes_since(db_session, start) == [roster["E1"]]


def test_a_profile_section_saved_bumps_the_revision_once_for_its_expert(app, db_session, roster):
    from roster.profiles.languages import save_languages

    start = revision(db_session)
    with db_session() as session:
        expert = session.get(Expert, roster["E2"])
        save_languages(
            session=session, expert=expert, version=expert.version, rows=[("French", "C2")]
        )
    assert changes_since(db_session, start) == [roster["E2"]]


def test_a_section_that_only_drops_its_last_row_bumps_the_revision(app, db_session, roster):
    from roster.profiles.languages import save_languages

    start = revision(db_session)
    with db_session() as session:
        expert = session.get(Expert, roster["E2"])
        kept = [(row.code, row.level) for row in expert.languages[:-1]]
        save_languages(session=session, expert=expert, version=expert.version, rows=kept)
    assert changes_since(db_session, start) == [roster["E2"]]


def test_a_status_change_bumps_the_revision(app, db_session, make_user, roster):
    from roster.policy.roster_status import change_roster_status

    recruiter = make_user("rita@example.org", "recruiter")
    start = revision(db_session)
    with db_session() as session:
        expert = session.get(Expert, roster["E4"])
        with app.app_context():
            change_roster_status(session=session, expert=expert, to="rostered", by=recruiter)
    assert changes_since(db_session, start) == [roster["E4"]]


def test_a_rating_bumps_the_revision(app, db_session, roster):
    start = revision(db_session)
    with db_session() as session:
        deployment = session.scalars(
            select(Deployment).where(Deployment.expert_id == roster["E2"])
        ).one()
        deployment.rating = 2
    assert changes_since(db_session, start) == [roster["E2"]]


def test_erasure_bumps_the_revision(app, db_session, make_user, tmp_path):
    from roster.profiles.erasure import erase_account

    user = make_user("awa@example.org", "expert")
    with db_session() as session:
        expert = Expert(
            external_id="AWA", full_name="Awa", email="awa@example.org", user_id=user.id
        )
        session.add(expert)
    start = revision(db_session)
    with db_session() as session:
        expert = session.get(Expert, expert.id)
        erase_account(
            session=session,
            user=session.merge(user),
            expert=expert,
            cv_folder=tmp_path,
            outbox=tmp_path,
        )
    assert changes_since(db_session, start) == [expert.id]


def test_writes_the_matcher_does_not_see_leave_the_revision(app, client, db_session, roster):
    from tests.conftest import add_account

    add_account(app, "sam@example.org", "planner")
    start = revision(db_session)
    assert sign_in(client, "sam@example.org", PASSWORD).status_code == 302
    with db_session() as session:
        session.add(AuditEvent(action="roster.export", detail={"experts": 3}))
        expert = session.get(Expert, roster["E1"])
        expert.stale_reminder_sent_at = utcnow()  # a reminder sent: not on the record
    assert revision(db_session) == start


def test_read_records_fits_the_matcher_that_the_export_records_fit(app, db_session, roster):
    with db_session(write=False) as session:
        fast = Matcher().fit(read_records(session))
        full = Matcher().fit(iter_records(session, rostered_only=True))
    needs = needs_record(start=date(2027, 3, 1).isoformat())
    assert fast.shortlist(needs, k=10) == full.shortlist(needs, k=10)
    assert fast.n_experts_ == 3


def test_a_change_shows_in_the_current_matcher_without_a_request_waiting(
    app, db_session, make_user, roster
):
    from roster.policy.roster_status import change_roster_status

    first = current_matcher(app)
    assert ranked(first) == ["E3", "E2", "E1"]
    recruiter = make_user("rita@example.org", "recruiter")
    with db_session() as session:
        expert = session.get(Expert, roster["E4"])
        with app.app_context():
            change_roster_status(session=session, expert=expert, to="rostered", by=recruiter)
    served = current_matcher(app)  # answers at once, with the matcher it holds
    deadline = time.monotonic() + PATIENCE_S
    while served.revision < revision(db_session) and time.monotonic() < deadline:
        time.sleep(0.05)
        served = current_matcher(app)
    assert served.revision == revision(db_session)
    assert ranked(served) == ["E4", "E3", "E2", "E1"]
    assert ranked(first) == ["E3", "E2", "E1"]  # a request holding the old one keeps it
    # One expert changed: the matcher was updated, not fitted again (same text model).
    assert served.matcher.text_model_.vectorizer is first.matcher.text_model_.vectorizer


def _served_when_current(app, db_session):
    served = current_matcher(app)
    deadline = time.monotonic() + PATIENCE_S
    while served.revision < revision(db_session) and time.monotonic() < deadline:
        time.sleep(0.05)
        served = current_matcher(app)
    return served


def test_after_an_erasure_and_an_import_the_matcher_ranks_as_a_fresh_fit(
    app, db_session, make_user, roster, tmp_path
):
    from roster.profiles.erasure import erase_account

    current_matcher(app)
    user = make_user("e3@example.org", "expert")
    with db_session() as session:
        expert = session.get(Expert, roster["E3"])
        expert.user_id = user.id
    with db_session() as session:
        erase_account(
            session=session,
            user=session.merge(user),
            expert=session.get(Expert, roster["E3"]),
            cv_folder=tmp_path,
            outbox=tmp_path,
        )
    with db_session() as session:
        newcomers = [ranked_expert("E5", 20), ranked_expert("E6", 1)]
        import_records(session=session, records=enumerate(newcomers, 1), source="more")
    served = _served_when_current(app, db_session)
    with db_session(write=False) as session:
        fresh = Matcher().fit(
            iter_records(session, rostered_only=True), verified=read_verified(session)
        )
    assert ranked(served) == ["E5", "E2", "E1", "E6"]
    assert served.matcher.shortlist(needs_record(), k=10) == fresh.shortlist(needs_record(), k=10)
    # The erased expert is in no snapshot left behind (the import may have saved one more,
    # depending on how soon the provider caught up with it).
    snapshots = sorted(snapshot_folder(app).glob("matcher-*.joblib"))
    assert snapshots
    for snapshot in snapshots:
        assert "E3" not in joblib.load(snapshot)["fitted"].matcher.index_.ids
    assert joblib.load(snapshots[-1])["fitted"].matcher.index_.ids == ["E1", "E2", "E5", "E6"]


def _fresh_process(app) -> dict:
    """Ask a new process, as a starting worker would, for its first matcher."""
    probe = (
        "import json, numpy\n"
        "from roster import create_app\n"
        "from roster.matchers import current_matcher\n"
        "app = create_app()\n"
        "fitted = current_matcher(app)\n"
        "index = fitted.matcher.index_\n"
        "print(json.dumps({'revision': fitted.revision, 'n': fitted.matcher.n_experts_,\n"
        "    'mapped': isinstance(index.years, numpy.memmap)}))\n"
    )
    env = os.environ | {
        "ROSTER_INSTANCE_PATH": app.instance_path,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": "test-secret-key-not-for-production",
    }
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_new_process_starts_from_the_snapshot_memory_mapped(app, db_session, roster):
    fitted = up_to_date_matcher(app)
    stop_matcher(app)
    assert len(list(snapshot_folder(app).glob("matcher-*.joblib"))) == 1
    started = _fresh_process(app)
    assert started == {"revision": fitted.revision, "n": 3, "mapped": True}


@pytest.mark.parametrize("damage", ["corrupt", "missing"])
def test_a_damaged_or_missing_snapshot_means_a_fit(app, db_session, roster, damage):
    fitted = up_to_date_matcher(app)
    stop_matcher(app)
    for snapshot in snapshot_folder(app).glob("matcher-*.joblib"):
        if damage == "corrupt":
            snapshot.write_bytes(b"not a matcher")
        else:
            snapshot.unlink()
    started = _fresh_process(app)
    assert started == {"revision": fitted.revision, "n": 3, "mapped": True}


def test_the_matcher_served_from_a_snapshot_ranks_as_a_fresh_fit(app, db_session, roster):
    up_to_date_matcher(app)
    stop_matcher(app)
    loaded = current_matcher(app)  # a new provider: from the snapshot, memory-mapped
    with db_session(write=False) as session:
        fresh = Matcher().fit(
            iter_records(session, rostered_only=True), verified=read_verified(session)
        )
    assert loaded.matcher.shortlist(needs_record(), k=10) == fresh.shortlist(needs_record(), k=10)
    assert loaded.matcher.team(needs_record())["members"] == fresh.team(needs_record())["members"]


def test_a_poll_reads_the_adoption_marker_not_every_adoption_and_its_run(app, db_session, roster):
    from sqlalchemy import event

    from matching.scoring import DEFAULT_SHAPES, DEFAULT_WEIGHTS
    from roster.db import engines
    from roster.models import LearningRun, WeightsAdoption

    with db_session() as session:
        for _ in range(3):  # adopted, then the defaults back, then adopted again: a history
            run = LearningRun(
                weights=dict(DEFAULT_WEIGHTS),
                shapes=dict(DEFAULT_SHAPES),
                learning={"source": "learned"},
            )
            session.add(run)
            session.flush()
            session.add_all([WeightsAdoption(run_id=run.id), WeightsAdoption(run_id=None)])
    up_to_date_matcher(app)  # fitted with the adoption in force
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.lower().split()))

    engine = engines(app).read
    event.listen(engine, "before_cursor_execute", seen)
    try:
        for _ in range(3):
            up_to_date_matcher(app)  # what a poll and a request's wake-up read
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    adoptions = [s for s in statements if "weights_adoption" in s]
    assert adoptions, statements
    assert all("max(weights_adoption.id)" in s for s in adoptions), adoptions
    assert not [s for s in statements if "learning_run" in s]
