"""The language of each page: the user's choice, then the browser's, English by default.

Flask-Babel formats dates and numbers and looks up translations. Beside the shipped
languages there are two pseudo-locales, for development and tests only: ``en-XA``
turns every marked string into accented, bracketed text, and ``ar-XB`` does the same
on a right-to-left page. A page shown in either makes any text that was not marked for
translation stand out, and ``ar-XB`` shows whether the layout mirrors.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from babel.support import NullTranslations
from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask.globals import _cv_request
from flask_babel import (
    Babel,
    Domain,
    _get_current_context,
    format_date,
    format_number,
    get_locale,
    gettext,
    ngettext,
)

from matching import messages as matcher_messages
from matching import vocabulary as vocab
from roster.auth.access import public
from roster.messages import Message, Shown

SESSION_KEY = "ui_locale"


@dataclass(frozen=True)
class UiLocale:
    """A language the pages can be shown in."""

    tag: str  # BCP 47, as in <html lang>
    name: str  # in its own language, as a language menu shows it
    direction: str = "ltr"
    # The locale that formats dates and numbers; a pseudo-locale formats as English.
    formats_as: str = ""
    pseudo: bool = False

    @property
    def babel_name(self) -> str:
        """The name Babel parses (``en``, ``fr_CA``)."""
        return (self.formats_as or self.tag).replace("-", "_")


# English pages write dates and numbers as the United Nations' English does (1 March 2027).
SHIPPED = (UiLocale("en", "English", formats_as="en_GB"),)
PSEUDO = (
    UiLocale("en-XA", "[Ƥšéûðö]", formats_as="en_GB", pseudo=True),
    UiLocale("ar-XB", "[Ƥšéûðö ←]", direction="rtl", formats_as="en_GB", pseudo=True),
)
DEFAULT = SHIPPED[0]

# What a marked string keeps as it is: printf and format placeholders, tags, entities.
_KEPT = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr%]|\{[^{}]*\}|<[^>]*>|&#?\w+;")
_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÀƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"


def pseudo(text: str) -> str:
    """Mark ``text`` as having passed through translation: accented and bracketed."""
    parts, end = [], 0
    for kept in _KEPT.finditer(text):
        parts += [text[end : kept.start()].translate(_ACCENTED), kept.group()]
        end = kept.end()
    parts.append(text[end:].translate(_ACCENTED))
    return PSEUDO_OPEN + "".join(parts) + PSEUDO_CLOSE


class PseudoTranslations(NullTranslations):
    """Translations into a pseudo-locale: every message comes back transformed."""

    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return pseudo(singular if n == 1 else plural)

    def pgettext(self, context: str, message: str) -> str:
        return pseudo(message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return pseudo(singular if n == 1 else plural)

    ugettext, ungettext = gettext, ngettext
    upgettext, unpgettext = pgettext, npgettext


_TRANSLATIONS_KEPT = "roster_translations"


class RosterDomain(Domain):
    """The messages: from the catalogues, or transformed in a pseudo-locale.

    Decided at each look-up, not in a before-request hook: a page refused before the
    hooks ran (an expired form, a page not allowed) is in the chosen language too.
    """

    def get_translations(self) -> NullTranslations:
        # A page looks messages up hundreds of times: the answer is kept on the request
        # for as long as its locale object stays the same (``force_locale``, which mail
        # uses, and ``refresh`` each put another in place or take it away).
        ctx = _get_current_context() if _cv_request.get(None) is not None else None
        locale = getattr(ctx, "babel_locale", None)
        kept = getattr(ctx, _TRANSLATIONS_KEPT, None)
        if kept is not None and locale is not None and kept[0] is locale:
            return kept[1]
        if ctx is not None and current().pseudo:
            translations: NullTranslations = PseudoTranslations()
        else:
            translations = super().get_translations()
        locale = getattr(ctx, "babel_locale", None)
        if ctx is not None and locale is not None:
            setattr(ctx, _TRANSLATIONS_KEPT, (locale, translations))
        return translations


class RosterBabel(Babel):
    """Flask-Babel with the roster's message domain."""

    @cached_property
    def domain_instance(self) -> Domain:
        return RosterDomain(domain=self.domain)


def available() -> tuple[UiLocale, ...]:
    """The languages this instance offers: the shipped ones, and pseudo ones if enabled."""
    return SHIPPED + (PSEUDO if current_app.config["PSEUDO_LOCALES"] else ())


def _by_tag(tag: str | None) -> UiLocale | None:
    return next((loc for loc in available() if loc.tag.lower() == (tag or "").lower()), None)


def current() -> UiLocale:
    """This request's language, chosen once per request."""
    if "ui_locale" not in g:
        chosen = _by_tag(session.get(SESSION_KEY))
        if chosen is None:
            # Only shipped languages are matched against the browser's list.
            best = request.accept_languages.best_match([loc.tag for loc in SHIPPED])
            chosen = _by_tag(best) or DEFAULT
        g.ui_locale = chosen
    return g.ui_locale


