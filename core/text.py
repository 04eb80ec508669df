"""Markdown to safe HTML, and locale-aware formatting for templates."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

import markdown as md
import nh3
from babel import dates, numbers
from babel.numbers import get_currency_precision
from flask_babel import format_date, format_datetime, get_locale
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i",
    "img", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"}}


@lru_cache(maxsize=512)
def _markdown_html(source: str) -> str:
    html = md.markdown(source, extensions=["sane_lists", "tables"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


def markdown(source: str | None) -> Markup:
    """Render Markdown written by users; nh3 removes anything that could run script."""
    return Markup(_markdown_html(source or ""))


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
    return _money(minor_units, currency, str(get_locale()))


# Babel takes ~50 µs per amount and ~25 µs per date; an invoice list shows hundreds of them,
# mostly the same monthly fees and due dates, so the formatted text is kept per locale.
@lru_cache(maxsize=8192)
def _money(minor_units: int, currency: str, locale: str) -> str:
    digits = get_currency_precision(currency)
    formatted = numbers.format_currency(Decimal(minor_units).scaleb(-digits), currency, locale=locale)
    # English puts a code with no symbol straight before the digits ("SEK6,500.00"): give it a space.
    return _CODE_BEFORE_DIGITS.sub("\\1\u00a0", formatted)


def date(value: dt.date | dt.datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = _as_utc(value)
        return format_date(value, style)
    return _date(value, style, str(get_locale()))


@lru_cache(maxsize=4096)
def _date(value: dt.date, style: str, locale: str) -> str:
    return dates.format_date(value, style, locale=locale)


def datetime(value: dt.datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(_as_utc(value), style)


def _as_utc(value: dt.datetime) -> dt.datetime:
    # Stored naive in UTC; flask-babel converts aware values to the user's time zone.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def register(app) -> None:
    app.jinja_env.filters.update(markdown=markdown, money=money, date=date, datetime=datetime)
