"""Text that people type: the roster's one rule for stored text, as form messages."""

from wtforms import Field, Form, ValidationError

from matching.storable import (
    DIRECTION_CONTROLS,
    UnstorableText,
    describe_character,
    storable_text,
)

__all__ = ["Storable", "UnstorableText", "storable_text", "unstorable_message"]


def unstorable_message(label: str, character: str | None = None) -> str:
    """The message for a field that holds ``character``, which cannot be stored.

    A control of text direction is named, since nothing shows it: the person would
    not find it by looking. Other control characters get one message for all.
    """
    if character is not None and character in DIRECTION_CONTROLS:
        return (
            f"{label} contains {describe_character(character)}, which would change the "
            "order in which the text is shown. Please retype it rather than paste it."
        )
    return (
        f"{label} contains characters that cannot be stored, such as control characters. "
        "Please retype it."
    )


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
                raise ValidationError(message) from None
