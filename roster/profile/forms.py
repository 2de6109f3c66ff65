"""Forms of the expert's profile: each section accepts only its own fields.

WTForms reads only the fields a form declares, so a posted ``roles``,
``roster_status``, ``external_id`` or ``user_id`` is never seen. Every section
carries the ``version`` it was opened with, for optimistic locking.
"""

from flask_babel import LazyString, format_number, gettext
from flask_babel import lazy_gettext as _l
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
from wtforms.validators import AnyOf, DataRequired, InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from matching.vocabulary import ACCESSIBILITY_EXPERTISE, GENDERS, LANGUAGE_LEVELS, SENIORITY
from roster.profiles.rows import MAX_ROWS
from roster.profiles.summary import MAX_SUMMARY
from roster.web.forms import at_most, options

_DATE = _l("Please give a date, like 2027-03-01.")
BLANK_ROWS = 2
GENDER_LABELS = {
    "woman": _l("Woman"),
    "man": _l("Man"),
    "non-binary": _l("Non-binary"),
    "self-described": _l("I describe myself another way"),
    "undisclosed": _l("I prefer not to say"),
}
LEVEL_LABELS = {"native": _l("native")}


class VersionedForm(FlaskForm):
    """A profile form that carries the version of the profile it was opened with."""

    version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(_l("The form is incomplete. Please reload the page."))],
    )


class IdentityForm(VersionedForm):
    """Name, nationalities, residence, experience and seniority."""

    PATHS = {f"nationalities[{i}]": f"nationality_{i + 1}" for i in range(3)}

    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Please enter your full name.")), at_most(200)],
    )
    nationality_1 = StringField(
        _l("Nationality"),
        validators=[at_most(100)],
        description=_l("Type a country's name or its two-letter code."),
    )
    nationality_2 = StringField(_l("Second nationality (if any)"), validators=[at_most(100)])
    nationality_3 = StringField(_l("Third nationality (if any)"), validators=[at_most(100)])
    residence_country = StringField(_l("Country of residence"), validators=[at_most(100)])
    years_experience = IntegerField(
        _l("Years of electoral experience"),
        validators=[
            Optional(),
            NumberRange(0, 70, _l("Years of electoral experience must be from 0 to 70.")),
        ],
        invalid_value_message=_l("Years of electoral experience must be a whole number, like 12."),
        description=_l("Whole years, from 0 to 70."),
    )
    seniority = SelectField(
        _l("Seniority (UN grade equivalent)"),
        default="",
        choices=options([("", _l("Not given"))] + [(s, s) for s in SENIORITY]),
    )


class SensitiveForm(VersionedForm):
    """Gender, disability and birth year, each stored only with its own consent."""

    gender_consent = BooleanField(_l("I agree that the roster stores my gender"))
    gender = SelectField(
        _l("Gender"),
        default="",
        choices=options([("", _l("Not given"))] + [(g, GENDER_LABELS.get(g, g)) for g in GENDERS]),
    )
    disability_consent = BooleanField(
        _l("I agree that the roster stores whether I have a disability")
    )
    disability = SelectField(
        _l("Do you have a disability?"),
        default="",
        choices=options([("", _l("Not given")), ("yes", _l("Yes")), ("no", _l("No"))]),
    )
    birth_year_consent = BooleanField(_l("I agree that the roster stores my year of birth"))
    birth_year = IntegerField(
        _l("Year of birth"),
        validators=[Optional()],
        invalid_value_message=_l("The year of birth must be a year in figures, like 1978."),
        description=_l("For example 1978."),
    )


class LanguageRow(Form):
    """One language and the level at which the expert works in it."""

    code = StringField(
        _l("Language"),
        validators=[at_most(100)],
        render_kw={"list": "language-suggestions", "autocomplete": "off"},
    )
    level = SelectField(
        _l("Level"),
        default="",
        choices=options(
            [("", _l("Choose a level"))] + [(v, LEVEL_LABELS.get(v, v)) for v in LANGUAGE_LEVELS]
        ),
    )


class LanguagesForm(VersionedForm):
    """The languages, one per row; a row left empty is ignored."""

    languages = FieldList(FormField(LanguageRow), max_entries=MAX_ROWS + BLANK_ROWS)


class SkillRow(Form):
    """One expertise area and the years of experience in it."""

    code = StringField(
        _l("Expertise area"),
        validators=[at_most(200)],
        render_kw={"list": "skill-suggestions", "autocomplete": "off"},
    )
    years = IntegerField(
        _l("Years"),
        validators=[
            Optional(),
            NumberRange(0, 70, _l("The years in an expertise area must be from 0 to 70.")),
        ],
        invalid_value_message=_l("The years in an expertise area must be a whole number, like 5."),
    )


class SkillsForm(VersionedForm):
    """The expertise areas, one per row; a row left empty is ignored."""

    skills = FieldList(FormField(SkillRow), max_entries=MAX_ROWS + BLANK_ROWS)


class AccessibilityForm(VersionedForm):
    """Accessibility expertise, as checkboxes of the taxonomy's codes."""

    PATHS = {"accessibility_expertise": "codes"}

    codes = SelectMultipleField(
        _l("Accessibility expertise"),
        # The taxonomy's labels, extracted for translators by babel.cfg.
        choices=options((code, _l(label)) for code, label in ACCESSIBILITY_EXPERTISE.items()),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )


class PeriodForm(VersionedForm):
    """A first and a last day, both included."""

    PATHS = {"availability[].from": "start", "availability[].to": "end"}

    start = DateField(
        _l("First day"),
        validators=[InputRequired(_DATE)],
        invalid_value_message=_l("The first day must be a date, like 2027-03-01."),
        description=_l("For example 2027-03-01."),
    )
    end = DateField(
        _l("Last day"),
        validators=[InputRequired(_DATE)],
        invalid_value_message=_l("The last day must be a date, like 2027-06-30."),
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

    mission = StringField(_l("Mission (if any)"), validators=[at_most(300)])
    country = StringField(
        _l("Country"),
        validators=[DataRequired(_l("Please give the country.")), at_most(100)],
        render_kw={"list": "country-suggestions"},
    )
    role = StringField(
        _l("Your role"), validators=[DataRequired(_l("Please give your role.")), at_most(200)]
    )


class RemoveForm(VersionedForm):
    """Remove one period or deployment of one's own profile."""

    item = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class SummaryForm(VersionedForm):
    """The free-text summary."""

    summary = TextAreaField(
        _l("Summary"),
        validators=[at_most(MAX_SUMMARY)],
        description=LazyString(
            lambda: gettext(
                "What you have done and can do, in your words; at most %(count)s characters.",
                count=format_number(MAX_SUMMARY),
            )
        ),
    )


class CvForm(VersionedForm):
    """A CV as a PDF file."""

    cv = FileField(
        _l("Your CV (PDF, at most 5 MB)"),
        validators=[FileRequired(_l("Please choose your CV as a PDF file."))],
    )


class ConfirmForm(FlaskForm):
    """A button alone: confirm the profile, or remove the CV."""


class DeleteForm(FlaskForm):
    """Erase the account: a confirmation and the password again."""

    understand = BooleanField(
        _l("I understand this cannot be undone"),
        validators=[DataRequired(_l("Tick the box to confirm that you understand."))],
    )
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Please enter your password.")), at_most(256)],
    )


class AnswerForm(FlaskForm):
    """Answer a call-out from one's own page: the button pressed gives the answer."""

    answer = StringField(
        _l("Your answer"),
        validators=[
            AnyOf(
                ["available", "unavailable"],
                message=_l("Choose whether you are available or not."),
            )
        ],
    )
