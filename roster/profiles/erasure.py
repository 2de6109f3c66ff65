"""Erasure: the profile, its CV and the account go; audit rows stay, without the person.

The foreign keys null ``subject_expert_id`` and ``actor_id`` of audit rows when the
expert and the account are deleted. What remains of them must not point back at
the person either, so before deleting, staff notes on their profile views are
dropped (the purpose stays) and any ``detail`` naming the person is emptied. Their
candidate decisions stay, for the record of the missions, without their notes. Records
merged into the profile (the same person registered twice) are erased with it.
"""

from email import message_from_binary_file
from email.utils import getaddresses
from pathlib import Path

from sqlalchemy import String, cast, delete, or_, select, update
from sqlmodel import Session

from roster.cvs import after_commit, cv_path, remove_quietly
from roster.db import checkpoint
from roster.models import AuditEvent, CandidateDecision, Expert, IdempotentRequest, User
from roster.outbox import forget_recipient


def _scrub_audit(session: Session, *, user: User, expert: Expert | None) -> None:
    if expert is not None:
        for event in session.scalars(
            select(AuditEvent).where(AuditEvent.subject_expert_id == expert.id)
        ):
            event.reason = ""
    traces = [user.public_id, user.email]
    if expert is not None:
        traces += [expert.public_id, expert.external_id, expert.email, expert.full_name]
    text = cast(AuditEvent.detail, String)
    query = select(AuditEvent).where(or_(*(text.contains(t, autoescape=True) for t in traces if t)))
    for event in session.scalars(query):
        event.detail = {}
        if any(t and t in event.reason for t in traces):
            event.reason = ""
    # Answers kept for retried API requests (a day) may name the person: a list's members,
    # a shortlist's ids, an invitation. They go, rather than be replayed after the erasure.
    session.execute(
        delete(IdempotentRequest).where(
            or_(*(IdempotentRequest.body.contains(t, autoescape=True) for t in traces if t))
        )
    )


def mail_to(outbox: Path, email: str) -> list[Path]:
    """Messages in the development outbox addressed to ``email``."""
    found = []
    for path in sorted(outbox.glob("*.eml")) if outbox.is_dir() else []:
        with path.open("rb") as handle:
            message = message_from_binary_file(handle)
        if any(
            address.lower() == email.lower()
            for _, address in getaddresses(message.get_all("To", []))
        ):
            found.append(path)
    return found


def _erase_merged(session: Session, *, user: User, expert: Expert, cv_folder: Path) -> list[Path]:
    """Records merged into the profile are the same person's: they go with it, accounts too."""
    files = []
    for old in list(session.scalars(select(Expert).where(Expert.merged_into_id == expert.id))):
        _scrub_audit(session, user=user, expert=old)
        forget_recipient(session=session, emails=[old.email])
        if path := cv_path(expert=old, folder=cv_folder):
            files.append(path)
        account = session.get(User, old.user_id) if old.user_id else None
        session.delete(old)
        session.flush()
        if account is not None and account.id != user.id:
            _scrub_audit(session, user=account, expert=None)
            session.delete(account)
    return files


def erase_account(
    *, session: Session, user: User, expert: Expert | None, cv_folder: Path, outbox: Path
) -> None:
    """Delete the profile with its child rows and CV, and the account.

    Audit rows are kept without personal data, and one ``profile.erased`` row
    without any is added; the person's mail leaves the outbox table. Files (the CV,
    and mail held in the development outbox) are deleted once the transaction
    commits, and SQLite's write-ahead log, which still holds the rows as they were,
    is emptied.
    """
    _scrub_audit(session, user=user, expert=expert)
    forget_recipient(session=session, emails=[user.email, expert.email if expert else ""])
    files = mail_to(outbox, user.email)
    if expert is not None:
        # Decisions stay, as the roster's memory of its missions, but without why.
        session.execute(
            update(CandidateDecision)
            .where(CandidateDecision.expert_id == expert.id)
            .values(note="")
            .execution_options(synchronize_session=False)
        )
        if path := cv_path(expert=expert, folder=cv_folder):
            files.append(path)
        files += _erase_merged(session, user=user, expert=expert, cv_folder=cv_folder)
        files += mail_to(outbox, expert.email) if expert.email != user.email else []
        session.delete(expert)
        session.flush()
    session.delete(user)
    session.flush()
    session.add(AuditEvent(action="profile.erased", detail={"profile": expert is not None}))
    for path in files:
        after_commit(session, lambda p=path: remove_quietly(p))
    bind = session.get_bind()
    after_commit(session, lambda: checkpoint(bind))
