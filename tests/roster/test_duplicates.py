"""Likely duplicates: found by blocking, remembered, reviewed and merged by a recruiter."""

import re

from sqlalchemy import func, select

from roster.interchange.services import import_records
from roster.models import (
    AuditEvent,
    DuplicatePair,
    Expert,
    ExpertLanguage,
    FoundBy,
    PairStatus,
)
from roster.recruiting import duplicates
from roster.recruiting.merge import REFERENCES, expert_references, unhandled_references
from tests.conftest import form_token
from tests.factories import expert_record

TWINS = [
    expert_record(1, full_name="Mohamed El-Sayed", email="m.elsayed@example.org"),
    expert_record(2, full_name="Muhammad Al Sayyid", email="sayyid.m@example.org"),
    expert_record(3, full_name="Ndiaye Awa", email="awa@example.org"),
    expert_record(4, full_name="Awa Ndiaye", email="AWA@example.org "),
]
LOOK_ALIKES = [
    expert_record(
        5,
        full_name="Maria Garcia",
        nationalities=["ES"],
        residence_country="ES",
        birth_year=1970,
        consent={"birth_year": True},
        email="mg1@example.org",
    ),
    expert_record(
        6,
        full_name="Maria Garcia",
        nationalities=["MX"],
        residence_country="MX",
        birth_year=1985,
        consent={"birth_year": True},
        email="mg2@example.org",
        languages=[{"code": "es", "level": "native"}],
        skills=[{"code": "voter-registration"}],
    ),
]


def _load(db_session, records):
    with db_session() as session:
        import_records(session=session, records=enumerate(records, 1), source="test")


def _pairs(db_session):
    with db_session(write=False) as session:
        rows = session.execute(
            select(Expert.external_id, DuplicatePair.score, DuplicatePair.status).join(
                Expert, Expert.id == DuplicatePair.first_id
            )
        ).all()
        names = {
            p.public_id: (
                session.get(Expert, p.first_id).external_id,
                session.get(Expert, p.second_id).external_id,
            )
            for p in session.scalars(select(DuplicatePair))
        }
    return rows, names


def test_an_import_finds_transliterations_swapped_names_and_one_email_in_any_case(db_session):
    _load(db_session, TWINS + LOOK_ALIKES)
    _, names = _pairs(db_session)
    assert sorted(names.values()) == [("EXP-T-0001", "EXP-T-0002"), ("EXP-T-0003", "EXP-T-0004")]


def test_blocking_compares_only_records_sharing_a_key():
    people = [
        duplicates.person(id=i, full_name=name, email=f"p{i}@example.org", nationalities=[c])
        for i, (name, c) in enumerate(
            [
                ("Awa Ndiaye", "SN"),
                ("Ndiaye Awa", "SN"),
                ("John Smith", "GB"),
                ("Li Wei", "CN"),
                ("Olga Petrova", "RU"),
                ("Jean Dupont", "FR"),
            ],
            1,
        )
    ]
    report = duplicates.find_all(people)
    assert report.comparisons == 1  # of 15 possible pairs
    assert [(f.first_id, f.second_id) for f in report.found] == [(1, 2)]


def test_look_alikes_with_another_birth_year_and_nationality_are_not_flagged():
    one, two = (
        duplicates.person(
            id=1,
            full_name="Maria Garcia",
            email="a@x.org",
            birth_year=1970,
            nationalities=["ES"],
            languages=["es", "en"],
            skills=["a"],
        ),
        duplicates.person(
            id=2,
            full_name="María García",
            email="b@x.org",
            birth_year=1985,
            nationalities=["MX"],
            languages=["es"],
            skills=["b"],
        ),
    )
    score, evidence = duplicates.score_pair(one, two)
    assert score < duplicates.THRESHOLD
    assert "birth_year" in evidence["differs"] and "full_name" in evidence["agrees"]


def test_every_foreign_key_to_expert_is_handled_by_the_merge():
    assert unhandled_references() == []
    assert {f"{c.table.name}.{c.name}" for c in expert_references()} == set(REFERENCES)


def _staff(signed_in):
    return signed_in("rita@example.org", "recruiter")


def _open_pair(client, public_id):
    token = form_token(client.get(f"/duplicates/{public_id}").get_data(as_text=True))
    return client.post(f"/duplicates/{public_id}", data={"csrf_token": token})


def _merge_form(page: str) -> dict[str, str]:
    form = page.split('action="/duplicates/')[1]
    fields = dict(
        re.findall(r'name="(csrf_token|version_first|version_second)"[^>]*value="([^"]*)"', form)
    )
    return fields


