"""The outbox: mail is written in the transaction that causes it, and sent after it commits.

``queue_mail`` adds the message as a row of ``outbox_message`` to the caller's
session, so a request that fails and rolls back leaves no mail behind, and a change
that commits leaves mail that goes out even if the process dies the next instant.
Once the transaction commits, the job queue (``roster.jobs``) sends each new message;
a periodic sweep sends whatever is still due (the queue was down, the process died,
an earlier try failed and its next one has come).

A sender first claims the row with one atomic UPDATE, so that the job and the sweep,
or two sweeps, never both send it. A failure is written on the row (attempts, last
error) and tried again later, each wait twice the one before, until ``MAX_ATTEMPTS``.
Typed, keyword-only; the transport is passed in, so nothing here needs Flask.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, Engine, delete, event, func, inspect, or_, select, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from roster.mail import Mail
from roster.messages import N_
from roster.models import AuditEvent, OutboxMessage, utcnow
from roster.refusal import Refused

RETRY_FIRST = timedelta(minutes=1)
RETRY_LONGEST = timedelta(hours=4)
# Ten tries span about eight hours; then the message waits for a person (see the README).
MAX_ATTEMPTS = 10
# A sender that died holding a message releases it after this long.
CLAIM_LEASE = timedelta(minutes=10)
SWEEP_BATCH = 500
# Sent mail holds names, addresses and links: it is kept this long, to answer "was it sent?".
KEEP_SENT = timedelta(days=30)
_PENDING = "roster.outbox.pending"

Transport = Callable[[OutboxMessage], None]


def queue_mail(*, session: Session, mail: Mail) -> OutboxMessage:
    """Write ``mail`` to the outbox in the session's transaction; it is sent once that commits."""
    message = OutboxMessage(recipient=mail.to, subject=mail.subject, body=mail.body)
    session.add(message)
    session.info.setdefault(_PENDING, []).append(message)
    return message


def take_committed(session: OrmSession) -> list[int]:
    """The ids of the messages queued in the transaction the session just committed."""
    messages = session.info.pop(_PENDING, [])
    # The identity key is read without SQL, which a just-committed session must not emit.
    identities = (inspect(message).identity for message in messages)
    return [identity[0] for identity in identities if identity]


