"""What each audit action code means, in plain words: the one place that says so.

Every ``AuditEvent.action`` the roster writes has an entry here; a test reads the
code for action strings and fails on one missing. ``without_actor`` says who is
meant when the row has no actor: the command line (imports, exports, accounts made
by ``roster create-user``), a person registering, or an account erased since (the
foreign key nulls ``actor_id``, so the row outlives the person).

The words are marked for translation (``N_``) and translated where they are shown.
"""

from dataclasses import dataclass

from roster.messages import N_

ERASED_ACCOUNT = N_("an erased account")


@dataclass(frozen=True)
class AuditAction:
    """How an action reads in the trail: a short phrase, and who acted when no account did."""

    phrase: str
    without_actor: str = ERASED_ACCOUNT


AUDIT_ACTIONS: dict[str, AuditAction] = {
    "account.create": AuditAction(
        N_("opened an account"), without_actor=N_("system (registration or command line)")
    ),
    "account.access_changed": AuditAction(N_("changed an account's roles or state")),
    "account.invitation_resent": AuditAction(N_("sent a new invitation")),
    "account.removed": AuditAction(N_("removed a staff account")),
    "api.token_created": AuditAction(
        N_("made an API access token"), without_actor=N_("system (command line)")
    ),
    "api.token_revoked": AuditAction(N_("revoked an API access token")),
    "auth.login": AuditAction(N_("signed in")),
    "auth.login_failed": AuditAction(N_("failed to sign in (wrong password)")),
    "auth.login_locked": AuditAction(N_("tried to sign in while locked out")),
    "auth.register_existing": AuditAction(
        N_("tried to register an address that has an account"),
        without_actor=N_("someone registering (the account's address was typed)"),
    ),
    "auth.email_confirmed": AuditAction(N_("confirmed the email address")),
    "auth.password_changed": AuditAction(N_("chose a new password")),
    "profile.view": AuditAction(N_("opened an expert's profile")),
    "cv.download": AuditAction(N_("downloaded an expert's CV")),
    "experts.export": AuditAction(N_("exported a search's experts to CSV")),
    "experts.bulk_status": AuditAction(N_("changed the roster status of a search's experts")),
    "profile.erased": AuditAction(
        N_("erased their account and profile"), without_actor=N_("the expert (account erased)")
    ),
    "roster.status_changed": AuditAction(
        N_("changed an expert's roster status"), without_actor=N_("system (registration or import)")
    ),
    "expertise.verified": AuditAction(N_("verified an expert's expertise area")),
    "expertise.unverified": AuditAction(
        N_("took the verified mark off an expert's expertise area")
    ),
    "needs.closed": AuditAction(N_("closed a needs assessment")),
    "needs.import": AuditAction(
        N_("imported needs assessments"), without_actor=N_("system (command line)")
    ),
    "needs.reopened": AuditAction(N_("reopened a needs assessment")),
    "candidate.revealed": AuditAction(N_("revealed a candidate of a blind shortlist")),
    "candidate.outcome_recorded": AuditAction(
        N_("recorded what happened to a candidate"),
        without_actor=N_("the expert through a mailed link, or an erased account"),
    ),
    "callout.answered": AuditAction(
        N_("answered a call-out"), without_actor=N_("the expert through a mailed link")
    ),
    "callout.refused": AuditAction(
        N_("used a call-out's link that was refused"),
        without_actor=N_("someone with a call-out's link"),
    ),
    "callout.withdrawn": AuditAction(N_("withdrew a call-out")),
    "roster.demo": AuditAction(
        N_("loaded the demo roster's histories and past missions"),
        without_actor=N_("system (command line)"),
    ),
    "roster.import": AuditAction(N_("imported experts"), without_actor=N_("system (command line)")),
    "audit.exported": AuditAction(N_("exported the audit trail to CSV")),
    "outbox.retried": AuditAction(N_("asked for a failed message to be sent again")),
    "roster.export": AuditAction(
        N_("exported the roster"), without_actor=N_("system (command line)")
    ),
    "duplicates.merged": AuditAction(N_("merged two records of one expert")),
    "duplicates.not_same": AuditAction(N_("said two records are different people")),
    "duplicates.account_disabled": AuditAction(
        N_("disabled the second account of an expert whose records were merged")
    ),
    "matcher.learned": AuditAction(
        N_("had the matcher learn its weights from the roster's decisions"),
        without_actor=N_("system (command line)"),
    ),
    "matcher.weights_adopted": AuditAction(
        N_("adopted the matcher's learned weights"), without_actor=N_("system (command line)")
    ),
    "matcher.defaults_restored": AuditAction(
        N_("put the matcher back on its default weights"),
        without_actor=N_("system (command line)"),
    ),
}


def action_phrase(code: str) -> str:
    """The plain words for an action code; the code itself for one this list does not know."""
    known = AUDIT_ACTIONS.get(code)
    return known.phrase if known else code


def nobody_label(code: str) -> str:
    """Who acted, for a row of this action that has no actor."""
    known = AUDIT_ACTIONS.get(code)
    return known.without_actor if known else ERASED_ACCOUNT


def action_choices() -> list[tuple[str, str]]:
    """(code, phrase) of every known action, by phrase: the trail's filter offers these."""
    return sorted(((code, a.phrase) for code, a in AUDIT_ACTIONS.items()), key=lambda c: c[1])
