"""Forms of the import: the upload (which kind of rows, which file), and which column holds what."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FileField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from blueprints.exchange import importing
from core.text import lazy_gettext as _l


class UploadForm(FlaskForm):
    kind = SelectField(_l("What the file holds"), validate_choice=False)
    file = FileField(_l("The file (CSV or XLSX)"))

    def offer(self, kinds: list[str]) -> UploadForm:
        self.kind.choices = [SelectChoice(kind, importing.KIND_LABELS[kind]) for kind in kinds]
        return self


class MappingForm(FlaskForm):
    """One select per key of the kind, each offering the file's columns; the source's name."""

    source = StringField(
        _l("Where the file comes from"),
        validators=[Optional(), Length(max=120)],
        description=_l("A name to know these columns again, e.g. “Excel from the former administrator”."),
    )


def mapping_form(kind: str, header: list[str], none_label: str, formdata=None, data: dict | None = None):
    """The mapping form for a kind with one select per key, the file's columns as choices."""

    class _Form(MappingForm):
        pass

    choices = [SelectChoice("", none_label)] + [SelectChoice(name, name) for name in header]
    for key in importing.KEYS[kind]:
        setattr(_Form, f"col_{key}", SelectField(importing.LABELS[key], choices=choices, validate_choice=False))
    return _Form(formdata=formdata, data=data) if formdata is not None else _Form(data=data)


class KeepForm(FlaskForm):
    kept = RadioField(_l("Keep this entry"), choices=[], validate_choice=False,
                      validators=[InputRequired(_l("Choose the entry to keep."))])  # fmt: skip
