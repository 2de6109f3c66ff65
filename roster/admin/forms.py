"""Forms of the account administration pages."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

from roster.models import RoleName
from roster.search import SearchForm, search_field
from roster.text import Storable

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
