"""Text that people type: the roster's one rule for stored text, as form messages."""

from wtforms import Field, Form, ValidationError

from matching.storable import UnstorableText, storable_text

__all__ = ["Storable", "UnstorableText", "storable_text", "unstorable_message"]


def unstorable_message(label: str) -> str:
    """The message for a field that holds characters that cannot be stored."""
    return (
        f"{label} contains characters that cannot be stored, such as control characters. "
        "Please retype it."
    )


class Storable:
    """WTForms validator: a one-line field stored by the roster's text rule.

    The field's data becomes the text as it will be stored (trimmed), or the field is
    refused if it holds a control character.
    """

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, str):
            try:
                field.data = storable_text(field.data)
            except UnstorableText:
                raise ValidationError(unstorable_message(field.label.text)) from None
