"""Forms of the portal settings (seed 000, "Admin – Inställningar")."""

from __future__ import annotations

import functools
import re
import zoneinfo

from babel import Locale
from babel.numbers import get_currency_name, get_territory_currencies
from flask import current_app
from flask_babel import get_locale
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectChoice, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from blueprints.billing import money
from blueprints.portal.two_factor import OFFERED as SECOND_FACTOR_OFFERED
from core.forms import LANGUAGE_NAMES, CheckboxesField
from core.text import lazy_gettext as _l
from models import Association, SlugAlias
from models import permissions as perms

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Words that are, or may one day be, pages outside any association.
RESERVED_SLUGS = {"admin", "api", "media", "static", "www"}
MIN_CONTRAST = 4.5  # WCAG AA for normal text: white text on the theme colour

LOCALES = [SelectChoice(key, name) for key, name in LANGUAGE_NAMES.items()]
TAB_LABELS = {
    "contact": _l("Contact"),
    "members": _l("Member list"),
    "units": _l("Unit list"),
    "faults": _l("Fault reports"),
    "contracts": _l("Contracts"),
    "invoices": _l("Invoices"),
    "meters": _l("Meter readings"),
}
TEXT_LIMIT = 20_000

# The currencies of the associations Porch is made for, offered first; every other ISO 4217 one follows.
USUAL_CURRENCIES = ("EUR", "SEK", "CZK", "DKK", "NOK", "PLN", "HUF", "ISK", "CHF", "GBP")
# IANA's regions (zones outside them are aliases and legacy names); Europe first.
ZONE_REGIONS = {
    "Europe": _l("Europe"),
    "Africa": _l("Africa"),
    "America": _l("America"),
    "Antarctica": _l("Antarctica"),
    "Arctic": _l("Arctic"),
    "Asia": _l("Asia"),
    "Atlantic": _l("Atlantic"),
    "Australia": _l("Australia"),
    "Indian": _l("Indian Ocean"),
    "Pacific": _l("Pacific"),
}


def currency_label(code: str) -> str:
    """ "SEK – Swedish krona", the name in the page's language."""
    return f"{code} – {get_currency_name(code, locale=get_locale())}"


@functools.cache
def in_use() -> list[str]:
    """The ISO 4217 currencies some country pays in today (CLDR also lists withdrawn ones, such as ZWR)."""
    codes = set()
    for territory in Locale("en").territories:
        if territory.isalpha():
            codes.update(get_territory_currencies(territory, tender=True))
    return sorted(codes)


@functools.cache
def currency_choices(language: str) -> dict[str, list[SelectChoice]]:
    """ISO 4217 currencies, the usual ones first, named in the page's `language` (built once per language)."""
    usual = [SelectChoice(code, currency_label(code)) for code in USUAL_CURRENCIES]
    others = [SelectChoice(code, currency_label(code)) for code in in_use() if code not in USUAL_CURRENCIES]
    return {str(_l("Usual")): usual, str(_l("All currencies")): others}


@functools.cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in zoneinfo.available_timezones() if z.split("/", 1)[0] in ZONE_REGIONS and "/" in z))


def timezone_choices(current: str) -> dict[str, list[SelectChoice]]:
    """IANA time zones grouped by region, Europe first; the association's own kept even if it is an alias."""
    groups: dict[str, list[SelectChoice]] = {}
    for region, label in ZONE_REGIONS.items():
        groups[str(label)] = [SelectChoice(z, z.replace("_", " ")) for z in _zones() if z.startswith(region + "/")]
    known = set(_zones()) | {"UTC"}
    groups[str(_l("Other"))] = [SelectChoice("UTC", "UTC")] + (
        [SelectChoice(current, current)] if current and current not in known else []
    )
    return groups


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of #rrggbb."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def reserved_slugs() -> set[str]:
    """The first path segments the app itself uses (/login, /static, …) plus a few kept free."""
    used = set(RESERVED_SLUGS)
    for rule in current_app.url_map.iter_rules():
        first = rule.rule.lstrip("/").split("/", 1)[0]
        if first and not first.startswith("<"):
            used.add(first)
    return used


