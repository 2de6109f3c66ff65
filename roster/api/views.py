"""The API (``/api/v1``): its document, its reference page, and every operation.

Each resource is a module of this folder that adds its operations to the blueprint;
importing them here puts them on it.
"""

from flask import Blueprint, current_app, g, jsonify, render_template
from pydantic import BaseModel

from roster.accounts.tokens import SCOPES
from roster.api import reference as reading
from roster.api import spec
from roster.api.kernel import PROBLEM_TYPES, answer, api, described
from roster.auth.access import public, token_required
from roster.models import RoleName
from roster.templating import ROLE_NAMES

blueprint = api
# The reference is a page like the others (menu, language, session): not under /api/.
pages = Blueprint("api_reference", __name__)
ANY_ROLE = tuple(RoleName)


@api.get("/openapi.json")
@api.doc(hide=True)
@public
def openapi_document():
    """The OpenAPI 3.1 document of the API."""
    return jsonify(spec.complete(current_app, current_app.spec))


@pages.get("/api-reference")
@public
def reference():
    """A readable reference of every operation, its access, bodies and problems."""
    document = spec.complete(current_app, current_app.spec)
    return render_template(
        "api/reference.html",
        groups=reading.groups(document),
        schemas=reading.schemas(document),
        common_answers=reading.common_answers(),
        problem_types=PROBLEM_TYPES,
        scopes=SCOPES,
        base_url=current_app.config["ROSTER_BASE_URL"].rstrip("/"),
        role_labels=ROLE_NAMES,
    )


class TokenInUse(BaseModel):
    """The token a request was made with, and its owner's account."""

    name: str
    prefix: str
    scopes: list[str]
    expires_at: str
    email: str
    roles: list[str]


@api.get("/token")
@api.doc(tags=["Tokens"])
@token_required(None, *ANY_ROLE)
@described(responses={200: TokenInUse})
def token_in_use():
    """Who a token acts for: its name, scopes, expiry, and its owner's address and roles."""
    token, user = g.api_token, g._login_user
    return answer(
        TokenInUse(
            name=token.name,
            prefix=token.prefix,
            scopes=token.scopes,
            expires_at=token.expires_at.isoformat(),
            email=user.email,
            roles=sorted(role.role for role in user.roles),
        ).model_dump()
    )


from roster.api import (  # noqa: E402, F401
    admin,
    decisions,
    duplicates,
    experts,
    exposure,
    figures,
    imports,
    lists,
    me,
    me_candidacies,
    needs,
    roster_status,
    saved_searches,
    shortlists,
    vetting,
)
