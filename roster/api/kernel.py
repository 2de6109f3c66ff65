"""What every API operation shares: the blueprint, bodies in and out, versions, retries.

An operation is a thin view, as a page is: it declares who may call it
(``roster.auth.access.token_required``) and what it takes and answers (``described``,
from which the OpenAPI document is made), reads its body with ``json_body``, calls one
service, and answers JSON. Refusals of the services become problem documents here, once.
"""

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import wraps
from typing import Any

from apiflask import APIBlueprint
from flask import Response, current_app, g, jsonify, make_response, request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import (
    BadRequest,
    PreconditionFailed,
    PreconditionRequired,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)

from roster.db import get_session
from roster.errors import problem_response
from roster.extensions import csrf, limiter
from roster.i18n import translate
from roster.messages import N_, Message
from roster.models import IdempotentRequest
from roster.refusal import Changed, Problem, Refused, join_path
from roster.retries import expired
from roster.validation import storable_text

api = APIBlueprint("api", __name__, url_prefix="/api/v1", enable_openapi=True)
csrf.exempt(api)

# The largest JSON body read, in bytes; an import's file has its own limit.
MAX_JSON_BODY = 1024 * 1024
MAX_IDEMPOTENCY_KEY = 255
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Problem types: each is explained on the API's reference page, at its own anchor.
PROBLEM_TYPES = {
    "invalid": _l("The request's content was refused; each problem names its field's path."),
    "changed": _l("The record changed since the version named in If-Match: read it again."),
    "version-required": _l("An update must name the version it changes, in If-Match."),
    "idempotency-key-reused": _l("The Idempotency-Key was used before for another request."),
    "idempotency-in-progress": _l("A request with this Idempotency-Key is still running."),
}


def problem_type(name: str) -> str:
    """The address of a problem type's explanation on the reference page."""
    return f"{current_app.config['ROSTER_BASE_URL'].rstrip('/')}/api-reference#problem-{name}"


def refused(refusal: Refused, status: int = 422) -> Response:
    """The problem document of a service's refusal: every problem with its field's path."""
    problems = [
        {**found, "params": _json_ready(found["params"]), "message": translate(problem.message)}
        for found, problem in zip(refusal.as_json(), refusal.problems, strict=True)
    ]
    first = problems[0]["message"]
    detail = (
        first
        if len(problems) == 1
        else translate(
            Message(N_("%(count)s problems were found in the request."), {"count": len(problems)})
        )
    )
    return problem_response(
        status, detail, type_=problem_type("invalid"), title="Invalid request", problems=problems
    )


def _json_ready(params: dict[str, Any]) -> dict[str, Any]:
    """A problem's parameters as JSON values: days and moments in ISO 8601, others as text."""
    ready: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, date | datetime):
            ready[name] = value.isoformat()
        elif value is None or isinstance(value, str | int | float | bool):
            ready[name] = value
        else:
            ready[name] = str(value)
    return ready


@api.errorhandler(Refused)
def _refused(refusal: Refused):
    return refused(refusal)


@api.errorhandler(Changed)
def _changed(changed: Changed):
    return problem_response(
        412, translate(changed.message), type_=problem_type("changed"), title="Changed"
    )


class Strict(BaseModel):
    """A request body's model: unknown fields are refused, never ignored; no coercion."""

    model_config = ConfigDict(extra="forbid", strict=True)


