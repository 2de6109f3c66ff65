"""Forms of the lists pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput

from roster.recruiting.lists import MAX_NAME

NEW_LIST = "new"


class ListNameForm(FlaskForm):
    """A list's name: for a new list, or a new name (then with the version read)."""

    name = StringField(_l("Name of the list"), render_kw={"maxlength": MAX_NAME})
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ShareForm(FlaskForm):
    """Whether planners and recruiters may read the list."""

    shared = BooleanField(_l("Shared: planners and recruiters can read this list"))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ConfirmForm(FlaskForm):
    """A button alone, with its form token: delete a list."""


class RemoveForm(FlaskForm):
    """Take one expert off a list."""

    expert = StringField(widget=HiddenInput())


class AddForm(FlaskForm):
    """Put one or more experts on a list of one's own, or on a new list named here."""

    list = SelectField(_l("Add to the list"), validate_choice=False)
    new_name = StringField(
        _l("Name of the new list"),
        description=_l("Only if you chose “A new list”."),
        render_kw={"maxlength": MAX_NAME},
    )
    expert = SelectMultipleField(validate_choice=False, choices=[])
