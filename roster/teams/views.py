"""The proposed team of a needs assessment: members by role, what balance cost, swaps."""

from urllib.parse import quote

from flask import Blueprint, abort, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from roster.auth.access import roles_required
from roster.db import get_session
from roster.i18n import country_display, translate
from roster.matchers import current_matcher
from roster.missions import teams
from roster.models import RoleName
from roster.teams.forms import SwapsForm
from roster.web import display

blueprint = Blueprint("teams", __name__, url_prefix="/needs")
blueprint.context_processor(display.context)


@blueprint.get("/<public_id>/team")
@roles_required(RoleName.PLANNER, RoleName.ADMIN)
def team(public_id: str):
    """Propose a team for the whole assessment; with swaps in the address, show their effect."""
    session = get_session()
    needs = teams.needs_by_public_id(session=session, public_id=public_id)
    if needs is None:
        abort(404)
    form = SwapsForm(request.args)
    try:
        swaps = teams.parse_swaps(form.swap.data)
        fitted = current_matcher()
        proposed, effect = teams.team_with_effect(
            session=session,
            needs=needs,
            matcher=fitted.matcher,
            revision=fitted.revision,
            swaps=swaps,
        )
    except teams.SwapInvalid as refusal:
        abort(400, translate(refusal.problems[0].message))
    return render_template(
        "teams/team.html",
        needs=needs,
        team=proposed,
        effect=effect,
        region_words=teams.REGION_WORDS,
        needs_page=_served(f"/needs/{needs.public_id}"),
        role_pages={
            role.role_key: _served(
                f"/needs/{needs.public_id}/roles/{quote(role.role_key, safe='')}"
            )
            for role in needs.roles
        },
        countries=_countries,
    )


def _served(path: str) -> str | None:
    """``path`` if a page of the app answers it (the assessment's and roles' pages), else None."""
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None
    return path


def _countries(codes) -> str:
    """Countries' names in the page's language, joined."""
    return ", ".join(country_display(code) for code in codes)
