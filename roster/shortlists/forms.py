"""Forms of a role's shortlist page: widening the role, and a candidate's next outcome.

Each page carries many small forms, so these leave the CSRF token to the page's own
hidden input (``CSRFProtect`` checks every POST) and take a prefix per candidate: no two
fields of the page share an id.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from matching.scoring import CRITERIA
from roster.missions.shortlists import CRITERION_HINTS, CRITERION_NAMES, MAX_WEIGHT
from roster.web.forms import at_most, options

MAX_REASON = 500  # decisions.schema.json: reason


class Checkboxes(SelectMultipleField):
    """Choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WidenForm(FlaskForm):
    """Ask for the role more loosely, to see (and then issue) the wider shortlist."""

    class Meta:
        csrf = False

    partial = BooleanField(_l("Allow partial availability"))
    lower = Checkboxes(_l("Accept one level lower in"), choices=[])
    optional = Checkboxes(_l("Make desired rather than required"), choices=[])


class OutcomeForm(FlaskForm):
    """What happened to a candidate next; it carries the outcome it was shown at."""

    class Meta:
        csrf = False

    to = SelectField(_l("Next outcome"), choices=[], validate_choice=False)
    reason = TextAreaField(
        _l("Reason or note"),
        validators=[at_most(MAX_REASON)],
        description=_l(
            "Required for “not selected” and for a withdrawal; on “completed”, the "
            "appraisal's note."
        ),
    )
    rating = SelectField(
        _l("Rating (on completion)"),
        choices=options([("", _l("No rating")), *((str(n), str(n)) for n in range(1, 6))]),
        default="",
    )
    shown_at = HiddenField()


class WeightField(StringField):
    """A criterion's weight: a number input whose text the service reads and checks."""


class WeighForm(FlaskForm):
    """The planner's weight for each criterion of the score, for one request.

    Its fields are named ``weights-<criterion>``, so a refusal at ``weights.skills``
    lands on its field. The text is read by ``asked``; the service says what is
    wrong with it (``roster.missions.shortlists.check_weights``).
    """

    class Meta:
        csrf = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="weights", **kwargs)

    def asked(self) -> dict[str, object]:
        """Each criterion's weight as a number, or as the text sent where it is not one."""
        return {name: _number(self[name].data) for name in CRITERIA}


def _number(text: object) -> object:
    written = str(text if text is not None else "").strip()
    try:
        return float(written)
    except ValueError:
        return written


for _name in CRITERIA:
    setattr(
        WeighForm,
        _name,
        WeightField(
            _l(CRITERION_NAMES[_name]) if _name in CRITERION_NAMES else _name,
            description=_l(CRITERION_HINTS[_name]) if _name in CRITERION_HINTS else "",
            widget=NumberInput(step="any", min=0, max=MAX_WEIGHT),
            render_kw={"inputmode": "decimal"},
        ),
    )
