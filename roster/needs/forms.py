"""Forms of the needs pages: the assessment with its roles as rows, the upload, the buttons.

A role's lists (expertise areas, languages) are rows of one value each, so that each row
has its own suggestions (``<datalist>`` suggests one value per box) and a problem found
at ``roles[1].required_skills[2]`` lands on that very box. Rows left empty are ignored;
``NeedsForm.record`` builds the ``needs.schema.json`` record from the rows filled in and
``NeedsForm.field_path`` takes a problem's path in that record back to the row it came from.
"""

import re
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from matching.vocabulary import ACCESSIBILITY_EXPERTISE, LANGUAGE_LEVELS, SENIORITY
from roster.i18n import country_from_display
from roster.missions.assessments import DEFAULT_REMINDER_DAYS
from roster.missions.records import MAX_DESCRIPTION, MAX_TITLE
from roster.web.forms import Storable, at_most, options

MAX_ROLES = 60
MAX_LIST_ROWS = 30
# Empty rows shown at the end of each list of a role, so that one more can be typed.
BLANK_SKILLS, BLANK_LANGUAGES = 2, 1
LEVEL_LABELS = {"native": _l("native")}
_DATE_HINT = _l("For example 2027-03-01.")
_ROLE_PATH = re.compile(r"^roles\[(\d+)\](?:\.(\w+)(?:\[(\d+)\])?)?(.*)$")
ROLE_LISTS = ("required_skills", "desired_skills", "required_languages", "desired_languages")


class LanguageRow(Form):
    """A language (name or code) and the least level wanted in it."""

    code = StringField(
        _l("Language"),
        validators=[at_most(100), Storable()],
        render_kw={"list": "language-suggestions", "autocomplete": "off"},
    )
    level = SelectField(
        _l("Level"),
        default="",
        choices=options(
            [("", _l("Choose a level"))] + [(v, LEVEL_LABELS.get(v, v)) for v in LANGUAGE_LEVELS]
        ),
    )

    def validate_level(self, field) -> None:
        """A language needs its level."""
        if (self.code.data or "").strip() and not field.data:
            raise ValidationError(_l("Choose the level wanted in this language."))

    def validate_code(self, field) -> None:
        """A level needs its language."""
        if self.level.data and not (field.data or "").strip():
            raise ValidationError(_l("Type the language, or choose no level."))


def _skill_box() -> StringField:
    return StringField(
        _l("Expertise area"),
        validators=[at_most(200), Storable()],
        render_kw={"list": "skill-suggestions", "autocomplete": "off"},
    )


def _period_day(label) -> DateField:
    return DateField(
        label,
        validators=[Optional()],
        invalid_value_message=_l("Give a date, like 2027-03-01."),
    )


class RoleForm(Form):
    """One role of the assessment."""

    title = StringField(_l("Role title"), validators=[at_most(MAX_TITLE), Storable()])
    key = StringField(
        _l("Role id"),
        validators=[at_most(64), Storable()],
        description=_l("Short and unique within the assessment, like R1."),
    )
    positions = IntegerField(
        _l("Positions"),
        default=1,
        validators=[
            InputRequired(_l("Give the number of positions, like 2.")),
            NumberRange(1, 999, _l("A role has from 1 to 999 positions.")),
        ],
        invalid_value_message=_l("The positions must be a whole number, like 2."),
    )
    seniority = SelectField(
        _l("Seniority (UN grade)"),
        default="",
        choices=options([("", _l("Any"))] + [(s, s) for s in SENIORITY]),
    )
    min_years = IntegerField(
        _l("Minimum years of experience"),
        validators=[
            Optional(),
            NumberRange(0, 70, _l("The minimum years must be from 0 to 70.")),
        ],
        invalid_value_message=_l("The minimum years must be a whole number, like 10."),
    )
    required_skills = FieldList(_skill_box(), max_entries=MAX_LIST_ROWS)
    desired_skills = FieldList(_skill_box(), max_entries=MAX_LIST_ROWS)
    required_languages = FieldList(FormField(LanguageRow), max_entries=MAX_LIST_ROWS)
    desired_languages = FieldList(FormField(LanguageRow), max_entries=MAX_LIST_ROWS)
    accessibility_expertise = SelectMultipleField(
        _l("Accessibility expertise wanted"),
        # The taxonomy's labels, extracted for translators by babel.cfg.
        choices=options((code, _l(label)) for code, label in ACCESSIBILITY_EXPERTISE.items()),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )
    description = TextAreaField(
        _l("Terms of reference"), validators=[at_most(MAX_DESCRIPTION)], render_kw={"rows": 5}
    )
    start = _period_day(_l("First day of the role (if not the mission's)"))
    end = _period_day(_l("Last day of the role (if not the mission's)"))

    def is_blank(self) -> bool:
        """Whether nothing was typed or chosen in the row (its suggested id aside)."""
        lists = [*self.required_skills, *self.desired_skills]
        languages = [*self.required_languages, *self.desired_languages]
        return not (
            (self.title.data or "").strip()
            or any((box.data or "").strip() for box in lists)
            or any((row.code.data or "").strip() or row.level.data for row in languages)
            or self.seniority.data
            or self.min_years.data is not None
            or self.accessibility_expertise.data
            or (self.description.data or "").strip()
            or self.start.data
            or self.end.data
        )


