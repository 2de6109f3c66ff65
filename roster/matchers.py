"""The fitted matcher the web app ranks with, and the roster revision it was fitted at.

A minimal provider: it fits ``matching.Matcher`` on the rostered experts each time it
is asked, so a shortlist always reflects the roster as it stands. Revision 0 stands for
"not tracked".
"""

from dataclasses import dataclass

from flask import Flask, current_app

from matching import Matcher
from roster.db import session_scope
from roster.interchange.store import iter_records


@dataclass(frozen=True)
class Fitted:
    """A fitted matcher and the roster revision it was fitted at."""

    matcher: Matcher
    revision: int


def roster_revision(session) -> int:
    """The roster's revision (not tracked here: always 0)."""
    return 0


def current_matcher(app: Flask | None = None) -> Fitted:
    """A matcher fitted on the rostered experts of ``app``'s database (the current app's)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with session_scope(app, write=False) as session:
        records = list(iter_records(session, rostered_only=True))
    return Fitted(matcher=Matcher().fit(records), revision=0)
