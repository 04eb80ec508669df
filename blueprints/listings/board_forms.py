"""The board's listing forms: marking a unit vacant (L1), the seeker's routes (L2) and the bulk edit of units
and their vacancies (seed 001, "masseredigering").

Amounts are typed as the board writes them ("6 500", "6500,00") in the association's currency and read by
billing's money.parse_amount; the views set `currency` before validating and read `form.parsed`."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from blueprints.billing import money
from blueprints.register.forms import ACCESSIBILITY_LABELS, CommaDecimalField
from core.forms import CheckboxesField
from core.text import lazy_gettext as _l
from models.listings import SeekerRoute, Vacancy

DESCRIPTION_MAX = 5000


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in labels.items()]


def check_amount(*, required: bool, empty: int | None = 0):
    """Validator: an amount of the form's currency, zero or more, into form.parsed; a left-out one is
    `empty` (a deposit 0; a rent limit or a fee None: none at all)."""

    def validate(form, field) -> None:
        text = (field.data or "").strip()
        if not text:
            if required:
                raise ValidationError(_l("Give the monthly rent."))
            form.parsed[field.name] = empty
            return
        try:
            amount = money.parse_amount(text, form.currency)
        except money.AmountError:
            raise ValidationError(
                _l("Give an amount in %(currency)s, like %(example)s.", currency=form.currency,
                   example=money.amount_example(form.currency))
            ) from None  # fmt: skip
        if amount < 0:
            raise ValidationError(_l("The amount cannot be below zero."))
        form.parsed[field.name] = amount

    return validate


def amount_text(minor_units: int | None, currency: str) -> str:
    """An amount as a form shows it for editing: 6500, not 6500.00; nothing for none."""
    if minor_units is None:
        return ""
    amount = money.to_decimal(minor_units, currency)
    return str(int(amount)) if amount == amount.to_integral_value() else str(amount)


def not_before_move_in(form, field) -> None:
    if field.data and form.move_in.data and field.data < form.move_in.data:
        raise ValidationError(_l("The last day listed cannot be before the move-in day."))


class VacancyFields(FlaskForm):
    """A vacancy and the unit's own facts shown with it; a description field per language is added by
    vacancy_form_class."""

    move_in = DateField(_l("Move-in day"), validators=[InputRequired(_l("Give the day the new tenant can move in."))])
    ends_on = DateField(_l("Last day listed"), validators=[Optional(), not_before_move_in])
    rent = StringField(_l("Monthly rent"), validators=[check_amount(required=True)])
    deposit = StringField(_l("Deposit"), validators=[check_amount(required=False)])
    housing_type = SelectField(_l("Housing type"), choices=_choices(Vacancy.HOUSING_TYPES))
    lift = BooleanField(_l("The building has a lift"))
    pets = BooleanField(_l("Pets allowed"))
    schemes = CheckboxesField(_l("Flexible letting: who can get ahead in the queue"), choices=_choices(Vacancy.SCHEMES))
    waiting_months = IntegerField(
        _l("Expected waiting time (months)"),
        validators=[Optional(), NumberRange(min=0, max=600, message=_l("Give a number of months from 0 to 600."))],
    )
    rooms = IntegerField(_l("Rooms"), validators=[Optional(), NumberRange(min=0, max=100)])
    area = CommaDecimalField(
        _l("Area (m²)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=100000, message=_l("Give the area in m², like 64.5."))],
    )
    floor = IntegerField(_l("Floor"), validators=[Optional(), NumberRange(min=-10, max=200)])
    accessibility = CheckboxesField(_l("Accessibility"), choices=_choices(ACCESSIBILITY_LABELS))
    photos = MultipleFileField(_l("Add photos"))

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.parsed: dict[str, int] = {}

    def description_fields(self) -> list:
        return [field for field in self if field.name.startswith("description_")]


@lru_cache(maxsize=32)
def vacancy_form_class(languages: tuple[str, ...]) -> type[VacancyFields]:
    """The vacancy form with one description per language, in this order."""
    fields = {
        f"description_{language}": TextAreaField(
            _l("Description (%(language)s)", language=language),
            validators=[Length(max=DESCRIPTION_MAX)],
        )
        for language in languages
    }
    return type("VacancyForm", (VacancyFields,), fields)


# --- the seeker's routes -------------------------------------------------------------------------

PHONE_TEXT = re.compile(r"^\+?[0-9 ()\-./]{4,39}$")


def http_url(form, field) -> None:
    """Validator: for a website route, an http(s) address with a host (a seeker's browser opens it)."""
    if form.kind.data != SeekerRoute.WEBSITE:
        return
    text = (field.data or "").strip()
    if not text:
        raise ValidationError(_l("Give the address of your application page."))
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        raise ValidationError(_l("Give a web address starting with https://, like https://example.org/apply."))


def needed_for(kind: str, message):
    """Validator: this field must be filled in for routes of `kind`."""

    def validate(form, field) -> None:
        if form.kind.data == kind and not (field.data or "").strip():
            raise ValidationError(message)

    return validate


_EMAIL = Email(_l("Enter a valid e-mail address, like name@example.com."), check_deliverability=False)


def email_address(form, field) -> None:
    """Validator: a valid address when one is given (needed_for says when one must be)."""
    if (field.data or "").strip():
        field.data = field.data.strip()
        _EMAIL(form, field)


def phone_number(form, field) -> None:
    text = (field.data or "").strip()
    if text and (not PHONE_TEXT.match(text) or sum(c.isdigit() for c in text) < 4):
        raise ValidationError(_l("Give a phone number: digits, spaces and + - ( ) only."))


class RouteForm(FlaskForm):
    """Where a seeker goes from a listing: for every home, a housing type, a department, or both."""

    building = SelectField(_l("Department"), choices=[])
    housing_type = SelectField(_l("Housing type"), choices=[])
    kind = SelectField(
        _l("The seeker goes on"),
        choices=[
            SelectChoice(SeekerRoute.WEBSITE, _l("To your website (your application page)")),
            SelectChoice(SeekerRoute.FORM, _l("By a contact form mailed to you")),
            SelectChoice(SeekerRoute.PHONE, _l("By phone: the listing shows your number")),
        ],
    )
    url = StringField(_l("Application page address"), validators=[Length(max=500), http_url])
    email = StringField(
        _l("E-mail address for the contact form"),
        validators=[
            needed_for(SeekerRoute.FORM, _l("Give the address the contact form is mailed to.")),
            Length(max=254),
            email_address,
        ],
    )
    phone = StringField(
        _l("Phone number"),
        validators=[needed_for(SeekerRoute.PHONE, _l("Give the phone number seekers call.")), Length(max=40),
                    phone_number],
    )  # fmt: skip


# --- the bulk edit -------------------------------------------------------------------------------

# What the bulk edit can set, each choice a whole change: "accessibility+:lift" adds the lift to every ticked
# unit. Rooms, floor and the waiting time take the number typed beside the choice.
NUMBER_CHANGES = ("rooms", "floor", "waiting_months")


def bulk_choices() -> list[tuple[object, list[SelectChoice]]]:
    """The bulk edit's changes grouped for the select (optgroups)."""
    return [
        (_l("The units"), [
            *[SelectChoice(f"accessibility+:{k}", _l("Add accessibility: %(what)s", what=v))
              for k, v in ACCESSIBILITY_LABELS.items()],
            *[SelectChoice(f"accessibility-:{k}", _l("Remove accessibility: %(what)s", what=v))
              for k, v in ACCESSIBILITY_LABELS.items()],
            SelectChoice("rooms", _l("Rooms: the number below")),
            SelectChoice("floor", _l("Floor: the number below")),
        ]),
        (_l("Their current vacancies"), [
            *[SelectChoice(f"housing_type:{k}", _l("Housing type: %(what)s", what=v))
              for k, v in Vacancy.HOUSING_TYPES.items()],
            SelectChoice("lift:1", _l("Lift: yes")),
            SelectChoice("lift:0", _l("Lift: no")),
            SelectChoice("pets:1", _l("Pets allowed: yes")),
            SelectChoice("pets:0", _l("Pets allowed: no")),
            *[SelectChoice(f"scheme+:{k}", _l("Add flexible letting: %(what)s", what=v))
              for k, v in Vacancy.SCHEMES.items()],
            *[SelectChoice(f"scheme-:{k}", _l("Remove flexible letting: %(what)s", what=v))
              for k, v in Vacancy.SCHEMES.items()],
            SelectChoice("waiting_months", _l("Expected waiting time: the number of months below")),
        ]),
    ]  # fmt: skip


class BulkForm(FlaskForm):
    """One change for every ticked unit of the unit list."""

    change = SelectField(_l("What to change"), choices=[], validate_choice=True)
    number = IntegerField(
        _l("Number (for rooms, floor or months)"),
        validators=[Optional(), NumberRange(min=-10, max=600, message=_l("Give a whole number."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.change.choices = {str(label): choices for label, choices in bulk_choices()}

    def validate(self, extra_validators=None) -> bool:
        # Checked here, not as a field validator: Optional() stops a blank number's own chain.
        valid = super().validate(extra_validators)
        number = self.number.data
        if self.change.data in NUMBER_CHANGES and number is None and not self.number.errors:
            self.number.errors = [*self.number.errors, _l("Give the number to set.")]
            return False
        if self.change.data in ("rooms", "waiting_months") and number is not None and number < 0:
            self.number.errors = [*self.number.errors, _l("The number cannot be below zero.")]
            return False
        return valid