def _select_babel_locale() -> str:
    return current().babel_name


def translate(message: Message | str) -> str:
    """A message of a service in this request's language, its parameters filled in.

    Parameters are shown in that language too: a ``Message`` translated, a whole number
    grouped by the locale's rule, a date in its long form.
    """
    if isinstance(message, Message):
        return gettext(message.text, **{k: _shown(v) for k, v in message.params.items()})
    return gettext(message)


def _shown(value: Any) -> Any:
    if isinstance(value, Message):
        return translate(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Shown(value, format_number(value))
    if isinstance(value, date):
        return long_date(value)
    return value


def long_date(day: date) -> str:
    """A date as people read it, in the page's language: 1 March 2027 in English."""
    return format_date(day, "long")


def reason_text(reason: matcher_messages.Reason | Mapping) -> str:
    """A reason or note of the matcher in this request's language, its parameters filled in.

    ``reason`` is a ``matching.messages.Reason`` or its JSON form ``{"code", "params"}``
    (``Matcher.shortlist(..., structured=True)``, ``Matcher.requirements``). The code's
    English template is translated (by its count where it has a plural), then filled in
    with the parameters as this language names them: languages and countries by Babel's
    display names, expertise areas and accessibility expertise by their translated
    taxonomy labels. In English it reads exactly as the matcher's own sentence. The Jinja
    filter ``reason``.
    """
    if isinstance(reason, Mapping):
        code, params = reason["code"], reason.get("params") or {}
    else:
        code, params = reason.code, reason.params
    if code in matcher_messages.UNTRANSLATED:
        return matcher_messages.english(code, params)
    shown = matcher_messages.display(params)
    locale = get_locale()
    for name, value in params.items():
        shown[name] = _shown_in(locale, name, value, shown[name])
    text, plural, count = matcher_messages.TEMPLATES[code]
    if plural is not None:
        return ngettext(text, plural, params[count], **shown)
    return gettext(text, **shown)


def binding_text(binding: Mapping[str, Any] | None) -> str:
    """The requirement that excludes the most, in the reader's language where its code is known."""
    if not binding:
        return ""
    code = binding.get("code")
    if code in matcher_messages.TEMPLATES or code in matcher_messages.UNTRANSLATED:
        try:
            return reason_text(binding)
        except (KeyError, TypeError, ValueError):
            pass  # parameters of another version of the code: its own sentence
    return str(binding.get("text", ""))


def _shown_in(locale: Locale | None, name: str, value, english):
    """A parameter of a matcher's reason as ``locale`` names it; ``english`` as the matcher does."""
    in_english = locale is None or locale.language == "en"
    if name == "language" and not in_english:
        try:
            return Locale.parse(value, sep="-").get_display_name(locale) or english
        except (UnknownLocaleError, ValueError, TypeError):
            return locale.languages.get(value, english)
    if name == "country" and not in_english:
        return locale.territories.get(value, english)
    if name == "skills":  # expertise areas, each as ``skill`` reads, then listed
        names = [
            _shown_in(locale, "skill", code, matcher_messages.display({"skill": code})["skill"])
            for code in value
        ]
        return ", ".join(names) if in_english else format_list(names, locale=locale)
    if name in {"skill", "accessibility", "expertise"}:
        labels = vocab.EXPERTISE_AREAS if name == "skill" else vocab.ACCESSIBILITY_EXPERTISE
        label = labels.get(value)
        translated = gettext(label) if label else english
        # Untranslated, an area reads by its short name (``voter registration``), as the
        # matcher writes it; the expertise of a team note by its label.
        return translated if translated != label or name == "expertise" else english
    if name in {"regions", "families"} and not in_english:
        return format_list(list(value), locale=locale)
    if name == "alternatives" and not in_english:
        return format_list(list(value), style="or", locale=locale)
    return english


blueprint = Blueprint("i18n", __name__)


@blueprint.post("/language")
@public
def choose_language():
    """Remember the language chosen in the page footer and go back to the page."""
    chosen = _by_tag(request.form.get("language"))
    if chosen is not None:
        session[SESSION_KEY] = chosen.tag
    back = request.form.get("next", "")
    parts = urlsplit(back)
    # Only a path on this site: never an address elsewhere ("//evil.example" included).
    if not back.startswith("/") or back.startswith("//") or parts.scheme or parts.netloc:
        back = url_for("home.index")
    return redirect(back)


def init_app(app: Flask) -> None:
    """Bind Flask-Babel, the language chooser and the page's language to the app."""
    RosterBabel(app, locale_selector=_select_babel_locale, default_timezone="UTC")
    app.register_blueprint(blueprint)
    app.jinja_env.filters["reason"] = reason_text

    @app.context_processor
    def _page_language() -> dict:
        return {"ui_locale": current(), "ui_locales": available(), "babel_locale": get_locale}
