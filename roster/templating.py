"""Template filters shared by every page."""

from functools import lru_cache
from typing import Any

import langcodes
from babel.numbers import format_decimal
from flask import Flask
from flask_babel import format_number, format_percent, get_locale, gettext
from flask_babel import lazy_gettext as _l

from roster.messages import Message
from roster.models import RoleName
from roster.policy.privacy import SMALL_COUNT, Hidden
from roster.web.forms import error_list


def shown_count(count: int | Hidden | None) -> str:
    """Show a count, withholding small non-zero ones that could point at a person.

    None (or ``Hidden.COMPLEMENT``) is a count withheld because a published total would
    give a small one away; ``Hidden.SMALL`` is a small count withheld.
    """
    if count is None or count == Hidden.COMPLEMENT:
        return gettext("withheld")
    if count == Hidden.SMALL or 0 < count < SMALL_COUNT:
        return gettext("fewer than %(count)s", count=format_number(SMALL_COUNT))
    return _number(count, str(get_locale() or "en"))


@lru_cache(maxsize=8192)
def _number(count: int, locale: str) -> str:
    """A count as the locale writes it, remembered: a dashboard shows thousands of them."""
    return format_decimal(count, locale=locale)


def percent(share: float | None) -> str:
    """Show a share as a whole percentage, or a dash when unknown."""
    return "–" if share is None else format_percent(share, format="#,##0%")


def plural_count(count: int | Hidden | None) -> int:
    """The number that chooses the plural form of a count as ``shown_count`` shows it."""
    if count is None or isinstance(count, Hidden) or 0 < count < SMALL_COUNT:
        return SMALL_COUNT
    return count


def translated(value: Any) -> Any:
    """A service's ``Message`` in the page's language; anything else (data) as it is."""
    if isinstance(value, Message):
        from roster.i18n import translate

        return translate(value)
    return value


def language_label(code: str) -> str:
    """A language's name in the page's language (CLDR names; English by default)."""
    locale = get_locale()
    try:
        return langcodes.Language.get(code).display_name(str(locale) if locale else "en")
    except (ValueError, TypeError, AttributeError):
        return code


# A role as a list of roles names it (the users' table, the removal page).
ROLE_NAMES = {
    RoleName.EXPERT.value: _l("expert"),
    RoleName.RECRUITER.value: _l("recruiter"),
    RoleName.PLANNER.value: _l("planner"),
    RoleName.ADMIN.value: _l("admin"),
}


def country_names(codes: Any) -> str:
    """Countries' names in the page's language, each with its code: 'Mali (ML), Senegal (SN)'."""
    from roster.i18n import country_display

    return ", ".join(
        gettext("%(country)s (%(code)s)", country=country_display(code), code=code)
        if country_display(code) != code
        else code
        for code in codes
    )


def role_names(roles: Any) -> str:
    """A user's roles, ordered by code, in the page's language: ``admin, recruiter``."""
    codes = sorted(role.role for role in roles)
    return ", ".join(str(ROLE_NAMES.get(code, code)) for code in codes)


# Main navigation: (endpoint, label, roles that see it), in display order. Links whose
# endpoint is not registered are left out.
NAVIGATION: tuple[tuple[str, Any, tuple[RoleName, ...]], ...] = (
    ("profile.overview", _l("My profile"), (RoleName.EXPERT,)),
    ("experts.search", _l("Experts"), (RoleName.RECRUITER, RoleName.ADMIN)),
    ("vetting.queue", _l("Vetting"), (RoleName.RECRUITER, RoleName.ADMIN)),
    ("duplicates.index", _l("Duplicates"), (RoleName.RECRUITER, RoleName.ADMIN)),
    ("needs.index", _l("Needs assessments"), (RoleName.PLANNER, RoleName.ADMIN)),
    (
        "needs.unmet_demand",
        _l("Unmet demand"),
        (RoleName.RECRUITER, RoleName.PLANNER, RoleName.ADMIN),
    ),
    ("dashboard.index", _l("Dashboard"), (RoleName.RECRUITER, RoleName.ADMIN)),
    ("admin.users", _l("Users"), (RoleName.ADMIN,)),
    ("admin.audit", _l("Audit trail"), (RoleName.ADMIN,)),
    ("admin.outbox_page", _l("Mail outbox"), (RoleName.ADMIN,)),
    ("admin.matching", _l("Matching weights"), (RoleName.ADMIN,)),
    ("lists.index", _l("Lists"), (RoleName.RECRUITER, RoleName.PLANNER, RoleName.ADMIN)),
    ("searches.index", _l("Saved searches"), (RoleName.RECRUITER, RoleName.ADMIN)),
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
    app.jinja_env.filters["translated"] = translated
    app.jinja_env.filters["plural_count"] = plural_count
    app.jinja_env.filters["role_names"] = role_names
    app.jinja_env.filters["country_names"] = country_names
    app.jinja_env.filters["language_label"] = language_label
    # The error summary's list: every problem of a form, rows of lists included.
    app.jinja_env.globals["error_list"] = error_list
