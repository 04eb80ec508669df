"""The seeker's contact form on a listing (L2)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from core.text import lazy_gettext as _l


def one_line(value: str | None) -> str | None:
    """Line breaks and runs of spaces become one space: a name or number never spans lines (nor headers)."""
    return " ".join(value.split()) if isinstance(value, str) else value


def seeker_email_field(label=None) -> EmailField:
    """The e-mail address a seeker or applicant gives (one line: it goes into mail headers)."""
    return EmailField(
        label or _l("Your e-mail address"),
        filters=[one_line],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )


def honeypot_field() -> StringField:
    """Hidden from people and screen readers, so only robots fill it in."""
    return StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})


class ContactForm(FlaskForm):
    name = StringField(
        _l("Your name"), filters=[one_line], validators=[DataRequired(_l("Enter your name.")), Length(max=200)]
    )
    email = seeker_email_field()
    phone = StringField(
        _l("Your phone number (optional)"),
        filters=[one_line],
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
    website = honeypot_field()
