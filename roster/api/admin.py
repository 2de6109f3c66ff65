"""Administration: staff accounts and their roles, the audit trail, the mail outbox.

The same services as the admin pages (``roster.accounts.services``,
``roster.administration.queries``, ``roster.outbox``): an invitation is mailed as the
page mails it, the last active admin cannot lose the role, every change is audited.
"""

from datetime import date, datetime
from typing import Literal

from email_validator import EmailNotValidError, validate_email
from flask import Response, current_app, g, request, stream_with_context
from pydantic import BaseModel, Field
from werkzeug.exceptions import NotFound

from roster import outbox
from roster.accounts import services
from roster.accounts.links import Signer
from roster.accounts.mail import queue_staff_invitation
from roster.administration import operations, queries
from roster.administration.export import export_lines
from roster.api.kernel import (
    Strict,
    answer,
    api,
    decode_cursor,
    described,
    encode_cursor,
    etag_of,
    idempotent,
    page_size,
    parse,
    require_match,
)
from roster.audit_words import AUDIT_ACTIONS
from roster.auth.access import token_required
from roster.db import engines, get_session
from roster.i18n import translate
from roster.messages import N_, Message
from roster.models import RoleName, User, utcnow
from roster.refusal import Problem, Problems, Refused
from roster.validation import UnstorableText, storable_text

ADMIN = (RoleName.ADMIN,)
StaffRole = Literal["recruiter", "planner", "admin"]
AnyRole = Literal["expert", "recruiter", "planner", "admin"]


