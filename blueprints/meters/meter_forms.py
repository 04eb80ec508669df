"""The board's meter forms (M1): a new meter with its first reading, a change, a replacement; and how a
typed meter reading is read ("12,345" and "12.345" alike) and shown back."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from core.text import lazy_gettext as _l
from models.meters import Meter

# What a reading column holds: 15 digits, 3 of them decimals (models.meters.READING).
LARGEST = Decimal("999999999999.999")
THREE_PLACES = Decimal("0.001")
SPACES = (" ", "\u00a0", "\u202f", "'", "_")


class ReadingRefused(ValueError):  # noqa: N818 (a form's reason, not a failure)
    """A typed reading that is not one; the message says why, for the form."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def parse_reading(text: str | None) -> Decimal | None:
    """A typed meter reading as an exact decimal, None when left empty; raises ReadingRefused.

    Both "12,345" and "12.345" are twelve point three four five (a meter shows no thousands); spaces
    are ignored, and with both marks the last one is the decimal mark ("1.234,5")."""
    text = (text or "").strip()
    for space in SPACES:
        text = text.replace(space, "")
    if not text:
        return None
    if "," in text and "." in text:
        mark = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if mark == "," else ",", "").replace(mark, ".")
    else:
        text = text.replace(",", ".")
    if text.startswith("-") and text[1:].replace(".", "", 1).isdigit():
        raise ReadingRefused(_l("A meter reading cannot be negative."))
    if not text.replace(".", "", 1).isdigit():
        raise ReadingRefused(_l("Type the number the meter shows, like 123,456."))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ReadingRefused(_l("Type the number the meter shows, like 123,456.")) from None
    if value > LARGEST:
        raise ReadingRefused(_l("This number is too large for a meter reading."))
    if value != value.quantize(THREE_PLACES):
        raise ReadingRefused(_l("Give at most three decimals."))
    return value.quantize(THREE_PLACES)


def show_reading(value) -> str:
    """A reading as people write it: no trailing zeros, the page language's decimal mark (12,3 or 12.3)."""
    if value is None:
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = f"{number.normalize():f}" if number else "0"
    decimal = get_locale().number_symbols.get("latn", {}).get("decimal", ".")
    return text.replace(".", decimal)


class ReadingField(StringField):
    """A meter reading typed with a comma or a point; `.data` is a Decimal or None."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        try:
            self.data = parse_reading(self.raw)
        except ReadingRefused as refused:
            self.data = None
            raise ValueError(str(refused.message)) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return show_reading(self.data) if self.data is not None else ""


def removed_not_before_installed(form, field) -> None:
    if field.data and form.installed_on.data and field.data < form.installed_on.data:
        raise ValidationError(_l("A meter cannot be removed before it was installed."))


KIND_CHOICES = [SelectChoice("", _l("Choose…"))] + [SelectChoice(key, label) for key, label in Meter.KINDS.items()]


class MeterFields(FlaskForm):
    """What the new-meter and edit forms share."""

    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, validators=[DataRequired(_l("Choose the kind of meter."))])
    serial = StringField(
        _l("Serial number"),
        validators=[DataRequired(_l("Give the number printed on the meter.")), Length(max=60)],
    )
    measure = StringField(_l("Unit of measure"), validators=[Optional(), Length(max=12)])
    installed_on = DateField(_l("Installed on"), validators=[InputRequired(_l("Give the day it was installed."))])
    removed_on = DateField(_l("Removed on"), validators=[Optional(), removed_not_before_installed])
    remote_read = BooleanField(_l("Read remotely by the reading company (residents do not hand in its readings)"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class NewMeterForm(MeterFields):
    """A new meter: where it is, what it measures, and what it showed when installed."""

    place = SelectField(_l("Where"), choices=[], validators=[DataRequired(_l("Choose the unit or the building."))])
    first_reading = ReadingField(
        _l("First reading"), validators=[InputRequired(_l("Give what the meter showed when it was installed."))]
    )


class EditMeterForm(MeterFields):
    """A meter's details (its readings are corrected one by one)."""


class ReplaceMeterForm(FlaskForm):
    """The old meter's last reading and removal day; the new meter's serial and first reading."""

    removed_on = DateField(_l("Replaced on"), validators=[InputRequired(_l("Give the day the meter was replaced."))])
    last_reading = ReadingField(
        _l("The old meter's last reading"), validators=[InputRequired(_l("Give what the old meter showed last."))]
    )
    serial = StringField(
        _l("The new meter's serial number"),
        validators=[DataRequired(_l("Give the number printed on the new meter.")), Length(max=60)],
    )
    first_reading = ReadingField(
        _l("The new meter's first reading"), validators=[InputRequired(_l("Give what the new meter showed."))]
    )
    remote_read = BooleanField(_l("The new meter is read remotely by the reading company"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class CorrectReadingForm(FlaskForm):
    """The board's correction of a reading; after the lock, with a reason."""

    value = ReadingField(_l("Reading"), validators=[InputRequired(_l("Give the correct reading."))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])
