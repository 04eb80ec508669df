"""Form pieces every domain uses: the confirmation form, checkbox lists, e-mail and phone validators,
and the languages Porch speaks."""

from __future__ import annotations

from functools import lru_cache

import flask_wtf.i18n
from babel import support
from flask import request
from flask_babel import get_locale
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SelectChoice, SelectMultipleField, widgets
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from core.text import lazy_gettext as _l

EMAIL_VALIDATORS = [
    DataRequired(_l("Enter your e-mail address.")),
    Email(_l("Enter a valid e-mail address, like name@example.com."), check_deliverability=False),
    Length(max=254),
]
OPTIONAL_EMAIL = [
    Optional(),
    Email(_l("Enter a valid e-mail address, like name@example.com."), check_deliverability=False),
    Length(max=254),
]
PHONE = [Optional(), Length(max=40), Regexp(r"^[0-9+()\-. /]*$", message=_l("Use digits, spaces and + - ( ) only."))]

# Each language in its own name: someone who cannot read the page still finds theirs.
LANGUAGE_NAMES = {"en": "English", "sv": "Svenska", "da": "Dansk", "cs": "Čeština", "et": "Eesti"}


def language_choices(default_label) -> list[SelectChoice]:
    """The languages Porch speaks, after a first choice "" (`default_label`: the association's language)."""
    return [SelectChoice("", default_label)] + [SelectChoice(key, name) for key, name in LANGUAGE_NAMES.items()]


@lru_cache(maxsize=16)
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def _wtforms_translations() -> support.Translations | None:
    """WTForms' own messages in the request's language, each catalogue read from disk once per process.
    Flask-WTF reads it again for every request with a form (a quarter of a millisecond each); a loaded
    catalogue is only ever read, so the requests can share it."""
    return _wtforms_catalogue(str(get_locale())) if request else None


flask_wtf.i18n._get_translations = _wtforms_translations


def _html_params(**attributes) -> Markup:
    """WTForms' html_params, written without Markup.format: the same attributes in the same order,
    escaped the same way, a third of the time. Every input, label and CSRF token is written through
    it, and Markup.format (a string.Formatter escaping each field) made the forms of the account
    page a third of its rendering."""
    written = []
    for key, value in sorted(attributes.items()):
        key = escape(widgets.core.clean_key(key))
        if value is True:
            written.append(key)
        elif value is not False:
            # A Markup value is not escaped and may hold quotes; str(), or Markup.replace escapes "&quot;" too.
            written.append(f'{key}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(written))


widgets.html_params = widgets.core.html_params = _html_params  # the widgets, and the labels (wtforms.fields)
# <input> and <button> keep the function as their own attribute (a staticmethod), taken when WTForms was imported.
widgets.core.Input.html_params = widgets.core.Button.html_params = staticmethod(_html_params)


class ConfirmForm(FlaskForm):
    """Just the CSRF token: a confirmed action (a removal, a button that uses a mailed link)."""


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes, one per choice."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
