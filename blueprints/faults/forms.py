"""Forms for fault reports and requests, their handling, and the board's deadlines (F1–F3).

The rules (what a resident may choose, what a status may become) live in
reporting.py and workflow.py; these forms only carry what was typed, so a
refused post can show it again.
"""

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.text import lazy_gettext as _l
from models.faults import FaultDeadline, FaultReport

R = FaultReport

KIND_LABELS = {R.FAULT: _l("Report a fault"), R.REQUEST: _l("Send a question or request")}
SEVERITY_LABELS = {
    R.URGENT: _l("Urgent: danger, water leaking, no heat or power"),
    R.NORMAL: _l("Normal"),
    R.LOW: _l("Low: when there is time"),
}
SEVERITY_SHORT = {R.URGENT: _l("Urgent"), R.NORMAL: _l("Normal"), R.LOW: _l("Low")}
CATEGORY_LABELS = {
    "plumbing": _l("Water and drains"),
    "electricity": _l("Electricity"),
    "heating": _l("Heating"),
    "ventilation": _l("Ventilation"),
    "lift": _l("Lift"),
    "doors_locks": _l("Doors and locks"),
    "outdoor": _l("Outdoors and garden"),
    "other": _l("Something else"),
}
RESPONSIBLE_LABELS = {
    R.ADMINISTRATION: _l("The administration"),
    R.REPAIRS: _l("Repairs and maintenance"),
    R.ACCOUNTS: _l("Accounts and payments"),
}
DEADLINE_UNITS = {FaultDeadline.HOURS: _l("hours"), FaultDeadline.WORKING_DAYS: _l("working days")}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


FILES_HINT = _l("Photos (JPEG, PNG, WebP) or PDF files, at most 5. On a phone you can take a photo.")
FILES_ACCEPT = "image/*,application/pdf"


class ReportForm(FlaskForm):
    """F1: a fault (where, what, how urgent) or a request to a responsible role, with contact details."""

    kind = RadioField(_l("What do you want to do?"), choices=_choices(KIND_LABELS), default=R.FAULT)
    # "unit:<id>", "area:<building id>" or "building:<building id>"; the view fills the choices.
    place = SelectField(_l("Where is the fault?"), validate_choice=False)
    area = StringField(_l("Which common area?"), validators=[Optional(), Length(max=120)])
    category = SelectField(_l("What kind of fault?"), choices=_choices(CATEGORY_LABELS), default="other")
    responsible = SelectField(_l("Who is it for?"), choices=_choices(RESPONSIBLE_LABELS), default=R.ADMINISTRATION)
    title = StringField(
        _l("Short description"),
        validators=[DataRequired(_l("Describe the problem in a few words.")), Length(max=200)],
    )
    details = TextAreaField(_l("Details"), validators=[Optional(), Length(max=10_000)])
    severity = RadioField(_l("How urgent is it?"), choices=_choices(SEVERITY_LABELS), default=R.NORMAL)
    files = MultipleFileField(_l("Photos or files"))
    contact_phone = TelField(_l("Your phone"), validators=[Optional(), Length(max=40)])
    contact_email = EmailField(_l("Your e-mail"), validators=[Optional(), Length(max=254)])


class AssignForm(FlaskForm):
    """F2: who handles the report."""

    NOBODY = "none"
    assignee = SelectField(
        _l("Handled by"), validators=[InputRequired(_l("Choose who handles the report."))], validate_choice=False
    )


class StatusForm(FlaskForm):
    """F2, F3: move the report on, with a note and attachments (the pressed button names the status)."""

    to_status = StringField(validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=10_000)])
    files = MultipleFileField(_l("Photos or files"))


class CommentForm(FlaskForm):
    """F3: a comment with photos, by anyone who can see the report."""

    text = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=10_000)])
    files = MultipleFileField(_l("Photos"))


class DeadlineForm(FlaskForm):
    """F2: how soon a report of each severity must be answered."""


for _severity in R.SEVERITIES:
    setattr(
        DeadlineForm,
        f"{_severity}_amount",
        IntegerField(
            SEVERITY_SHORT[_severity],
            validators=[
                InputRequired(_l("Enter a number.")),
                NumberRange(1, 999, _l("Enter a number from 1 to 999.")),
            ],
        ),
    )
    setattr(
        DeadlineForm,
        f"{_severity}_unit",
        SelectField(_l("in"), choices=_choices(DEADLINE_UNITS), default=FaultDeadline.WORKING_DAYS),
    )
