"""Forms for people, invitations, registration requests and roles."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from blueprints.auth.forms import EMAIL_VALIDATORS, new_password_fields
from blueprints.portal.forms import PHONE
from models import permissions as perms

OPTIONAL_EMAIL = [
    Optional(),
    Email(_l("Enter a valid e-mail address, like name@example.com."), check_deliverability=False),
    Length(max=254),
]

INVOICE_LANGUAGES = [
    SelectChoice("", _l("The association's language")),
    SelectChoice("en", "English"),
    SelectChoice("sv", "Svenska"),
    SelectChoice("cs", "Čeština"),
    SelectChoice("et", "Eesti"),
]


class PersonForm(FlaskForm):
    """R2: name, personal or company id, contacts, postal address, invoice delivery and language."""

    given_name = StringField(_l("Given name"), validators=[Optional(), Length(max=120)])
    surname = StringField(
        _l("Surname or company name"),
        validators=[DataRequired(_l("Enter the surname (or the company's name).")), Length(max=120)],
    )
    personal_id = StringField(
        _l("Personal or company id"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9A-Za-z +\-/]*$", message=_l("Use digits, letters, spaces and - / + only.")),
        ],
    )
    email = EmailField(_l("E-mail address"), validators=OPTIONAL_EMAIL)
    phone_mobile = TelField(_l("Phone (mobile)"), validators=PHONE)
    phone_home = TelField(_l("Phone (home)"), validators=PHONE)
    phone_work = TelField(_l("Phone (work)"), validators=PHONE)
    street = StringField(_l("Street address"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=20)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    country = StringField(
        _l("Country"),
        validators=[
            Optional(),
            Regexp(r"^[A-Za-z]{2}$", message=_l("Use the two-letter country code, like SE, CZ or EE.")),
        ],
    )
    invoice_by_email = BooleanField(_l("Invoices by e-mail"), default=True)
    invoice_by_paper = BooleanField(_l("Invoices on paper"))
    invoice_language = SelectField(
        _l("Invoice language"),
        choices=INVOICE_LANGUAGES,
        validate_choice=False,  # checked below, with a sentence the board understands
    )

    def validate_invoice_language(self, field):
        if field.data not in {choice.value for choice in INVOICE_LANGUAGES}:
            raise ValidationError(_l("Choose one of the languages offered."))

    def validate_invoice_by_email(self, field):
        if field.data and not (self.email.data or "").strip():
            raise ValidationError(_l("Invoices by e-mail need an e-mail address."))


class EmailForm(FlaskForm):
    email = EmailField(_l("New e-mail address"), validators=OPTIONAL_EMAIL)


class ConfirmForm(FlaskForm):
    """Just the CSRF token: a confirmed action."""


class RoleChoiceForm(FlaskForm):
    role = SelectField(_l("Role"), coerce=int, validate_choice=False)

    def validate_role(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose one of the roles."))


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


class _Checkboxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RoleForm(FlaskForm):
    name = StringField(_l("Name of the role"), validators=[DataRequired(_l("Name the role.")), Length(max=100)])
    permissions = _Checkboxes(
        _l("Permissions"),
        choices=[SelectChoice(key) for key in perms.DESCRIPTIONS],
        validate_choice=False,
    )

    def validate_permissions(self, field):
        unknown = set(field.data or ()) - perms.ALL
        if unknown:
            raise ValidationError(_l("Unknown permission."))
