"""Forms of the saved searches pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.widgets import HiddenInput

from roster.recruiting.saved import MAX_NAME


class SaveSearchForm(FlaskForm):
    """Keep the search shown (its query string) under a name."""

    name = StringField(_l("Name of the search"), render_kw={"maxlength": MAX_NAME})
    query = StringField(widget=HiddenInput())


class WatchForm(FlaskForm):
    """Watch a saved search for a daily digest, or stop."""

    watched = BooleanField(_l("Watch: mail me daily the experts who newly match"))


class ConfirmForm(FlaskForm):
    """A button alone, with its form token: delete a saved search."""
