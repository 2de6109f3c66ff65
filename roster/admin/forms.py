"""Forms of the account administration pages."""

from flask_babel import gettext, lazy_pgettext
from flask_babel import lazy_gettext as _l
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
    SelectChoice(RoleName.EXPERT.value, _l("Expert: keeps their own profile")),
    SelectChoice(RoleName.RECRUITER.value, _l("Recruiter: vets, searches and merges experts")),
    SelectChoice(RoleName.PLANNER.value, _l("Mission planner: needs assessments and shortlists")),
    SelectChoice(RoleName.ADMIN.value, _l("Admin: manages accounts and roles")),
]


class RoleCheckboxes(SelectMultipleField):
    """Roles as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserSearchForm(SearchForm):
    """Find accounts by email or name."""

    q = search_field(_l("Find by email or name"))


class AccessForm(FlaskForm):
    """A user's roles and whether the account is disabled."""

    roles = RoleCheckboxes(lazy_pgettext("account", "Roles"), choices=ROLE_CHOICES)
    disabled = BooleanField(_l("Account disabled (signs the user out everywhere)"))


class NewStaffForm(FlaskForm):
    """A new staff account; the person chooses a password from an emailed link."""

    display_name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Please enter a name.")), Length(max=200), Storable()],
    )
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Please enter an email address.")),
            Email(_l("Please enter a valid email address.")),
            Length(max=254),
        ],
    )
    roles = RoleCheckboxes(lazy_pgettext("account", "Roles"), choices=ROLE_CHOICES[1:])


class ConfirmForm(FlaskForm):
    """A button alone, with its CSRF token: send a new invitation, remove an account."""


_BROKEN_LINK = _l("This page link is broken. Start again from the newest events.")
# Event ids are 32-bit integers on PostgreSQL: a larger one is a broken link, not a query.
_LARGEST_ID = 2**31 - 1


class TrailFilterForm(FlaskForm):
    """The audit trail's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    action = SelectField(
        _l("Action"),
        default="",
        validate_choice=False,
        validators=[
            AnyOf(
                ["", *(code for code, _ in action_choices())],
                message=_l("Please choose an action from the list."),
            )
        ],
    )
    actor = StringField(
        _l("Done by"),
        validators=[Length(max=254), Storable()],
        description=_l("An email address, an account id or a name."),
    )
    expert = StringField(
        _l("About the expert"),
        validators=[Length(max=200), Storable()],
        description=_l("A name, an id or a reference (EXP-…)."),
    )
    since = DateField(
        _l("From (UTC)"),
        validators=[Optional()],
        invalid_value_message=_l(
            "The first day must be a date, like %(example)s.", example="2027-03-01"
        ),
    )
    until = DateField(
        _l("To (UTC, included)"),
        validators=[Optional()],
        invalid_value_message=_l(
            "The last day must be a date, like %(example)s.", example="2027-03-31"
        ),
    )
    before = IntegerField(
        widget=HiddenInput(),
        invalid_value_message=_BROKEN_LINK,
        validators=[Optional(), NumberRange(min=1, max=_LARGEST_ID, message=_BROKEN_LINK)],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The actions in the page's language, in its alphabetical order.
        actions = sorted(
            ((code, gettext(phrase)) for code, phrase in action_choices()),
            key=lambda choice: choice[1],
        )
        self.action.choices = [
            SelectChoice("", gettext("Any action")),
            *(SelectChoice(*c) for c in actions),
        ]

    after = IntegerField(
        widget=HiddenInput(),
        invalid_value_message=_BROKEN_LINK,
        validators=[Optional(), NumberRange(min=1, max=_LARGEST_ID, message=_BROKEN_LINK)],
    )


OUTBOX_STATES = [
    SelectChoice("", _l("Every message")),
    SelectChoice("queued", _l("Queued: waiting for the first try")),
    SelectChoice("retrying", _l("Failing: another try is set")),
    SelectChoice("failed", _l("Failed: no more tries")),
    SelectChoice("sent", _l("Sent")),
    SelectChoice("retried", _l("Retried: took more than one try")),
]


_BROKEN_OUTBOX_LINK = _l("This page link is broken. Start again from the newest messages.")


class OutboxFilterForm(FlaskForm):
    """The outbox page's filter and page link, read from the query string (no CSRF token)."""

    class Meta:
        csrf = False

    state = SelectField(
        _l("Show"),
        choices=OUTBOX_STATES,
        default="",
        validate_choice=False,
        validators=[
            AnyOf(
                [choice.value for choice in OUTBOX_STATES],
                message=_l("Please choose a state from the list."),
            )
        ],
    )
    before = IntegerField(
        widget=HiddenInput(),
        invalid_value_message=_BROKEN_OUTBOX_LINK,
        validators=[Optional(), NumberRange(min=1, max=_LARGEST_ID, message=_BROKEN_OUTBOX_LINK)],
    )
