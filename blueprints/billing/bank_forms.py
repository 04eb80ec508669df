"""Forms of the bank pages: the upload, a CSV's column mapping, and the queue's assign and ignore.

The rules live in blueprints/billing/bank/ (what a file is, what a mapping needs, what may be booked); the
forms carry what the board chose back to the page when something is refused.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FileField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.billing.bank import csvfile
from blueprints.billing.bank.importing import REASON_MAX
from blueprints.billing.run_forms import row_id
from core.text import lazy_gettext as _l

ENCODING_LABELS = {"utf-8": "UTF-8", "cp1250": "Windows-1250", "iso-8859-1": "ISO 8859-1 (Latin-1)"}
DELIMITER_LABELS = {";": _l("Semicolon (;)"), ",": _l("Comma (,)"), "\t": _l("Tab"), "|": _l("Vertical bar (|)")}
DECIMAL_LABELS = {",": _l("Comma: 1 234,50"), ".": _l("Point: 1,234.50")}
COLUMN_LABELS = {
    "booked_on": _l("Booking date"),
    "amount": _l("Amount (credits positive, debits negative)"),
    "credit": _l("Or: credit amount"),
    "debit": _l("And: debit amount"),
    "reference": _l("Payment reference (OCR, reference number, variable symbol)"),
    "message": _l("Message"),
    "payer_name": _l("Payer's name"),
    "payer_account": _l("Payer's account"),
    "bank_ref": _l("The bank's own id of the row"),
    "currency": _l("Currency"),
}


class UploadForm(FlaskForm):
    file = FileField(_l("Bank file"))


class MappingForm(FlaskForm):
    """Which column holds what, chosen from the file's header; how dates and amounts are written."""

    bank = StringField(
        _l("Bank"),
        validators=[Optional(), Length(max=120)],
        description=_l("The bank's name, so you know the mapping again, e.g. “Swedbank”."),
    )
    encoding = SelectField(_l("Characters"), choices=[SelectChoice(k, v) for k, v in ENCODING_LABELS.items()])
    delimiter = SelectField(
        _l("Columns separated by"), choices=[SelectChoice(k, v) for k, v in DELIMITER_LABELS.items()]
    )
    booked_on = SelectField(COLUMN_LABELS["booked_on"], validate_choice=False)
    date_format = SelectField(_l("Dates are written"), choices=[SelectChoice(p, e) for p, e in csvfile.DATE_FORMATS])
    amount = SelectField(COLUMN_LABELS["amount"], validate_choice=False)
    credit = SelectField(COLUMN_LABELS["credit"], validate_choice=False)
    debit = SelectField(COLUMN_LABELS["debit"], validate_choice=False)
    decimal = SelectField(_l("Decimal sign"), choices=[SelectChoice(k, v) for k, v in DECIMAL_LABELS.items()])
    reference = SelectField(COLUMN_LABELS["reference"], validate_choice=False)
    message = SelectField(COLUMN_LABELS["message"], validate_choice=False)
    payer_name = SelectField(COLUMN_LABELS["payer_name"], validate_choice=False)
    payer_account = SelectField(COLUMN_LABELS["payer_account"], validate_choice=False)
    bank_ref = SelectField(COLUMN_LABELS["bank_ref"], validate_choice=False)
    currency = SelectField(COLUMN_LABELS["currency"], validate_choice=False)

    def offer(self, header: list[str], none_label: str) -> None:
        """The file's columns as the choices of every column field."""
        choices = [SelectChoice("", none_label)] + [SelectChoice(name, name) for name in header]
        for name in csvfile.COLUMNS:
            getattr(self, name).choices = choices

    def mapping(self) -> dict:
        values = {name: getattr(self, name).data or "" for name in csvfile.COLUMNS}
        values.update(
            bank=(self.bank.data or "").strip(),
            encoding=self.encoding.data,
            delimiter=self.delimiter.data,
            date_format=self.date_format.data,
            decimal=self.decimal.data,
        )
        return values


class AssignForm(FlaskForm):
    """Book a waiting credit: for an invoice (by its number) or for a person."""

    invoice_number = StringField(
        _l("Invoice number"),
        validators=[Optional(), Length(max=12)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    person = SelectField(_l("Or a person"), coerce=row_id, validate_choice=False)


class IgnoreForm(FlaskForm):
    reason = StringField(
        _l("Why it is not booked"),
        validators=[DataRequired(_l("Say why this payment is not booked.")), Length(max=REASON_MAX)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        description=_l("For example: sent back to the payer, or not for the association."),
    )