def test_a_recruiter_reviews_and_merges_choosing_fields_and_every_reference_moves(
    db_session, signed_in
):
    _load(db_session, TWINS[:2])
    staff = _staff(signed_in)
    listing = staff.get("/duplicates").get_data(as_text=True)
    assert "EXP-T-0001" in listing and "EXP-T-0002" in listing
    with db_session(write=False) as session:
        pair = session.scalars(select(DuplicatePair)).one()
        first, second = session.get(Expert, pair.first_id), session.get(Expert, pair.second_id)
        pair_id, first_pid, second_pid = pair.public_id, first.public_id, second.public_id
    page = _open_pair(staff, pair_id)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Muhammad Al Sayyid" in text and "Mohamed El-Sayed" in text
    with db_session(write=False) as session:
        views = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "profile.view")
        )
    assert views == 2  # one per record, each expert reads it
    data = _merge_form(text) | {
        "survivor": first_pid,
        "keep_full_name": second_pid,
        "keep_email": first_pid,
    }
    done = staff.post(f"/duplicates/{pair_id}/merge", data=data)
    assert done.status_code == 302
    with db_session(write=False) as session:
        kept = session.scalars(select(Expert).where(Expert.public_id == first_pid)).one()
        gone = session.scalars(select(Expert).where(Expert.public_id == second_pid)).one()
        assert kept.full_name == "Muhammad Al Sayyid" and kept.email == "m.elsayed@example.org"
        assert gone.merged_into_id == kept.id  # kept, never deleted
        for column in expert_references():
            if column.table.name == "expert":
                continue
            query = select(func.count()).select_from(column.table).where(column == gone.id)
            if column.table.name == "duplicate_pair":  # the reviewed pair is its record
                query = query.where(column.table.c.id != pair.id)
            left = session.scalar(query)
            assert left == 0, f"{column.table.name}.{column.name} still names the merged record"
        langs = session.scalars(
            select(ExpertLanguage.code).where(ExpertLanguage.expert_id == kept.id)
        ).all()
        assert sorted(langs) == ["en", "fr"]
        merged_event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "duplicates.merged")
        ).one()
        assert merged_event.detail["before"]["merged"]["full_name"] == "Muhammad Al Sayyid"
        assert session.get(DuplicatePair, pair.id).status == PairStatus.MERGED
    listing = staff.get("/duplicates").get_data(as_text=True)
    assert "Merged: EXP-T-0002 is now part of EXP-T-0001." in listing
    assert "0 pairs to review" in listing
    # A second merge of the same pair is refused in plain words, nothing written.
    again = staff.post(f"/duplicates/{pair_id}/merge", data=data)
    assert again.status_code in (400, 409)


def test_a_merge_of_records_changed_since_the_page_opened_is_refused_with_409(
    db_session, signed_in
):
    _load(db_session, TWINS[:2])
    staff = _staff(signed_in)
    with db_session(write=False) as session:
        pair = session.scalars(select(DuplicatePair)).one()
        first = session.get(Expert, pair.first_id)
        pair_id, first_pid = pair.public_id, first.public_id
    text = _open_pair(staff, pair_id).get_data(as_text=True)
    with db_session() as session:
        changed = session.get(Expert, pair.second_id)
        changed.summary, changed.version = "Changed meanwhile.", changed.version + 1
    data = _merge_form(text) | {"survivor": first_pid}
    stale = staff.post(f"/duplicates/{pair_id}/merge", data=data)
    assert stale.status_code == 409
    assert "Changed meanwhile." in stale.get_data(as_text=True)  # the new values shown
    with db_session(write=False) as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Expert).where(Expert.merged_into_id.is_not(None))
            )
            == 0
        )


def test_not_the_same_person_is_remembered_and_never_shown_again(db_session, signed_in):
    _load(db_session, TWINS[:2])
    staff = _staff(signed_in)
    with db_session(write=False) as session:
        pair_id = session.scalars(select(DuplicatePair)).one().public_id
    text = _open_pair(staff, pair_id).get_data(as_text=True)
    token = re.findall(r'name="csrf_token"[^>]*value="([^"]*)"', text)[-1]
    assert (
        staff.post(f"/duplicates/{pair_id}/not-same", data={"csrf_token": token}).status_code == 302
    )
    assert "0 pairs to review" in staff.get("/duplicates").get_data(as_text=True)
    with db_session() as session:
        report = duplicates.sweep(session=session)
    assert report.new == 0
    with db_session(write=False) as session:
        assert session.scalars(select(DuplicatePair)).one().status == PairStatus.NOT_SAME


def test_a_merge_with_itself_is_refused(db_session):
    from roster.recruiting.merge import MergeRefused, check_mergeable

    _load(db_session, TWINS[:1])
    with db_session(write=False) as session:
        expert = session.scalars(select(Expert)).one()
        try:
            check_mergeable(survivor=expert, other=expert)
        except MergeRefused as refusal:
            assert "itself" in str(refusal)
        else:
            raise AssertionError("merging a record with itself was not refused")


def test_the_sweep_command_records_pairs(db_session, runner):
    _load(db_session, TWINS)
    with db_session() as session:
        session.execute(DuplicatePair.__table__.delete())
    result = runner.invoke(args=["roster", "duplicates", "sweep"])
    assert result.exit_code == 0, result.output
    assert "2 new to review" in result.output
    assert duplicates.FoundBy.SWEEP == FoundBy.SWEEP


def test_pages_are_for_recruiters_and_admins_only(signed_in):
    planner = signed_in("pat@example.org", "planner")
    assert planner.get("/duplicates").status_code == 403


