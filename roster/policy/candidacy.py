"""Candidate outcomes as a state machine: who may record what happened to a candidate.

A candidacy is one expert for one role of a needs assessment. It moves through the
taxonomy's ``candidate_outcomes`` in order: shortlisted, contacted, then available /
unavailable / no response, proposed, selected / not selected, deployed, completed;
withdrawn ends it at any stage before its end. ``record_outcome`` is the one way
to move it: it writes a ``CandidateDecision`` row (the institutional memory the
matcher learns from) and an audit event; the candidacy stands at its latest row.

Planners (and administrators) record the mission's side. The expert answers for
themself whether they are available, and may withdraw. The answer may also come
through the links of a call-out mailed to the expert (``MailedLink``), which work
without signing in, for experts without an account too: such a link may record
that answer and nothing else. Reasons: ``not_selected``
needs one (the contract's "why not selected", which the roster learns from and the
expert may ask for); so does a withdrawal recorded by staff (why the roster took the
candidate off). An expert withdrawing need not explain.

A candidacy that reaches ``deployed`` writes itself into the expert's deployment
history (``Deployment`` with the mission's title and host country, the role's title and
dates, and ``mission_role_id``); ``completed`` with a rating gives that deployment its
rating, and the note its comments, which the matcher's ratings criterion reads. So does
every path that records an outcome: the pages, the command line, an API.
"""

from sqlalchemy import select
from sqlmodel import Session

from roster.messages import N_, Message
from roster.models import (
    CandidateDecision,
    CandidateOutcome,
    Deployment,
    Expert,
    MissionRole,
    RosterStatus,
    ShortlistEntry,
    User,
)
from roster.policy.standing import MailedLink, Standing
from roster.policy.transitions import OPTIONAL, REQUIRED, Rules, StateMachine, TransitionRefused

CO = CandidateOutcome
OWNER, PLANNER, ADMIN = Standing.OWNER, Standing.PLANNER, Standing.ADMIN
MAILED_LINK = Standing.MAILED_LINK
MISSION = {PLANNER: OPTIONAL, ADMIN: OPTIONAL}
ANSWER = {OWNER: OPTIONAL, MAILED_LINK: OPTIONAL, **MISSION}

OUTCOME_RULES: Rules = {
    (None, CO.SHORTLISTED): MISSION,
    (CO.SHORTLISTED, CO.CONTACTED): MISSION,
    (CO.CONTACTED, CO.AVAILABLE): ANSWER,
    (CO.CONTACTED, CO.UNAVAILABLE): ANSWER,
    (CO.CONTACTED, CO.NO_RESPONSE): MISSION,
    (CO.NO_RESPONSE, CO.AVAILABLE): ANSWER,  # a late answer
    (CO.NO_RESPONSE, CO.UNAVAILABLE): ANSWER,
    (CO.AVAILABLE, CO.PROPOSED): MISSION,
    (CO.PROPOSED, CO.SELECTED): MISSION,
    (CO.PROPOSED, CO.NOT_SELECTED): {PLANNER: REQUIRED, ADMIN: REQUIRED},
    (CO.SELECTED, CO.DEPLOYED): MISSION,
    (CO.DEPLOYED, CO.COMPLETED): MISSION,
    **{
        (start, CO.WITHDRAWN): {OWNER: OPTIONAL, PLANNER: REQUIRED, ADMIN: REQUIRED}
        for start in (
            CO.SHORTLISTED,
            CO.CONTACTED,
            CO.AVAILABLE,
            CO.NO_RESPONSE,
            CO.PROPOSED,
            CO.SELECTED,
            CO.DEPLOYED,
        )
    },
}

CANDIDACIES = StateMachine(
    codes=CandidateOutcome,
    rules=OUTCOME_RULES,
    max_reason=500,  # decisions.schema.json: reason
    reader=N_("whoever looks back at this candidacy"),
    action="candidate.outcome_recorded",
)


def lock_role(*, session: Session, role: MissionRole) -> None:
    """Take the role's decisions one at a time: its row locked on PostgreSQL until commit."""
    session.execute(select(MissionRole.id).where(MissionRole.id == role.id).with_for_update())


def current_outcome(*, session: Session, role_id: int, expert_id: int) -> CandidateOutcome | None:
    """Where the candidacy of ``expert_id`` for ``role_id`` stands: its latest outcome, if any."""
    return session.scalar(
        select(CandidateDecision.outcome)
        .where(CandidateDecision.role_id == role_id, CandidateDecision.expert_id == expert_id)
        .order_by(CandidateDecision.decided_at.desc(), CandidateDecision.id.desc())
        .limit(1)
    )


