"""core/text.py: templates translate through the request's catalogue, and follow force_locale();
dates and times read as Babel writes them."""

import datetime as dt

import pytest
from flask import g, render_template_string
from flask_babel import force_locale, format_date, format_datetime, get_locale
from markupsafe import Markup

from core import text


def test_templates_translate_in_the_requests_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "sv"}):
        assert str(get_locale()) == "sv"
        assert render_template_string('{{ _("Log out") }}') == "Logga ut"


def test_force_locale_changes_the_templates_language_and_back(app):
    with app.test_request_context("/", headers={"Accept-Language": "sv"}):
        page = '{{ _("Log out") }}'
        assert render_template_string(page) == "Logga ut"
        with force_locale("cs"):
            assert render_template_string(page) == "Odhlásit se"
        assert render_template_string(page) == "Logga ut"


def test_template_gettext_keeps_jinjas_newstyle_rules(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        # Variables are escaped, and the string is always a format string ("%%" is a percent sign).
        assert render_template_string('{{ _("Unit %(number)s", number="<b>") }}') == "Unit &lt;b&gt;"
        safe = render_template_string('{{ _("Unit %(number)s", number=bold) }}', bold=Markup("<b>7</b>"))
        assert safe == "Unit <b>7</b>"
        assert render_template_string('{{ _("100%%") }}') == "100%"
        assert render_template_string('{{ ngettext("%(num)d unit", "%(num)d units", 3) }}') == "3 units"
        assert render_template_string('{{ pgettext("invoice status", "Open") }}') == "Open"
        # Inside a loop too (where a function given the whole context would get a copy of it).
        page = '{% for n in [1, 2] %}{{ ngettext("%(num)d unit", "%(num)d units", n) }} {% endfor %}'
        assert render_template_string(page) == "1 unit 2 units "


def test_text_that_is_not_escaped_stays_as_it_is(app):
    # As in the plain-text mail templates (email/*.txt), where autoescape is off.
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        page = '{% autoescape false %}{{ _("Unit %(number)s", number="<b>") }}{% endautoescape %}'
        assert render_template_string(page) == "Unit <b>"


@pytest.mark.parametrize("language", ["en", "sv", "da", "cs", "et"])
@pytest.mark.parametrize("style", ["short", "medium", "long"])
def test_times_read_as_babel_writes_them(app, make_association, language, style):
    association = make_association("alpha", locale=language, timezone="Europe/Stockholm")
    # Around the spring and autumn clock changes, midnight in UTC and at home, the last second of a year.
    moments = [
        dt.datetime(2026, 3, 29, 0, 59, 59, 999999),
        dt.datetime(2026, 3, 29, 1, 0, 0),
        dt.datetime(2026, 10, 25, 0, 30),
        dt.datetime(2026, 10, 25, 1, 30),
        dt.datetime(2026, 12, 31, 23, 59, 59),
        dt.datetime(2027, 1, 1, 0, 0, 1),
        dt.datetime(2026, 6, 30, 22, 15, 7),
    ]
    with app.test_request_context("/"):
        g.association = association
        assert str(get_locale()) == text.locale_for(language)
        for moment in moments:
            aware = moment.replace(tzinfo=dt.UTC)
            assert text.datetime(moment, style) == format_datetime(aware, style), moment
            assert text.date(moment, style) == format_date(aware, style), moment


def test_lazy_labels_follow_the_request_and_force_locale(app):
    label = text.lazy_gettext("Log out")
    status = text.lazy_pgettext("invoice status", "Open")
    assert str(label) == "Log out"  # no app: as written
    with app.test_request_context("/", headers={"Accept-Language": "sv"}):
        assert str(label) == "Logga ut"
        assert str(status) == str(text.pgettext("invoice status", "Open")) != ""
        with force_locale("cs"):
            assert str(label) == "Odhlásit se"
        assert render_template_string("{{ label }}", label=label) == "Logga ut"


def test_a_documents_markdown_shows_pictures_of_its_own_files_only():
    from core.text import markdown

    own = "/alpha/documents/7/files/"
    html = markdown(
        "![plan](/alpha/documents/7/files/3) ![pixel](https://tracker.example/p.png)"
        " ![other](/alpha/documents/7/files/../../8/files/4) ![x](/alpha/documents/70/files/1)",
        images_under=own,
    )
    assert 'src="/alpha/documents/7/files/3"' in html
    assert "tracker.example" not in html and "../" not in html and "/documents/70/" not in html
    # Elsewhere (the welcome text) pictures keep their address.
    assert 'src="https://tracker.example/p.png"' in markdown("![pixel](https://tracker.example/p.png)")
