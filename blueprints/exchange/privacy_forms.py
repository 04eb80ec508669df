"""The board's erasure form (GDPR): a confirmation, and the files kept only with a stated legal reason."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from core.text import lazy_gettext as _l


class ErasureForm(FlaskForm):
    keep_files = BooleanField(_l("Keep the files they uploaded for a legal reason"))
    keep_reason = TextAreaField(
        _l("The legal reason"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[Length(max=1000)],
    )
    confirm = BooleanField(
        _l("I understand that this cannot be undone"),
        validators=[DataRequired(_l("Tick the box to confirm the erasure."))],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.keep_files.data and not self.keep_reason.data:
            self.keep_reason.errors = [*self.keep_reason.errors, _l("State the legal reason for keeping the files.")]
            return False
        return valid

    @property
    def reason(self) -> str:
        """The stated reason, when the files are kept; "" when they go."""
        return self.keep_reason.data if self.keep_files.data else ""
