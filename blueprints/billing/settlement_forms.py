"""The board's forms for services and the yearly settlement (SPEC B9): a service's name, a new settlement's
year, its deadline and note, and a cost with its key (up to three parts: kind, per cent, meter kind)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from blueprints.billing import money
from blueprints.billing.contract_forms import _amount_message
from core.text import lazy_gettext as _l
from models.billing import SettlementKey
from models.meters import Meter

PARTS = 3  # a cost's key has at most this many parts (heating: 50 % area, 50 % allocators)


class ServiceForm(FlaskForm):
    name = StringField(
        _l("Service"),
        validators=[DataRequired(_l("Give the service's name, like “Water” or “Heating”.")), Length(max=120)],
    )


class NewSettlementForm(FlaskForm):
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(_l("Give the year to settle, like 2026.")),
            NumberRange(2000, 2200, _l("Give a year between 2000 and 2200.")),
        ],
    )


class SettlementDetailsForm(FlaskForm):
    deadline = DateField(
        _l("Statements due by"), validators=[InputRequired(_l("Give the day the statements must reach the units."))]
    )
    note = TextAreaField(_l("Note printed on every statement"), validators=[Optional(), Length(max=2000)])


def _kind_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("(no part)"))] + [SelectChoice(k, v) for k, v in SettlementKey.KINDS.items()]


def _meter_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("(not by meter)"))] + [SelectChoice(k, v) for k, v in Meter.KINDS.items()]


class CostForm(FlaskForm):
    """A service's yearly cost and its key. The view sets `currency` and the service choices."""

    service = SelectField(_l("Service"), coerce=int, validate_choice=False)
    amount = StringField(_l("Actual cost for the year, VAT included"))
    kind_1 = SelectField(_l("Key"), choices=_kind_choices, validate_choice=False)
    percent_1 = IntegerField(_l("Per cent"), default=100, validators=[Optional()])
    meter_1 = SelectField(_l("Meters"), choices=_meter_choices, validate_choice=False)
    kind_2 = SelectField(_l("Second part of the key"), choices=_kind_choices, validate_choice=False)
    percent_2 = IntegerField(_l("Per cent"), validators=[Optional()])
    meter_2 = SelectField(_l("Meters"), choices=_meter_choices, validate_choice=False)
    kind_3 = SelectField(_l("Third part of the key"), choices=_kind_choices, validate_choice=False)
    percent_3 = IntegerField(_l("Per cent"), validators=[Optional()])
    meter_3 = SelectField(_l("Meters"), choices=_meter_choices, validate_choice=False)

    def __init__(self, *args, currency: str, services: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.service.choices = [SelectChoice(0, _l("Choose the service"))] + [
            SelectChoice(service_id, name) for service_id, name in services
        ]
        self.parsed_amount = 0
        self.parts: list[tuple[str, int, str]] = []

    def part_fields(self) -> list[tuple]:
        return [(self[f"kind_{n}"], self[f"percent_{n}"], self[f"meter_{n}"]) for n in range(1, PARTS + 1)]

    def validate_service(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices[1:]}:
            raise ValidationError(_l("Choose the service."))

    def validate_amount(self, field) -> None:
        text = (field.data or "").strip()
        if not text:
            raise ValidationError(_l("Give the amount."))
        try:
            amount = money.parse_amount(text, self.currency)
        except money.AmountError:
            raise ValidationError(_amount_message(self.currency)) from None
        if amount < 0:
            raise ValidationError(_l("The amount cannot be below zero."))
        self.parsed_amount = amount

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        parts = []
        for kind, percent, meter in self.part_fields():
            kind.data = kind.data if kind.data in SettlementKey.KINDS else ""
            meter.data = meter.data if meter.data in Meter.KINDS else ""
            if not kind.data:
                continue
            if percent.data is None or not 1 <= percent.data <= 100:
                percent.errors = [*percent.errors, _l("Give the part's per cent, from 1 to 100.")]
                ok = False
                continue
            if kind.data == SettlementKey.CONSUMPTION and not meter.data:
                meter.errors = [*meter.errors, _l("Say which meters' consumption shares this part.")]
                ok = False
                continue
            parts.append((kind.data, percent.data, meter.data if kind.data == SettlementKey.CONSUMPTION else ""))
        if not parts and not self.kind_1.errors:
            self.kind_1.errors = [*self.kind_1.errors, _l("Choose how the cost is shared.")]
            return False
        if ok and sum(percent for _, percent, _ in parts) != 100:
            self.percent_1.errors = [
                *self.percent_1.errors,
                _l(
                    "The key's parts add up to %(sum)s %%: they must add up to 100 %%.", sum=sum(p for _, p, _ in parts)
                ),
            ]
            return False
        self.parts = parts
        return ok

    def fill(self, cost, parts: list) -> None:
        """Show a stored cost and its key parts."""
        self.service.data = cost.service_id
        self.amount.data = money.amount_text(cost.amount, self.currency)
        for (kind, percent, meter), part in zip(self.part_fields(), parts, strict=False):
            kind.data, percent.data, meter.data = part.kind, part.percent, part.meter_kind
