"""Forms of two-factor authentication (SPEC P6): a code, the "at every login" switch, removing a factor."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from core.text import lazy_gettext as _l

ENTER_CODE = _l("Enter the code.")


class AppCodeForm(FlaskForm):
    """The first code from an authenticator app, or from a mail: six digits."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(ENTER_CODE), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )


class CodeForm(FlaskForm):
    """Any second factor: a code from the app, a mailed code or a recovery code (letters too)."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(ENTER_CODE), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"},
    )


class AtLoginForm(FlaskForm):
    ask = BooleanField(_l("Ask for my second factor at every login, on every device"))


class RemoveFactorForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
