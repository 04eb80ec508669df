"""Forms of the votes: a poll, a per-rollam vote (seed 004 §4.4, §4.15) and a ballot."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Field,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import TextInput

from blueprints.votes import rules
from core.text import lazy_gettext as _l
from models.votes import Vote

MAX_OPTIONS = 30
TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]

COUNTING = {
    Vote.BY_SHARE: _l("By share of the common property"),
    Vote.BY_UNIT: _l("One unit, one vote"),
}
EVALUATION = {
    Vote.OF_VOTING: _l("Percentage of the voting shares, with a minimum turnout"),
    Vote.OF_ALL: _l("Percentage of all shares"),
}


def percent_text(value: Fraction | None) -> str:
    """A fraction as the percentage typed for it: 1/2 -> "50", 6667/10000 -> "66.67" (exact when it can be)."""
    if value is None:
        return ""
    percent = value * 100
    if percent.denominator == 1:
        return str(percent.numerator)
    places = Decimal(percent.numerator) / Decimal(percent.denominator)
    return format(places.quantize(Decimal("0.0001")).normalize(), "f")


class PercentField(Field):
    """A percentage typed as 50, 50.5 or 66,67, kept as an exact fraction of one (66.67 % -> 6667/10000)."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, render_kw={"inputmode": "decimal", "autocomplete": "off"}, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return percent_text(self.data)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = (valuelist[0] or "").strip().replace(",", ".").rstrip("%").strip()
        if not text:
            self.data = None
            return
        try:
            typed = Decimal(text)
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Type a percentage, like 50 or 66.67.")) from None
        if not typed.is_finite() or typed < 0 or typed > 100 or -typed.as_tuple().exponent > 4:
            self.data = None
            raise ValueError(_l("Type a percentage between 0 and 100, with at most four decimals."))
        self.data = Fraction(typed) / 100


class VoteForm(FlaskForm):
    """What polls and per-rollam votes share: the details, the files, the end, secrecy and live results."""

    body = TextAreaField(_l("Details"), validators=[Length(max=100_000)])
    files = MultipleFileField(_l("Attachments"))
    ends_at = DateTimeLocalField(
        _l("Voting ends"),
        validators=[DataRequired(_l("Say when the vote ends."))],
        format=TIME_FORMATS,
    )
    counting = SelectField(
        _l("Counting"), choices=[SelectChoice(key, label) for key, label in COUNTING.items()], default=Vote.BY_SHARE
    )
    secret = BooleanField(_l("Secret vote"))
    live_results = BooleanField(_l("Show the results while the vote runs"), default=True)


class PollForm(VoteForm):
    title = StringField(_l("Question"), validators=[DataRequired(_l("Write the question.")), Length(max=200)])
    options = TextAreaField(
        _l("Options"), validators=[DataRequired(_l("Write the options, one per line.")), Length(max=9_000)]
    )

    def validate_options(self, field) -> None:
        labels = option_lines(field.data)
        if len(labels) < 2:
            raise ValidationError(_l("A vote needs at least two options, one per line."))
        if len(labels) > MAX_OPTIONS:
            raise ValidationError(_l("At most %(count)d options.", count=MAX_OPTIONS))
        if len({label.casefold() for label in labels}) != len(labels):
            raise ValidationError(_l("Each option must differ from the others."))
        if any(len(label) > 300 for label in labels):
            raise ValidationError(_l("An option can be at most 300 characters long."))


def option_lines(text: str | None) -> list[str]:
    """The options typed one per line, empty lines left out."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class PerRollamForm(VoteForm):
    jurisdiction = SelectField(
        _l("The law it follows"),
        choices=[SelectChoice(key, preset.name) for key, preset in rules.PRESETS.items()],
        default=Vote.NO_LAW,
    )
    title = StringField(
        _l("Short title"), validators=[DataRequired(_l("Give the vote a short title.")), Length(max=200)]
    )
    resolution = TextAreaField(
        _l("Proposed resolution"),
        validators=[DataRequired(_l("Write the resolution the owners approve.")), Length(max=20_000)],
    )
    evaluation = RadioField(
        _l("Evaluation"),
        choices=[SelectChoice(key, label) for key, label in EVALUATION.items()],
        default=Vote.OF_VOTING,
    )
    threshold = PercentField(
        _l("Share needed (%)"),
        validators=[InputRequired(_l("Type the share needed, like 50."))],
        default=Fraction(1, 2),
    )
    quorum = PercentField(_l("Minimum turnout (%)"), validators=[Optional()], default=Fraction(1, 2))
    reminders = BooleanField(_l("Remind units that have not voted every 7 days"), default=True)
    result_folder = SelectField(_l("Publish the result in"), coerce=int, validators=[Optional()])

    def fill_from_law(self, key: str) -> None:
        """The chosen law's defaults in the rule's fields (the board may still change them)."""
        chosen = rules.preset(key)
        self.jurisdiction.data = chosen.key
        self.evaluation.data, self.counting.data = chosen.evaluation, chosen.counting
        self.threshold.data, self.quorum.data = chosen.threshold, chosen.quorum
        for field in (self.evaluation, self.counting, self.threshold, self.quorum):
            field.raw_data = None
            field.errors = []
