"""The portal's forms: signing in and up, recovery, my account, invitations, requests for access, roles."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from blueprints.portal.accounts import PASSWORD_MIN_LENGTH
from core.forms import EMAIL_VALIDATORS, PHONE, CheckboxesField, language_choices
from core.text import lazy_gettext as _l
from models import permissions as perms


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


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter your name.")), Length(max=200)])
    phone_home = TelField(_l("Phone (home)"), validators=PHONE)
    phone_mobile = TelField(_l("Phone (mobile)"), validators=PHONE)
    phone_work = TelField(_l("Phone (work)"), validators=PHONE)
    ui_language = SelectField(_l("Language"), choices=language_choices(_l("The association's language")))


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


class InvitationForm(FlaskForm):
    password, confirm = new_password_fields()
    accept = BooleanField(
        _l("I have read and accept how my personal data is handled."),
        validators=[DataRequired(_l("You need to accept the data-protection text to use the portal."))],
    )


class RegistrationForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=EMAIL_VALIDATORS, render_kw={"autocomplete": "email"})
    unit_number = StringField(_l("Unit number"), validators=[Optional(), Length(max=40)])
    message = TextAreaField(_l("Message to the board"), validators=[Optional(), Length(max=2000)])
    # The honeypot: hidden by CSS, so only robots fill it in.
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason, mailed to the applicant"),
        validators=[DataRequired(_l("Say why, so the applicant knows what to do.")), Length(max=2000)],
    )


class RoleForm(FlaskForm):
    name = StringField(_l("Name of the role"), validators=[DataRequired(_l("Name the role.")), Length(max=100)])
    permissions = CheckboxesField(
        _l("Permissions"),
        choices=[SelectChoice(key) for key in perms.DESCRIPTIONS],
        validate_choice=False,
    )

    def validate_permissions(self, field):
        unknown = set(field.data or ()) - perms.ALL
        if unknown:
            raise ValidationError(_l("Unknown permission."))
