"""The language of each page: the user's choice, then the browser's, English by default.

The roster is shown in the six official languages of the United Nations (``SHIPPED``).
A signed-in user's choice is kept on their account (``User.language``) and is the
language of the mail sent to them (``in_language``, which ``roster.mail.compose`` uses).

Flask-Babel formats dates and numbers and looks up translations. Beside the shipped
languages there are two pseudo-locales, for development and tests only: ``en-XA``
turns every marked string into accented, bracketed text, and ``ar-XB`` does the same
on a right-to-left page. A page shown in either makes any text that was not marked for
translation stand out, and ``ar-XB`` shows whether the layout mirrors.
"""

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pycountry
from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from babel.support import NullTranslations, Translations
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
    force_locale,
    format_date,
    format_number,
    get_locale,
    gettext,
    ngettext,
    refresh,
)
from flask_login import current_user

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


# The six official languages of the United Nations, in the order of the UN's own sites.
# English pages write dates and numbers as the United Nations' English does (1 March 2027);
# Chinese is Simplified Chinese as written in mainland China, as UN Chinese is. Arabic
# writes numbers in Western digits (1,250; 1 مارس 2027), as UN Arabic documents commonly
# do and as Babel's ``ar`` does by default: a figure on a page reads the same as the same
# figure in a table, a year or a reference people type.
SHIPPED = (
    UiLocale("ar", "العربية", direction="rtl"),
    UiLocale("zh", "中文", formats_as="zh_Hans_CN"),
    UiLocale("en", "English", formats_as="en_GB"),
    UiLocale("fr", "Français"),
    UiLocale("ru", "Русский"),
    UiLocale("es", "Español"),
)
PSEUDO = (
    UiLocale("en-XA", "[Ƥšéûðö]", formats_as="en_GB", pseudo=True),
    UiLocale("ar-XB", "[Ƥšéûðö ←]", direction="rtl", formats_as="en_GB", pseudo=True),
)
DEFAULT = next(loc for loc in SHIPPED if loc.tag == "en")

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


# The language of a mail being composed (``in_language``): it decides the catalogue, as
# ``force_locale`` decides the formats, inside or outside a request.
_composing: ContextVar["UiLocale | None"] = ContextVar("roster_composing", default=None)


class RosterDomain(Domain):
    """The messages: from the language's catalogue, or transformed in a pseudo-locale.

    Decided at each look-up, not in a before-request hook: a page refused before the
    hooks ran (an expired form, a page not allowed) is in the chosen language too. The
    catalogue is found by the language's tag (``translations/zh``), whatever locale
    formats its dates (``zh_Hans_CN``).
    """

    def get_translations(self) -> NullTranslations:
        # A page looks messages up hundreds of times: the answer is kept on the request
        # for as long as its locale object stays the same (``force_locale``, which mail
        # uses, and ``refresh`` each put another in place or take it away).
        ctx = _get_current_context()
        if ctx is None:
            return NullTranslations()
        language = _composing.get() or (current() if _cv_request.get(None) is not None else None)
        locale = getattr(ctx, "babel_locale", None)
        kept = getattr(ctx, _TRANSLATIONS_KEPT, None)
        if kept is not None and locale is not None and kept[0] is locale and kept[1] is language:
            return kept[2]
        if language is not None and language.pseudo:
            translations: NullTranslations = PseudoTranslations()
        else:
            translations = self._catalogue((language or DEFAULT).tag)
        locale = getattr(ctx, "babel_locale", None)
        if locale is not None:
            setattr(ctx, _TRANSLATIONS_KEPT, (locale, language, translations))
        return translations

    def _catalogue(self, tag: str) -> NullTranslations:
        """The compiled catalogue of ``tag`` (``translations/<tag>/LC_MESSAGES``), loaded once."""
        cache = self.get_translations_cache(None)
        key = (tag, self.domain[0])
        if key not in cache:
            found: NullTranslations = NullTranslations()
            for directory in self.translation_directories:
                found = Translations.load(directory, [tag], self.domain[0])
                if isinstance(found, Translations):
                    break
            cache[key] = found
        return cache[key]


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


def known(tag: object) -> UiLocale | None:
    """The language this instance offers under ``tag``, or None for anything else."""
    return _by_tag(tag) if isinstance(tag, str) and len(tag) <= 16 else None


def current() -> UiLocale:
    """This request's language, chosen once per request.

    The language chosen in the footer for this session; else the one saved on the
    signed-in user's account; else the best of the browser's ``Accept-Language`` among
    the shipped languages (werkzeug's matching: ``fr-CA`` reads French, ``zh-TW``
    Chinese); else English. A value that names no language offered is passed over.
    """
    if "ui_locale" not in g:
        chosen = known(session.get(SESSION_KEY)) or _saved_by_user()
        if chosen is None:
            # Only shipped languages are matched against the browser's list.
            best = request.accept_languages.best_match([loc.tag for loc in SHIPPED])
            chosen = _by_tag(best) or DEFAULT
        g.ui_locale = chosen
    return g.ui_locale


def _saved_by_user() -> UiLocale | None:
    # The API's caller says its language in each request (``Accept-Language``); a page
    # refused before the user could be loaded reads no account.
    if g.get("api_token") is not None:
        return None
    try:
        user = current_user._get_current_object()
    except Exception:  # noqa: BLE001 (no user can be loaded: no account's choice)
        return None
    return known(getattr(user, "language", None)) if user.is_authenticated else None


