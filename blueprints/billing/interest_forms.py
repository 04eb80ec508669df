"""Forms of the late-interest pages (issue 13 item 2): the association's rule, its reference rates by
date, and the day a run charges through. Rates are typed in percent ("8", "8,5", "-0,5" for a reference
rate) and kept in basis points; the minimum is an amount in the currency."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from blueprints.billing import money
from blueprints.billing.money import AmountError
from core.text import lazy_gettext as _l
from models.billing import BillingSettings

S = BillingSettings
MAX_GRACE_DAYS = 365
_SIGNED_RATE = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d{1,2})?$")
_DAYS = re.compile(r"^\d{1,4}$")

MODE_HINTS = {
    S.INTEREST_NONE: _l("Overdue invoices cost nothing more."),
    S.INTEREST_FIXED: _l("The same yearly rate every day, for example 10 % a year."),
    S.INTEREST_REFERENCE: _l(
        "A published rate that changes over time plus a fixed margin: for example the ECB rate + 8 points, the "
        "Estonian statutory default, or the CNB repo rate + 8 points, the Czech one. You keep the rate's "
        "changes in the table below."
    ),
}
CHARGED_AS = {
    S.INTEREST_AS_INVOICE: _l("A separate interest invoice to each person"),
    S.INTEREST_AS_LINE: _l("A line on the person's next invoice"),
}
CHARGED_AS_HINTS = {
    S.INTEREST_AS_INVOICE: _l("Each run sends one interest invoice per person, a line per overdue invoice."),
    S.INTEREST_AS_LINE: _l(
        "The interest waits and the next invoice run adds a line “Late interest” to the person's invoice."
    ),
}


def parse_signed_rate(text: str) -> int:
    """ "3,15", "-0.5" or "4 %" percent -> basis points (315, -50, 400); from -100 to 100 %."""
    cleaned = (text or "").strip().rstrip("%").strip().replace("\u2212", "-")
    if not _SIGNED_RATE.match(cleaned):
        raise AmountError(text)
    points = Decimal(cleaned.replace(",", ".")) * 100
    if not -money.BASIS_POINTS <= points <= money.BASIS_POINTS:
        raise AmountError(text)
    return int(points)


def rate_text(basis_points: int) -> str:
    """Basis points as the page's language writes a percentage, with a minus sign when below zero."""
    return ("−" if basis_points < 0 else "") + money.rate_text(abs(basis_points))


def _in_range(form, field) -> None:
    if field.data and not 2000 <= field.data.year <= 2200:
        raise ValidationError(_l("Give a date between the years 2000 and 2200."))


