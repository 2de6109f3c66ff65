"""The fitted matcher a process serves its pages with (a stand-in for the roster's provider).

Fitted once per app from the rostered experts (``iter_records``) and kept; revision 0.
The provider that refits when the roster changes takes its place with the same names.
"""

import threading
from dataclasses import dataclass

from flask import Flask, current_app

from matching import Matcher
from roster.db import session_scope
from roster.interchange.store import iter_records

_LOCK = threading.Lock()
_KEY = "roster.matcher"


@dataclass(frozen=True)
class Fitted:
    """A matcher fitted on the rostered experts, and the roster revision it was fitted at."""

    matcher: Matcher
    revision: int


def current_matcher(app: Flask | None = None) -> Fitted:
    """The app's fitted matcher, fitted on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    fitted = app.extensions.get(_KEY)
    if fitted is None:
        with _LOCK:
            fitted = app.extensions.get(_KEY)
            if fitted is None:
                with session_scope(app, write=False) as session:
                    records = list(iter_records(session, rostered_only=True))
                fitted = Fitted(Matcher().fit(records), 0)
                app.extensions[_KEY] = fitted
    return fitted


def roster_revision(session) -> int:
    """The roster's revision (always 0 in this stand-in)."""
    return 0
