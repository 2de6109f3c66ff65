"""The form asking why a staff member opens a profile; the expert reads the answer."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from roster.policy.privacy import VIEW_PURPOSES
from roster.recruiting.access import MAX_NOTE
from roster.web.forms import Storable, at_most, options


class ViewReasonForm(FlaskForm):
    """Why a staff member opens a profile; the expert reads it."""

    purpose = SelectField(
        _l("Why are you opening this profile?"),
        choices=options(
            [
                ("", _l("Choose a reason")),
                *((code, _l(words)) for code, words in VIEW_PURPOSES.items()),
            ]
        ),
    )
    note = StringField(
        _l("Details (required for “Other”)"),
        validators=[at_most(MAX_NOTE), Storable()],
        description=_l("The expert can read who opened the profile, when, and why."),
    )
