"""A small roster as a demonstration instance holds it, for tests that drive the whole API.

A few dozen generated experts with their past missions, the demo accounts (the planner's
needs assessments in progress, an expert with an account), a staff member holding every
staff role, an issued shortlist with two candidates called out, and the likely
duplicates a sweep finds. ``Seeded`` names the real ids an API client could be given.
"""

from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from roster.accounts.services import create_user
from roster.accounts.tokens import create_token, scopes_for
from roster.db import session_scope
from roster.demo_accounts import ensure_demo_accounts
from roster.matchers import current_matcher
from roster.missions.callouts import call_out, reply_links
from roster.missions.shortlists import issue_shortlist
from roster.models import (
    ApiToken,
    CallOut,
    DuplicatePair,
    Expert,
    ExpertList,
    ExpertListEntry,
    ExpertSkill,
    MissionRole,
    NeedsAssessment,
    OutboxMessage,
    RoleName,
    SavedSearch,
    Shortlist,
    User,
    utcnow,
)

STAFF_EMAIL = "all.roles@example.org"
EXPERT_EMAIL = "called.expert@example.org"
STAFF_ROLES = (RoleName.ADMIN, RoleName.RECRUITER, RoleName.PLANNER)
DEMO_EXPERTS = 200
DEMO_SEED = 2024


@dataclass
class Seeded:
    """The real ids of the seeded roster, by kind, and tokens to reach them."""

    staff_token: str
    expert_token: str
    expert_public_id: str
    ids: dict[str, list[str]] = field(default_factory=dict)


def seed_roster(app: Flask, runner: FlaskCliRunner) -> Seeded:
    """Fill ``app``'s empty database with the small roster; return its ids and tokens."""
    generated = runner.invoke(
        args=["roster", "demo", "--experts", str(DEMO_EXPERTS), "--seed", str(DEMO_SEED)]
    )
    assert generated.exit_code == 0, generated.output
    with app.app_context(), session_scope(app) as session:
        ensure_demo_accounts(session=session)
        staff = create_user(
            session=session,
            email=STAFF_EMAIL,
            password="correct horse battery staple",
            roles=[str(role) for role in STAFF_ROLES],
            display_name="Ama Staff",
            confirmed=True,
        )
        session.flush()
        fitted = current_matcher(app)
        open_needs = session.scalars(
            select(NeedsAssessment).where(NeedsAssessment.external_id.like("DEMO-NA-%"))
        )
        # Every role of the assessments in progress gets a shortlist; the first with
        # candidates gets two of them called out.
        called, role = [], None
        for needs in open_needs:
            for each in needs.roles:
                shortlist = issue_shortlist(session=session, role=each, by=staff, fitted=fitted)
                ids = [entry.expert_id for entry in shortlist.entries if entry.expert_id][:2]
                if not called and ids:
                    called, role = [session.get(Expert, expert_id) for expert_id in ids], each
        assert called, "no role of the demo found candidates"
        call_out(
            session=session,
            role=role,
            experts=called,
            by=staff,
            links=reply_links(app.config),
        )
        # The expert whose token the tests use was called out, and keeps a profile.
        expert_user = create_user(
            session=session,
            email=EXPERT_EMAIL,
            password="correct horse battery staple",
            roles=[str(RoleName.EXPERT)],
            display_name=called[0].full_name,
            confirmed=True,
        )
        session.flush()
        called[0].user_id, called[0].profile_confirmed_at = expert_user.id, utcnow()
    swept = runner.invoke(args=["roster", "duplicates", "sweep"])
    assert swept.exit_code == 0, swept.output
    assert "0 likely" not in swept.output, swept.output
    with session_scope(app) as session:
        staff = session.scalar(select(User).where(User.email == STAFF_EMAIL))
        expert_user = session.scalar(select(User).where(User.email == EXPERT_EMAIL))
        expert = session.scalar(select(Expert).where(Expert.user_id == expert_user.id))
        seeded = Seeded(
            staff_token=_token(session, staff),
            expert_token=_token(session, expert_user),
            expert_public_id=expert.public_id,
        )
        _keep_lists_searches_and_mail(session, staff)
        seeded.ids = _ids(session, keep=[staff.id, expert_user.id])
    return seeded


def _keep_lists_searches_and_mail(session, staff: User) -> None:
    """The staff member's lists (one shared) and saved searches, and failing mail."""
    experts = list(session.scalars(select(Expert.id).order_by(Expert.id).limit(3)))
    for n, shared in enumerate((False, True)):
        kept = ExpertList(owner_id=staff.id, name=f"Seeded list {n}", shared=shared)
        session.add(kept)
        session.flush()
        session.add_all(ExpertListEntry(list_id=kept.id, expert_id=each) for each in experts)
    session.add_all(
        SavedSearch(owner_id=staff.id, name=f"Seeded search {n}", query=query)
        for n, query in enumerate(("lang=fr", "skill=electoral-management"))
    )
    session.add_all(
        OutboxMessage(
            recipient=f"failing{n}@example.org", subject="S", body="B", attempts=2, last_error="x"
        )
        for n in range(3)
    )
    session.flush()


def _token(session, user: User) -> str:
    return create_token(
        session=session, user=user, name="conformance", scopes=scopes_for(user), days=30
    ).secret


def _ids(session, keep: list[int]) -> dict[str, list[str]]:
    """A few real ids of each kind, the ones a script would most likely be given first.

    ``keep``: the accounts whose ids are left out.
    """

    def public_ids(model, limit: int = 4) -> list[str]:
        return list(session.scalars(select(model.public_id).order_by(model.id).limit(limit)))

    shortlists = list(session.scalars(select(Shortlist).order_by(Shortlist.id.desc()).limit(3)))
    return {
        "experts": public_ids(Expert, 6),
        "needs": public_ids(NeedsAssessment, 4),
        "roles": sorted(set(session.scalars(select(MissionRole.role_key).limit(20)))),
        "shortlists": [s.public_id for s in shortlists],
        "call-outs": public_ids(CallOut),
        "duplicates": public_ids(DuplicatePair),
        "tokens": public_ids(ApiToken),
        # Not the accounts whose tokens the tests use: an admin's call may disable them.
        "users": list(
            session.scalars(
                select(User.public_id)
                .where(User.id.not_in(keep), User.public_id.is_not(None))
                .order_by(User.id)
                .limit(4)
            )
        ),
        "candidates": ["1", "2", "3"],
        "lists": public_ids(ExpertList),
        "saved-searches": public_ids(SavedSearch),
        "outbox": public_ids(OutboxMessage),
        "expertise": sorted(set(session.scalars(select(ExpertSkill.code).limit(40))))[:4],
    }