@dataclass(frozen=True)
class Description:
    """What an operation takes and answers, for the OpenAPI document.

    ``request`` and each answer are a contract format's name (``"needs"``, the file
    ``needs.schema.json``), a ``Strict``/``BaseModel`` class, a raw JSON schema (a dict),
    or None for no body; an answer that is not JSON is a pair (media type, raw schema),
    such as ``("text/csv", {"type": "string"})``, or a media type alone
    (``"application/pdf"``), a file. ``query`` lists the operation's query parameters.
    ``problems`` names the problem statuses the operation answers besides those every
    operation may (401, 403, 404 ...), with their words: ``{410: "The call-out was
    withdrawn."}``.
    """

    request: str | type[BaseModel] | dict | None = None
    responses: dict[int, str | type[BaseModel] | dict | tuple[str, dict] | None] = field(
        default_factory=dict
    )
    query: tuple[dict[str, Any], ...] = ()
    idempotent: bool = False
    if_match: bool = False
    etag: bool = False
    request_types: tuple[str, ...] = ("application/json",)
    problems: dict[int, str] = field(default_factory=dict)


DESCRIPTION_ATTRIBUTE = "roster_api_description"


def described(
    *,
    request: str | type[BaseModel] | dict | None = None,
    responses: dict[int, str | type[BaseModel] | dict | tuple[str, dict] | None],
    query: list[dict[str, Any]] | None = None,
    if_match: bool = False,
    etag: bool = False,
    request_types: tuple[str, ...] = ("application/json",),
    problems: dict[int, str] | None = None,
) -> Callable[[Callable], Callable]:
    """Declare an operation's body, answers and query parameters (see ``Description``)."""

    def decorate(view: Callable) -> Callable:
        setattr(
            view,
            DESCRIPTION_ATTRIBUTE,
            Description(
                request=request,
                responses=responses,
                query=tuple(query or ()),
                idempotent=getattr(view, "roster_idempotent", False),
                if_match=if_match,
                etag=etag,
                request_types=request_types,
                problems=dict(problems or {}),
            ),
        )
        return view

    return decorate


def description_of(view: Callable) -> Description | None:
    """An operation's declared description, if any."""
    return getattr(view, DESCRIPTION_ATTRIBUTE, None)


# Bodies in ---------------------------------------------------------------------------


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or mimetype.endswith("+json")


def raw_body(*, types: tuple[str, ...] = ("application/json",), limit: int = MAX_JSON_BODY):
    """The request's body as bytes, once its type and size are checked (415, 413)."""
    mimetype = request.mimetype or ""
    if not any(
        _is_json(mimetype) if kind == "application/json" else mimetype == kind for kind in types
    ):
        raise UnsupportedMediaType(
            translate(
                Message(
                    N_("Send the body as %(types)s (Content-Type), not '%(sent)s'."),
                    {"types": ", ".join(types), "sent": mimetype or "nothing"},
                )
            )
        )
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(_too_large(limit))
    data = request.get_data(cache=True)
    if len(data) > limit:
        raise RequestEntityTooLarge(_too_large(limit))
    return data


def _too_large(limit: int) -> str:
    return translate(
        Message(N_("The body is too large: at most %(limit)s bytes are read."), {"limit": limit})
    )


