"""core/text.py: templates translate through the request's catalogue, and follow force_locale()."""

from flask import render_template_string
from flask_babel import force_locale, get_locale


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
        assert render_template_string('{{ _("100%%") }}') == "100%"
        assert render_template_string('{{ ngettext("%(num)d unit", "%(num)d units", 3) }}') == "3 units"