def _percent(label, *, required: bool, low_open: bool, message, default=None) -> DecimalField:
    def in_range(form, field) -> None:
        if field.data is None:
            return
        low_ok = field.data > 0 if low_open else field.data >= 0
        if not (low_ok and field.data <= 100):
            raise ValidationError(message)

    checks = [InputRequired(_l("Give a percentage, like 50."))] if required else [Optional()]
    return DecimalField(
        label,
        places=None,
        default=default,
        validators=[*checks, in_range],
        invalid_value_message=_l("Give a percentage as a number, like 50."),
    )


class NeedsForm(FlaskForm):
    """A needs assessment: the mission's terms, then its roles as rows."""

    PATHS = {"id": "external_id"}

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    external_id = StringField(
        _l("Assessment id"),
        validators=[at_most(64), Storable()],
        description=_l(
            "Left empty, it is made from the year and the host country, like NA-2027-ML-1."
        ),
    )
    title = StringField(_l("Title"), validators=[at_most(MAX_TITLE), Storable()])
    country = StringField(
        _l("Host country"),
        validators=[InputRequired(_l("Give the host country.")), at_most(100), Storable()],
        description=_l("Type the country's name or its two-letter code."),
        render_kw={"list": "country-suggestions", "autocomplete": "off"},
        # A name as the page's language writes it (the suggestions offer those) is read
        # as its code here; English names and codes are read by the needs' vocabulary.
        filters=[lambda text: (country_from_display(text) or text) if text else text],
    )
    start = DateField(
        _l("First day of the mission"),
        validators=[InputRequired(_l("Give the mission's first day, like 2027-03-01."))],
        invalid_value_message=_l("The first day must be a date, like 2027-03-01."),
        description=_DATE_HINT,
    )
    end = DateField(
        _l("Last day of the mission"),
        validators=[InputRequired(_l("Give the mission's last day, like 2027-06-30."))],
        invalid_value_message=_l("The last day must be a date, like 2027-06-30."),
    )
    gender_target = _percent(
        _l("Women on each shortlist, at least (%)"),
        required=True,
        low_open=False,
        message=_l("The share of women is a percentage from 0 to 100."),
        default=Decimal(50),
    )
    max_region_share = _percent(
        _l("Largest share of one UN regional group (%, optional)"),
        required=False,
        low_open=True,
        message=_l("The largest share of a regional group is a percentage above 0, up to 100."),
    )
    exclude_nationals = BooleanField(_l("Exclude nationals of the host country"), default=True)
    allow_partial_availability = BooleanField(_l("Accept experts available for part of the period"))
    blind_review = BooleanField(
        _l("Blind review: hide names and nationalities on shortlists until a decision")
    )
    reminder_days = IntegerField(
        _l("Remind candidates who have not answered a call-out after (days)"),
        default=DEFAULT_REMINDER_DAYS,
        validators=[
            InputRequired(_l("Give the days before a reminder, from 1 to 30.")),
            NumberRange(1, 30, _l("The reminder is sent from 1 to 30 days after a call-out.")),
        ],
        invalid_value_message=_l("The days before a reminder must be a whole number, like 5."),
    )
    roles = FieldList(FormField(RoleForm), max_entries=MAX_ROLES)

    # --- rows -----------------------------------------------------------------------------

    def filled_roles(self) -> list[tuple[int, RoleForm]]:
        """(row index, row) of the roles filled in."""
        return [(i, entry.form) for i, entry in enumerate(self.roles) if not entry.form.is_blank()]

    def next_role_key(self) -> str:
        """``R<n>``: one past the highest ``R`` number among the rows."""
        numbers = [
            int(found.group(1))
            for entry in self.roles
            if (found := re.fullmatch(r"R(\d+)", (entry.form.key.data or "").strip()))
        ]
        return f"R{max(numbers, default=0) + 1}"

    def add_role(self) -> bool:
        """Add an empty role row with the next id; False when no more rows fit."""
        if len(self.roles) >= MAX_ROLES:
            return False
        self.roles.append_entry({"key": self.next_role_key(), "positions": 1})
        return True

    def pad(self) -> None:
        """Leave empty rows at the end of every list, and at least one role."""
        if not len(self.roles):
            self.add_role()
        for entry in self.roles:
            role = entry.form
            for name in ROLE_LISTS:
                rows = getattr(role, name)
                wanted = BLANK_SKILLS if name.endswith("skills") else BLANK_LANGUAGES
                blanks = 0
                for row in reversed(rows.entries):
                    if _row_blank(row):
                        blanks += 1
                    else:
                        break
                while blanks < wanted and len(rows) < MAX_LIST_ROWS:
                    rows.append_entry()
                    blanks += 1

    # --- between the rows and the record --------------------------------------------------

    def record(self, *, suggested_id: str) -> tuple[dict[str, Any], dict[str, str]]:
        """The ``needs.schema.json`` record of the rows filled in, and where each came from.

        Returns:
            The record, and ``{record path: form path}`` for each role and list row
            (``roles[0].required_languages[0]`` -> ``roles[1].required_languages[2]``).
        """
        record: dict[str, Any] = {"id": (self.external_id.data or "").strip() or suggested_id}
        if self.title.data:
            record["title"] = self.title.data
        record |= {
            "country": self.country.data,
            "start": self.start.data.isoformat(),
            "end": self.end.data.isoformat(),
            "gender_target": _share(self.gender_target.data),
        }
        if self.max_region_share.data is not None:
            record["max_region_share"] = _share(self.max_region_share.data)
        record |= {
            "exclude_nationals": bool(self.exclude_nationals.data),
            "allow_partial_availability": bool(self.allow_partial_availability.data),
            "roles": [],
        }
        origins: dict[str, str] = {}
        for index, (row, role) in enumerate(self.filled_roles()):
            origins[f"roles[{index}]"] = f"roles[{row}]"
            record["roles"].append(_role_record(role, f"roles[{index}]", f"roles[{row}]", origins))
        return record, origins

    @staticmethod
    def field_path(path: str, origins: dict[str, str]) -> str:
        """The form's path for a problem at ``path`` of the record built by ``record``."""
        found = _ROLE_PATH.match(path)
        if not found:
            return path
        index, name, item, rest = found.groups()
        role = origins.get(f"roles[{index}]", f"roles[{index}]")
        if name is None:  # the role's own dates are reversed
            return f"{role}.start"
        if name == "id":
            name = "key"
        if item is None:
            return f"{role}.{name}{rest}"
        row = origins.get(f"roles[{index}].{name}[{item}]", f"{role}.{name}[{item}]")
        if name.endswith("languages") and not rest:
            rest = ".code"
        return f"{row}{rest}"


