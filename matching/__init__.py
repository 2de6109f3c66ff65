"""Matching of roster experts to the roles of a mission: shortlists and team proposals.

A library without Flask or a database: ``Matcher().fit(experts)`` then
``shortlist(needs, role_id=..., k=...)`` and ``team(needs)``.
"""

from matching.matcher import Matcher

__all__ = ["Matcher"]
