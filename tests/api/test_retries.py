"""Answers kept for retried requests last a day; then the key is free, and they go."""

from datetime import timedelta

from sqlalchemy import func, select, update

from roster.db import session_scope
from roster.jobs import forget_retries
from roster.models import IdempotentRequest, NeedsAssessment, utcnow
from tests.factories import needs_record


def _count(app, model) -> int:
    with session_scope(app, write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def _age_kept_answers(app, hours: int) -> None:
    with session_scope(app) as session:
        session.execute(
            update(IdempotentRequest).values(created_at=utcnow() - timedelta(hours=hours))
        )


def test_a_key_older_than_a_day_serves_a_new_request(app, api_as):
    planner = api_as("pat@example.org", "planner")
    first = planner.post("/needs", json=needs_record(), headers={"Idempotency-Key": "k-1"})
    _age_kept_answers(app, 25)

    later = planner.post("/needs", json=needs_record(id="NA-2"), headers={"Idempotency-Key": "k-1"})

    assert first.status_code == 201 and later.status_code == 201
    assert "Idempotent-Replayed" not in later.headers
    assert _count(app, NeedsAssessment) == 2


def test_the_hourly_job_forgets_answers_past_their_day_and_keeps_the_others(app, api_as):
    planner = api_as("pat@example.org", "planner")
    planner.post("/needs", json=needs_record(), headers={"Idempotency-Key": "old"})
    _age_kept_answers(app, 25)
    planner.post("/needs", json=needs_record(id="NA-2"), headers={"Idempotency-Key": "new"})

    assert forget_retries(app) == 1

    with session_scope(app, write=False) as session:
        assert session.scalars(select(IdempotentRequest.key)).all() == ["new"]
    replay = planner.post(
        "/needs", json=needs_record(id="NA-2"), headers={"Idempotency-Key": "new"}
    )
    assert replay.headers["Idempotent-Replayed"] == "true"


def test_the_same_key_with_other_query_parameters_is_another_request(app, api_as):
    planner = api_as("pat@example.org", "planner")
    first = planner.post(
        "/needs?blind_review=false", json=needs_record(), headers={"Idempotency-Key": "q"}
    )

    other = planner.post(
        "/needs?blind_review=true", json=needs_record(), headers={"Idempotency-Key": "q"}
    )

    assert first.status_code == 201
    assert other.status_code == 422 and "Idempotent-Replayed" not in other.headers
    assert _count(app, NeedsAssessment) == 1
