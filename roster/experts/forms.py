"""Forms of the staff's expert pages."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length

from roster.experts.services import MAX_NOTE
from roster.policy.privacy import VIEW_PURPOSES
from roster.search import SearchForm, search_field
from roster.web.forms import Storable, options


class ExpertSearchForm(SearchForm):
    """Find experts by name or external id."""

    q = search_field("Find by name or reference")


class ViewReasonForm(FlaskForm):
    """Why a staff member opens a profile; the expert reads it."""

    purpose = SelectField(
        "Why are you opening this profile?",
        choices=options([("", "Choose a reason"), *VIEW_PURPOSES.items()]),
    )
    note = StringField(
        "Details (required for “Other”)",
        validators=[Length(max=MAX_NOTE), Storable()],
        description="The expert can read who opened the profile, when, and why.",
    )
