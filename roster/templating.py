"""Template filters shared by every page."""

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from roster.home.services import SMALL_COUNT
from roster.models import RoleName


def shown_count(count: int | None) -> str:
    """Show a count, withholding small non-zero ones that could point at a person.

    None is a count withheld because a published total would give a small one away.
    """
    if count is None:
        return "not shown"
    if 0 < count < SMALL_COUNT:
        return f"fewer than {SMALL_COUNT}"
    return f"{count:,}"


def percent(share: float | None) -> str:
    """Show a share as a whole percentage, or a dash when unknown."""
    return "–" if share is None else f"{share:.0%}"


# Main navigation: (endpoint, label, roles that see it), in display order. Links whose
# endpoint is not registered are left out.
NAVIGATION: tuple[tuple[str, Any, tuple[RoleName, ...]], ...] = (
    ("profile.overview", _l("My profile"), (RoleName.EXPERT,)),
    ("experts.search", _l("Experts"), (RoleName.RECRUITER, RoleName.ADMIN)),
    ("missions.index", _l("Missions"), (RoleName.PLANNER, RoleName.ADMIN)),
    ("admin.users", _l("Users"), (RoleName.ADMIN,)),
    ("admin.audit", _l("Audit trail"), (RoleName.ADMIN,)),
)


def landing_endpoint(user, available: dict) -> str:
    """Where a user lands after signing in: the first of their own pages, else the home page."""
    for endpoint, _label, roles in NAVIGATION:
        if endpoint in available and user.has_role(*roles):
            return endpoint
    return "home.index"


def register(app: Flask) -> None:
    """Install the filters and the navigation on the app's Jinja environment."""

    @app.context_processor
    def _navigation() -> dict:
        def nav_links() -> list[tuple[str, str, tuple[RoleName, ...]]]:
            return [item for item in NAVIGATION if item[0] in app.view_functions]

        return {"nav_links": nav_links}

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["shown_count"] = shown_count
    app.jinja_env.filters["percent"] = percent
