"""Likely duplicates by API: the queue, a pair side by side, "not the same", merges."""

from sqlalchemy import func, select

from roster.api.kernel import encode_cursor
from roster.interchange.services import import_records
from roster.models import AuditEvent, DuplicatePair, Expert, ExpertLanguage, PairStatus
from roster.recruiting.merge import expert_references
from tests.conftest import sign_in
from tests.factories import expert_record

TWINS = [
    expert_record(1, full_name="Mohamed El-Sayed", email="m.elsayed@example.org"),
    expert_record(2, full_name="Muhammad Al Sayyid", email="sayyid.m@example.org"),
    expert_record(3, full_name="Ndiaye Awa", email="awa@example.org"),
    expert_record(4, full_name="Awa Ndiaye", email="AWA@example.org "),
]


def _load(db_session, records=TWINS[:2]):
    with db_session() as session:
        import_records(session=session, records=enumerate(records, 1), source="test")


def _pair(db_session, external_id="EXP-T-0001"):
    """The pair holding ``external_id``: its public id and its two records' public ids."""
    with db_session(write=False) as session:
        expert = session.scalars(select(Expert).where(Expert.external_id == external_id)).one()
        pair = session.scalars(
            select(DuplicatePair).where(
                (DuplicatePair.first_id == expert.id) | (DuplicatePair.second_id == expert.id)
            )
        ).one()
        first, second = session.get(Expert, pair.first_id), session.get(Expert, pair.second_id)
        return pair.public_id, first.public_id, second.public_id


def _count(db_session, query) -> int:
    with db_session(write=False) as session:
        return session.scalar(query)


def _merged(db_session) -> int:
    return _count(
        db_session,
        select(func.count()).select_from(Expert).where(Expert.merged_into_id.is_not(None)),
    )


def test_the_queue_is_paged_best_score_first_by_cursor(api_as, db_session):
    _load(db_session, TWINS)
    api = api_as("rita@example.org", "recruiter")

    first = api.get("/duplicates?limit=1")
    body = first.get_json()
    second = api.get(f"/duplicates?limit=1&cursor={body['next_cursor']}").get_json()

    assert first.status_code == 200 and len(body["items"]) == 1
    both = body["items"] + second["items"]
    assert body["items"][0]["score"] >= second["items"][0]["score"]
    assert sorted((p["first"]["external_id"], p["second"]["external_id"]) for p in both) == [
        ("EXP-T-0001", "EXP-T-0002"),
        ("EXP-T-0003", "EXP-T-0004"),
    ]
    assert second["next_cursor"] is None
    assert api.get("/duplicates?cursor=bm9wZQ").status_code == 422
    for position in ({"after": "a\x00"}, {"after": 7}, {"after": "no-such-pair"}):
        answer = api.get(f"/duplicates?cursor={encode_cursor(position)}")
        assert answer.status_code == 422 and answer.get_json()["problems"][0]["path"] == "cursor"
    assert api.get("/duplicates?limit=0").status_code == 422


def test_a_pair_side_by_side_is_audited_as_a_view_of_both_profiles(api_as, db_session):
    _load(db_session)
    api = api_as("rita@example.org", "recruiter")
    pair_id, first_id, second_id = _pair(db_session)

    answer = api.get(f"/duplicates/{pair_id}")

    assert answer.status_code == 200 and answer.headers["ETag"]
    pair = answer.get_json()
    assert pair["first"]["id"] == first_id and pair["second"]["id"] == second_id
    names = next(row for row in pair["fields"] if row["name"] == "full_name")
    assert names == {
        "name": "full_name",
        "first": "Mohamed El-Sayed",
        "second": "Muhammad Al Sayyid",
        "agrees": False,
    }
    views = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "profile.view")
    assert _count(db_session, views) == 2
    assert api.get("/duplicates/no-such-pair").status_code == 404


