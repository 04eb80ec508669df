"""Forms of the discussions: a new topic, a post (a reply), an edit of a post (C1)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp

BODY_HINT = _l(
    "Markdown: **bold**, *italic*, lists with -, links as [text](address). Name a member with @ and their name."
)


class PostForm(FlaskForm):
    body = TextAreaField(_l("Your post"), validators=[DataRequired(_l("Write something first.")), Length(max=50_000)])
    quote_of = HiddenField()
    files = MultipleFileField(_l("Attachments"))


class TopicForm(PostForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the topic a title.")), Length(max=200)])
    category = SelectField(_l("Category"), coerce=int)
    body = TextAreaField(_l("First post"), validators=[DataRequired(_l("Write something first.")), Length(max=50_000)])


class EditForm(FlaskForm):
    body = TextAreaField(
        _lp("written text", "Text"), validators=[DataRequired(_l("Write something first.")), Length(max=50_000)]
    )


def show_refusal(form, refused) -> str | None:
    """Put a refused post's reason (threads.PostingRefused) beside its field, or return it for the top of
    the form; the form keeps what was typed either way."""
    if refused.field and hasattr(form, refused.field):
        field = getattr(form, refused.field)
        field.errors = [*field.errors, refused.message]
        return None
    return refused.message
