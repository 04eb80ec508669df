"""The seeker's form under the search results: mail me new homes like these (issue 15 item 2)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Email, Length

from blueprints.listings.public_forms import _one_line
from core.text import lazy_gettext as _l


class SavedSearchForm(FlaskForm):
    email = EmailField(
        _l("Your e-mail address"),
        filters=[_one_line],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )
    # The search's filters as the results page showed them (search.query_string); read back by search.Filters.
    query = HiddenField(validators=[Length(max=4000)])
    # The honeypot: hidden from people and screen readers, so only robots fill it in.
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})
