"""Forms of the board's invoice pages: recording a payment, confirming one's removal.

The rules (no more than is outstanding, never on a credit note) live in
payments.py; the form reads the amount as the board types it in the
association's currency and carries what was typed back on a refusal.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from blueprints.billing import money
from blueprints.billing.payments import NOTE_MAX, REFERENCE_MAX
from core.text import lazy_gettext as _l


class MoneyReceivedForm(FlaskForm):
    """The amount of money received, read as the board types it; `currency` decides how many decimals it may
    have, and `minor_units` holds it once valid. Payments on an invoice and receipts on a person's account."""

    amount = StringField(
        _l("Amount received"),
        validators=[InputRequired(_l("Enter the amount received.")), Length(max=30)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.minor_units: int | None = None

    def validate_amount(self, field) -> None:
        try:
            value = money.parse_amount(field.data or "", self.currency)
        except money.AmountError:
            digits = money.exponent(self.currency)
            raise ValidationError(
                _l("Enter an amount such as %(example)s.", example="1234" + ("." + "5" * digits if digits else ""))
            ) from None
        if value <= 0:
            raise ValidationError(_l("Enter an amount greater than zero."))
        self.minor_units = value


class PaymentForm(MoneyReceivedForm):
    """Money received against one invoice."""

    paid_on = DateField(_l("Paid on"), validators=[InputRequired(_l("Enter the date the money arrived."))])
    reference = StringField(
        _l("Payment reference"),
        validators=[Optional(), Length(max=REFERENCE_MAX)],
        render_kw={"autocomplete": "off"},
    )
    note = StringField(_l("Note for the board"), validators=[Optional(), Length(max=NOTE_MAX)])