def _query(name: str, schema: dict, words: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": words}


CURSOR = [
    _query("cursor", {"type": "string"}, "The next_cursor of the page before."),
    _query("limit", {"type": "integer", "minimum": 1, "maximum": 200}, "Items per page."),
]


class Account(BaseModel):
    """An account as the admin pages show it."""

    id: str
    email: str
    display_name: str
    roles: list[str]
    disabled: bool
    invited: bool
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None


class AccountPage(BaseModel):
    """A page of accounts, by email address."""

    items: list[Account]
    next_cursor: str | None


class NewStaff(Strict):
    """A staff account to open: its owner chooses a password from an emailed link."""

    email: str = Field(min_length=3, max_length=254)
    display_name: str = Field(min_length=1, max_length=200)
    roles: list[StaffRole] = Field(min_length=1)


class AccessChange(Strict):
    """An account's roles, and whether it is disabled (which signs it out everywhere)."""

    roles: list[AnyRole]
    disabled: bool


class Party(BaseModel):
    """Someone an event names: words, and the id to read them by (None: nothing to open)."""

    label: str
    id: str | None


class TrailEvent(BaseModel):
    """One event of the audit trail, as the trail's page shows it."""

    at: datetime
    action: str
    what: str
    actor: Party
    expert: str | None
    account: Party | None
    reason: str
    detail: dict[str, str]


class TrailPage(BaseModel):
    """A page of the audit trail, newest first."""

    items: list[TrailEvent]
    next_cursor: str | None


class OutboxEntry(BaseModel):
    """A message of the outbox: whom to, subject, state and tries; never its body."""

    id: str
    recipient: str
    subject: str
    state: outbox.OutboxState
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None
    attempts: int
    last_error: str


class OutboxPage(BaseModel):
    """A page of the outbox, newest first."""

    items: list[OutboxEntry]
    next_cursor: str | None


def _account(user: User) -> Account:
    return Account(
        id=user.public_id,
        email=user.email,
        display_name=user.display_name,
        roles=sorted(role.role for role in user.roles),
        disabled=user.disabled,
        invited=user.password_chosen_at is None,
        created_at=user.created_at,
        updated_at=user.updated_at,
        last_login_at=user.last_login_at,
    )


def _user_etag(user: User) -> str:
    return etag_of("user", user.public_id, user.updated_at.isoformat())


def _user_or_404(public_id: str) -> User:
    user = services.user_by_public_id(session=get_session(), public_id=public_id)
    if user is None:
        raise NotFound(
            translate(Message(N_("There is no account at this address (or it was removed).")))
        )
    return user


def _cursor_value(name: str, kind: type) -> object | None:
    position = decode_cursor(request.args.get("cursor"))
    if position is None:
        return None
    value = position.get(name)
    # Never a database error: an integer past PostgreSQL's, a text it cannot compare.
    out_of_range = (isinstance(value, int) and not 0 < value < 2**31) or (
        isinstance(value, str) and (len(value) > 254 or "\x00" in value)
    )
    if not isinstance(value, kind) or isinstance(value, bool) or out_of_range:
        raise Refused(
            Problem(
                "cursor",
                Message(N_("This cursor was not given by the roster: start from the first page.")),
            )
        )
    return value


def _text_arg(name: str, most: int) -> str:
    value = request.args.get(name, "").strip()
    if len(value) > most:
        raise Refused(Problem(name, Message(N_("At most %(most)s characters."), {"most": most})))
    try:
        return storable_text(value)
    except UnstorableText:
        raise Refused(
            Problem(
                name,
                Message(
                    N_(
                        "This text contains a control character or a control of text "
                        "direction, which cannot be searched for."
                    )
                ),
            )
        ) from None


@api.get("/admin/users")
@api.doc(tags=["Admin"])
@token_required("admin", *ADMIN)
@described(
    responses={200: AccountPage},
    query=[_query("q", {"type": "string", "maxLength": 254}, "Email or name."), *CURSOR],
)
def list_accounts():
    """Accounts by email address, filtered by email or name (cursor-paged)."""
    after = _cursor_value("after", str)
    size = page_size()
    users = services.users_after(
        session=get_session(), query=_text_arg("q", 254), after=after, limit=size + 1
    )
    items = [_account(user) for user in users[:size]]
    cursor = encode_cursor({"after": items[-1].email}) if len(users) > size else None
    return answer(AccountPage(items=items, next_cursor=cursor).model_dump(mode="json"))


@api.post("/admin/users")
@api.doc(tags=["Admin"])
@token_required("admin", *ADMIN)
@described(request=NewStaff, responses={201: Account}, etag=True)
@idempotent
def invite_staff():
    """Open a staff account and email its owner a link to choose a password (audited)."""
    wanted = parse(NewStaff)
    problems = Problems()
    if not wanted.display_name.strip():
        problems.add("display_name", N_("Please enter a name."))
    try:
        # The check the page's form makes (WTForms' Email), without asking the mail's domain.
        validate_email(wanted.email, check_deliverability=False)
    except EmailNotValidError:
        problems.add("email", N_("Please enter a valid email address."))
    problems.raise_if_any()
    session = get_session()
    user = services.create_user(
        session=session,
        email=wanted.email,
        display_name=wanted.display_name.strip(),
        password=None,
        roles=list(dict.fromkeys(wanted.roles)),
        actor_id=g._login_user.id,
    )
    queue_staff_invitation(
        session=session, signer=Signer(current_app.config["SECRET_KEY"]), user=user
    )
    return answer(
        _account(user).model_dump(mode="json"),
        201,
        etag=_user_etag(user),
        location=f"/api/v1/admin/users/{user.public_id}",
    )


@api.get("/admin/users/<public_id>")
@api.doc(tags=["Admin"])
@token_required("admin", *ADMIN)
@described(responses={200: Account}, etag=True)
def read_account(public_id: str):
    """One account: its roles, and whether it is disabled or waits for its invitation."""
    user = _user_or_404(public_id)
    return answer(_account(user).model_dump(mode="json"), etag=_user_etag(user))


@api.put("/admin/users/<public_id>")
@api.doc(tags=["Admin"])
@token_required("admin", *ADMIN)
@described(request=AccessChange, responses={200: Account}, if_match=True)
def change_access(public_id: str):
    """Set an account's roles and whether it is disabled (audited).

    Disabling ends its sessions and its tokens stop working; the last active admin
    cannot lose the role. If-Match: the account's ETag, as read.
    """
    user = _user_or_404(public_id)
    wanted = parse(AccessChange)
    require_match(_user_etag(user))
    services.update_access(
        session=get_session(),
        user=user,
        roles=list(dict.fromkeys(wanted.roles)),
        disabled=wanted.disabled,
        actor_id=g._login_user.id,
    )
    get_session().flush()
    return answer(_account(user).model_dump(mode="json"), etag=_user_etag(user))


@api.post("/admin/users/<public_id>/invitation")
@api.doc(tags=["Admin"])
@token_required("admin", *ADMIN)
@described(responses={200: Account}, etag=True)
@idempotent
def resend_invitation(public_id: str):
    """Email a staff account that has no password yet a new invitation (audited).

    The links of earlier invitations stop working. Refused for an account whose owner
    chose a password, or a disabled one.
    """
    user = _user_or_404(public_id)
    session = get_session()
    services.renew_invitation(session=session, user=user, actor_id=g._login_user.id)
    queue_staff_invitation(
        session=session, signer=Signer(current_app.config["SECRET_KEY"]), user=user
    )
    session.flush()
    return answer(_account(user).model_dump(mode="json"), etag=_user_etag(user))


@api.delete("/admin/users/<public_id>")
@api.doc(tags=["Admin"])
@token_required("admin", *ADMIN)
@described(responses={204: None}, if_match=True)
def remove_account(public_id: str):
    """Remove a staff account of someone who left (audited); its name stays on the trail.

    Its sessions and tokens end and its unsent mail is deleted. Never one's own, an
    expert's (experts erase their own), or the last active admin. If-Match: its ETag.
    """
    user = _user_or_404(public_id)
    require_match(_user_etag(user))
    services.remove_account(session=get_session(), user=user, actor_id=g._login_user.id)
    return Response(status=204)


TRAIL_QUERY = [
    _query("action", {"type": "string", "enum": sorted(AUDIT_ACTIONS)}, "An action's code."),
    _query("actor", {"type": "string", "maxLength": 254}, "Email, account id or name."),
    _query("expert", {"type": "string", "maxLength": 200}, "Expert id, reference or name."),
    _query("since", {"type": "string", "format": "date"}, "The first day (UTC)."),
    _query("until", {"type": "string", "format": "date"}, "The last day, included (UTC)."),
    *CURSOR,
]


def _day(name: str, problems: Problems) -> date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        if len(text) != len("2027-03-01"):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        problems.add(name, N_("A day is written like %(example)s."), example="2027-03-01")
        return None


def _trail_filters() -> queries.TrailFilters:
    problems = Problems()
    action = request.args.get("action", "").strip()
    if action and action not in AUDIT_ACTIONS:
        problems.add("action", N_("Please choose an action from the list."))
    since, until = _day("since", problems), _day("until", problems)
    problems.raise_if_any()
    return queries.TrailFilters(
        action=action or None,
        actor=_text_arg("actor", 254) or None,
        expert=_text_arg("expert", 200) or None,
        since=since,
        until=until,
    )


def _party(party: queries.Party) -> Party:
    return Party(label=translate(party.label), id=party.public_id)


@api.get("/admin/audit")
@api.doc(tags=["Admin"])
@token_required("admin", *ADMIN)
@described(responses={200: TrailPage}, query=TRAIL_QUERY)
def audit_trail():
    """The audit trail, newest first, with the trail page's filters (cursor-paged)."""
    filters = _trail_filters()
    before = _cursor_value("before", int)
    size = page_size()
    page = queries.audit_page(session=get_session(), filters=filters, before=before, size=size)
    items = [
        TrailEvent(
            at=row.at,
            action=row.action,
            what=translate(row.phrase),
            actor=_party(row.actor),
            expert=row.expert.public_id if row.expert else None,
            account=_party(row.account) if row.account else None,
            reason=row.reason,
            detail={key: translate(value) for key, value in row.detail},
        )
        for row in page.rows
    ]
    cursor = encode_cursor({"before": page.older}) if page.older is not None else None
    return answer(TrailPage(items=items, next_cursor=cursor).model_dump(mode="json"))


@api.post("/admin/audit/export")
@api.doc(tags=["Admin"])
@token_required("admin", *ADMIN)
@described(responses={200: None}, query=TRAIL_QUERY[:-2])
def audit_export():
    """The events the trail's filters keep, as CSV (text/csv), streamed; audited.

    The columns are the page's export's: at_utc, actor, actor_email, action, what,
    expert, account, reason, details.
    """
    filters = _trail_filters()
    operations.record_export(session=get_session(), filters=filters, actor_id=g._login_user.id)
    lines = export_lines(engine=engines().read, filters=filters)
    name = f"audit-trail-{utcnow():%Y%m%d-%H%M%S}.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@api.get("/admin/outbox")
@api.doc(tags=["Admin"])
@token_required("admin", *ADMIN)
@described(
    responses={200: OutboxPage},
    query=[
        _query("state", {"type": "string", "enum": [s.value for s in outbox.OutboxState]}, ""),
        *CURSOR,
    ],
)
def outbox_list():
    """The mail outbox, newest first: whom to, subject, state and tries; never the body."""
    text = request.args.get("state", "")
    if text and text not in {s.value for s in outbox.OutboxState}:
        raise Refused(Problem("state", Message(N_("Please choose a state from the list."))))
    before = _cursor_value("before", int)
    page = outbox.outbox_page(
        session=get_session(),
        state=outbox.OutboxState(text) if text else None,
        before=before,
        size=page_size(),
    )
    items = [_outbox_entry(message) for message in page.messages]
    cursor = encode_cursor({"before": page.older}) if page.older is not None else None
    return answer(OutboxPage(items=items, next_cursor=cursor).model_dump(mode="json"))


def _outbox_entry(message) -> OutboxEntry:
    return OutboxEntry(
        id=message.public_id,
        recipient=message.recipient,
        subject=message.subject,
        state=outbox.message_state(message),
        created_at=message.created_at,
        sent_at=message.sent_at,
        next_attempt_at=message.next_attempt_at,
        attempts=message.attempts,
        last_error=message.last_error,
    )


@api.post("/admin/outbox/<public_id>/retry")
@api.doc(tags=["Admin"])
@token_required("admin", *ADMIN)
@described(responses={200: OutboxEntry})
@idempotent
def outbox_retry(public_id: str):
    """Try a failing or given-up message again now (audited); it goes out once this commits.

    A message given up on gets a full set of tries again. 404 for a message no longer in
    the outbox; 422 for one that was sent, or has not failed (it goes out with the next
    send). A retry under the same Idempotency-Key gets the first answer.
    """
    session = get_session()
    try:
        message = outbox.retry_now(session=session, public_id=public_id, actor_id=g._login_user.id)
    except outbox.RetryRefused as refusal:
        if refusal.problems[0].message.text == outbox.GONE:
            raise NotFound(translate(refusal.problems[0].message)) from None
        raise
    session.flush()
    session.refresh(message)
    return answer(_outbox_entry(message).model_dump(mode="json"))
