"""Forms of the register: buildings, units, owners, proxies, residents, the unit file and people."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from blueprints.register.ownership import RegisterError, parse_share_terms
from core.forms import OPTIONAL_EMAIL, PHONE, CheckboxesField, language_choices
from core.text import lazy_gettext as _l
from models.register import Residency, Unit, UnitFileEntry

KIND_LABELS = {
    Unit.FLAT: _l("Flat"),
    Unit.COMMERCIAL: _l("Commercial premises"),
    Unit.GARAGE: _l("Garage"),
    Unit.PARKING: _l("Parking space"),
    Unit.STORAGE: _l("Storage"),
}
ACCESSIBILITY_LABELS = {
    "step_free": _l("Step-free entrance"),
    "lift": _l("Lift"),
    "wheelchair": _l("Wheelchair accessible"),
    "wide_doors": _l("Wide doors"),
    "grab_rails": _l("Grab rails"),
}
RESIDENT_ROLE_LABELS = {
    Residency.OWNER_RESIDENT: _l("Owner living here"),
    Residency.TENANT: _l("Tenant"),
    Residency.HOUSEHOLD: _l("Household member"),
}
FILE_KIND_LABELS = {
    UnitFileEntry.REPAIR: _l("Repair"),
    UnitFileEntry.CHANGE: _l("Change"),
    UnitFileEntry.TENANT_CHANGE: _l("Change of tenant"),
    UnitFileEntry.OWNER_CHANGE: _l("Change of owner"),
    UnitFileEntry.NOTE: _l("Note"),
}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in labels.items()]


def check_share(form, field) -> None:
    """Validator: a fraction 0 < share ≤ 1, with the service's message."""
    try:
        parse_share_terms(field.data)
    except RegisterError as error:
        raise ValidationError(str(error.message)) from None


def last_day_not_before_first(form, field) -> None:
    if field.data and form.start_date.data and field.data < form.start_date.data:
        raise ValidationError(_l("The last day cannot be before the first day."))


class CommaDecimalField(DecimalField):
    """A decimal that also takes a decimal comma (64,5), as Swedish and Czech users type it."""

    def process_formdata(self, valuelist):
        super().process_formdata([value.replace(",", ".").replace(" ", "") for value in valuelist])


class BuildingForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the building a name.")), Length(max=120)])
    street = StringField(_l("Street address"), validators=[Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Length(max=20)])
    municipality = StringField(_l("Municipality"), validators=[Length(max=120)])
    region = StringField(_l("Region"), validators=[Length(max=120)])


class UnitForm(FlaskForm):
    building = SelectField(_l("Building"), coerce=int, validators=[DataRequired(_l("Choose a building."))])
    number = StringField(_l("Unit number"), validators=[DataRequired(_l("Give the unit a number.")), Length(max=20)])
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS))
    rooms = IntegerField(_l("Rooms"), validators=[Optional(), NumberRange(min=0, max=100)])
    floor = IntegerField(_l("Floor"), validators=[Optional(), NumberRange(min=-10, max=200)])
    area = CommaDecimalField(
        _l("Area (m²)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=100000, message=_l("Give the area in m², like 64.5."))],
    )
    share = StringField(
        _l("Share of the common property"),
        validators=[DataRequired(_l("Give the unit's share, like 6542/100000.")), check_share],
    )
    equipment = TextAreaField(_l("Equipment"), validators=[Length(max=5000)])
    condition_notes = TextAreaField(_l("Condition"), validators=[Length(max=5000)])
    accessibility = CheckboxesField(_l("Accessibility"), choices=_choices(ACCESSIBILITY_LABELS))


class OwnerRowForm(Form):
    """One owner: a person from the register, or a new person's name and e-mail; the share of the unit."""

    person = SelectField(_l("Person from the register"), coerce=int, default=0)
    new_name = StringField(_l("Or a new person: name"), validators=[Length(max=240)])
    new_email = EmailField(_l("New person's e-mail"), validators=OPTIONAL_EMAIL)
    share = StringField(_l("Share of the unit"), validators=[Optional()])
    is_main = BooleanField(_l("Main owner (receives the invoices)"))

    def is_blank(self) -> bool:
        return not self.person.data and not (self.new_name.data or "").strip()


class OwnersForm(FlaskForm):
    owners = FieldList(FormField(OwnerRowForm), min_entries=3, max_entries=12)


class ChangeOwnerForm(OwnersForm):
    date = DateField(_l("Date of the change"), validators=[InputRequired(_l("Give the date of the change."))])
    note = TextAreaField(_l("Note for the unit file"), validators=[Length(max=2000)])


class ProxyForm(FlaskForm):
    person = SelectField(_l("Voting proxy"), coerce=int, default=0)
    start_date = DateField(_l("First day"), validators=[Optional()])
    end_date = DateField(_l("Last day"), validators=[Optional(), last_day_not_before_first])


class FileEntryForm(FlaskForm):
    happened_on = DateField(_l("Date"), validators=[InputRequired(_l("Give a date."))])
    kind = SelectField(_l("Kind"), choices=_choices(FILE_KIND_LABELS), default=UnitFileEntry.NOTE)
    text = TextAreaField(_l("What happened"), validators=[DataRequired(_l("Write what happened.")), Length(max=5000)])


class ResidentForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=240)])
    email = EmailField(_l("E-mail address"), validators=OPTIONAL_EMAIL)
    role = SelectField(_l("Role"), choices=_choices(RESIDENT_ROLE_LABELS), default=Residency.HOUSEHOLD)
    start_date = DateField(_l("First day"), validators=[Optional()])
    end_date = DateField(_l("Last day"), validators=[Optional(), last_day_not_before_first])
    invite = BooleanField(_l("Send an invitation to the portal to this e-mail address"))


class ResidentCountForm(FlaskForm):
    # Empty: the number is the residents listed by name; a number counts people who are not listed too.
    resident_count = IntegerField(
        _l("Number of residents"),
        validators=[Optional(), NumberRange(min=0, max=50, message=_l("Give a number from 0 to 50."))],
    )


class EndResidencyForm(FlaskForm):
    end_date = DateField(_l("Last day"), validators=[InputRequired(_l("Give the last day."))])


# --- people (R2) ------------------------------------------------------------------------

INVOICE_LANGUAGES = language_choices(_l("The association's language"))


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


class RoleChoiceForm(FlaskForm):
    role = SelectField(_l("Role"), coerce=int, validate_choice=False)

    def validate_role(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose one of the roles."))
