"""Text that people type: what can be stored, and a form validator that says so."""

import unicodedata

from wtforms import Field, Form, ValidationError

# Control characters and lone surrogates: no database stores NUL, PostgreSQL no
# surrogate, and nobody types the others on purpose.
_UNREADABLE = {"Cc", "Cs"}


def has_unstorable(text: str, *, multiline: bool = False) -> bool:
    """Say whether ``text`` holds control characters (line breaks and tabs allowed if multiline)."""
    allowed = "\n\t" if multiline else ""
    return any(unicodedata.category(c) in _UNREADABLE and c not in allowed for c in text)


def unstorable_message(label: str) -> str:
    """The message for a field that holds characters that cannot be stored."""
    return (
        f"{label} contains characters that cannot be stored, such as control characters. "
        "Please retype it."
    )


class Storable:
    """WTForms validator: refuse a one-line field holding control characters."""

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, str) and has_unstorable(field.data):
            raise ValidationError(unstorable_message(field.label.text))
