"""A mission with one role and three shortlisted candidates, a planner, and the mail they get.

Awa Ndiaye has an account (and the role lacks her mediation); Bruno Silva and Chen Wei
were imported, without accounts. Each stands at ``shortlisted`` for the role, recorded
by the planner, Paul Mensah.
"""

import re
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from roster.models import (
    AuditEvent,
    CallOut,
    CandidateDecision,
    CandidateOutcome,
    Expert,
    MissionRole,
    NeedsAssessment,
    RosterStatus,
    Shortlist,
    ShortlistEntry,
    User,
)
from roster.policy.candidacy import current_outcome, record_outcome
from tests.conftest import csrf_token, outbox, sign_in

PLANNER_EMAIL = "paul@example.org"
AWA_EMAIL = "awa.ndiaye@example.org"
MISSION_TITLE = "Support to the 2027 elections"
ROLE_TITLE = "Electoral Adviser"
CANDIDATES = {
    "awa": ("Awa Ndiaye", AWA_EMAIL),
    "bruno": ("Bruno Silva", "bruno@example.org"),
    "chen": ("Chen Wei", "chen@example.org"),
}
LACKS_MEDIATION = {
    "code": "skill.desired.missing",
    "params": {"skill": "mediation"},
    "text": "lacks desired skill: mediation",
}
HAS_FRENCH = {
    "code": "language.required",
    "params": {"language": "fr", "wanted": "C1", "level": "C2"},
    "text": "French C1 required: has C2",
}


@dataclass(frozen=True)
class Mission:
    """The needs assessment's public id, its role's key and id, and the candidates."""

    db_session: object
    needs_public_id: str
    role_key: str
    role_id: int
    experts: dict[str, tuple[int, str]]  # key -> (id, public_id)
    planner_id: int

    @property
    def role_path(self) -> str:
        """The role's page, where the planner comes back to."""
        return f"/needs/{self.needs_public_id}/roles/{self.role_key}"

    def public_id(self, who: str) -> str:
        """The public id of a candidate: "awa", "bruno" or "chen"."""
        return self.experts[who][1]

    def outcome(self, who: str) -> CandidateOutcome | None:
        """Where the candidacy of ``who`` stands."""
        with self.db_session(write=False) as session:
            return current_outcome(
                session=session, role_id=self.role_id, expert_id=self.experts[who][0]
            )

    def call_out(self, who: str) -> CallOut | None:
        """The call-out of ``who`` for the role, None if none."""
        with self.db_session(write=False) as session:
            return session.scalars(
                select(CallOut).where(
                    CallOut.role_id == self.role_id, CallOut.expert_id == self.experts[who][0]
                )
            ).first()

    def decide(self, who: str, to: CandidateOutcome, reason: str = "") -> None:
        """The planner records ``to`` for ``who``."""
        with self.db_session() as session:
            record_outcome(
                session=session,
                role=session.get(MissionRole, self.role_id),
                expert=session.get(Expert, self.experts[who][0]),
                to=to,
                by=session.get(User, self.planner_id),
                reason=reason,
            )

    def state(self) -> tuple:
        """What a refused answer must leave as it was: decisions and call-outs."""
        with self.db_session(write=False) as session:
            decisions = session.scalars(select(CandidateDecision).order_by(CandidateDecision.id))
            call_outs = session.scalars(select(CallOut).order_by(CallOut.id))
            return (
                [(d.expert_id, d.outcome) for d in decisions],
                [(c.expert_id, c.answer, c.answered_at, c.withdrawn_at) for c in call_outs],
            )

    def audit(self, action: str) -> list[AuditEvent]:
        """The audit events of ``action``, oldest first."""
        with self.db_session(write=False) as session:
            return list(
                session.scalars(
                    select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
                )
            )


@pytest.fixture
def mission(db_session, make_user) -> Mission:
    """A needs assessment for Mali with one role and three shortlisted candidates."""
    planner = make_user(PLANNER_EMAIL, "planner", name="Paul Mensah")
    awa_user = make_user(AWA_EMAIL, "expert", name="Awa Ndiaye")
    with db_session() as session:
        needs = NeedsAssessment(
            external_id="NA-ML-2027",
            title=MISSION_TITLE,
            country="ML",
            start=date(2027, 3, 1),
            end=date(2027, 6, 30),
            reminder_days=5,
        )
        needs.roles = [MissionRole(role_key="R1", title=ROLE_TITLE)]
        session.add(needs)
        experts = {}
        for number, (key, (name, email)) in enumerate(CANDIDATES.items(), start=1):
            expert = Expert(
                external_id=f"EXP-{number}",
                full_name=name,
                email=email,
                roster_status=RosterStatus.ROSTERED,
                user_id=awa_user.id if key == "awa" else None,
            )
            session.add(expert)
            experts[key] = expert
        session.flush()
        role = needs.roles[0]
        shortlist = Shortlist(role_id=role.id, requested_k=10)
        shortlist.entries = [
            ShortlistEntry(
                expert_id=expert.id,
                rank=rank,
                score=1 - rank / 10,
                reason_codes=[HAS_FRENCH, LACKS_MEDIATION] if key == "awa" else [HAS_FRENCH],
            )
            for rank, (key, expert) in enumerate(experts.items(), start=1)
        ]
        session.add(shortlist)
        session.flush()
        by = session.get(User, planner.id)
        for entry, expert in zip(shortlist.entries, experts.values(), strict=True):
            record_outcome(
                session=session,
                role=role,
                expert=expert,
                to=CandidateOutcome.SHORTLISTED,
                by=by,
                shortlist_entry=entry,
            )
        return Mission(
            db_session=db_session,
            needs_public_id=needs.public_id,
            role_key=role.role_key,
            role_id=role.id,
            experts={key: (e.id, e.public_id) for key, e in experts.items()},
            planner_id=planner.id,
        )


@pytest.fixture
def planner(app, mission):
    """A client signed in as the mission's planner."""
    client = app.test_client()
    assert sign_in(client, PLANNER_EMAIL).status_code == 302
    return client


def send_call_outs(client, mission: Mission, *who: str):
    """The planner ticks ``who`` on the role's shortlist and presses "Call out"."""
    return client.post(
        f"{mission.role_path}/call-outs",
        data={
            "candidates": [mission.public_id(key) for key in who],
            "csrf_token": csrf_token(client, "/"),
        },
    )


def subject_of(message) -> str:
    """A mail's subject, unfolded (a long one is folded over lines)."""
    return " ".join(message["Subject"].split())


def body_of(message) -> str:
    """A mail's text."""
    return message.get_payload(decode=True).decode()


def answer_links(message) -> dict[str, str]:
    """The paths of a call-out mail's two links: {"available": ..., "unavailable": ...}."""
    body = body_of(message)
    found = re.search(r"I am available:\n(\S+)\n\nI am not available:\n(\S+)\n", body)
    assert found, body
    base = "http://localhost"
    assert found.group(1).startswith(base + "/reply/"), body
    return {
        "available": found.group(1).removeprefix(base),
        "unavailable": found.group(2).removeprefix(base),
    }


def mail_to(app, email: str) -> list:
    """The mail sent to ``email``, oldest first."""
    return [message for message in outbox(app) if message["To"] == email]


def confirm(client, path: str):
    """Open a reply link, then press its confirmation button."""
    return client.post(path, data={"csrf_token": csrf_token(client, path)})


def confirm_with_token_from(client, path: str, page: str = "/"):
    """Press the confirmation button of ``path`` with a form token read from ``page``
    (a link that is refused shows no form)."""
    return client.post(path, data={"csrf_token": csrf_token(client, page)})
