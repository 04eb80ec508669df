"""Forms of the balance pages: money received on a person's account, and an allocation taken back.

The rules (what money settles first, a reason to take one back) live in allocation.py; the forms read
what the board typed, in the association's currency, and carry it back on a refusal.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from blueprints.billing.allocation import REASON_MAX
from blueprints.billing.board_forms import MoneyReceivedForm
from core.text import lazy_gettext as _l

REFERENCE_MAX = 140  # Receipt.reference
NOTE_MAX = 200


class ReceiptForm(MoneyReceivedForm):
    """Money received from a person: spent on the invoice chosen first, then their oldest, the rest credit."""

    received_on = DateField(_l("Received on"), validators=[InputRequired(_l("Enter the date the money arrived."))])
    reference = StringField(
        _l("Payment reference"), validators=[Optional(), Length(max=REFERENCE_MAX)], render_kw={"autocomplete": "off"}
    )
    note = StringField(_l("Note for the board"), validators=[Optional(), Length(max=NOTE_MAX)])
    first = SelectField(_l("Settle first"), choices=[], validate_choice=False, validators=[Optional()])

    def validate_first(self, field) -> None:
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose one of this person's open invoices."))


class UndoForm(FlaskForm):
    """Why the board takes an allocation back (kept with it, shown on the invoice and in the ledger)."""

    reason = TextAreaField(
        _l("Why is it taken back?"),
        validators=[InputRequired(_l("Say why the payment is taken back.")), Length(max=REASON_MAX)],
        render_kw={"rows": 2, "maxlength": REASON_MAX},
    )


class VoidReceiptForm(FlaskForm):
    """Why money booked by mistake is undone (kept with each allocation taken back, and in the audit log)."""

    reason = TextAreaField(
        _l("Why is the money undone?"),
        validators=[InputRequired(_l("Say why the money is undone.")), Length(max=REASON_MAX)],
        render_kw={"rows": 2, "maxlength": REASON_MAX},
    )
