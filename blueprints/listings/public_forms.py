"""The seeker's contact form on a listing (L2)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from core.text import lazy_gettext as _l


def _one_line(value: str | None) -> str | None:
    """Line breaks and runs of spaces become one space: a name or number never spans lines (nor headers)."""
    return " ".join(value.split()) if isinstance(value, str) else value


class ContactForm(FlaskForm):
    name = StringField(
        _l("Your name"), filters=[_one_line], validators=[DataRequired(_l("Enter your name.")), Length(max=200)]
    )
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
    phone = StringField(
        _l("Your phone number (optional)"),
        filters=[_one_line],
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+()./ -]*$", message=_l("Use digits, spaces and + only.")),
        ],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    message = TextAreaField(
        _l("Your message"),
        validators=[DataRequired(_l("Write your message.")), Length(max=4000)],
        render_kw={"rows": 6},
    )
    # The honeypot: hidden from people and screen readers, so only robots fill it in.
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})
