"""The planner's forms: call out candidates, withdraw a call-out."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.validators import DataRequired


class CallOutForm(FlaskForm):
    """The candidates ticked on a role's shortlist, by their experts' public ids."""

    # The shortlist page offers the choices; the service says which cannot be called out.
    candidates = SelectMultipleField(
        _l("Candidates"),
        validate_choice=False,
        validators=[DataRequired(_l("Choose at least one candidate to call out."))],
    )


class WithdrawForm(FlaskForm):
    """Withdraw one call-out (its address names it)."""
