"""Which demo experts' expertise a recruiter verified, when, and on what evidence.

Vetted experts (those who were ever rostered) mostly had their expertise verified when
they were rostered: about nine in ten, each area but now and then the last declared. A
few profiles under review are part-way through: one area verified. The rest is
self-declared. Chosen from the seed and the expert's reference, so the same seed gives
the same marks.
"""

import random
from dataclasses import dataclass
from datetime import datetime

from roster.demo.generate import DemoExpert

VETTED = ("rostered", "inactive", "suspended")
VETTED_SHARE = 0.9
IN_REVIEW_SHARE = 0.2
EVIDENCE = (
    "Reference from the electoral commission checked",
    "Certificates and employer reference seen",
    "Appraisal of a past UN deployment in this area",
    "Interview with the vetting panel; publications checked",
    "BRIDGE facilitator certificate seen",
)


@dataclass(frozen=True)
class Verification:
    """One verified expertise area of a demo expert."""

    code: str
    at: datetime
    note: str


def verifications(expert: DemoExpert, *, seed: int) -> list[Verification]:
    """The expertise areas of ``expert`` that the demo marks verified."""
    codes = [skill["code"] for skill in expert.record.get("skills") or []]
    if not codes:
        return []
    draws = random.Random(f"{seed}:verified:{expert.record['external_id']}")
    vetted = [c for c in expert.story.changes if c.to_status == "rostered"]
    status = expert.story.status
    if vetted and status in VETTED and draws.random() < VETTED_SHARE:
        kept = codes if len(codes) == 1 or draws.random() < 0.7 else codes[:-1]
        at = vetted[0].at
    elif status == "under_review" and draws.random() < IN_REVIEW_SHARE:
        kept, at = codes[:1], expert.story.changes[-1].at
    else:
        return []
    return [Verification(code, at, draws.choice(EVIDENCE)) for code in kept]