@event.listens_for(OrmSession, "after_rollback")
def _forget_rolled_back(session: OrmSession) -> None:
    # Rolled back, the messages were never written: there is nothing to send. A savepoint
    # rolled back keeps the others' (a message it held is found missing, and skipped).
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 1, 2, 4 ... minutes, 4 hours at most."""
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_LONGEST)


def _due(now: datetime) -> list[ColumnElement[bool]]:
    return [
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    ]


def _claim(engine: Engine, message_id: int, now: datetime) -> OutboxMessage | None:
    """Take the message for this sender, committed, or None if it is not to be sent now."""
    with Session(engine, expire_on_commit=False) as session:
        claimed = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, *_due(now))
            .values(claimed_until=now + CLAIM_LEASE, attempts=OutboxMessage.attempts + 1)
        )
        message = session.get(OutboxMessage, message_id) if claimed.rowcount == 1 else None
        session.commit()
        return message


def _settle(engine: Engine, message_id: int, **values: object) -> None:
    with Session(engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(claimed_until=None, **values)
        )
        session.commit()


def describe_error(error: BaseException) -> str:
    """The error as it is kept on the message: its kind and its words, 500 characters at most."""
    return f"{type(error).__name__}: {error}"[:500]


def send_message(
    *, engine: Engine, message_id: int, transport: Transport, now: datetime | None = None
) -> bool:
    """Send one message unless it is sent, held by another sender, or not yet due.

    Args:
        engine: the database to claim and settle the message in (the writing engine).
        message_id: the outbox row.
        transport: sends the message (SMTP, or a file in the outbox folder).
        now: the time to judge "due" by (tests move it forward).

    Returns:
        Whether this call sent it. A failed try returns False and is recorded on the row.
    """
    now = now or utcnow()
    message = _claim(engine, message_id, now)
    if message is None:
        return False
    try:
        transport(message)
    except Exception as error:  # noqa: BLE001  (any failure is kept on the row and retried)
        retry = message.attempts < MAX_ATTEMPTS
        _settle(
            engine,
            message_id,
            last_error=describe_error(error),
            next_attempt_at=now + retry_delay(message.attempts) if retry else None,
        )
        return False
    _settle(engine, message_id, sent_at=utcnow(), next_attempt_at=None)
    return True


def due_ids(*, engine: Engine, now: datetime | None = None) -> list[int]:
    """The messages waiting to be sent whose time has come, oldest first."""
    with Session(engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage.id)
                .where(*_due(now or utcnow()))
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(SWEEP_BATCH)
            )
        )


def send_due(*, engine: Engine, transport: Transport, now: datetime | None = None) -> int:
    """Send every message that is due, and delete those sent long ago (the sweep).

    Returns:
        How many messages went out.
    """
    now = now or utcnow()
    sent = sum(
        send_message(engine=engine, message_id=message_id, transport=transport, now=now)
        for message_id in due_ids(engine=engine, now=now)
    )
    with Session(engine) as session:
        session.execute(delete(OutboxMessage).where(OutboxMessage.sent_at < now - KEEP_SENT))
        session.commit()
    return sent


def forget_recipient(*, session: Session, emails: list[str]) -> None:
    """Delete every message to these addresses, sent or not (the mail of an erased person)."""
    addresses = sorted({email.lower() for email in emails if email})
    session.execute(delete(OutboxMessage).where(func.lower(OutboxMessage.recipient).in_(addresses)))


def unsent(*, engine: Engine) -> list[OutboxMessage]:
    """Every message not sent yet, oldest first: waiting, failing, or given up on."""
    with Session(engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.sent_at.is_(None))
                .order_by(OutboxMessage.id)
            )
        )


def retry_given_up(*, session: Session) -> int:
    """Give every message given up on ``MAX_ATTEMPTS`` more tries, due now; return how many."""
    retried = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at.is_(None))
        .values(next_attempt_at=utcnow(), attempts=0)
    )
    return retried.rowcount


# --- The outbox as admins read it ---------------------------------------------------------

OUTBOX_PAGE_SIZE = 50


class OutboxState(StrEnum):
    """Where a message stands, as the outbox page filters it."""

    QUEUED = "queued"  # waiting for its first try
    RETRYING = "retrying"  # failed at least once; another try is set
    FAILED = "failed"  # given up on: no more tries until someone asks for them
    SENT = "sent"
    RETRIED = "retried"  # took more than one try, sent or not


def message_state(message: OutboxMessage) -> OutboxState:
    """The one state a message is in (never ``RETRIED``, which is a filter across states)."""
    if message.sent_at is not None:
        return OutboxState.SENT
    if message.next_attempt_at is None:
        return OutboxState.FAILED
    return OutboxState.RETRYING if message.last_error else OutboxState.QUEUED


def _in_state(state: OutboxState) -> list[ColumnElement[bool]]:
    unsent_ = OutboxMessage.sent_at.is_(None)
    return {
        OutboxState.SENT: [OutboxMessage.sent_at.is_not(None)],
        OutboxState.FAILED: [unsent_, OutboxMessage.next_attempt_at.is_(None)],
        OutboxState.RETRYING: [
            unsent_,
            OutboxMessage.next_attempt_at.is_not(None),
            OutboxMessage.last_error != "",
        ],
        OutboxState.QUEUED: [
            unsent_,
            OutboxMessage.next_attempt_at.is_not(None),
            OutboxMessage.last_error == "",
        ],
        OutboxState.RETRIED: [OutboxMessage.attempts > 1],
    }[state]


@dataclass(frozen=True)
class OutboxPage:
    """Messages newest first, and the id the next (older) page starts below (None: no more)."""

    messages: list[OutboxMessage]
    older: int | None


def outbox_page(
    *,
    session: Session,
    state: OutboxState | None = None,
    before: int | None = None,
    size: int = OUTBOX_PAGE_SIZE,
) -> OutboxPage:
    """A page of the outbox, newest first.

    Args:
        state: only the messages in this state; None for every message.
        before: the id of the last message of the page before (an "older" link).
        size: messages per page.

    Returns:
        The messages (their bodies are loaded but are not for showing: they hold
        names and single-use links), and where the next page starts.
    """
    conditions = _in_state(state) if state else []
    if before is not None:
        conditions.append(OutboxMessage.id < before)
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(*conditions)
            .order_by(OutboxMessage.id.desc())
            .limit(size + 1)
        )
    )
    return OutboxPage(rows[:size], rows[size - 1].id if len(rows) > size else None)


GONE = N_("This message is no longer in the outbox.")
# Public ids are 16 characters; a longer text is no message's.
MAX_PUBLIC_ID = 32


def message_by_public_id(*, session: Session, public_id: str) -> OutboxMessage | None:
    """The message at ``public_id``, or None."""
    if not public_id or len(public_id) > MAX_PUBLIC_ID or "\x00" in public_id:
        return None  # no message's id, and no text to send the database
    return session.scalar(select(OutboxMessage).where(OutboxMessage.public_id == public_id))


class RetryRefused(Refused):
    """A message that is not failing: sent already, waiting for its first try, or gone."""


def retry_now(
    *, session: Session, public_id: str, actor_id: int, now: datetime | None = None
) -> OutboxMessage:
    """Try a failing or given-up message again at once; audited; sent after the commit.

    A message given up on gets ``MAX_ATTEMPTS`` more tries, as ``retry_given_up`` gives.

    Raises:
        RetryRefused: the message is gone (sent long ago and deleted, or its recipient
            erased), already sent, or has not failed.
    """
    now = now or utcnow()
    message = message_by_public_id(session=session, public_id=public_id)
    if message is None:
        raise RetryRefused.at("", GONE)
    message_id = message.id
    if message_state(message) not in (OutboxState.FAILED, OutboxState.RETRYING):
        raise RetryRefused.at(
            "",
            N_("This message was sent meanwhile: there is nothing to retry.")
            if message.sent_at is not None
            else N_("This message has not failed: it goes out with the next send."),
        )
    # Compare-and-set: a sender that sent it since it was read wins, and nothing changes.
    retried = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
        .values(
            next_attempt_at=now,
            attempts=0 if message.next_attempt_at is None else OutboxMessage.attempts,
        )
        .execution_options(synchronize_session="fetch")
    )
    if retried.rowcount != 1:
        raise RetryRefused.at("", N_("This message was sent meanwhile: there is nothing to retry."))
    session.add(
        AuditEvent(
            actor_id=actor_id, action="outbox.retried", detail={"message": message.public_id}
        )
    )
    session.info.setdefault(_PENDING, []).append(message)
    return message
