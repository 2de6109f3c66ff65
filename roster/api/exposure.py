"""The exposure report through the API: how concentrated the top of the shortlists is.

The page's service (``roster.recruiting.exposure``), read by the page's roles (the
dashboard's). A bad period is refused with a problem document at ``from`` or ``to``.
"""

from datetime import date

from flask import request
from pydantic import BaseModel, Field

from roster.api.figures import READERS_OF_DASHBOARD, TAG, _known_parameters
from roster.api.kernel import answer, api, described
from roster.auth.access import token_required
from roster.db import get_session
from roster.models import utcnow
from roster.recruiting import exposure as report


class Spread(BaseModel):
    """How the slots of one depth are spread over the experts shown.

    ``depth`` is 1 for the first position, 3 and 10 for the top 3 and 10, null for whole
    shortlists. ``slots`` counts erased experts' slots too (``erased_slots``); the other
    figures are over the experts still on record, null where no slot was filled.
    ``top_share`` is the share of the slots held by the 10 experts shown most;
    ``effective`` the effective number of experts (1 / the sum of the squared shares);
    ``gini`` the Gini coefficient of the experts' counts (0 even, towards 1 concentrated);
    ``breadth`` the experts shown who are rostered now, per expert rostered now (at most 1).
    """

    depth: int | None
    slots: int
    erased_slots: int
    experts: int
    top_share: float | None
    effective: float | None
    gini: float | None
    breadth: float | None


class ExposedExpert(BaseModel):
    """An expert shown in the period: slots first, in the top 3, anywhere on a shortlist.

    Named by their public id (``id``, as shortlists' ``expert``) and ``external_id``, never
    by name: a script reading figures has no reason to open a profile, and the page's
    names lead to profiles that ask why and record it. ``roles`` counts the roles they
    were shortlisted for; ``selected`` and ``deployed`` how many of those candidacies ever
    reached that outcome (completed counts as both).
    """

    id: str = Field(description="The expert's public id (shortlists' and call-outs' expert).")
    external_id: str
    first: int
    top3: int
    shortlisted: int
    roles: int
    selected: int
    deployed: int


class ErasedSlots(BaseModel):
    """The slots of erased experts, together: who held them is no longer known."""

    first: int
    top3: int
    shortlisted: int


class Exposure(BaseModel):
    """The exposure report of the shortlists issued from ``since`` to ``until`` (UTC).

    ``shortlists`` were issued for ``roles`` roles; only each role's latest shortlist of
    the period counts in ``spreads`` and ``most_exposed`` (one issued again, widened or
    with other weights, replaces the one before).
    """

    since: date
    until: date
    shortlists: int
    roles: int
    rostered: int
    spreads: list[Spread]
    most_exposed: list[ExposedExpert]
    erased: ErasedSlots | None


EXPOSURE_QUERY = [
    {
        "name": "from",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "format": "date"},
        "description": "The first day (UTC); by default 90 days before the last, both counted.",
    },
    {
        "name": "to",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "format": "date"},
        "description": "The last day, included (UTC); by default today. At most five years.",
    },
]


@api.get("/figures/exposure")
@api.doc(tags=[TAG])
@token_required("roster:read", *READERS_OF_DASHBOARD)
@described(responses={200: Exposure}, query=EXPOSURE_QUERY)
def exposure():
    """How concentrated the top positions of the shortlists issued in a period are.

    For the first position, the top 3, the top 10 and whole shortlists: slots filled,
    experts shown, the share of the 10 shown most, the effective number of experts, the
    Gini coefficient and the breadth, over each role's latest shortlist of the period; then
    the 20 experts shown most (by times first, in the top 3, then shortlisted) by public
    id and external id, without names, and erased experts' slots together.
    """
    _known_parameters("from", "to")
    period = report.parse_period(
        since=request.args.get("from"), until=request.args.get("to"), today=utcnow().date()
    )
    found = report.exposure(session=get_session(), period=period)
    return answer(exposure_answer(found).model_dump(mode="json"))


def exposure_answer(found: report.Exposure) -> Exposure:
    """The report as the API answers it (``flask match exposure`` prints the same)."""
    erased = found.erased
    return Exposure(
        since=found.period.since,
        until=found.period.until,
        shortlists=found.shortlists,
        roles=found.roles,
        rostered=found.rostered,
        spreads=[Spread(**vars(spread)) for spread in found.spreads],
        most_exposed=[
            ExposedExpert(
                id=e.public_id,
                external_id=e.external_id,
                first=e.first,
                top3=e.top3,
                shortlisted=e.shortlisted,
                roles=e.candidacies,
                selected=e.selected,
                deployed=e.deployed,
            )
            for e in found.most_exposed
        ],
        erased=ErasedSlots(first=erased.first, top3=erased.top3, shortlisted=erased.shortlisted)
        if erased
        else None,
    )
