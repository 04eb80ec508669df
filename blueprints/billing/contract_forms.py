"""The board's forms for contracts and recurring charges (SPEC B1, B8).

Amounts are typed as the board writes them ("6 500", "6500,00") and parsed by
money.parse_amount in the association's currency; the views set `currency`
and `vat_registered` on a form before validating it, and read the parsed
values from `form.parsed`.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from blueprints.billing import money
from core.text import lazy_gettext as _l
from models.billing import Contract

# Contracts of these categories are someone's home or business: they always name a party.
NEEDS_PARTY = (Contract.HOME, Contract.COMMERCIAL)


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in labels.items()]


def _amount_message(currency: str) -> str:
    digits = money.exponent(currency)
    if not digits:
        return _l("Give a whole amount in %(currency)s, like %(example)s.", currency=currency, example="1 234")
    return _l(
        "Give an amount in %(currency)s with at most %(digits)d decimals, like %(example)s.",
        currency=currency,
        digits=digits,
        example=money.amount_example(currency),
    )


def check_amount(*, required: bool):
    """Validator: an amount of the form's currency, above zero (a blank rent is 0 when not required)."""

    def validate(form, field) -> None:
        text = (field.data or "").strip()
        if not text and not required:
            form.parsed[field.name] = 0
            return
        if not text:
            raise ValidationError(_l("Give the amount."))
        try:
            amount = money.parse_amount(text, form.currency)
        except money.AmountError:
            raise ValidationError(_amount_message(form.currency)) from None
        if amount < 0:
            raise ValidationError(_l("The amount cannot be below zero."))
        if required and amount == 0:
            raise ValidationError(_l("The amount must be more than zero."))
        form.parsed[field.name] = amount

    return validate


def check_rate(form, field) -> None:
    """Validator: a VAT rate in percent when the association is registered for VAT; else ignored (0)."""
    if not form.vat_registered:
        form.parsed[field.name] = 0
        return
    try:
        form.parsed[field.name] = money.parse_rate(field.data or "")
    except money.AmountError:
        raise ValidationError(_l("Give the VAT rate in percent, from 0 to 100, like 25 or 12.5.")) from None


def not_before(other: str, message):
    def validate(form, field) -> None:
        first = form[other].data
        if field.data and first and field.data < first:
            raise ValidationError(message)

    return validate


class MoneyForm(FlaskForm):
    """A form with amounts: the view says in which currency and whether VAT applies."""

    def __init__(self, *args, currency: str, vat_registered: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.vat_registered = vat_registered
        self.parsed: dict[str, int] = {}


class PartiesField(SelectMultipleField):
    """People of the register named on the contract. The form posts ticked boxes (those chosen) and
    "add a person" selects under this one name; blank selects are skipped and repeats counted once."""

    def process_formdata(self, valuelist):
        chosen = []
        for value in valuelist:
            if value not in ("", "0") and value not in chosen:
                chosen.append(value)
        super().process_formdata(chosen)


class ContractForm(MoneyForm):
    unit = SelectField(_l("Unit"), coerce=int, default=0, validators=[DataRequired(_l("Choose the unit."))])
    number = StringField(
        _l("Contract number"), validators=[DataRequired(_l("Give the contract a number.")), Length(max=40)]
    )
    category = SelectField(_l("Category"), choices=_choices(Contract.CATEGORIES), default=Contract.HOME)
    type_label = StringField(_l("Type"), validators=[Length(max=120)])
    status = SelectField(_l("Status"), choices=_choices(Contract.STATUSES), default=Contract.ACTIVE)
    start_date = DateField(_l("Start date"), validators=[InputRequired(_l("Give the first day of the contract."))])
    end_date = DateField(
        _l("End date"),
        validators=[Optional(), not_before("start_date", _l("The end date cannot be before the start date."))],
    )
    notice_months = IntegerField(
        _l("Notice period (months)"),
        validators=[Optional(), NumberRange(min=0, max=120, message=_l("Give a number of months from 0 to 120."))],
    )
    renewal = SelectField(_l("Renewal"), choices=_choices(Contract.RENEWALS), default=Contract.INDEFINITE)
    renewal_months = IntegerField(
        _l("Renews by (months)"),
        validators=[Optional(), NumberRange(min=1, max=120, message=_l("Give a number of months from 1 to 120."))],
    )
    rent = StringField(_l("Monthly rent or fee"), validators=[check_amount(required=False)])
    rent_vat = StringField(_l("VAT on the rent (%)"), validators=[check_rate])
    note = TextAreaField(_l("Note for the board"), validators=[Length(max=5000)])
    parties = PartiesField(_l("Parties"), coerce=int)

    def validate(self, extra_validators=None) -> bool:
        """The field checks, then the rules between fields (an empty optional field skips its own)."""
        valid = super().validate(extra_validators)
        for field, message in self._cross_field_errors():
            field.errors = [*field.errors, message]
            valid = False
        return valid

    def _cross_field_errors(self):
        if self.renewal.data == Contract.RENEWS and not self.renewal_months.data and not self.renewal_months.errors:
            yield self.renewal_months, _l("Give by how many months the contract renews.")
        if not self.end_date.data and not self.end_date.errors:
            if self.renewal.data == Contract.FIXED:
                yield self.end_date, _l("A fixed-term contract needs an end date.")
            elif self.status.data in (Contract.TERMINATED, Contract.ENDED):
                yield self.end_date, _l("Give the last day of a terminated or ended contract.")
        if self.category.data in NEEDS_PARTY and not self.parties.data and not self.parties.errors:
            yield self.parties, _l("Name at least one person on a home or commercial contract.")


class TerminateForm(FlaskForm):
    last_day = DateField(_l("Last day of the contract"), validators=[InputRequired(_l("Give the last day."))])


class ChargeForm(MoneyForm):
    description = StringField(
        _l("Description"),
        validators=[DataRequired(_l("Say what the charge is for, like “Monthly fee”.")), Length(max=200)],
    )
    amount = StringField(_l("Amount per month"), validators=[check_amount(required=True)])
    vat_rate = StringField(_l("VAT (%)"), validators=[check_rate])
    valid_from = DateField(_l("From"), validators=[Optional()])
    valid_to = DateField(
        _l("Until (last day)"),
        validators=[Optional(), not_before("valid_from", _l("The last day cannot be before the first day."))],
    )
    # The service this charge is the monthly advance for (B9): the yearly settlement compares what was
    # invoiced for it with the unit's share of its cost. The view gives the association's services.
    service = SelectField(_l("This is the monthly advance for"), coerce=int, default=0, validate_choice=False)

    def offer_services(self, services: list[tuple[int, str]]) -> ChargeForm:
        self.service.choices = [SelectChoice(0, _l("No service: not an advance"))] + [
            SelectChoice(service_id, name) for service_id, name in services
        ]
        return self

    def validate_service(self, field) -> None:
        if field.data and field.data not in {choice.value for choice in field.choices or []}:
            raise ValidationError(_l("Choose one of the services."))