def test_registering_a_profile_finds_the_same_person_on_the_roster(db_session, expert_client):
    from tests.roster.conftest import IDENTITY, post_form

    _load(db_session, [expert_record(9, full_name="Ndiaye Awa", email="ndiaye.awa@example.org")])
    response = post_form(expert_client, "/me/identity", IDENTITY | {"full_name": "Awa Ndiayé"})
    assert response.status_code == 302
    with db_session(write=False) as session:
        pair = session.scalars(select(DuplicatePair)).one()
        assert pair.found_by == FoundBy.REGISTRATION
        ids = {pair.first_id, pair.second_id}
        names = set(session.scalars(select(Expert.full_name).where(Expert.id.in_(ids))))
    assert names == {"Ndiaye Awa", "Awa Ndiayé"}


def test_merging_two_records_with_accounts_keeps_the_survivors_and_disables_the_other(
    db_session, make_user
):
    from roster.models import User
    from roster.recruiting.merge import merge_experts

    _load(db_session, TWINS[:2])
    first_user = make_user("one@example.org", "expert")
    second_user = make_user("two@example.org", "expert")
    recruiter = make_user("rita@example.org", "recruiter")
    with db_session() as session:
        first, second = session.scalars(select(Expert).order_by(Expert.id)).all()
        first.user_id, second.user_id = first_user.id, second_user.id
    with db_session() as session:
        first, second = session.scalars(select(Expert).order_by(Expert.id)).all()
        first_id, second_id = first.id, second.id
        done = merge_experts(
            session=session,
            survivor=second,
            other=first,
            choices={"email": first.id},
            versions={first.id: first.version, second.id: second.version},
            by=session.get(User, recruiter.id),
        )
        assert done.disabled_account.id == first_user.id
    with db_session(write=False) as session:
        kept = session.get(Expert, second_id)
        assert kept.user_id == second_user.id and kept.email == "m.elsayed@example.org"
        assert session.get(User, first_user.id).disabled
        assert session.get(User, second_user.id).disabled is False
        assert session.get(Expert, first_id).merged_into_id == second_id


def test_a_merge_with_a_stale_version_writes_nothing(db_session, make_user):
    from roster.models import User
    from roster.recruiting.merge import MergeChanged, merge_experts

    _load(db_session, TWINS[:2])
    recruiter = make_user("rita@example.org", "recruiter")
    with db_session(write=False) as session:
        first, second = session.scalars(select(Expert).order_by(Expert.id)).all()
        try:
            merge_experts(
                session=session,
                survivor=first,
                other=second,
                choices={},
                versions={first.id: first.version, second.id: second.version - 1},
                by=session.get(User, recruiter.id),
            )
        except MergeChanged:
            session.rollback()
        else:
            raise AssertionError("a stale merge was not refused")
    with db_session(write=False) as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Expert).where(Expert.merged_into_id.is_not(None))
            )
            == 0
        )


def test_merged_records_leave_search_matching_and_the_home_counts(db_session, make_user):
    from roster.home.services import roster_overview
    from roster.matchers import read_records
    from roster.models import User
    from roster.recruiting.merge import merge_experts
    from roster.recruiting.search import SearchCriteria, count_matches

    _load(db_session, TWINS[:2])
    recruiter = make_user("rita@example.org", "recruiter")
    with db_session() as session:
        first, second = session.scalars(select(Expert).order_by(Expert.id)).all()
        merge_experts(
            session=session,
            survivor=first,
            other=second,
            choices={},
            versions={first.id: first.version, second.id: second.version},
            by=session.get(User, recruiter.id),
        )
    with db_session(write=False) as session:
        assert [r["external_id"] for r in read_records(session)] == ["EXP-T-0001"]
        assert count_matches(session=session, criteria=SearchCriteria()) == 1
        assert roster_overview(session=session).total == 1


def test_erasing_a_profile_erases_the_records_merged_into_it(app, db_session, make_user, tmp_path):
    from roster.models import User
    from roster.profiles.erasure import erase_account
    from roster.recruiting.merge import merge_experts

    _load(db_session, TWINS[:2])
    owner = make_user("one@example.org", "expert")
    recruiter = make_user("rita@example.org", "recruiter")
    with db_session() as session:
        first, second = session.scalars(select(Expert).order_by(Expert.id)).all()
        first.user_id = owner.id
    with db_session() as session:
        first, second = session.scalars(select(Expert).order_by(Expert.id)).all()
        merge_experts(
            session=session,
            survivor=first,
            other=second,
            choices={},
            versions={first.id: first.version, second.id: second.version},
            by=session.get(User, recruiter.id),
        )
    with db_session() as session:
        expert = session.scalars(select(Expert).where(Expert.user_id == owner.id)).one()
        erase_account(
            session=session,
            user=session.get(User, owner.id),
            expert=expert,
            cv_folder=tmp_path,
            outbox=tmp_path,
        )
    with db_session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Expert)) == 0
        details = " ".join(str(e.detail) for e in session.scalars(select(AuditEvent)))
        assert "Sayyid" not in details and "El-Sayed" not in details
