"""Forms of the instalment plan pages: the terms of a new plan, and why a plan is cancelled.

The rules (at least one invoice, the first due date not in the past, an exact split) live in plans.py;
the forms read what was typed and carry it back on a refusal."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from blueprints.billing import plans
from core.forms import CheckboxesField
from core.text import lazy_gettext as _l


def _in_range(form, field) -> None:
    if field.data and not 2000 <= field.data.year <= 2200:
        raise ValidationError(_l("Give a date between the years 2000 and 2200."))


class PlanForm(FlaskForm):
    """Which open invoices move into the plan, in how many instalments, from when and how often."""

    invoices = CheckboxesField(_l("Invoices to move into the plan"), coerce=int)
    instalment_count = IntegerField(
        _l("Number of instalments"),
        validators=[
            InputRequired(_l("Enter the number of instalments.")),
            NumberRange(1, plans.MAX_INSTALMENTS, _l("Choose between 1 and %(max)d instalments.")),
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": plans.MAX_INSTALMENTS},
    )
    first_due = DateField(
        _l("First instalment due on"),
        validators=[InputRequired(_l("Enter the date the first instalment falls due.")), _in_range],
        format=["%Y-%m-%d"],
    )
    interval_months = IntegerField(
        _l("Months between instalments"),
        validators=[
            InputRequired(_l("Enter the months between instalments.")),
            NumberRange(1, plans.MAX_INTERVAL_MONTHS, _l("Choose an interval of 1 to %(max)d months.")),
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": plans.MAX_INTERVAL_MONTHS},
    )
    note = TextAreaField(
        _l("Note for the board"),
        validators=[Optional(), Length(max=plans.NOTE_MAX)],
        description=_l("What was agreed with the debtor, for example on the phone. Only the board sees it."),
    )
    # The total the preview showed: a plan is made only for the amounts the board saw.
    expected_total = HiddenField()

    def validate_invoices(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one invoice to move into the plan."))

    @property
    def expected(self) -> int | None:
        try:
            return int(self.expected_total.data)
        except (TypeError, ValueError):
            return None


class CancelPlanForm(FlaskForm):
    """Why the plan ends (kept in the plan's note and the audit log)."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Say why the plan is cancelled.")),
            Length(max=plans.REASON_MAX, message=_l("The reason can be at most %(max)d characters.")),
        ],
        description=_l("For example: two instalments missed, agreed with the debtor on the phone."),
    )