class SettingsForm(FlaskForm):
    name = StringField(_l("Name of the association"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    slug = StringField(
        _l("Address of the portal"),
        validators=[DataRequired(_l("Enter the address."))],
        render_kw={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"},
    )
    locale = SelectField(_l("Language"), choices=LOCALES)
    # Chosen from lists, never typed (a typo in either would misprice or mistime everything); the
    # validators below still check what is posted, in our words rather than WTForms' "Not a valid choice".
    currency = SelectField(_l("Currency"), validate_choice=False)
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    welcome_text = TextAreaField(_l("Welcome text"), validators=[Length(max=TEXT_LIMIT)], render_kw={"rows": 10})
    contact_text = TextAreaField(_l("Contact details"), validators=[Length(max=TEXT_LIMIT)], render_kw={"rows": 6})
    on_call_text = TextAreaField(_l("On call"), validators=[Length(max=TEXT_LIMIT)], render_kw={"rows": 5})
    gdpr_text = TextAreaField(
        _l("Personal data (GDPR) text"), validators=[Length(max=TEXT_LIMIT)], render_kw={"rows": 6}
    )
    theme_color = StringField(_l("Theme colour"), render_kw={"maxlength": 7, "spellcheck": "false"})
    # Without JavaScript the picker and the text box cannot follow each other:
    # whichever of the two the board changed wins (see pick_colour).
    theme_color_picker = StringField(_l("Pick a colour"))
    # The largest file a document takes (D5); a request as a whole stops at MAX_CONTENT_LENGTH.
    document_max_mb = IntegerField(
        _l("Largest attachment of a document (MB)"),
        validators=[
            InputRequired(_l("Give a size in MB.")),
            NumberRange(min=1, max=15, message=_l("Give a size from 1 to 15 MB.")),
        ],
    )
    tabs = CheckboxesField(
        _l("Tabs shown to residents"), choices=[SelectChoice(key, label) for key, label in TAB_LABELS.items()]
    )
    # The permissions whose use asks for a second factor (P6), once per login.
    second_factor_permissions = CheckboxesField(
        _l("Ask for a second factor before"),
        choices=[SelectChoice(key, perms.DESCRIPTIONS[key]) for key in SECOND_FACTOR_OFFERED],
    )

    def __init__(self, association: Association, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.association = association
        locked = [SelectChoice(association.currency, currency_label(association.currency))]
        if self.currency_locked:
            self.currency.choices = locked
        else:
            self.currency.choices = dict(currency_choices(str(get_locale())))
            if association.currency not in in_use():  # withdrawn since it was chosen: still shown as chosen
                self.currency.choices[str(_l("Other"))] = locked
        self.timezone.choices = timezone_choices(association.timezone)

    def validate_slug(self, field):
        slug = (field.data or "").strip()
        field.data = slug
        if not SLUG.match(slug):
            raise ValidationError(
                _l(
                    "Use 3 to 64 lowercase letters (a–z), digits and hyphens, starting and ending with a letter or digit."
                )
            )
        if slug in reserved_slugs():
            raise ValidationError(_l("“%(slug)s” is reserved by Porch. Please choose another address.", slug=slug))
        taken = Association.select().where((Association.slug == slug) & (Association.id != self.association.id))
        alias = SlugAlias.select().where((SlugAlias.slug == slug) & (SlugAlias.association != self.association.id))
        if taken.exists() or alias.exists():
            raise ValidationError(_l("Another association uses this address. Please choose another one."))

    @property
    def currency_locked(self) -> bool:
        """Amounts are stored in the currency's minor units: once any exists, the currency stays."""
        if not hasattr(self, "_currency_locked"):
            self._currency_locked = money.amounts_exist(self.association)
        return self._currency_locked

    def validate_currency(self, field):
        code = (field.data or "").strip().upper()
        field.data = code
        if code not in in_use() and code != self.association.currency:  # one since withdrawn stays valid
            raise ValidationError(_l("Choose the currency from the list."))
        if code != self.association.currency and self.currency_locked:
            raise ValidationError(
                _l(
                    "The currency stays %(currency)s: charges, contracts, invoices or payments are kept in it, "
                    "and their amounts would mean something else in another currency.",
                    currency=self.association.currency,
                )
            )

    def validate_timezone(self, field):
        zone = (field.data or "").strip()
        field.data = zone
        try:
            valid = bool(zone) and "." not in zone and zoneinfo.ZoneInfo(zone) is not None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            valid = False
        if not valid:
            raise ValidationError(_l("Choose the time zone from the list."))

    def pick_colour(self) -> None:
        """Take the picker's value when only the picker was changed."""
        stored = self.association.theme_color.lower()
        typed = (self.theme_color.data or "").strip()
        picked = (self.theme_color_picker.data or "").strip().lower()
        if typed.lower() == stored and COLOUR.match(picked) and picked != stored:
            self.theme_color.data = picked

    def validate_theme_color(self, field):
        colour = (field.data or "").strip().lower()
        field.data = colour
        if not COLOUR.match(colour):
            raise ValidationError(_l("Write the colour as # and six hexadecimal digits, for example #1d5f8a."))
        ratio = contrast_with_white(colour)
        if ratio < MIN_CONTRAST:
            raise ValidationError(
                _l(
                    "This colour is too light: white text on it has a contrast of %(ratio)s:1, "
                    "and at least 4.5:1 is needed to be readable. Choose a darker colour.",
                    ratio=f"{ratio:.1f}",
                )
            )

    def validate_on_submit(self, extra_validators=None) -> bool:
        if self.is_submitted():
            self.pick_colour()
        return super().validate_on_submit(extra_validators)


ACCEPT_PICTURES = {"accept": "image/jpeg,image/png,image/webp"}


# One form per picture, each posting to its own address; distinct field names
# keep the ids on the settings page unique.
class LogoForm(FlaskForm):
    logo = FileField(_l("New logo"), render_kw=ACCEPT_PICTURES)


class HeaderPhotoForm(FlaskForm):
    header_photo = FileField(_l("New header photo"), render_kw=ACCEPT_PICTURES)


class WelcomeImageForm(FlaskForm):
    image = FileField(_l("Picture to put in the welcome text"), render_kw=ACCEPT_PICTURES)
