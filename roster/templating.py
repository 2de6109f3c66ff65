"""Template filters shared by every page."""

from flask import Flask

from roster.home.services import SMALL_COUNT


def shown_count(count: int) -> str:
    """Show a count, withholding small non-zero ones that could point at a person."""
    if 0 < count < SMALL_COUNT:
        return f"fewer than {SMALL_COUNT}"
    return f"{count:,}"


def percent(share: float | None) -> str:
    """Show a share as a whole percentage, or a dash when unknown."""
    return "–" if share is None else f"{share:.0%}"


def register(app: Flask) -> None:
    """Install the filters on the app's Jinja environment."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["shown_count"] = shown_count
    app.jinja_env.filters["percent"] = percent
