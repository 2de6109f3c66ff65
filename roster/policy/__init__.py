"""The roster's rules, in one place each, free of Flask: typed, keyword-only, session passed in.

* ``standing``: how a person stands to an expert's record (its owner, or a staff role).
* ``privacy``: which sensitive fields (gender, disability, year of birth) a reader may see.
* ``transitions``: the shape of a state machine's rules, and the one refusal they raise.
* ``roster_status``: who may move an expert between roster statuses, and the history kept.
* ``candidacy``: who may record which outcome for a candidate, and the decisions kept.

Views, commands and other services ask these modules; nothing else decides.
"""