def _row_blank(row) -> bool:
    if isinstance(row, FormField):
        return not ((row.form.code.data or "").strip() or row.form.level.data)
    return not (row.data or "").strip()


def _share(percent: Decimal) -> float:
    """A percentage as the format's share: 50 -> 0.5."""
    return float(round(percent / 100, 6))


def _role_record(role: RoleForm, path: str, row: str, origins: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": (role.key.data or "").strip(),
        "title": role.title.data or "",
        "positions": role.positions.data,
    }
    if role.seniority.data:
        record["seniority"] = role.seniority.data
    if role.min_years.data is not None:
        record["min_years"] = role.min_years.data
    for name in ROLE_LISTS:
        values: list[Any] = []
        for box_index, box in enumerate(getattr(role, name)):
            if _row_blank(box):
                continue
            origins[f"{path}.{name}[{len(values)}]"] = f"{row}.{name}[{box_index}]"
            if isinstance(box, FormField):
                values.append({"code": box.form.code.data.strip(), "level": box.form.level.data})
            else:
                values.append(box.data.strip())
        if values:
            record[name] = values
    if role.accessibility_expertise.data:
        record["accessibility_expertise"] = list(role.accessibility_expertise.data)
    if role.description.data:
        record["description"] = role.description.data
    if role.start.data:
        record["start"] = role.start.data.isoformat()
    if role.end.data:
        record["end"] = role.end.data.isoformat()
    return record


def form_data(record: dict[str, Any], *, blind_review: bool, reminder_days: int) -> dict:
    """The form's data for a stored record (``records.needs_record``)."""
    region = record.get("max_region_share")
    return {
        "external_id": record["id"],
        "title": record.get("title", ""),
        "country": record["country"],
        "start": _day(record["start"]),
        "end": _day(record["end"]),
        "gender_target": _percent_of(record.get("gender_target", 0.5)),
        "max_region_share": None if region is None else _percent_of(region),
        "exclude_nationals": record.get("exclude_nationals", True),
        "allow_partial_availability": record.get("allow_partial_availability", False),
        "blind_review": blind_review,
        "reminder_days": reminder_days,
        "roles": [
            {
                "key": role["id"],
                "title": role["title"],
                "positions": role.get("positions", 1),
                "seniority": role.get("seniority", ""),
                "min_years": role.get("min_years"),
                **{name: list(role.get(name, [])) for name in ROLE_LISTS},
                "accessibility_expertise": list(role.get("accessibility_expertise", [])),
                "description": role.get("description", ""),
                "start": _day(role.get("start")),
                "end": _day(role.get("end")),
            }
            for role in record["roles"]
        ],
    }


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _percent_of(share: float) -> Decimal:
    """A share as the form's percentage: 0.5 -> 50, 0.333 -> 33.3."""
    value = Decimal(str(round(share * 100, 4)))
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


class UploadForm(FlaskForm):
    """A needs file to review before it is saved."""

    file = FileField(
        _l("Needs file (JSON, at most 10 MB)"),
        validators=[FileRequired(_l("Choose a needs file to upload."))],
        description=_l("A needs assessment in the roster's needs format (needs.schema.json)."),
    )


class ReviewedForm(FlaskForm):
    """The reviewed record, signed, sent back to be saved."""

    reviewed = HiddenField(validators=[InputRequired()])


class StatusForm(FlaskForm):
    """Close or reopen an assessment: a button alone."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
