"""Forms for signing in, signing up and recovering an account."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from blueprints.auth.accounts import PASSWORD_MIN_LENGTH

EMAIL_VALIDATORS = [
    DataRequired(_l("Enter your e-mail address.")),
    Email(_l("Enter a valid e-mail address, like name@example.com."), check_deliverability=False),
    Length(max=254),
]


def new_password_fields():
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=128,
                message=_l("Use between %(min)d and %(max)d characters.", min=PASSWORD_MIN_LENGTH, max=128),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(_l("Repeat the password.")), EqualTo("password", _l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=EMAIL_VALIDATORS, render_kw={"autocomplete": "username"})
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class SignupForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=EMAIL_VALIDATORS, render_kw={"autocomplete": "email"})
    password, confirm = new_password_fields()
    accept = BooleanField(
        _l("I have read and accept how my personal data is handled."),
        validators=[DataRequired(_l("You need to accept the data-protection text to create an account."))],
    )


class ForgotForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=EMAIL_VALIDATORS, render_kw={"autocomplete": "email"})


class ResetForm(FlaskForm):
    password, confirm = new_password_fields()


class ConfirmForm(FlaskForm):
    """Just the CSRF token: a button that uses a mailed link (mail scanners only GET)."""
