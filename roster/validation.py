"""What people type, checked by the roster's rules: text, whole numbers, countries.

Each check returns the value as stored, or raises ``Refused`` at the input's own path
(``""``); a service runs it with ``Problems.check(path, ...)``, which places the problem
where it belongs (``full_name``, ``deployments[2].role``). Labels are ``Message``s, so a
sentence that names its field is translated whole where it is shown.
"""

from matching.storable import (
    DIRECTION_CONTROLS,
    UnstorableText,
    describe_character,
    storable_text,
)
from matching.vocabulary import VocabularyError, normalise_country
from roster.messages import N_, Message
from roster.refusal import Problem, Refused

__all__ = [
    "UnstorableText",
    "clean_text",
    "country_code",
    "storable_text",
    "unstorable_message",
    "whole_number",
]


def unstorable_message(label: Message | str, character: str | None = None) -> Message:
    """The message for a field that holds ``character``, which cannot be stored.

    A control of text direction is named, since nothing shows it: the person would
    not find it by looking. Other control characters get one message for all.
    """
    if character is not None and character in DIRECTION_CONTROLS:
        return Message(
            N_(
                "%(label)s contains %(character)s, which would change the order in which "
                "the text is shown. Please retype it rather than paste it."
            ),
            {"label": label, "character": describe_character(character)},
        )
    return Message(
        N_(
            "%(label)s contains characters that cannot be stored, such as control "
            "characters. Please retype it."
        ),
        {"label": label},
    )


def clean_text(
    value: object,
    *,
    label: Message,
    max_length: int,
    required: Message | None = None,
    multiline: bool = False,
) -> str:
    """Return ``value`` as stored, or raise ``Refused`` saying why.

    The roster's one text rule (``matching.storable``, which imports obey too):
    trimmed, CR LF read as LF, control characters refused (line breaks and tabs
    only where ``multiline``), and controls of text direction refused (overrides
    only, where ``multiline``). ``required`` is the message for an empty value.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Refused.at("", N_("%(label)s must be text."), label=label)
    try:
        text = storable_text(value, multiline=multiline)
    except UnstorableText as error:
        raise Refused(Problem("", unstorable_message(label, error.character))) from None
    if required is not None and not text:
        raise Refused(Problem("", required))
    if len(text) > max_length:
        raise Refused.at(
            "",
            N_("%(label)s must be at most %(most)s characters long (it is %(length)s)."),
            label=label,
            most=max_length,
            length=len(text),
        )
    return text


def whole_number(value: object, *, label: Message, low: int, high: int) -> int | None:
    """Return an optional integer within [low, high], or raise ``Refused`` saying why."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refused.at("", N_("%(label)s must be a whole number."), label=label)
    if not low <= value <= high:
        raise Refused.at(
            "",
            N_("%(label)s must be between %(low)s and %(high)s."),
            label=label,
            low=str(low),
            high=str(high),
        )
    return value


def country_code(text: str, *, label: Message) -> str:
    """Read a typed country name or code as ISO 3166-1 alpha-2, or raise ``Refused``."""
    cleaned = clean_text(text, label=label, max_length=100)
    try:
        return normalise_country(cleaned).code
    except VocabularyError:
        from roster.i18n import country_from_display  # late: the page's language

        if code := country_from_display(cleaned):
            return code
        raise Refused.at(
            "",
            N_(
                "We did not recognise '%(text)s' as a country. Type its English name "
                "(like Mali) or its two-letter code (like ML)."
            ),
            text=cleaned,
        ) from None
