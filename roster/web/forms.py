"""Forms and their errors: a refusal's problems put on the fields their paths name.

A service refuses with problems at paths in the interchange format's terms
(``languages[0].code``, ``nationalities[1]``, ``""`` for the whole input); a form finds
the field for a path by WTForms' own naming (``languages-0-code``), or by its ``PATHS``
where its fields are named otherwise (``{"nationalities[1]": "nationality_2"}``; ``[]``
stands for any row: ``{"availability[].from": "start"}``).
"""

import re
from collections.abc import Iterator

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, FieldList, Form, FormField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from roster.i18n import translate
from roster.refusal import Refused
from roster.validation import UnstorableText, storable_text, unstorable_message

_ROW = re.compile(r"\[\d+\]")


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def at_most(characters: int) -> Length:
    """At most ``characters`` characters, said as WTForms says it, marked for translation."""
    return Length(max=characters, message=_l("Field cannot be longer than %(max)d characters."))


def leaves(fields) -> Iterator[Field]:
    """Every input field of a form, rows of lists included."""
    for field in fields:
        if isinstance(field, FieldList):
            yield from leaves(field.entries)
        elif isinstance(field, FormField):
            yield from leaves(field.form)
        else:
            yield field


def field_name(form: FlaskForm, path: str) -> str:
    """The name of the field that holds ``path`` in ``form``."""
    declared = getattr(form, "PATHS", {})
    if path in declared:
        return declared[path]
    if _ROW.sub("[]", path) in declared:
        return declared[_ROW.sub("[]", path)]
    # languages[0].code -> languages-0-code, as WTForms names the rows of a FieldList.
    return re.sub(r"\[(\d+)\]\.?", r"-\1-", path).rstrip("-").replace(".", "-")


def show_refusal(form: FlaskForm, refusal: Refused) -> None:
    """Put each problem on the field its path names, translated; the others on the form."""
    by_name = {field.name: field for field in leaves(form)}
    for found in refusal.problems:
        field = by_name.get(field_name(form, found.path)) if found.path else None
        message = translate(found.message)
        if field is None or _hidden(field):
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def error_list(form: FlaskForm) -> list[tuple[str | None, str]]:
    """(field id or None, message) for the error summary at the top of a page."""
    found: list[tuple[str | None, str]] = [(None, m) for m in form.form_errors]
    for field in leaves(form):
        if field.name == "csrf_token":
            if field.errors:
                found.append((None, gettext("The form expired. Please send it again.")))
            continue
        linked = None if _hidden(field) else field.id
        found += [(linked, message) for message in field.errors]
    return found


def _hidden(field: Field) -> bool:
    return getattr(field.widget, "input_type", None) == "hidden"


def set_version(form: FlaskForm, version: int) -> None:
    """Make a re-rendered form carry the record's current version."""
    form.version.data = version
    form.version.raw_data = [str(version)]


class Storable:
    """WTForms validator: a one-line field stored by the roster's text rule.

    The field's data becomes the text as it will be stored (trimmed), or the field is
    refused if it holds a control character or a control of text direction.
    """

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, str):
            try:
                field.data = storable_text(field.data)
            except UnstorableText as error:
                message = unstorable_message(field.label.text, error.character)
                raise ValidationError(translate(message)) from None
