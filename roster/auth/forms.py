"""Forms of the sign-in pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from roster.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from roster.web.forms import Storable

_EMAIL = [
    DataRequired(_l("Please enter your email address.")),
    Email(_l("Please enter a valid email address, like name@example.org.")),
    Length(max=254),
]


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email address"), validators=_EMAIL)
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Please enter your password.")), Length(max=MAX_LENGTH)],
    )


def _chosen_password(label: object, again: object) -> tuple[PasswordField, PasswordField]:
    """A password to choose, and the same typed again."""
    return (
        PasswordField(
            label,
            description=_l(
                "At least %(count)d characters. A short sentence works well.", count=MIN_LENGTH
            ),
            validators=[DataRequired(_l("Please choose a password.")), Length(max=MAX_LENGTH)],
        ),
        PasswordField(
            again,
            validators=[
                DataRequired(_l("Please type the password again.")),
                EqualTo("password", _l("The two passwords are not the same.")),
            ],
        ),
    )


class RegisterForm(FlaskForm):
    """What an expert gives to open an account."""

    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Please enter your name.")), Length(max=200), Storable()],
    )
    email = EmailField(_l("Email address"), validators=_EMAIL)
    password, confirm = _chosen_password(_l("Password"), _l("Password again"))


class ResetRequestForm(FlaskForm):
    """The email address to send a reset link to."""

    email = EmailField(_l("Email address"), validators=_EMAIL)


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password, confirm = _chosen_password(_l("New password"), _l("New password again"))


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one twice."""

    current = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(_l("Please enter your current password.")),
            Length(max=MAX_LENGTH),
        ],
    )
