"""Markdown to safe HTML, and locale-aware formatting for templates."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import markdown as md
import nh3
from babel import dates, numbers
from babel.numbers import get_currency_precision
from babel.support import NullTranslations
from flask.globals import _cv_app
from flask_babel import format_datetime, get_locale, get_timezone, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from markupsafe import Markup, escape

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i",
    "img", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"}}


@lru_cache(maxsize=512)
def _markdown_html(source: str, images_under: str | None = None) -> str:
    html = md.markdown(source, extensions=["sane_lists", "tables"], output_format="html")

    def only_own_images(element: str, attribute: str, value: str) -> str | None:
        # A document shows pictures from its own attachments only: no tracking pixel from elsewhere.
        if element == "img" and attribute == "src" and (not value.startswith(images_under) or ".." in value):
            return None
        return value

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=only_own_images if images_under is not None else None,
    )


def markdown(source: str | None, images_under: str | None = None) -> Markup:
    """Render Markdown written by users; nh3 removes anything that could run script. With `images_under`
    (a path), pictures whose address does not start with it are dropped."""
    return Markup(_markdown_html(source or "", images_under))


# The language switch's choice before signing in (app.select_locale reads it).
LANGUAGE_COOKIE = "porch_lang"


def locale_for(language: str | None) -> str:
    """The Babel locale for one of Porch's languages: its English readers are European
    (23 Nov 2026 and 18:26, not 11/23/26, 6:26 PM)."""
    language = (language or "en").replace("-", "_")
    return "en_GB" if language == "en" else language


# Letters Unicode does not decompose into a base letter and a mark.
_UNFOLDED = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"})


def fold(text: str | None) -> str:
    """Text as a search compares it (SPEC X5): lower case, without accents ("Černý" -> "cerny",
    "Åsa Öberg" -> "asa oberg"), so residents typing on any keyboard find what they mean."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_UNFOLDED)


_CODE_BEFORE_DIGITS = re.compile(r"^(-?[A-Z]{3})(?=\d)")


def money(minor_units: int, currency: str) -> str:
    """Format an integer of minor units (öre, haléř, cents) in the current locale."""
    return _money(minor_units, currency, _language().name)


# Babel takes ~50 µs per amount and ~25 µs per date; an invoice list shows hundreds of them,
# mostly the same monthly fees and due dates, so the formatted text is kept per locale.
@lru_cache(maxsize=8192)
def _money(minor_units: int, currency: str, locale: str) -> str:
    digits = get_currency_precision(currency)
    formatted = numbers.format_currency(Decimal(minor_units).scaleb(-digits), currency, locale=locale)
    # English puts a code with no symbol straight before the digits ("SEK6,500.00"): give it a space.
    return _CODE_BEFORE_DIGITS.sub("\\1\u00a0", formatted)


def file_size(size: int) -> str:
    """A file's size for people: "820 kB", "2,4 MB" (the language's decimal sign)."""
    locale = _language().name
    if size < 1024 * 1024:
        return f"{max(1, -(-size // 1024))} kB"
    return numbers.format_decimal(round(size / 1024 / 1024, 1), format="#,##0.#", locale=locale) + " MB"


def date(value: dt.date | dt.datetime | None, style: str = "medium") -> str:
    """A date, or a stored (UTC) time's day in the association's time zone."""
    if value is None:
        return ""
    language = _language()
    if isinstance(value, dt.datetime):
        value = _as_utc(value).astimezone(language.zone).date()
    return _date(value, style, language.name)


@lru_cache(maxsize=4096)
def _date(value: dt.date, style: str, locale: str) -> str:
    return dates.format_date(value, style, locale=locale)


def datetime(value: dt.datetime | None, style: str = "medium") -> str:
    """A stored (UTC) time in the association's time zone, as Babel's format_datetime writes it.

    A list shows a time per row, each a different one: Babel takes ~60 µs for each. Short and
    medium times are put together here from their date and time of day, each formatted once
    (days and minutes repeat; whole times do not); longer styles name the time zone and go to Babel.
    """
    if value is None:
        return ""
    if style not in ("short", "medium"):
        return format_datetime(_as_utc(value), style)
    language = _language()
    local, locale = _as_utc(value).astimezone(language.zone), language.name
    time_of_day = _time(local.time().replace(microsecond=0), style, locale)
    return (
        _datetime_pattern(style, locale).replace("{0}", time_of_day).replace("{1}", _date(local.date(), style, locale))
    )


@lru_cache(maxsize=64)
def _datetime_pattern(style: str, locale: str) -> str:
    # As Babel's format_datetime: the pattern's quotes go, {0} is the time and {1} the date.
    return dates.get_datetime_format(style, locale=locale).replace("'", "")


@lru_cache(maxsize=8192)
def _time(value: dt.time, style: str, locale: str) -> str:
    return dates.format_time(value, style, locale=locale)


def _as_utc(value: dt.datetime) -> dt.datetime:
    # Stored naive in UTC; flask-babel converts aware values to the user's time zone.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


@dataclass(frozen=True)
class _Language:
    """What formatting and translation read for the current locale, looked up together."""

    locale: object  # the babel.Locale flask-babel chose
    name: str  # "en_GB", the key of the formatting caches
    zone: dt.tzinfo  # the time zone times are shown in (flask-babel's, as a zoneinfo zone)
    catalogue: object  # the translations


