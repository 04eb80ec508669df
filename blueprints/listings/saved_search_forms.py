"""The seeker's form under the search results: mail me new homes like these (issue 15 item 2)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import Length

from blueprints.listings.public_forms import honeypot_field, seeker_email_field


class SavedSearchForm(FlaskForm):
    email = seeker_email_field()
    # The search's filters as the results page showed them (search.query_string); read back by search.Filters.
    query = HiddenField(validators=[Length(max=4000)])
    # The honeypot: hidden from people and screen readers, so only robots fill it in.
    website = honeypot_field()
