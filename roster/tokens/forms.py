"""The form that makes a personal access token."""

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from roster.accounts.tokens import DEFAULT_DAYS, MAX_DAYS, MAX_NAME, SCOPES
from roster.i18n import translate
from roster.web.forms import at_most, options

# How long a token may last, offered as choices; the service allows 1 to MAX_DAYS.
LIFETIMES = (7, 30, DEFAULT_DAYS, 180, MAX_DAYS)


def _whole_days(value: object) -> int:
    """The chosen lifetime as a number; anything else as 0, which the service refuses."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


class ScopeCheckboxes(SelectMultipleField):
    """Scopes as a list of checkboxes, each labelled by what it allows."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NewTokenForm(FlaskForm):
    """A token's name, scopes and lifetime; the service checks them all."""

    # A scope's problem (``scopes[1]``) is shown on the checkboxes.
    PATHS = {"scopes[]": "scopes"}

    name = StringField(
        _l("Name"),
        description=_l("What the token is for, such as the script or system that will use it."),
        validators=[at_most(MAX_NAME)],
    )
    # Choices are the account's own scopes (see ``offering``); a scope sent that is not
    # one of them reaches the service, which says why it is refused.
    scopes = ScopeCheckboxes(_l("Scopes"), validate_choice=False)
    days = SelectField(
        _l("Expires after"),
        coerce=_whole_days,
        default=DEFAULT_DAYS,
        validate_choice=False,
        description=_l("At most %(days)d days. Make a new token before it expires.", days=MAX_DAYS),
    )

    @classmethod
    def offering(cls, allowed: list[str]) -> "NewTokenForm":
        """The form offering the scopes ``allowed`` (those the account's roles allow)."""
        form = cls()
        form.scopes.choices = options(
            (name, translate(SCOPES[name].description)) for name in allowed
        )
        form.days.choices = options(
            (days, ngettext("%(num)d day", "%(num)d days", days)) for days in LIFETIMES
        )
        return form


class RevokeForm(FlaskForm):
    """A revoke button with its CSRF token."""
