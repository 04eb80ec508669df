"""Forms of the board's reading windows: a new window, its days changed, a missing reading entered.

The rules a window keeps (its days in order, one window per period end) are checked here and again by
the database's unique index; the page shows each refusal beside its field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from core.text import lazy_gettext as _l

REASON_MAX = 300  # ReadingChange.reason
# What a reading may be: fifteen digits with three decimals (models.meters.READING).
MAX_READING = Decimal("999999999999.999")


def default_days(today: dt.date) -> dict[str, dt.date]:
    """The current month as the period, open from its 25th to the 5th of the next month."""
    start = today.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return dict(
        period_start=start, period_end=end, opens_on=start.replace(day=25), closes_on=end + dt.timedelta(days=5)
    )


class DaysForm(FlaskForm):
    """The days residents hand in readings: from the opening to the closing day."""

    opens_on = DateField(_l("Opens on"), validators=[InputRequired(_l("Give the first day residents hand in."))])
    closes_on = DateField(_l("Closes on"), validators=[InputRequired(_l("Give the last day residents hand in."))])

    def validate_closes_on(self, field):
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The window cannot close before it opens."))


class WindowForm(DaysForm):
    """A new window: the period its readings are for, and the days it is open."""

    period_start = DateField(_l("Period from"), validators=[InputRequired(_l("Give the period's first day."))])
    period_end = DateField(
        _l("Period to"),
        validators=[InputRequired(_l("Give the period's last day."))],
        description=_l("The readings are the meters' state on this day."),
    )

    def validate_period_end(self, field):
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError(_l("The period cannot end before it starts."))


def _reading(text: str | None) -> Decimal | None:
    """A reading typed with a decimal comma or point and any spaces; None when it is not a number."""
    cleaned = (text or "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class EnterReadingForm(FlaskForm):
    """The board's reading of a meter that has none this window."""

    value = StringField(
        _l("Reading"),
        validators=[InputRequired(_l("Enter the meter's reading.")), Length(max=30)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    reason = StringField(
        _l("Why the board enters it"),
        validators=[Optional(), Length(max=REASON_MAX)],
        description=_l("Needed once the period is locked."),
    )

    def validate_value(self, field):
        value = _reading(field.data)
        if value is None:
            raise ValidationError(_l("Write the reading as a number, like 123.45."))
        if value < 0:
            raise ValidationError(_l("A meter reading cannot be negative."))
        if value > MAX_READING:
            raise ValidationError(_l("That is more digits than a meter has."))

    @property
    def reading(self) -> Decimal:
        return _reading(self.value.data).quantize(Decimal("0.001"))