def record_outcome(
    *,
    session: Session,
    role: MissionRole,
    expert: Expert,
    to: CandidateOutcome | str,
    by: User | MailedLink,
    reason: str = "",
    rating: int | None = None,
    shortlist_entry: ShortlistEntry | None = None,
    first: bool = False,
) -> CandidateDecision:
    """Move ``expert``'s candidacy for ``role`` to ``to``, if ``by`` may; keep it and audit it.

    Decisions on one role are taken one at a time (the role's row is locked on
    PostgreSQL; SQLite has one writer), so two people cannot both move a candidacy
    on from the same outcome.

    Args:
        session: the session to write in; the caller commits.
        role: the role of the needs assessment.
        expert: the candidate; only a rostered expert can be shortlisted.
        to: the new outcome, a member or its code.
        by: who records it: a planner, an administrator, or the expert themself,
            signed in or through a link mailed to them (then no account is named).
        reason: why; required where ``OUTCOME_RULES`` says so.
        rating: the appraisal (1 to 5), only with ``completed``.
        shortlist_entry: the shortlist entry the candidacy came from, if any.
        first: the caller holds the role's lock (``lock_role``) and knows the candidacy
            has no decision yet: neither is asked of the database again (a shortlist
            records ten or more candidates at once).
    Returns:
        The decision row written.
    Raises:
        TransitionRefused: ``to`` is no outcome, the change is not allowed, not to
            ``by``, lacks its reason; the expert is not rostered; the rating or the
            shortlist entry does not fit. Nothing is written.
    """
    if first:
        current = None
    else:
        lock_role(session=session, role=role)
        current = current_outcome(session=session, role_id=role.id, expert_id=expert.id)
    wanted, text = CANDIDACIES.check(current=current, to=to, by=by, expert=expert, reason=reason)
    _check_fit(expert, role, current, wanted, rating, shortlist_entry)
    decision = CandidateDecision(
        role_id=role.id,
        expert_id=expert.id,
        shortlist_entry_id=shortlist_entry.id if shortlist_entry else None,
        outcome=wanted,
        rating=rating,
        note=text,
        decided_by_id=by.id,
    )
    session.add(decision)
    _write_history(session, role, expert, wanted, rating, text)
    CANDIDACIES.audit(
        session,
        by=by,
        expert=expert,
        current=current,
        wanted=wanted,
        needs=role.needs.external_id,
        role=role.role_key,
        **({"via": "mailed_link"} if isinstance(by, MailedLink) else {}),
    )
    return decision


def _write_history(
    session: Session,
    role: MissionRole,
    expert: Expert,
    wanted: CandidateOutcome,
    rating: int | None,
    note: str,
) -> None:
    """A deployment joins the expert's history; its appraisal becomes the deployment's rating."""
    if wanted not in (CandidateOutcome.DEPLOYED, CandidateOutcome.COMPLETED):
        return
    deployment = session.scalar(
        select(Deployment).where(
            Deployment.expert_id == expert.id, Deployment.mission_role_id == role.id
        )
    )
    if deployment is None:
        needs = role.needs
        deployment = Deployment(
            expert_id=expert.id,
            mission=(needs.title or needs.external_id)[:300],
            country=needs.country,
            role=role.title[:200],
            start=role.start or needs.start,
            end=role.end or needs.end,
            mission_role_id=role.id,
        )
        session.add(deployment)
    if wanted is CandidateOutcome.COMPLETED:
        if rating is not None:
            deployment.rating = rating
        if note:
            deployment.comments = note


def _check_fit(
    expert: Expert,
    role: MissionRole,
    current: CandidateOutcome | None,
    wanted: CandidateOutcome,
    rating: int | None,
    entry: ShortlistEntry | None,
) -> None:
    if current is None and expert.roster_status != RosterStatus.ROSTERED:
        raise TransitionRefused(
            Message(
                N_("Only rostered experts can be shortlisted; this expert is %(state)s."),
                {"state": RosterStatus(expert.roster_status).word},
            )
        )
    if rating is not None:
        if wanted is not CandidateOutcome.COMPLETED:
            raise TransitionRefused(
                Message(N_("A rating is given only when a deployment is completed.")),
                field="rating",
            )
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise TransitionRefused(
                Message(N_("The rating must be a whole number from 1 to 5.")), field="rating"
            )
    if entry is not None and (entry.expert_id != expert.id or entry.shortlist.role_id != role.id):
        raise TransitionRefused(
            Message(N_("That shortlist entry is for another candidate or another role.")),
            field="shortlist_entry",
        )


def outcome_markdown() -> str:
    """The candidate outcome rules as the Markdown table published in the README."""
    return CANDIDACIES.markdown()
