"""Forms of moderation (C3): a flag, hiding, deleting, moving a topic, a posting pause, and the board's rules
for discussions (the edit window and the rate limits)."""

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation

from blueprints.community.moderation import REASON_MAX
from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp
from models.community import CommunitySettings


class FlagForm(FlaskForm):
    reason = TextAreaField(
        _l("What is wrong with this post?"),
        validators=[DataRequired(_l("Tell the board what is wrong with the post.")), Length(max=REASON_MAX)],
    )


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (the author reads it)"),
        validators=[DataRequired(_l("Give the reason: the author will read it.")), Length(max=REASON_MAX)],
    )


class ReasonForm(FlaskForm):
    """Deleting, restoring, dismissing flags, locking: a reason for the log, if the board gives one."""

    reason = TextAreaField(_l("Reason (optional, for the log)"), validators=[Optional(), Length(max=REASON_MAX)])


class MoveForm(FlaskForm):
    category = SelectField(
        _l("Move to"), coerce=int, validators=[InputRequired(_lp("discussion category", "Choose a category."))]
    )
    reason = TextAreaField(_l("Reason (optional, for the log)"), validators=[Optional(), Length(max=REASON_MAX)])


class PauseForm(FlaskForm):
    member = SelectField(_l("Member"), coerce=int, validators=[InputRequired(_l("Choose the member."))])
    until = DateField(
        _l("Paused until (that day included)"), validators=[InputRequired(_l("Give the last day of the pause."))]
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give the reason: the board reads it in the log.")), Length(max=REASON_MAX)],
    )


EDIT_WINDOWS = [
    SelectChoice(CommunitySettings.UNTIL_REPLY, _l("Until someone replies, and at most the hours below")),
    SelectChoice(CommunitySettings.HOURS, _l("For the hours below, replies or not")),
]
# Generous upper bounds: a typo in the number (an extra zero) is caught, a strict board is not.
MAX_EDIT_HOURS = 24 * 30
MAX_INTERVAL = 24 * 60 * 60
MAX_PER_DAY = 1000


class WholeNumberField(IntegerField):
    """A number field whose refusal of "abc" or "1.5" says what to type."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError(_l("Give a whole number, such as 15.")) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # "a whole number" says it all; the range would only repeat it


class CommunitySettingsForm(FlaskForm):
    edit_window = RadioField(
        _l("Authors may edit their posts"),
        choices=EDIT_WINDOWS,
        invalid_choice_message=_l("Choose how long authors may edit."),
    )
    edit_hours = WholeNumberField(
        _l("Hours"),
        validators=[
            InputRequired(_l("Give the number of hours.")),
            NumberRange(1, MAX_EDIT_HOURS, _l("Give between %(min)d and %(max)d hours.")),
        ],
    )
    post_interval_seconds = WholeNumberField(
        _l("Seconds between two posts of one member"),
        validators=[
            InputRequired(_l("Give a number of seconds, or 0 for no limit.")),
            NumberRange(0, MAX_INTERVAL, _l("Give between %(min)d and %(max)d seconds.")),
        ],
    )
    posts_per_day = WholeNumberField(
        _l("Posts per member in 24 hours"),
        validators=[
            InputRequired(_l("Give a number of posts, or 0 for no limit.")),
            NumberRange(0, MAX_PER_DAY, _l("Give between %(min)d and %(max)d posts.")),
        ],
    )