class InterestSettingsForm(FlaskForm):
    """The association's late-interest rule. `values` holds the columns once it validates."""

    interest_mode = RadioField(
        _l("Late interest"), choices=[SelectChoice(key, label) for key, label in S.INTEREST_MODES.items()]
    )
    interest_rate = StringField(
        _l("Fixed yearly rate, in %"),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
        description=_l("For a fixed rate only. For example 10, or 10.5 (at most two decimals)."),
    )
    interest_reference = StringField(
        _l("Name of the reference rate"),
        validators=[Optional(), Length(max=40, message=_l("Keep the name to 40 characters."))],
        description=_l("As residents know it, shown beside the rate: for example “ECB” or “CNB repo”."),
    )
    interest_margin = StringField(
        _l("Margin above the reference rate, in percentage points"),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
        description=_l("Added to the reference rate on each day: 8 makes 4.5 % into 12.5 % a year."),
    )
    interest_grace_days = StringField(
        _l("Grace days"),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
        description=_l(
            "An invoice paid within this many days after its due date bears no interest. One still unpaid after "
            "them bears interest from the day after its due date. 0 for none."
        ),
    )
    interest_charged_as = RadioField(
        _l("How the interest is charged"), choices=[SelectChoice(key, label) for key, label in CHARGED_AS.items()]
    )
    interest_during_plan = BooleanField(
        _l("Instalments of a plan bear interest from the day the plan is made"),
        description=_l(
            "Ticked: the debt keeps bearing interest while the plan is kept, on each instalment not yet paid, "
            "even before it falls due. Not ticked: an instalment bears interest only once it is itself overdue, "
            "like any invoice."
        ),
    )
    interest_minimum = StringField(
        _l("Smallest amount charged"),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
        description=_l(
            "A run skips a person owing less interest than this; their days stay uncharged and count in a later "
            "run. 0 charges any amount."
        ),
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.values: dict = {}

    @classmethod
    def filled(cls, settings: BillingSettings, currency: str) -> InterestSettingsForm:
        """The form as the settings stand, amounts and rates written in the page's language."""
        return cls(
            formdata=None,
            currency=currency,
            interest_mode=settings.interest_mode,
            interest_rate=money.rate_text(settings.interest_rate) if settings.interest_rate else "",
            interest_reference=settings.interest_reference,
            interest_margin=money.rate_text(settings.interest_margin),
            interest_grace_days=str(settings.interest_grace_days),
            interest_charged_as=settings.interest_charged_as,
            interest_during_plan=settings.interest_during_plan,
            interest_minimum=money.amount_text(settings.interest_minimum, currency),
        )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        mode = self.interest_mode.data
        values = {
            "interest_mode": mode,
            "interest_charged_as": self.interest_charged_as.data,
            "interest_during_plan": bool(self.interest_during_plan.data),
            "interest_reference": (self.interest_reference.data or "").strip(),
        }
        checks = (
            ("interest_rate", self._rate, mode == S.INTEREST_FIXED),
            ("interest_margin", self._margin, False),
            ("interest_grace_days", self._grace, True),
            ("interest_minimum", self._minimum, True),
        )
        for name, parse, required in checks:
            field = getattr(self, name)
            text = (field.data or "").strip()
            if not text and not required:
                values[name] = 0
                continue
            try:
                values[name] = parse(text)
            except ValueError as error:
                field.errors = [*field.errors, error.args[0]]
                valid = False
        if mode == S.INTEREST_FIXED and values.get("interest_rate") == 0:
            self.interest_rate.errors = [*self.interest_rate.errors, _l("Give the yearly rate, more than 0 %.")]
            valid = False
        if mode == S.INTEREST_REFERENCE and not values["interest_reference"]:
            self.interest_reference.errors = [
                *self.interest_reference.errors,
                _l("Name the reference rate, for example ECB."),
            ]
            valid = False
        self.values = values if valid else {}
        return valid

    @staticmethod
    def _rate(text: str) -> int:
        if not text:
            raise ValueError(_l("Give the yearly rate, for example 10."))
        try:
            return money.parse_rate(text)
        except AmountError:
            raise ValueError(_l("Type the yearly rate in percent, from 0 to 100, like 10 or 10.5.")) from None

    @staticmethod
    def _margin(text: str) -> int:
        try:
            return money.parse_rate(text)
        except AmountError:
            raise ValueError(_l("Type the margin in percentage points, from 0 to 100, like 8.")) from None

    @staticmethod
    def _grace(text: str) -> int:
        if not _DAYS.match(text) or int(text) > MAX_GRACE_DAYS:
            raise ValueError(_l("Give a whole number of days from 0 to 365."))
        return int(text)

    def _minimum(self, text: str) -> int:
        try:
            amount = money.parse_amount(text, self.currency)
        except AmountError:
            example = money.amount_example(self.currency)
            raise ValueError(_l("Type an amount like %(example)s, or 0.", example=example)) from None
        if amount < 0:
            raise ValueError(_l("The smallest amount cannot be below zero."))
        return amount


class ReferenceRateForm(FlaskForm):
    """One row of the reference-rate table: the rate in force from a day on."""

    valid_from = DateField(
        _l("In force from"), validators=[InputRequired(_l("Give the day the rate takes effect.")), _in_range]
    )
    rate = StringField(
        _l("Rate, in % a year"),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
        description=_l("As published, for example 4.5 or −0.5."),
    )

    def validate_rate(self, field) -> None:
        try:
            self.basis_points = parse_signed_rate(field.data or "")
        except AmountError:
            raise ValidationError(_l("Type the rate in percent, from −100 to 100, like 4.5.")) from None


class ThroughForm(FlaskForm):
    """The last day a run charges interest for: a day that is over."""

    through = DateField(
        _l("Charge interest up to and including"),
        validators=[InputRequired(_l("Give the last day to charge interest for.")), _in_range],
        format=["%Y-%m-%d"],
        description=_l("A day that is over: yesterday at the latest."),
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_through(self, field) -> None:
        if field.data and field.data >= self.today:
            raise ValidationError(_l("Choose a day before today: a day is charged once it is over."))
