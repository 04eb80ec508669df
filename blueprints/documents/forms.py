"""Forms of the documents domain: a document (with its event's times), a folder, removing a folder (D1, D2,
D4), and the member's calendar address."""

import datetime as dt

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional

from blueprints.documents.events import NONE, REPEATS, EventTimes
from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp

FILES_ACCEPT = (
    "application/pdf,.pdf,.docx,.xlsx,.odt,.ods,.txt,text/plain,image/jpeg,image/png,image/webp,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "application/vnd.oasis.opendocument.text,application/vnd.oasis.opendocument.spreadsheet"
)

# What a role may do in a folder, as the folder form offers it.
NOTHING, READ, WRITE = "", "read", "write"
ACCESS_LABELS = {NOTHING: _l("Nothing"), READ: _l("Reads"), WRITE: _l("Reads and writes")}


class DocumentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the document a title.")), Length(max=200)])
    folder = SelectField(_l("Folder"), coerce=int)
    body = TextAreaField(_lp("written text", "Text"), validators=[Length(max=100_000)])
    files = MultipleFileField(_l("Attachments"))
    created_at = DateTimeLocalField(
        _l("Date of the document"), validators=[Optional()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    )
    quiet = BooleanField(_l("Do not notify anyone"))
    # "This is an event" (D4): a date makes the document an event.
    event_date = DateField(_l("Date"), validators=[Optional()])
    event_time = TimeField(_l("Starts at"), validators=[Optional()])
    event_all_day = BooleanField(_l("All day"))
    event_end_date = DateField(_l("Ends on"), validators=[Optional()])
    event_end_time = TimeField(_l("Ends at"), validators=[Optional()])
    event_repeat = SelectField(
        _l("Repeats"), choices=[SelectChoice(key, label) for key, label in REPEATS.items()], default=NONE
    )
    event_until = DateField(_l("Last time on"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._validate_event() and valid

    def _validate_event(self) -> bool:
        if self.event_date.errors or self.event_time.errors or self.event_end_date.errors:
            return False
        start_date = self.event_date.data
        if start_date is None:
            for other in (self.event_time, self.event_end_date, self.event_end_time, self.event_until):
                if other.data:
                    self.event_date.errors.append(_l("Give the date of the event, or leave its times empty."))
                    return False
            if self.event_repeat.data:
                self.event_date.errors.append(_l("Give the date of the event, or leave its times empty."))
                return False
            return True
        times = self.event_times()
        if times.end is not None and times.end < times.start:
            self.event_end_date.errors.append(_l("The event cannot end before it starts."))
            return False
        if times.until is not None and times.until < start_date:
            self.event_until.errors.append(_l("The last time cannot be before the first."))
            return False
        return True

    def event_times(self) -> EventTimes | None:
        """The event as typed, on the association's wall clock, or None when the date is empty."""
        if self.event_date.data is None:
            return None
        all_day = bool(self.event_all_day.data) or self.event_time.data is None  # no time: the whole day
        start_time = dt.time(0) if all_day else self.event_time.data
        start = dt.datetime.combine(self.event_date.data, start_time)
        end = None
        if self.event_end_date.data or self.event_end_time.data:
            end_date = self.event_end_date.data or self.event_date.data
            end = dt.datetime.combine(end_date, dt.time(0) if all_day else (self.event_end_time.data or start_time))
        repeat = self.event_repeat.data or NONE
        return EventTimes(
            start=start, all_day=all_day, end=end, repeat=repeat, until=self.event_until.data if repeat else None
        )

    def show_event(self, times: EventTimes | None) -> None:
        """Fill the event's fields from a stored event."""
        if times is None:
            return
        self.event_date.data = times.start.date()
        self.event_all_day.data = times.all_day
        self.event_time.data = None if times.all_day else times.start.time()
        if times.end is not None:
            self.event_end_date.data = times.end.date()
            self.event_end_time.data = None if times.all_day else times.end.time()
        self.event_repeat.data = times.repeat
        self.event_until.data = times.until


class FolderForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the folder a name.")), Length(max=120)])
    in_menu = BooleanField(_l("Show in the list of folders"), default=True)


class FolderRemoveForm(FlaskForm):
    move_to = SelectField(_l("Move its documents to"), coerce=int, validators=[Optional()])
