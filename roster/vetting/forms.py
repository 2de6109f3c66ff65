"""Forms of the vetting page: why it is opened, each expertise area's mark, and the decision.

The page carries one form per expertise area and the decision form: these leave the
CSRF token to the page's own hidden input (``CSRFProtect`` checks every POST) and take a
prefix each, so that no two fields of the page share an id.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput

from roster.recruiting.vetting import MAX_EVIDENCE
from roster.web.forms import at_most
from roster.web.reasons import ViewReasonForm

__all__ = ["DecisionForm", "ExpertiseForm", "ViewReasonForm"]

MAX_REASON = 1000  # RosterStatusChange.reason


class _Prefixed(FlaskForm):
    """A form of a page with several: a service's paths name its prefixed fields."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.PATHS = {name: f"{self._prefix}{name}" for name in self._fields}


class ExpertiseForm(_Prefixed):
    """One expertise area: verified with the evidence seen, or self-declared."""

    class Meta:
        csrf = False

    verified = BooleanField(_l("Verified"))
    note = TextAreaField(
        _l("Evidence"),
        validators=[at_most(MAX_EVIDENCE)],
        description=_l(
            "What you saw: a certificate, a reference, a past mission. Required to verify; "
            "kept in the audit trail if the mark is taken off."
        ),
    )
    version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(_l("The form is incomplete. Please reload the page."))],
    )


class DecisionForm(_Prefixed):
    """A decision on the profile's roster status, with its reason or message."""

    class Meta:
        csrf = False

    to = SelectField(_l("Decision"), choices=[], validate_choice=False)
    reason = TextAreaField(
        _l("Reason, or message to the expert"),
        validators=[at_most(MAX_REASON)],
        description=_l(
            "The expert reads it in their status history and in the mail telling them of "
            "the decision."
        ),
    )
    version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(_l("The form is incomplete. Please reload the page."))],
    )
