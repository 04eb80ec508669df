"""core/forms.py writes WTForms' attributes faster (html_params): the same markup, as inert."""

import inspect

import pytest
from markupsafe import Markup
from wtforms import widgets

from core import forms


def _wtforms_own_html_params():
    """WTForms' html_params as its source writes it (core.forms replaced the module's)."""
    source = inspect.getsource(widgets.core)
    body = source[source.index("def html_params") : source.index("\nclass ListWidget")]
    namespace = {}
    exec("from markupsafe import Markup, escape\nfrom wtforms.widgets.core import clean_key\n" + body, namespace)
    return namespace["html_params"]


@pytest.mark.parametrize(
    "attributes",
    [
        {"id": "email", "name": "email", "type": "email", "value": "a@b.example", "required": True},
        {"value": '"><script>alert(1)</script>', "class_": "x", "for_": "y", "disabled": False},
        {"aria_describedby": "f-hint f-err", "data_hx_get": "/x?a=1&b=2", "checked": True, "maxlength": 254},
        {"value": Markup("<b>kept</b>"), "title": "Ånge & Co. 'quoted'", "step": 0.01},
        {"value": Markup('say "hi"'), "aria_label": Markup("&amp; ok")},
        {},
    ],
)
def test_attributes_are_written_as_wtforms_writes_them(attributes):
    written = forms._html_params(**attributes)
    assert isinstance(written, Markup)
    assert written == _wtforms_own_html_params()(**attributes)


def test_every_widget_and_label_writes_through_it():
    assert widgets.core.html_params is forms._html_params
    assert widgets.html_params is forms._html_params
    # <input> and <button> hold the function as their own attribute, taken when WTForms was imported.
    for widget in (widgets.TextInput(), widgets.PasswordInput(), widgets.CheckboxInput(), widgets.SubmitInput()):
        assert widget.html_params is forms._html_params, type(widget).__name__
    assert widgets.core.Button().html_params is forms._html_params
