"""Forms of the board's invoicing pages: a run for a period, a single invoice, a credit note and the
billing settings (SPEC B2, B8). Amounts are typed in the currency ("1 234,50") and parsed by money.py."""

from __future__ import annotations

import datetime as dt
import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from blueprints.billing import money, references
from blueprints.billing.money import AmountError
from core.text import lazy_gettext as _l
from models.billing import BillingSettings

LINE_COUNT = 6  # lines on a hand-made invoice
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def parse_month(text: str | None) -> dt.date | None:
    """ "2026-12" (what <input type="month"> sends) -> 1 December 2026; None when it is not a month."""
    match = _MONTH.match((text or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2200 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


def row_id(value) -> int | None:
    """A select's value as a row id; None for "none chosen" or anything that is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _in_range(form, field) -> None:
    """A date of the years parse_month takes: 9999-12-31 plus the payment terms is past what a date holds."""
    if field.data and not 2000 <= field.data.year <= 2200:
        raise ValidationError(_l("Give a date between the years 2000 and 2200."))


def _month(form, field) -> None:
    if field.data and parse_month(field.data) is None:
        raise ValidationError(_l("Choose a month, written like 2026-12."))


class RunForm(FlaskForm):
    """Create invoices for one month: which month, and the date they are issued."""

    period = StringField(
        _l("Month to invoice"),
        validators=[DataRequired(_l("Choose the month to invoice.")), _month],
        render_kw={"type": "month", "placeholder": "2026-12"},
    )
    issue_date = DateField(
        _l("Issue date"),
        validators=[Optional(), _in_range],
        format=["%Y-%m-%d"],
        description=_l("Leave empty for today. The due date follows from the payment terms."),
    )

    @property
    def period_start(self) -> dt.date | None:
        return parse_month(self.period.data)


class LineForm(Form):
    """One line of a hand-made invoice; an empty line is ignored."""

    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)])
    amount = StringField(_l("Amount"), render_kw={"inputmode": "decimal", "autocomplete": "off"})
    vat = StringField(_l("VAT %"), render_kw={"inputmode": "decimal", "autocomplete": "off"})

    @property
    def is_blank(self) -> bool:
        return not (self.description.data or "").strip() and not (self.amount.data or "").strip()


class InvoiceForm(FlaskForm):
    """A single invoice by hand: who, for what, when, and up to six lines."""

    # The view fills the choices: ("", "Choose…") or ("", "No unit") first, then the register's rows.
    recipient = SelectField(_l("Recipient"), coerce=row_id, validate_choice=False)
    unit = SelectField(_l("Unit (optional)"), coerce=row_id, validate_choice=False)
    period = StringField(_l("Period (month)"), validators=[Optional(), _month], render_kw={"type": "month"})
    issue_date = DateField(_l("Issue date"), validators=[InputRequired(_l("Give the issue date.")), _in_range])
    due_date = DateField(_l("Due date"), validators=[Optional(), _in_range])
    message = TextAreaField(_l("Message on the invoice"), validators=[Optional(), Length(max=2000)])
    lines = FieldList(FormField(LineForm), min_entries=LINE_COUNT, max_entries=LINE_COUNT)

    def __init__(self, *args, currency: str, vat_registered: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.vat_registered = vat_registered
        self.parsed_lines: list[money.Line] = []

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.recipient.data is None or self.recipient.data not in {
            row_id(choice.value) for choice in self.recipient.choices
        }:
            self.recipient.errors = [*self.recipient.errors, _l("Choose who the invoice is for.")]
            valid = False
        if self.unit.data not in {row_id(choice.value) for choice in self.unit.choices}:
            self.unit.errors = [*self.unit.errors, _l("Choose a unit from the list.")]
            valid = False
        if self.due_date.data and self.issue_date.data and self.due_date.data < self.issue_date.data:
            self.due_date.errors = [*self.due_date.errors, _l("The due date cannot be before the issue date.")]
            valid = False
        return self._validate_lines() and valid

    def _validate_lines(self) -> bool:
        valid = True
        self.parsed_lines = []
        for entry in self.lines:
            line = entry.form
            if line.is_blank:
                continue
            description = (line.description.data or "").strip()
            if not description:
                line.description.errors = [*line.description.errors, _l("Say what the amount is for.")]
                valid = False
            try:
                amount = money.parse_amount(line.amount.data or "", self.currency)
            except AmountError:
                example = money.amount_example(self.currency)
                line.amount.errors = [*line.amount.errors, _l("Type an amount like %(example)s.", example=example)]
                valid = False
                amount = None
            rate = 0
            if self.vat_registered:
                try:
                    rate = money.parse_rate(line.vat.data or "0")
                except AmountError:
                    line.vat.errors = [*line.vat.errors, _l("Type the VAT rate in percent, from 0 to 100.")]
                    valid = False
            if amount is not None and description:
                self.parsed_lines.append(money.Line(description, amount, rate))
        if valid and not self.parsed_lines:
            self.form_errors.append(_l("Fill in at least one line: what it is for and the amount."))
            return False
        if valid and money.totals(self.parsed_lines).total <= 0:
            self.form_errors.append(
                _l("The invoice total must be more than zero. To pay money back, credit an invoice.")
            )
            return False
        return valid


class CreditForm(FlaskForm):
    """Why the invoice is credited (printed on the credit note)."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=500)],
        description=_l('Printed on the credit note, for example "Invoiced twice".'),
    )


def _iban(form, field) -> None:
    if field.data and not references.valid_iban(field.data):
        raise ValidationError(
            _l(
                "This is not a valid IBAN: check the country code, the length and every digit (the check digits do not match)."
            )
        )


def _bankgiro(form, field) -> None:
    if field.data and not references.valid_bankgiro(field.data):
        raise ValidationError(_l("This is not a valid bankgiro number: it has 7 or 8 digits, like 5050-1055."))


def _bic(form, field) -> None:
    if field.data and not _BIC.match(field.data.replace(" ", "").upper()):
        raise ValidationError(_l("A BIC has 8 or 11 letters and digits, like HABAEE2X."))


class SettingsForm(FlaskForm):
    """Who is paid, into which account, with which references and terms."""

    payee_name = StringField(
        _l("Payee name"), validators=[DataRequired(_l("Give the name invoices are paid to.")), Length(max=200)]
    )
    payee_address = TextAreaField(
        _l("Payee address"), validators=[Optional(), Length(max=500)], description=_l("One line per line.")
    )
    org_number = StringField(_l("Organisation number"), validators=[Optional(), Length(max=40)])
    vat_number = StringField(_l("VAT number"), validators=[Optional(), Length(max=40)])
    vat_registered = BooleanField(_l("The association is registered for VAT (charges carry VAT)"))
    iban = StringField(_l("IBAN"), validators=[Optional(), Length(max=42), _iban])
    bic = StringField(_l("BIC"), validators=[Optional(), Length(max=14), _bic])
    bankgiro = StringField(_l("Bankgiro"), validators=[Optional(), Length(max=12), _bankgiro])
    account_number = StringField(
        _l("National account number"),
        validators=[Optional(), Length(max=40)],
        description=_l("As written in your country, for example 2000145399/0800."),
    )
    reference_standard = SelectField(
        _l("Payment reference"),
        choices=[SelectChoice(key, label) for key, label in BillingSettings.REFERENCE_STANDARDS.items()],
    )
    ocr_length_digit = BooleanField(_l("Swedish OCR numbers carry a length digit"))
    payment_terms_days = IntegerField(
        _l("Payment terms in days"),
        validators=[
            InputRequired(_l("Give the number of days, for example 14.")),
            NumberRange(0, 365, _l("Give a number of days from 0 to 365.")),
        ],
    )
    next_invoice_number = IntegerField(
        _l("Next invoice number"),
        validators=[
            InputRequired(_l("Give the next invoice number.")),
            NumberRange(1, 2_000_000_000, _l("Give a whole number of at least 1.")),
        ],
        description=_l("Numbers already used are skipped."),
    )
    invoice_footer = TextAreaField(_l("Invoice footer"), validators=[Optional(), Length(max=1000)])
