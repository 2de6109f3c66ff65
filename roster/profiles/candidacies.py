"""Where a candidacy stands, in the words the expert reads (the contract's outcomes).

The candidacies themselves are read by ``roster.missions.candidacies``; this is what the
expert's page and the API say of each outcome code.
"""

from roster.messages import N_

OUTCOME_WORDS = {
    None: N_("On a shortlist: no decision yet"),
    "shortlisted": N_("Shortlisted"),
    "contacted": N_("Asked whether you are available"),
    "available": N_("You said you are available"),
    "unavailable": N_("You said you are not available"),
    "no_response": N_("No answer was recorded in time"),
    "proposed": N_("Proposed for the role"),
    "selected": N_("Selected"),
    "not_selected": N_("Not selected"),
    "deployed": N_("Deployed"),
    "completed": N_("Deployment completed"),
    "withdrawn": N_("Withdrawn"),
}