def saved_language(user: object) -> str | None:
    """The language saved on ``user``'s account, if it names one offered; else None."""
    chosen = known(getattr(user, "language", None))
    return chosen.tag if chosen else None


def mail_language(saved: str | None) -> UiLocale:
    """The language of a mail to a recipient whose saved language is ``saved``.

    Their own if they chose one; else that of the request that causes the mail (the page
    of whoever acted); else, from a command or a job, English.
    """
    chosen = known(saved)
    if chosen is None:
        chosen = current() if _cv_request.get(None) is not None else DEFAULT
    return chosen


def show_in(tag: str | None) -> None:
    """Show this request's page in ``tag`` (a mailed link's language) if it names one offered.

    For this request only, and only where this browser's session has not chosen a language
    in the footer: that choice stays the reader's, on this page too.
    """
    chosen = known(tag)
    if chosen is not None and known(session.get(SESSION_KEY)) is None:
        g.ui_locale = chosen
        refresh()


@contextmanager
def in_language(tag: str | None) -> Iterator[UiLocale]:
    """Translate and format in the language ``tag`` (a mail to its recipient), English if unknown.

    Works in a request (whatever the page's language) and outside one (a command, a job).
    """
    language = known(tag) or DEFAULT
    reset = _composing.set(language)
    try:
        with force_locale(language.babel_name):
            yield language
    finally:
        _composing.reset(reset)


def remember_for(user: object) -> None:
    """At sign-in: the account's saved language becomes the session's.

    An account with none keeps the language chosen in this session before signing in,
    if one was (the request's one commit point writes it).
    """
    chosen = known(getattr(user, "language", None))
    if chosen is not None:
        session[SESSION_KEY] = chosen.tag
        g.pop("ui_locale", None)
    elif (in_session := known(session.get(SESSION_KEY))) is not None:
        user.language = in_session.tag  # type: ignore[attr-defined]


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


def country_display(code: str | None) -> str:
    """A country's name in the page's language (Babel's CLDR names); in English, the roster's.

    The code itself for anything that is not a country.
    """
    if not code:
        return ""
    try:
        english = vocab.country_name(code)
    except vocab.VocabularyError:
        return code
    locale = get_locale()
    if locale is None or locale.language == "en":
        return english
    return locale.territories.get(code.upper(), english)


def country_from_display(text: str) -> str | None:
    """The ISO 3166-1 code of a country named as the page's language names it, else None.

    ``Mali`` is read by the vocabulary in any language; this reads ``马里`` on a Chinese
    page and ``Côte d’Ivoire`` on a French one, as ``country_display`` writes them.
    """
    locale = get_locale()
    if locale is None or locale.language == "en":
        return None
    return _countries_named_in(str(locale)).get(" ".join(text.split()).casefold())


@lru_cache(maxsize=16)
def _countries_named_in(locale: str) -> dict[str, str]:
    names = Locale.parse(locale).territories
    return {
        names[country.alpha_2].casefold(): country.alpha_2
        for country in pycountry.countries
        if country.alpha_2 in names
    }


def language_display(code: str) -> str:
    """A language's name in the page's language (Babel's CLDR names); in English, the roster's.

    The code itself for anything that is not a language.
    """
    try:
        english = vocab.language_name(code)
    except vocab.VocabularyError:
        return code
    locale = get_locale()
    if locale is None or locale.language == "en":
        return english
    return locale.languages.get(code, english)


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
    if name in {"level", "wanted"} and value == "native":
        return gettext("native")  # a language level in words, as the profile says it
    return english


blueprint = Blueprint("i18n", __name__)


@blueprint.post("/language")
@public
def choose_language():
    """Remember the language chosen in the page footer (on the account too) and go back."""
    chosen = _by_tag(request.form.get("language"))
    if chosen is not None:
        session[SESSION_KEY] = chosen.tag
        if current_user.is_authenticated and getattr(current_user, "language", None) != chosen.tag:
            # Kept on the account too, for the next sign-in and the mail sent to them; the
            # request's one commit point writes it.
            from roster.db import get_session

            user = current_user._get_current_object()
            user.language = chosen.tag
            get_session().add(user)
    back = request.form.get("next", "")
    parts = urlsplit(back)
    # Only a path on this site: never an address elsewhere ("//evil.example" included).
    if not back.startswith("/") or back.startswith("//") or parts.scheme or parts.netloc:
        back = url_for("home.index")
    return redirect(back)


def init_app(app: Flask) -> None:
    """Bind Flask-Babel, the language chooser and the page's language to the app."""
    # The catalogues are at the top of the project (translations/<tag>/LC_MESSAGES), as
    # `make catalogues` and `pybabel compile -d translations` keep them.
    project = Path(app.root_path).parent
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(project / "translations"))
    RosterBabel(app, locale_selector=_select_babel_locale, default_timezone="UTC")
    app.register_blueprint(blueprint)
    app.jinja_env.filters["reason"] = reason_text

    @app.after_request
    def _vary_by_language(response):
        # A page whose language followed the browser's list differs by that header: a
        # shared cache must not hand a French page to the next reader.
        if "ui_locale" in g:
            response.vary.add("Accept-Language")
        return response

    @app.context_processor
    def _page_language() -> dict:
        return {"ui_locale": current(), "ui_locales": available(), "babel_locale": get_locale}