def _zone(tz: dt.tzinfo) -> dt.tzinfo:
    """flask-babel's pytz zone as the standard library's: the same rules, converting a time ~20 times faster."""
    name = getattr(tz, "zone", None)
    return ZoneInfo(name) if name else tz


def _language() -> _Language:
    """The current locale, time zone and translations, as flask-babel finds them, but cheaply.

    flask-babel looks each up through several context lookups on every call (~3 µs for the locale,
    ~8 µs for the translations), and a list page formats and translates a few hundred values. They
    are kept beside the locale flask-babel chose (g._flask_babel.babel_locale) and looked up again
    only when that locale object changes: force_locale() (mail in the recipient's language) sets a
    new one and puts the old one back after, refresh() clears it.
    """
    app_context = _cv_app.get(None)  # flask.g's own context variable: g.get() through its proxy costs 2 µs
    if app_context is None:  # no app (a script, a label shown at import): untranslated, as flask-babel does
        return _NO_APP
    state = app_context.g.__dict__.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    cached = getattr(state, "porch_language", None)
    if cached is not None and cached.locale is locale:
        return cached
    locale = get_locale()  # outside a request: None, and flask-babel's defaults
    language = _Language(locale, str(locale), _zone(get_timezone()), get_translations())
    if state is not None and locale is not None:
        state.porch_language = language
    return language


_NO_APP = _Language(None, "None", dt.UTC, NullTranslations())


def language_name() -> str:
    """The current locale's name ("cs_CZ"; "None" outside a request), cheaply (see _language)."""
    return _language().name


def zone() -> dt.tzinfo:
    """The time zone times are shown in (the association's; flask-babel's, cheaply: see _language)."""
    return _language().zone


def catalogue():
    """The current locale's translations (flask_babel.get_translations(), cheaply: see _language)."""
    return _language().catalogue


# In Python: flask-babel's functions, through catalogue(). Labels defined once and shown on every
# page (statuses, kinds, the menu) are lazy strings; flask-babel's cost ~7 µs each time one is shown.


def gettext(string: str, **variables) -> str:
    text = catalogue().ugettext(string)
    return text % variables if variables else text


def pgettext(context: str, string: str, **variables) -> str:
    text = catalogue().upgettext(context, string)
    return text % variables if variables else text


@lru_cache(maxsize=16)
def _catalogue_of(language: str):
    from babel.support import Translations

    directory = Path(__file__).resolve().parent.parent / "translations"
    return Translations.load(str(directory), [locale_for(language)])


def translated(string: str | LazyString, language: str | None) -> str:
    """`string` (a message id, or a lazy string's) in `language`, with or without an app: for rows
    written once in the association's language, such as the names of its built-in folders."""
    if isinstance(string, LazyString):
        string = string._args[0]
    return _catalogue_of(language or "en").ugettext(string)


def lazy_gettext(string: str, **variables) -> LazyString:
    return LazyString(gettext, string, **variables)


def lazy_pgettext(context: str, string: str, **variables) -> LazyString:
    return LazyString(pgettext, context, string, **variables)


# Templates translate through these rather than Jinja's newstyle wrappers of flask-babel's functions:
# the same rules (autoescaped text, always a format string, "num" and "context" among the variables),
# but the catalogue comes cheaply, and they take only the evaluation context: a function that takes
# the whole template context gets a copy of it made on every call inside a loop.
@pass_eval_context
def _gettext(eval_context, string, **variables):
    return _format(eval_context, catalogue().ugettext(string), variables)


@pass_eval_context
def _ngettext(eval_context, singular, plural, num, **variables):
    variables.setdefault("num", num)
    return _format(eval_context, catalogue().ungettext(singular, plural, num), variables)


@pass_eval_context
def _pgettext(eval_context, context, string, **variables):
    variables.setdefault("context", context)
    return _format(eval_context, catalogue().upgettext(context, string), variables)


@pass_eval_context
def _npgettext(eval_context, context, singular, plural, num, **variables):
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    return _format(eval_context, catalogue().unpgettext(context, singular, plural, num), variables)


def _format(eval_context, text: str, variables: dict):
    return _markup(text, variables) if eval_context.autoescape else text % variables


def _markup(text: str, variables: dict) -> Markup:
    # What Markup(text) % variables does, without its wrapper object around every value: text is
    # escaped, numbers stay numbers for %(num)d. (Markup's own way costs twice as much.)
    safe = {name: value if isinstance(value, _NUMBERS) else escape(value) for name, value in variables.items()}
    return Markup(text % safe)


def markup_gettext(string: str, **variables) -> Markup:
    """What _() gives an HTML template, for words a page works out in Python: the translation
    as markup, its values escaped. (Import it as _ so that pybabel finds the strings.)"""
    return _markup(catalogue().ugettext(string), variables)


_NUMBERS = (int, float, Decimal)


def _install_gettext(env) -> None:
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext)


def register(app) -> None:
    """The template filters, and translation through catalogue() (call after flask-babel's init_app)."""
    app.jinja_env.filters.update(markdown=markdown, money=money, date=date, datetime=datetime)
    _install_gettext(app.jinja_env)
