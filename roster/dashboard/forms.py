"""The dashboard's forms: the period of the exposure report."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.widgets import DateInput


class PeriodForm(FlaskForm):
    """The days whose shortlists the exposure report covers, from the query string.

    A GET form (no CSRF token). The fields are named ``from`` and ``to``, the problems'
    paths of ``roster.recruiting.exposure.parse_period``, which reads them.
    """

    class Meta:
        csrf = False

    since = StringField(
        _l("From (UTC)"),
        name="from",
        widget=DateInput(),
        description=_l("The first day, year-month-day."),
    )
    until = StringField(
        _l("To (UTC, included)"),
        name="to",
        widget=DateInput(),
        description=_l("The last day; today if left empty."),
    )
