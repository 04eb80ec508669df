"""Forms of the documents domain: a document, a folder, removing a folder (D1, D2)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core.text import lazy_gettext as _l

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
    body = TextAreaField(_l("Text"), validators=[Length(max=100_000)])
    files = MultipleFileField(_l("Attachments"))
    created_at = DateTimeLocalField(
        _l("Date of the document"), validators=[Optional()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    )
    quiet = BooleanField(_l("Do not notify anyone"))


class FolderForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the folder a name.")), Length(max=120)])
    in_menu = BooleanField(_l("Show in the list of folders"), default=True)


class FolderRemoveForm(FlaskForm):
    move_to = SelectField(_l("Move its documents to"), coerce=int, validators=[Optional()])
