"""Messages written outside the web layer, translated where they are shown.

Services and the matcher stay free of Flask: they mark a message with ``N_`` (found by
the extraction, see ``babel.cfg``) and give its parameters apart, in a ``Message``; the
page that shows it translates the text, then fills in the parameters
(``roster.i18n.translate``). ``str()`` of a message is its English text.

A parameter may itself be a ``Message`` (a field's label inside a sentence), a whole
number (shown with the locale's digit grouping: 20,000) or a date (shown as people read
it: 1 March 2027); each is shown in the reader's language where the message is.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any


def N_(message: str) -> str:  # noqa: N802  (the name gettext tools know)
    """Mark ``message`` for translation; return it unchanged."""
    return message


class Shown(int):
    """A whole number that ``%(name)s`` shows in a locale's way (``%(name)d`` as it is)."""

    def __new__(cls, value: int, text: str) -> "Shown":
        number = super().__new__(cls, value)
        number.text = text
        return number

    def __str__(self) -> str:
        return self.text


def english(value: Any) -> Any:
    """A message's parameter as English text shows it."""
    if isinstance(value, Message):
        return str(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Shown(value, f"{value:,}")
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return value


@dataclass(frozen=True)
class Message:
    """A message id (its English text, with ``%(name)s`` placeholders) and its parameters."""

    text: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if not self.params:
            return self.text
        return self.text % {name: english(value) for name, value in self.params.items()}


def either(items: list[Any]) -> Any:
    """Items as alternatives: 'a or b or c', each item translated where shown."""
    words = items[0]
    for item in items[1:]:
        words = Message(N_("%(some)s or %(other)s"), {"some": words, "other": item})
    return words


def listed(items: list[Any]) -> Any:
    """Items in a list: 'a, b, c', each item translated where shown."""
    words = items[0]
    for item in items[1:]:
        words = Message(N_("%(some)s, %(other)s"), {"some": words, "other": item})
    return words


def extract_taxonomy(fileobj, keywords, comment_tags, options):
    """Babel extractor: the labels of the taxonomy's expertise areas and accessibility codes.

    Named in ``babel.cfg``; the labels are then translated where shown, like ``N_`` text.
    """
    import json

    taxonomy = json.load(fileobj)
    for vocabulary in ("expertise_areas", "accessibility_expertise"):
        for code, label in taxonomy[vocabulary].items():
            yield 0, None, label, [f"taxonomy {vocabulary}: {code}"]
