"""Forms of the expert's profile: each section accepts only its own fields.

WTForms reads only the fields a form declares, so a posted ``roles``,
``roster_status``, ``external_id`` or ``user_id`` is never seen. Every section
carries the ``version`` it was opened with, for optimistic locking.
"""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from matching.vocabulary import ACCESSIBILITY_EXPERTISE, GENDERS, LANGUAGE_LEVELS, SENIORITY
from roster.profile.languages import MAX_ROWS
from roster.profile.summary import MAX_SUMMARY
from roster.web.forms import options

_DATE = "Please give a date, like 2027-03-01."
BLANK_ROWS = 2
GENDER_LABELS = {
    "woman": "Woman",
    "man": "Man",
    "non-binary": "Non-binary",
    "self-described": "I describe myself another way",
    "undisclosed": "I prefer not to say",
}


class VersionedForm(FlaskForm):
    """A profile form that carries the version of the profile it was opened with."""

    version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired("The form is incomplete. Please reload the page.")],
    )


class IdentityForm(VersionedForm):
    """Name, nationalities, residence, experience and seniority."""

    PATHS = {f"nationalities[{i}]": f"nationality_{i + 1}" for i in range(3)}

    full_name = StringField(
        "Full name", validators=[DataRequired("Please enter your full name."), Length(max=200)]
    )
    nationality_1 = StringField(
        "Nationality",
        validators=[Length(max=100)],
        description="Type a country's name or its two-letter code.",
    )
    nationality_2 = StringField("Second nationality (if any)", validators=[Length(max=100)])
    nationality_3 = StringField("Third nationality (if any)", validators=[Length(max=100)])
    residence_country = StringField("Country of residence", validators=[Length(max=100)])
    years_experience = IntegerField(
        "Years of electoral experience",
        validators=[
            Optional(),
            NumberRange(0, 70, "Years of electoral experience must be from 0 to 70."),
        ],
        invalid_value_message="Years of electoral experience must be a whole number, like 12.",
        description="Whole years, from 0 to 70.",
    )
    seniority = SelectField(
        "Seniority (UN grade equivalent)",
        default="",
        choices=options([("", "Not given")] + [(s, s) for s in SENIORITY]),
    )


class SensitiveForm(VersionedForm):
    """Gender, disability and birth year, each stored only with its own consent."""

    gender_consent = BooleanField("I agree that the roster stores my gender")
    gender = SelectField(
        "Gender",
        default="",
        choices=options([("", "Not given")] + [(g, GENDER_LABELS.get(g, g)) for g in GENDERS]),
    )
    disability_consent = BooleanField("I agree that the roster stores whether I have a disability")
    disability = SelectField(
        "Do you have a disability?",
        default="",
        choices=options([("", "Not given"), ("yes", "Yes"), ("no", "No")]),
    )
    birth_year_consent = BooleanField("I agree that the roster stores my year of birth")
    birth_year = IntegerField(
        "Year of birth",
        validators=[Optional()],
        invalid_value_message="The year of birth must be a year in figures, like 1978.",
        description="For example 1978.",
    )


class LanguageRow(Form):
    """One language and the level at which the expert works in it."""

    code = StringField(
        "Language",
        validators=[Length(max=100)],
        render_kw={"list": "language-suggestions", "autocomplete": "off"},
    )
    level = SelectField(
        "Level",
        default="",
        choices=options([("", "Choose a level")] + [(v, v) for v in LANGUAGE_LEVELS]),
    )


class LanguagesForm(VersionedForm):
    """The languages, one per row; a row left empty is ignored."""

    languages = FieldList(FormField(LanguageRow), max_entries=MAX_ROWS + BLANK_ROWS)


class SkillRow(Form):
    """One expertise area and the years of experience in it."""

    code = StringField(
        "Expertise area",
        validators=[Length(max=200)],
        render_kw={"list": "skill-suggestions", "autocomplete": "off"},
    )
    years = IntegerField(
        "Years",
        validators=[
            Optional(),
            NumberRange(0, 70, "The years in an expertise area must be from 0 to 70."),
        ],
        invalid_value_message="The years in an expertise area must be a whole number, like 5.",
    )


class SkillsForm(VersionedForm):
    """The expertise areas, one per row; a row left empty is ignored."""

    skills = FieldList(FormField(SkillRow), max_entries=MAX_ROWS + BLANK_ROWS)


class AccessibilityForm(VersionedForm):
    """Accessibility expertise, as checkboxes of the taxonomy's codes."""

    PATHS = {"accessibility_expertise": "codes"}

    codes = SelectMultipleField(
        "Accessibility expertise",
        choices=options(ACCESSIBILITY_EXPERTISE.items()),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )


class PeriodForm(VersionedForm):
    """A first and a last day, both included."""

    PATHS = {"availability[].from": "start", "availability[].to": "end"}

    start = DateField(
        "First day",
        validators=[InputRequired(_DATE)],
        invalid_value_message="The first day must be a date, like 2027-03-01.",
        description="For example 2027-03-01.",
    )
    end = DateField(
        "Last day",
        validators=[InputRequired(_DATE)],
        invalid_value_message="The last day must be a date, like 2027-06-30.",
    )


class DeploymentForm(PeriodForm):
    """A past deployment as the expert declares it."""

    PATHS = {
        "deployments[].from": "start",
        "deployments[].to": "end",
        "deployments[].mission": "mission",
        "deployments[].country": "country",
        "deployments[].role": "role",
    }

    mission = StringField("Mission (if any)", validators=[Length(max=300)])
    country = StringField(
        "Country",
        validators=[DataRequired("Please give the country."), Length(max=100)],
        render_kw={"list": "country-suggestions"},
    )
    role = StringField(
        "Your role", validators=[DataRequired("Please give your role."), Length(max=200)]
    )


class RemoveForm(VersionedForm):
    """Remove one period or deployment of one's own profile."""

    item = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class SummaryForm(VersionedForm):
    """The free-text summary."""

    summary = TextAreaField(
        "Summary",
        validators=[Length(max=MAX_SUMMARY)],
        description=f"What you have done and can do, in your words; "
        f"at most {MAX_SUMMARY:,} characters.",
    )


class CvForm(VersionedForm):
    """A CV as a PDF file."""

    cv = FileField(
        "Your CV (PDF, at most 5 MB)",
        validators=[FileRequired("Please choose your CV as a PDF file.")],
    )


class ConfirmForm(FlaskForm):
    """A button alone: confirm the profile, or remove the CV."""


class DeleteForm(FlaskForm):
    """Erase the account: a confirmation and the password again."""

    understand = BooleanField(
        "I understand this cannot be undone",
        validators=[DataRequired("Tick the box to confirm that you understand.")],
    )
    password = PasswordField(
        "Your password", validators=[DataRequired("Please enter your password."), Length(max=256)]
    )
