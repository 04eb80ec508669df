"""A new association on an install, and its first board member (for `flask association create` and
`flask association invite`): what a fresh production install needs before anyone can log in.

An association starts with what every association has: the built-in roles, document folders and discussion
categories, named in its language."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name
from flask import current_app

from blueprints.portal import invitations
from config import Config
from core.audit import audit
from models import Association, Person
from models.community import Category
from models.db import transaction
from models.documents import Folder
from models.portal import Role

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
# Kept for what comes later (the API of issue 16), beside every first word of the install's own addresses.
RESERVED_AHEAD = {"api", "admin"}


def reserved_slugs() -> set[str]:
    """The first words of the install's own addresses (/login, /homes, /language, /static, …): an association
    there would never be reached, so they are no association's address. Read from the routes themselves, so
    a page added later is reserved without anyone remembering to."""
    first_words = {rule.rule.split("/")[1] for rule in current_app.url_map.iter_rules()}
    return {word.split(".")[0] for word in first_words if word and not word.startswith("<")} | RESERVED_AHEAD


class FoundingError(ValueError):
    """What is wrong with the new association or invitation, in words for the operator."""


def found_association(slug: str, name: str, language: str, currency: str, timezone: str) -> Association:
    """A new association with its built-in roles, folders and categories."""
    _check(slug, name, language, currency, timezone)
    with transaction():
        association = Association.create(
            slug=slug, name=name.strip(), locale=language, currency=currency.upper(), timezone=timezone
        )
        create_builtins(association)
        audit("association.created", association=association, target=slug)
    return association


def create_builtins(association: Association) -> None:
    Role.create_builtins(association)
    Folder.create_builtins(association)
    Category.create_builtins(association)


def _check(slug: str, name: str, language: str, currency: str, timezone: str) -> None:
    reserved = reserved_slugs()
    if not SLUG.match(slug) or slug in reserved:
        raise FoundingError(
            f"{slug!r} cannot be an address: use 2–63 small letters, digits and dashes"
            f" (not {', '.join(sorted(reserved))})."
        )
    if Association.select().where(Association.slug == slug).exists():
        raise FoundingError(f"An association already has the address /{slug}/.")
    if not name.strip():
        raise FoundingError("The association needs a name.")
    if language not in Config.LANGUAGES:
        raise FoundingError(f"Porch speaks {', '.join(Config.LANGUAGES)}; {language!r} is not among them.")
    try:
        known_currency = get_currency_name(currency.upper(), locale=Locale("en")) != currency.upper()
    except UnknownLocaleError:
        known_currency = False
    if len(currency) != 3 or not known_currency:
        raise FoundingError(f"{currency!r} is not a currency code (SEK, DKK, CZK, EUR, …).")
    if timezone not in available_timezones():
        raise FoundingError(f"{timezone!r} is not a time zone (Europe/Stockholm, Europe/Prague, …).")


def invite_first(association: Association, email: str, given_name: str, surname: str, role: str) -> str:
    """Put a person in the register with `role` and mail them the invitation to set a password."""
    if role not in {r.key for r in Role.select(Role.key).where(Role.association == association)}:
        raise FoundingError(f"{association.name} has no role {role!r}.")
    if "@" not in email or any(c in email for c in "\r\n <>,;"):
        raise FoundingError(f"{email!r} is not an e-mail address.")
    with transaction():
        person = Person.create(
            association=association,
            given_name=given_name.strip(),
            surname=surname.strip(),
            email=email.strip().lower(),
            role=association.role(role),
        )
        try:
            return invitations.invite(person, association, actor=None)
        except invitations.PeopleError as error:
            raise FoundingError(str(error)) from None
