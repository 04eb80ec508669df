"""Forms of the reading import: the upload, and which column of the company's file holds what."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FileField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from blueprints.meters import importing
from core.text import lazy_gettext as _l

DECIMAL_LABELS = {",": _l("Comma: 1 234,567"), ".": _l("Point: 1,234.567")}
COLUMN_LABELS = {
    "serial": _l("Meter serial number"),
    "value": _l("Reading"),
    "unit": _l("Unit number (optional, checked against the meter's)"),
    "building": _l("Building (optional, checked against the meter's)"),
    "read_on": _l("Day read (optional)"),
}


class UploadForm(FlaskForm):
    file = FileField(_l("The reading company's file"))


class MappingForm(FlaskForm):
    """Which column holds what, chosen from the file's header; how numbers are written."""

    source = StringField(
        _l("Reading company"),
        validators=[Optional(), Length(max=120)],
        description=_l("Its name, so you know the columns again, e.g. “Techem”."),
    )
    serial = SelectField(COLUMN_LABELS["serial"], validate_choice=False)
    value = SelectField(COLUMN_LABELS["value"], validate_choice=False)
    unit = SelectField(COLUMN_LABELS["unit"], validate_choice=False)
    building = SelectField(COLUMN_LABELS["building"], validate_choice=False)
    read_on = SelectField(COLUMN_LABELS["read_on"], validate_choice=False)
    decimal = SelectField(_l("Decimal sign"), choices=[SelectChoice(k, v) for k, v in DECIMAL_LABELS.items()])

    def offer(self, header: list[str], none_label: str) -> None:
        """The file's columns as the choices of every column field."""
        choices = [SelectChoice("", none_label)] + [SelectChoice(name, name) for name in header]
        for name in importing.COLUMNS:
            getattr(self, name).choices = choices

    def mapping(self) -> dict:
        values = {name: getattr(self, name).data or "" for name in importing.COLUMNS}
        values.update(source=(self.source.data or "").strip(), decimal=self.decimal.data)
        return values
