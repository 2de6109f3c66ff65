"""Matching of roster experts to the roles of a mission: shortlists and team proposals.

A library without Flask or a database: ``Matcher().fit(experts)`` then
``shortlist(needs, role_id=..., k=...)`` and ``team(needs)``.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matching.matcher import Matcher

__all__ = ["Matcher"]


def __getattr__(name: str):
    """Import the matcher (and scikit-learn) only when it is asked for.

    The vocabulary modules are used at every start of the web app; the estimator
    is not, and importing scikit-learn costs about a second.
    """
    if name == "Matcher":
        from matching.matcher import Matcher

        return Matcher
    raise AttributeError(f"module 'matching' has no attribute {name!r}")
