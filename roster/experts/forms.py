"""Forms of the staff's expert pages: the search's filters, a profile's reason, export and bulk."""

import pycountry
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from matching.vocabulary import (
    ACCESSIBILITY_EXPERTISE,
    EXPERTISE_AREAS,
    LANGUAGE_LEVELS,
    SENIORITY,
    UN_REGIONAL_GROUPS,
)
from roster.experts.services import MAX_NOTE
from roster.policy.privacy import VIEW_PURPOSES
from roster.recruiting.export import MAX_REASON
from roster.search import SearchForm, search_field
from roster.web.display import (
    ROSTER_STATUS_WORDS,
    country_label,
    language_suggestions,
    level_label,
)
from roster.web.forms import Storable, at_most, options


class Checkboxes(SelectMultipleField):
    """Choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _country_choices() -> list[tuple[str, str]]:
    return sorted(
        ((c.alpha_2, country_label(c.alpha_2)) for c in pycountry.countries),
        key=lambda pair: pair[1],
    )


class ExpertSearchForm(SearchForm):
    """The search's filters, read from the page's address (``roster.recruiting.search``).

    Field names are the address's arguments, so a refusal's path names its field. The
    form only shows the filters: ``parse_criteria`` reads them.
    """

    q = search_field(_l("Name or reference"))
    text = search_field(_l("Words in the summary"))
    skill = Checkboxes(_l("Expertise areas"), choices=[])
    match = RadioField(
        _l("Expertise to hold"),
        choices=options([("all", _l("all of those ticked")), ("any", _l("any of those ticked"))]),
        default="all",
    )
    expertise = RadioField(
        _l("Counted expertise"),
        choices=options(
            [
                ("", _l("verified or self-declared")),
                ("verified", _l("verified only")),
                ("self-declared", _l("self-declared only")),
            ]
        ),
        default="",
    )
    lang = SelectField(_l("Language"), choices=[])
    level = SelectField(_l("At least at level"), choices=[])
    sign = BooleanField(_l("Works in a sign language"), false_values=("", "0"))
    access = Checkboxes(_l("Accessibility expertise"), choices=[])
    region = Checkboxes(_l("UN regional group"), choices=[])
    nationality = SelectField(_l("Nationality"), choices=[])
    status = Checkboxes(_l("Roster status"), choices=[])
    from_ = StringField(_l("First day"), name="from", render_kw={"type": "date"})
    to = StringField(_l("Last day"), render_kw={"type": "date"})
    seniority = SelectField(_l("Seniority at least"), choices=[])
    years = StringField(
        _l("Years of experience at least"),
        render_kw={"inputmode": "numeric", "pattern": "[0-9]*", "size": 4},
    )
    stale = BooleanField(_l("Profile not confirmed for a year"), false_values=("", "0"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.skill.choices = options(EXPERTISE_AREAS.items())
        self.access.choices = options(ACCESSIBILITY_EXPERTISE.items())
        self.region.choices = options((group, group) for group in UN_REGIONAL_GROUPS)
        self.status.choices = options(ROSTER_STATUS_WORDS.items())
        self.lang.choices = options(
            [("", _l("Any language"))]
            + [(code, f"{name} ({code})") for code, name in language_suggestions()]
        )
        self.level.choices = options(
            [("", _l("Any level"))] + [(lv, level_label(lv)) for lv in LANGUAGE_LEVELS]
        )
        self.nationality.choices = options([("", _l("Any nationality"))] + _country_choices())
        self.seniority.choices = options([("", _l("Any grade"))] + [(g, g) for g in SENIORITY])


class ExportForm(FlaskForm):
    """Export a search's result as CSV, for a stated reason (audited)."""

    query = HiddenField(id="export-query")
    sort = HiddenField(id="export-sort")
    reason = StringField(
        _l("Reason for the export"),
        id="export-reason",
        validators=[at_most(MAX_REASON), Storable()],
        description=_l("Recorded with the search and the number of rows."),
    )


class BulkForm(FlaskForm):
    """A roster-status change for a search's result, or the rows ticked in it."""

    # Ids of their own: the search's filters, on the same page, hold a "to" and a "query".
    query = HiddenField(id="bulk-query")
    to = SelectField(_l("Move to roster status"), choices=[], id="bulk-to")
    scope = RadioField(
        _l("Which experts"),
        id="bulk-scope",
        choices=options(
            [("all", _l("all results of this search")), ("ticked", _l("only the rows ticked"))]
        ),
        default="all",
    )
    expert = SelectMultipleField(choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.to.choices = options(
            [("", _l("Choose a status"))]
            + [(code, gettext(words)) for code, words in ROSTER_STATUS_WORDS.items()]
        )


class BulkConfirmForm(BulkForm):
    """The confirmation of a bulk change: its one reason, and the plan it confirms."""

    fingerprint = HiddenField()
    reason = TextAreaField(
        _l("Reason"),
        validators=[at_most(1000)],
        description=_l("Each expert reads it in their status history."),
    )


class ViewReasonForm(FlaskForm):
    """Why a staff member opens a profile; the expert reads it."""

    purpose = SelectField(
        _l("Why are you opening this profile?"),
        choices=options([("", _l("Choose a reason")), *VIEW_PURPOSES.items()]),
    )
    note = StringField(
        _l("Details (required for “Other”)"),
        validators=[at_most(MAX_NOTE), Storable()],
        description=_l("The expert can read who opened the profile, when, and why."),
    )