def _no_unstorable(value: Any, path: str = "") -> None:
    """Refuse NUL and the controls of text direction anywhere in a JSON document.

    Text fields are checked again by their services with their own labels; this catches
    keys, codes and identifiers, which no service reads as text.
    """
    if isinstance(value, str):
        try:
            storable_text(value, multiline=True)
        except Exception:  # noqa: BLE001  (UnstorableText: said in plain words below)
            raise Refused(
                Problem(
                    path,
                    Message(
                        N_(
                            "This text contains a null character, a control character or a "
                            "control of text direction, which cannot be stored."
                        )
                    ),
                )
            ) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_unstorable(key, path)
            _no_unstorable(item, join_path(path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _no_unstorable(item, join_path(path, index))


def json_body() -> Any:
    """The request's JSON document (415 for another type, 413 past the limit, 400 if broken)."""
    data = raw_body()
    try:
        document = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:
        raise BadRequest(
            translate(Message(N_("The body is not valid JSON: it is nested too deeply.")))
        ) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest(
            translate(Message(N_("The body is not valid JSON: %(error)s."), {"error": str(error)}))
        ) from None
    _no_unstorable(document)
    return document


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def json_object() -> dict[str, Any]:
    """The request's JSON document, which must be an object."""
    document = json_body()
    if not isinstance(document, dict):
        raise Refused(Problem("", Message(N_("The body must be a JSON object."))))
    return document


def parse(model: type[BaseModel], document: Any | None = None) -> Any:
    """The request's JSON object read as ``model``; its problems refused with their paths."""
    if document is None:
        document = json_object()
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise Refused(
            [
                Problem(_path(found["loc"]), Message(N_("%(error)s"), {"error": found["msg"]}))
                for found in error.errors(include_url=False)
            ]
        ) from None


def _path(location: tuple) -> str:
    path = ""
    for part in location:
        path = join_path(path, part if isinstance(part, int) else str(part))
    return path


# Versions: ETag and If-Match ------------------------------------------------------------


def etag_of(kind: str, public_id: str, version: int | str) -> str:
    """A strong entity tag for version ``version`` of the record ``public_id`` of ``kind``."""
    digest = hashlib.sha256(f"{kind}:{public_id}:{version}".encode()).hexdigest()[:20]
    return f'"{digest}"'


def require_match(current: str) -> None:
    """Let an update through only if its If-Match names ``current`` (428 missing, 412 stale)."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired(
            translate(
                Message(
                    N_(
                        "Send the version you are changing in If-Match: the ETag of your "
                        "last read of this record."
                    )
                )
            )
        )
    offered = {tag.strip() for tag in header.split(",")}
    if current not in offered and "*" not in offered:
        raise PreconditionFailed(
            translate(
                Message(
                    N_(
                        "The record changed since the version named in If-Match. Nothing was "
                        "changed: read it again and resend your change."
                    )
                )
            )
        )


def with_etag(response: Response, tag: str) -> Response:
    """``response`` carrying ``tag`` as its ETag."""
    response.headers["ETag"] = tag
    return response


def answer(body: Any, status: int = 200, *, etag: str | None = None, location: str | None = None):
    """A JSON answer, with its ETag and Location when given."""
    response = make_response(jsonify(body), status)
    if etag is not None:
        response.headers["ETag"] = etag
    if location is not None:
        response.headers["Location"] = location
    return response


# Cursors ----------------------------------------------------------------------------------


def encode_cursor(position: dict[str, Any]) -> str:
    """An opaque cursor for the next page from ``position`` (the last row's sort keys)."""
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode()


# A cursor's values are short texts, whole numbers a database stores, and nothing deep.
MAX_CURSOR_TEXT = 300
MAX_CURSOR_NUMBER = 2**31 - 1


def digits(text: str) -> bool:
    """Whether ``text`` is a whole number in ASCII digits (``"²".isdigit()`` is true too)."""
    return text.isascii() and text.isdigit()


def _plain(value: Any) -> bool:
    """Whether a decoded cursor holds only what the roster puts in one."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, str):
        return len(value) <= MAX_CURSOR_TEXT and value.isprintable()
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return abs(value) <= MAX_CURSOR_NUMBER
    return False  # lists, fractions: no cursor of the roster holds them


def foreign_cursor() -> Refused:
    """The refusal of a cursor the roster did not give."""
    return Refused(
        Problem(
            "cursor",
            Message(N_("This cursor was not given by the roster: start from the first page.")),
        )
    )


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """The position a cursor names; a 422 problem at ``cursor`` for one not made here."""
    if not cursor:
        return None
    try:
        position = json.loads(
            base64.urlsafe_b64decode(cursor.encode("ascii")), parse_constant=_no_constant
        )
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        position = None
    if not isinstance(position, dict) or not _plain(position):
        raise foreign_cursor()
    return position


def cursor_moment(text: Any) -> datetime:
    """A moment written in a cursor (ISO 8601 with its UTC offset), or ``ValueError``."""
    if not isinstance(text, str):
        raise ValueError(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(text)
    return moment


def page_size(default: int = PAGE_SIZE) -> int:
    """The ``limit`` query parameter: 1 to ``MAX_PAGE_SIZE`` (422 otherwise)."""
    text = request.args.get("limit")
    if text is None:
        return default
    if not digits(text) or len(text) > 3 or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise Refused(
            Problem(
                "limit",
                Message(
                    N_("The limit is a whole number from 1 to %(most)s."),
                    {"most": MAX_PAGE_SIZE},
                ),
            )
        )
    return int(text)


# Retries: Idempotency-Key ------------------------------------------------------------------

REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")


def idempotent(view: Callable) -> Callable:
    """Let a creating request be retried under the same ``Idempotency-Key``: created once.

    The key is kept with a fingerprint of the request and its answer, in the transaction
    that creates the thing, so that either both are kept or neither is. A retry with the
    same key and request gets the stored answer (``Idempotent-Replayed: true``); the same
    key with another request gets 422; one racing the first waits for it, then replays.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
            raise Refused(
                Problem(
                    "Idempotency-Key",
                    Message(
                        N_("An Idempotency-Key is 1 to %(most)s printable characters."),
                        {"most": MAX_IDEMPOTENCY_KEY},
                    ),
                )
            )
        session = get_session()
        user_id = g._login_user.id
        fingerprint = hashlib.sha256(
            b"\n".join([request.method.encode(), request.full_path.encode(), request.get_data()])
        ).hexdigest()
        kept = _kept(session, user_id, key)
        if kept is not None:
            return _replay(kept, fingerprint)
        record = IdempotentRequest(user_id=user_id, key=key, fingerprint=fingerprint)
        try:
            with session.begin_nested():
                session.add(record)
                session.flush()
        except IntegrityError:
            # Another request with the key committed first (PostgreSQL waited for it).
            session.rollback()
            kept = _kept(session, user_id, key)
            if kept is None:  # pragma: no cover  (it committed, so it is there)
                raise
            return _replay(kept, fingerprint)
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code < 400:
            record.status = response.status_code
            record.body = response.get_data(as_text=True)
            record.headers = {
                name: response.headers[name]
                for name in REPLAYED_HEADERS
                if name in response.headers
            }
        return response

    wrapper.roster_idempotent = True  # type: ignore[attr-defined]
    return wrapper


def _kept(session, user_id: int, key: str) -> IdempotentRequest | None:
    kept = session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.user_id == user_id, IdempotentRequest.key == key
        )
    )
    if kept is not None and expired(kept):
        # Past its day (the hourly job has not come by yet): the key is free again.
        session.delete(kept)
        session.flush()
        return None
    return kept


def _replay(kept: IdempotentRequest, fingerprint: str) -> Response:
    if kept.fingerprint != fingerprint:
        return problem_response(
            422,
            translate(
                Message(
                    N_(
                        "This Idempotency-Key was used for another request. Nothing was "
                        "created: use a new key for a new request."
                    )
                )
            ),
            type_=problem_type("idempotency-key-reused"),
            title="Idempotency key reused",
        )
    if not kept.status:
        response = problem_response(
            409,
            translate(Message(N_("The first request with this Idempotency-Key is still running."))),
            type_=problem_type("idempotency-in-progress"),
            title="In progress",
        )
        response.retry_after = 1
        return response
    response = Response(kept.body, status=kept.status)
    for name, value in kept.headers.items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


# Limits per token -----------------------------------------------------------------------


def _token_key() -> str:
    token = g.get("api_token")
    return f"api-token:{token.public_id}" if token is not None else f"api-ip:{request.remote_addr}"


limiter.limit(
    lambda: current_app.config["API_RATE_LIMIT"],
    key_func=_token_key,
    error_message=_l("Too many requests with this access token. Please wait and try again."),
)(api)


@api.after_request
def _no_store(response: Response) -> Response:
    # Answers carry personal data: kept by no cache, and never shown as a page.
    response.headers["Cache-Control"] = "no-store"
    return response