def test_a_merge_by_api_is_seen_on_the_web_as_a_merge(app, api_as, db_session):
    _load(db_session)
    api = api_as("rita@example.org", "recruiter")
    pair_id, first_id, second_id = _pair(db_session)
    tag = api.get(f"/duplicates/{pair_id}").headers["ETag"]
    body = {
        "pair": pair_id,
        "survivor": first_id,
        "choices": {"full_name": second_id, "email": first_id},
    }

    done = api.post("/merges", json=body, headers={"If-Match": tag})

    assert done.status_code == 201
    assert done.get_json() == {
        "pair": pair_id,
        "survivor": first_id,
        "merged": second_id,
        "taken_from_merged": ["full_name"],
        "account_disabled": False,
    }
    with db_session(write=False) as session:
        kept = session.scalars(select(Expert).where(Expert.public_id == first_id)).one()
        gone = session.scalars(select(Expert).where(Expert.public_id == second_id)).one()
        assert kept.full_name == "Muhammad Al Sayyid" and gone.merged_into_id == kept.id
        for column in expert_references():
            if column.table.name in ("expert", "duplicate_pair"):
                continue
            left = select(func.count()).select_from(column.table).where(column == gone.id)
            assert session.scalar(left) == 0, f"{column.table.name}.{column.name}"
        languages = select(ExpertLanguage.code).where(ExpertLanguage.expert_id == kept.id)
        assert sorted(session.scalars(languages)) == ["en", "fr"]
        assert session.scalars(select(DuplicatePair)).one().status == PairStatus.MERGED
    web = app.test_client()
    assert sign_in(web, "rita@example.org").status_code == 302
    assert "0 pairs to review" in web.get("/duplicates").get_data(as_text=True)
    assert "EXP-T-0002" not in web.get("/experts?q=sayyid").get_data(as_text=True)
    assert api.get("/duplicates").get_json()["items"] == []


def test_a_stale_or_missing_if_match_merges_nothing(api_as, db_session):
    _load(db_session)
    api = api_as("rita@example.org", "recruiter")
    pair_id, first_id, second_id = _pair(db_session)
    tag = api.get(f"/duplicates/{pair_id}").headers["ETag"]
    with db_session() as session:
        changed = session.scalars(select(Expert).where(Expert.public_id == second_id)).one()
        changed.summary, changed.version = "Changed meanwhile.", changed.version + 1
    body = {"pair": pair_id, "survivor": first_id}

    missing = api.post("/merges", json=body)
    stale = api.post("/merges", json=body, headers={"If-Match": tag})

    assert missing.status_code == 428 and stale.status_code == 412
    assert stale.mimetype == "application/problem+json"
    assert _merged(db_session) == 0
    fresh = api.get(f"/duplicates/{pair_id}").headers["ETag"]
    assert fresh != tag
    assert api.post("/merges", json=body, headers={"If-Match": fresh}).status_code == 201


def test_bad_merges_are_refused_at_their_path_and_merge_nothing(api_as, db_session):
    _load(db_session)
    api = api_as("rita@example.org", "recruiter")
    pair_id, first_id, _ = _pair(db_session)
    tag = {"If-Match": api.get(f"/duplicates/{pair_id}").headers["ETag"]}
    good = {"pair": pair_id, "survivor": first_id}

    cases = {
        "colour": good | {"colour": "red"},
        "survivor": good | {"survivor": 7},
        "choices.full_name": good | {"choices": {"full_name": "someone-else"}},
        "choices.shoe_size": good | {"choices": {"shoe_size": first_id}},
        "pair": good | {"pair": "no-such-pair"},
    }
    for path, body in cases.items():
        answer = api.post("/merges", json=body, headers=tag)
        assert answer.status_code == 422, path
        assert path in [p["path"] for p in answer.get_json()["problems"]], path
    wrong_survivor = api.post("/merges", json=good | {"survivor": "x"}, headers=tag)
    assert wrong_survivor.get_json()["problems"][0]["path"] == "survivor"
    nul = api.post("/merges", json=good | {"survivor": "a\u0000b"}, headers=tag)
    bidi = api.post("/merges", json=good | {"survivor": "a\u202eb"}, headers=tag)
    assert nul.status_code == bidi.status_code == 422
    assert bidi.get_json()["problems"][0]["path"] == "survivor"
    as_form = api.post("/merges", data="pair=x", headers=tag)
    assert as_form.status_code == 415
    assert _merged(db_session) == 0


