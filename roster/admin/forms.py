"""Forms of the account administration pages."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from roster.audit_words import action_choices
from roster.models import RoleName
from roster.search import SearchForm, search_field
from roster.web.forms import Storable

ROLE_CHOICES = [
    SelectChoice(RoleName.EXPERT.value, "Expert: keeps their own profile"),
    SelectChoice(RoleName.RECRUITER.value, "Recruiter: vets, searches and merges experts"),
    SelectChoice(RoleName.PLANNER.value, "Mission planner: needs assessments and shortlists"),
    SelectChoice(RoleName.ADMIN.value, "Admin: manages accounts and roles"),
]


class RoleCheckboxes(SelectMultipleField):
    """Roles as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserSearchForm(SearchForm):
    """Find accounts by email or name."""

    q = search_field("Find by email or name")


class AccessForm(FlaskForm):
    """A user's roles and whether the account is disabled."""

    roles = RoleCheckboxes("Roles", choices=ROLE_CHOICES)
    disabled = BooleanField("Account disabled (signs the user out everywhere)")


class NewStaffForm(FlaskForm):
    """A new staff account; the person chooses a password from an emailed link."""

    display_name = StringField(
        "Name", validators=[DataRequired("Please enter a name."), Length(max=200), Storable()]
    )
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Please enter an email address."),
            Email("Please enter a valid email address."),
            Length(max=254),
        ],
    )
    roles = RoleCheckboxes("Roles", choices=ROLE_CHOICES[1:])


class ConfirmForm(FlaskForm):
    """A button alone, with its CSRF token: send a new invitation, remove an account."""


_BROKEN_LINK = "This page link is broken. Start again from the newest events."
# Event ids are 32-bit integers on PostgreSQL: a larger one is a broken link, not a query.
_LARGEST_ID = 2**31 - 1


class TrailFilterForm(FlaskForm):
    """The audit trail's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    action = SelectField(
        "Action",
        choices=[SelectChoice("", "Any action"), *(SelectChoice(*c) for c in action_choices())],
        default="",
        validate_choice=False,
        validators=[
            AnyOf(
                ["", *(code for code, _ in action_choices())],
                message="Please choose an action from the list.",
            )
        ],
    )
    actor = StringField(
        "Done by",
        validators=[Length(max=254), Storable()],
        description="An email address or an account id.",
    )
    expert = StringField(
        "About the expert",
        validators=[Length(max=64), Storable()],
        description="An id or a reference (EXP-…).",
    )
    since = DateField(
        "From (UTC)",
        validators=[Optional()],
        invalid_value_message="The first day must be a date, like 2027-03-01.",
    )
    until = DateField(
        "To (UTC, included)",
        validators=[Optional()],
        invalid_value_message="The last day must be a date, like 2027-03-31.",
    )
    before = IntegerField(
        widget=HiddenInput(),
        invalid_value_message=_BROKEN_LINK,
        validators=[Optional(), NumberRange(min=1, max=_LARGEST_ID, message=_BROKEN_LINK)],
    )
    after = IntegerField(
        widget=HiddenInput(),
        invalid_value_message=_BROKEN_LINK,
        validators=[Optional(), NumberRange(min=1, max=_LARGEST_ID, message=_BROKEN_LINK)],
    )
