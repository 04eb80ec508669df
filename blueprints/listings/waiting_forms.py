"""The waiting list's forms: the applicant's sign-up and "send me my link", the answer to an offer, and the
board's rules, payment and internal-list flag."""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, StringField, ValidationError
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from blueprints.listings.board_forms import check_amount
from blueprints.listings.public_forms import honeypot_field, one_line, seeker_email_field
from blueprints.register.forms import ACCESSIBILITY_LABELS
from core import clock
from core.forms import CheckboxesField
from core.text import lazy_gettext as _l
from models.listings import Vacancy


def _birth_date(form, field) -> None:
    """A birth date from 1900 until today (a far future one is no one's, and no date after 9999 exists)."""
    if field.data is not None and not dt.date(1900, 1, 1) <= field.data <= clock.today() + dt.timedelta(days=1):
        raise ValidationError(_l("Give a birth date from 1900 until today."))


class _WithAmounts(FlaskForm):
    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency, self.parsed = currency, {}


class SignUpForm(_WithAmounts):
    """Sign up for the waiting list; `departments` gets the association's buildings as choices."""

    name = StringField(
        _l("Your name"), filters=[one_line], validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )  # fmt: skip
    email = seeker_email_field(_l("Your e-mail address"))
    birth_date = DateField(
        _l("Your birth date"),
        validators=[InputRequired(_l("Give your birth date.")), _birth_date],
        render_kw={"autocomplete": "bday"},
    )
    housing_types = CheckboxesField(
        _l("The kinds of home you wish"),
        choices=[SelectChoice(key, label) for key, label in Vacancy.HOUSING_TYPES.items()],
        validators=[DataRequired(_l("Choose at least one kind of home."))],
    )
    departments = CheckboxesField(_l("Departments (none ticked: any of them)"), coerce=int, choices=[])
    rooms_from = IntegerField(
        _l("Rooms, at least"), validators=[Optional(), NumberRange(min=1, max=20)], render_kw={"inputmode": "numeric"}
    )
    max_rent = StringField(_l("Monthly rent, at most"), validators=[check_amount(required=False, empty=None)])
    accessibility = CheckboxesField(
        _l("What the home must have"),
        choices=[SelectChoice(key, label) for key, label in ACCESSIBILITY_LABELS.items()],
    )
    # The honeypot: hidden from people and screen readers, so only robots fill it in.
    website = honeypot_field()


class LinkForm(FlaskForm):
    email = seeker_email_field(_l("Your e-mail address"))
    website = honeypot_field()


class AnswerForm(FlaskForm):
    """The offer's two buttons: accept or decline."""

    answer = StringField(validators=[AnyOf(["accept", "decline"], message=_l("Choose accept or decline."))])


class RulesForm(_WithAmounts):
    fee = StringField(
        _l("Yearly renewal fee (empty: no renewal)"), validators=[check_amount(required=False, empty=None)]
    )
    grace_days = IntegerField(
        _l("Days of grace after the renewal is due"), validators=[InputRequired(), NumberRange(min=0, max=365)]
    )
    internal_share = IntegerField(
        _l("Share of homes offered to the internal list first (%)"),
        validators=[InputRequired(), NumberRange(min=0, max=100)],
    )
    offer_batch = IntegerField(
        _l("Applicants offered a home at a time"), validators=[InputRequired(), NumberRange(min=1, max=50)]
    )
    reply_days = IntegerField(
        _l("Days an applicant has to answer an offer"), validators=[InputRequired(), NumberRange(min=1, max=30)]
    )


class InternalForm(FlaskForm):
    internal = BooleanField(_l("On the internal list (already a tenant of the association)"))


class LetForm(FlaskForm):
    offer = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**63 - 1)])  # a row id
