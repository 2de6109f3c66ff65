"""Forms of the sign-in pages."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from roster.auth.passwords import MAX_LENGTH, MIN_LENGTH
from roster.text import Storable

_EMAIL = [
    DataRequired("Please enter your email address."),
    Email("Please enter a valid email address, like name@example.org."),
    Length(max=254),
]


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email address", validators=_EMAIL)
    password = PasswordField(
        "Password", validators=[DataRequired("Please enter your password."), Length(max=MAX_LENGTH)]
    )


def _chosen_password(label: str) -> tuple[PasswordField, PasswordField]:
    """A password to choose, and the same typed again."""
    return (
        PasswordField(
            label,
            description=f"At least {MIN_LENGTH} characters. A short sentence works well.",
            validators=[DataRequired("Please choose a password."), Length(max=MAX_LENGTH)],
        ),
        PasswordField(
            f"{label} again",
            validators=[
                DataRequired("Please type the password again."),
                EqualTo("password", "The two passwords are not the same."),
            ],
        ),
    )


class RegisterForm(FlaskForm):
    """What an expert gives to open an account."""

    full_name = StringField(
        "Full name",
        validators=[DataRequired("Please enter your name."), Length(max=200), Storable()],
    )
    email = EmailField("Email address", validators=_EMAIL)
    password, confirm = _chosen_password("Password")


class ResetRequestForm(FlaskForm):
    """The email address to send a reset link to."""

    email = EmailField("Email address", validators=_EMAIL)


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password, confirm = _chosen_password("New password")


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one twice."""

    current = PasswordField(
        "Current password",
        validators=[DataRequired("Please enter your current password."), Length(max=MAX_LENGTH)],
    )