def test_a_replayed_merge_merges_once_and_another_body_under_its_key_is_refused(api_as, db_session):
    _load(db_session)
    api = api_as("rita@example.org", "recruiter")
    pair_id, first_id, second_id = _pair(db_session)
    headers = {
        "If-Match": api.get(f"/duplicates/{pair_id}").headers["ETag"],
        "Idempotency-Key": "merge-1",
    }
    body = {"pair": pair_id, "survivor": first_id}

    first = api.post("/merges", json=body, headers=headers)
    again = api.post("/merges", json=body, headers=headers)
    other = api.post("/merges", json=body | {"survivor": second_id}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert other.status_code == 422
    assert _merged(db_session) == 1


def test_not_the_same_person_by_api_is_remembered_and_leaves_the_queue(app, api_as, db_session):
    _load(db_session)
    api = api_as("rita@example.org", "recruiter")
    pair_id, *_ = _pair(db_session)
    tag = api.get(f"/duplicates/{pair_id}").headers["ETag"]

    missing = api.post(f"/duplicates/{pair_id}/not-same")
    done = api.post(f"/duplicates/{pair_id}/not-same", headers={"If-Match": tag})
    again = api.post(f"/duplicates/{pair_id}/not-same", headers={"If-Match": tag})

    assert missing.status_code == 428
    assert done.status_code == 200 and done.get_json()["status"] == "not_same"
    assert done.headers["ETag"] != tag
    assert again.status_code == 412  # decided: the tag is stale
    with db_session(write=False) as session:
        assert session.scalars(select(DuplicatePair)).one().status == PairStatus.NOT_SAME
        assert session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "duplicates.not_same")
        )
    web = app.test_client()
    assert sign_in(web, "rita@example.org").status_code == 302
    assert "0 pairs to review" in web.get("/duplicates").get_data(as_text=True)
    assert (
        api.post("/duplicates/no-such-pair/not-same", headers={"If-Match": tag}).status_code == 404
    )


def test_planners_experts_and_tokens_without_the_scope_are_refused(api_as, db_session):
    _load(db_session)
    pair_id, first_id, _ = _pair(db_session)
    planner = api_as("pat@example.org", "planner")
    expert = api_as("e@example.org", "expert")
    reader = api_as("rita@example.org", "recruiter", scopes=["roster:read"])
    writer = api_as("sam@example.org", "recruiter", scopes=["roster:write"])
    body = {"pair": pair_id, "survivor": first_id}

    for api in (planner, expert):
        assert api.get("/duplicates").status_code == 403
        assert api.get(f"/duplicates/{pair_id}").status_code == 403
    assert reader.post("/merges", json=body, headers={"If-Match": "*"}).status_code == 403
    assert reader.post(f"/duplicates/{pair_id}/not-same").status_code == 403
    assert writer.get("/duplicates").status_code == 403
    assert _merged(db_session) == 0


def test_an_admin_reviews_the_queue_too(api_as, db_session):
    _load(db_session)
    admin = api_as("ada@example.org", "admin")

    assert len(admin.get("/duplicates").get_json()["items"]) == 1


def test_answers_match_the_openapi_document(api_as, db_session):
    from tests.api.schema_check import assert_conforms

    _load(db_session)
    api = api_as("rita@example.org", "recruiter")
    pair_id, first_id, _ = _pair(db_session)
    listed = api.get("/duplicates")
    shown = api.get(f"/duplicates/{pair_id}")
    refused = api.post("/merges", json={"pair": 7}, headers={"If-Match": "*"})
    done = api.post(
        "/merges",
        json={"pair": pair_id, "survivor": first_id},
        headers={"If-Match": shown.headers["ETag"]},
    )

    assert_conforms(api, "GET", "/api/v1/duplicates", listed)
    assert_conforms(api, "GET", "/api/v1/duplicates/<public_id>", shown)
    assert_conforms(api, "POST", "/api/v1/merges", refused)
    assert_conforms(api, "POST", "/api/v1/merges", done)
