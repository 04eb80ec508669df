"""Forms on "My account"."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from blueprints.auth.forms import EMAIL_VALIDATORS, new_password_fields

PHONE = [Optional(), Length(max=40), Regexp(r"^[0-9+()\-. /]*$", message=_l("Use digits, spaces and + - ( ) only."))]

LANGUAGE_CHOICES = [
    SelectChoice("", _l("The association's language")),
    SelectChoice("en", "English"),
    SelectChoice("sv", "Svenska"),
    SelectChoice("cs", "Čeština"),
    SelectChoice("et", "Eesti"),
]


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter your name.")), Length(max=200)])
    phone_home = TelField(_l("Phone (home)"), validators=PHONE)
    phone_mobile = TelField(_l("Phone (mobile)"), validators=PHONE)
    phone_work = TelField(_l("Phone (work)"), validators=PHONE)
    ui_language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = new_password_fields()


class EmailChangeForm(FlaskForm):
    new_email = EmailField(_l("New e-mail address"), validators=EMAIL_VALIDATORS, render_kw={"autocomplete": "email"})
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
