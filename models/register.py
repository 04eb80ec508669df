"""People, buildings, units, ownership, residents and the unit file (SPEC R).

Periods: a membership, residency or proxy runs from its first to its last day
inclusive (start_date..end_date). Ownership records a transfer instead: it runs
from `started_on` and ends `ended_on`, the day the next owner's starts, as a
property register writes it.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import peewee as pw

from core import clock
from core.collation import sort_key
from core.text import fold
from core.text import lazy_gettext as _l
from models import permissions as perms
from models.db import AssociationScoped, BaseModel, PreparedSelect
from models.portal import Association, Role, User


class Person(AssociationScoped, BaseModel):
    """Someone in an association's register; may have no account."""

    association = pw.ForeignKeyField(Association, backref="people", on_delete="CASCADE")
    surname = pw.CharField(max_length=120)
    given_name = pw.CharField(max_length=120, default="")
    email = pw.CharField(max_length=254, default="", index=True)
    # Mail to this address came back (a bounce, C4): shown to the board until the address changes.
    email_bounced_at = pw.DateTimeField(null=True)
    email_bounce_reason = pw.CharField(max_length=300, default="")
    phone_home = pw.CharField(max_length=40, default="")
    phone_mobile = pw.CharField(max_length=40, default="")
    phone_work = pw.CharField(max_length=40, default="")
    personal_id = pw.CharField(max_length=40, default="")  # personal or company id: the board's alone (R2)
    street = pw.CharField(max_length=200, default="")
    postcode = pw.CharField(max_length=20, default="")
    city = pw.CharField(max_length=120, default="")
    country = pw.CharField(max_length=2, default="")
    invoice_by_email = pw.BooleanField(default=True)
    invoice_by_paper = pw.BooleanField(default=False)
    invoice_language = pw.CharField(max_length=10, null=True)
    # The role an account made for this person starts with.
    role = pw.ForeignKeyField(Role, null=True, on_delete="SET NULL")
    user = pw.ForeignKeyField(User, null=True, backref="people", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    # Kept from the name on every save (X5): "given surname" without accents, for search as people type,
    # and the ICU collation key of "surname given" in the association's language, for lists in order.
    search_name = pw.CharField(max_length=250, default="")
    sort_key = pw.BlobField(null=True)

    class Meta:
        indexes = (
            (("association", "surname", "given_name"), False),
            (("association", "sort_key"), False),
            # Who has no account yet ("invite everyone", the people page's count of them).
            (("association", "user"), False),
        )

    def save(self, *args, **kwargs):
        self.search_name, self.sort_key = self.name_keys(self.given_name, self.surname, self.association.locale)
        return super().save(*args, **kwargs)

    @staticmethod
    def name_keys(given_name: str, surname: str, language: str) -> tuple[str, bytes]:
        """(search_name, sort_key) of a name: write them with the name wherever it is written in bulk."""
        return (
            fold(f"{given_name} {surname}".strip())[:250],
            sort_key(f"{surname} {given_name}".strip(), language),
        )

    @classmethod
    def name_order(cls) -> tuple:
        """Surname then given name, as the association's language orders them (ties: the older entry first)."""
        return (cls.sort_key, cls.surname, cls.given_name, cls.id)

    @classmethod
    def named(cls, words: str) -> pw.Expression:
        """People whose name holds every word typed, whatever its case and accents ("cerny" finds Černý)."""
        condition = pw.Value(True)
        for word in fold(words).split()[:5]:
            condition &= cls.search_name.contains(word)
        return condition

    @classmethod
    def rekey(cls, association: Association) -> int:
        """Sort keys in the association's (new) language for everyone in its register."""
        rows = list(cls.of(association).select(cls.id, cls.given_name, cls.surname).tuples())
        for person_id, given, surname in rows:
            _search, key = cls.name_keys(given, surname, association.locale)
            cls.update(sort_key=key).where(cls.id == person_id).execute()
        return len(rows)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.surname}".strip()

    @property
    def sort_name(self) -> str:
        return f"{self.surname} {self.given_name}".strip()

    @property
    def phones(self) -> list[str]:
        return [p for p in (self.phone_mobile, self.phone_home, self.phone_work) if p]

    @staticmethod
    def new_address(email: str) -> dict:
        """The fields to write when a person's address changes: a new address has not bounced (C4)."""
        return {"email": email, "email_bounced_at": None, "email_bounce_reason": ""}

    @classmethod
    def in_register(cls, association: Association, email: str) -> Person | None:
        """The person the register holds for this e-mail address, if any."""
        email = User.normalize_email(email)
        if not email:
            return None
        return (
            cls.select()
            .where((cls.association == association) & (pw.fn.LOWER(cls.email) == email))
            .order_by(cls.id)
            .first()
        )


class Building(AssociationScoped, BaseModel):
    association = pw.ForeignKeyField(Association, backref="buildings", on_delete="CASCADE")
    name = pw.CharField(max_length=120)
    street = pw.CharField(max_length=200, default="")
    postcode = pw.CharField(max_length=20, default="")
    municipality = pw.CharField(max_length=120, default="")
    region = pw.CharField(max_length=120, default="")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    @property
    def address(self) -> str:
        return ", ".join(part for part in (self.street, f"{self.postcode} {self.municipality}".strip()) if part)

    @classmethod
    def by_name(cls, association: Association) -> list[Building]:
        """The association's buildings by name (the filters of the fault list, forms): a prepared select."""
        return _BUILDINGS_BY_NAME(association.id)


def _buildings_by_name_query(association) -> pw.ModelSelect:
    return Building.of(association).order_by(Building.name)


_BUILDINGS_BY_NAME = PreparedSelect(_buildings_by_name_query)


class Unit(AssociationScoped, BaseModel):
    FLAT, COMMERCIAL, GARAGE, PARKING, STORAGE = "flat", "commercial", "garage", "parking", "storage"
    KINDS = (FLAT, COMMERCIAL, GARAGE, PARKING, STORAGE)
    # How people name a unit: by its kind and number ("Flat 1101", "Garage G1"), never "Apartment G1".
    NAMES = {
        FLAT: _l("Flat %(number)s"),
        COMMERCIAL: _l("Premises %(number)s"),
        GARAGE: _l("Garage %(number)s"),
        PARKING: _l("Parking space %(number)s"),
        STORAGE: _l("Storage %(number)s"),
    }
    # Accessibility features a unit can have (also searched by public listings later).
    ACCESSIBILITY = ("step_free", "lift", "wheelchair", "wide_doors", "grab_rails")

    association = pw.ForeignKeyField(Association, backref="units", on_delete="CASCADE")
    building = pw.ForeignKeyField(Building, backref="units", on_delete="RESTRICT")
    number = pw.CharField(max_length=20)
    kind = pw.CharField(max_length=12, default=FLAT)
    rooms = pw.IntegerField(null=True)
    floor = pw.IntegerField(null=True)
    area = pw.DecimalField(max_digits=9, decimal_places=2, null=True, auto_round=True)  # m²
    # The unit's co-ownership share of the common property, exact: 6542/100000.
    share_numerator = pw.BigIntegerField(default=0)
    share_denominator = pw.BigIntegerField(default=1)
    equipment = pw.TextField(default="")
    condition_notes = pw.TextField(default="")
    accessibility = pw.CharField(max_length=200, default="")  # space-separated ACCESSIBILITY keys
    resident_count = pw.IntegerField(null=True)  # None: as many as the residents listed (Residency)
    archived_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = (
            (("building", "number"), True),
            (("association", "number"), False),
            # The unit list's share total and count read only this index (the list's heading, every page).
            (("association", "archived_at", "share_denominator", "share_numerator"), False),
        )

    @property
    def share(self) -> Fraction:
        return Fraction(self.share_numerator, self.share_denominator or 1)

    @share.setter
    def share(self, value: Fraction) -> None:
        self.share_numerator, self.share_denominator = value.numerator, value.denominator

    @property
    def title(self) -> str:
        """ "Flat 1101", "Garage G1": the unit as its residents name it, in the page's language."""
        return unit_title(self.kind, self.number)

    @property
    def accessibility_set(self) -> set[str]:
        return set(self.accessibility.split())

    @classmethod
    def active(cls, association: Association) -> pw.ModelSelect:
        return cls.of(association).where(cls.archived_at.is_null())

    @classmethod
    def natural_order(cls) -> tuple:
        """Building, then unit number as people count: "2" before "10" (shorter numbers first)."""
        return (Building.name, pw.fn.LENGTH(cls.number), cls.number)

    @classmethod
    def ids_held_by(cls, person_id: int | None, on: dt.date) -> pw.SelectQuery:
        """The ids of the units a person owns or lives in on `on` (a subquery)."""
        owned = Ownership.select(Ownership.unit).where((Ownership.person == person_id) & Ownership.current(on))
        lived = Residency.select(Residency.unit).where((Residency.person == person_id) & Residency.current(on))
        return owned | lived

    @classmethod
    def visible_to(cls, membership) -> pw.ModelSelect:
        """The units whose page and file a member may open (R5, seed 003): every unit for the board
        (register.manage), else the active units the member's person owns or lives in today."""
        association = membership.association
        rule = cls.seen_by(membership.role.permission_set, membership.person_id, association.today())
        return cls.of(association) if rule is None else cls.of(association).where(rule)

    @classmethod
    def seen_by(cls, granted: frozenset[str], person_id, today) -> pw.Expression | None:
        """visible_to's rule (None: every unit of the association), for a member whose role grants
        `granted` and whose register entry is `person_id` (None: none). The values may be
        PreparedSelect markers: the unit page builds its query once."""
        if perms.REGISTER_MANAGE in granted:
            return None
        if person_id is None:
            return cls.id.in_([])
        return cls.archived_at.is_null() & cls.id.in_(cls.ids_held_by(person_id, today))


UNKNOWN_KIND = _l("Unit %(number)s")


def unit_title(kind: str | None, number: str) -> str:
    """A unit's name from its kind and number; "Unit 12" when the kind is not known (a typed number)."""
    return str(Unit.NAMES.get(kind, UNKNOWN_KIND)) % {"number": number}


class Ownership(BaseModel):
    """A person's share of a unit. Past ownerships stay as the unit's history (R3, seed 004 §4.14)."""

    unit = pw.ForeignKeyField(Unit, backref="ownerships", on_delete="CASCADE")
    person = pw.ForeignKeyField(Person, backref="ownerships", on_delete="RESTRICT")
    share_numerator = pw.IntegerField(default=1)
    share_denominator = pw.IntegerField(default=1)
    is_main = pw.BooleanField(default=False)  # receives the unit's invoices
    started_on = pw.DateField(null=True)
    ended_on = pw.DateField(null=True)  # the day it passed to the next owner
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("unit", "ended_on"), False),)

    @property
    def share(self) -> Fraction:
        return Fraction(self.share_numerator, self.share_denominator or 1)

    def is_current(self, on: dt.date) -> bool:
        return (self.started_on is None or self.started_on <= on) and (self.ended_on is None or on < self.ended_on)

    @classmethod
    def current(cls, on: dt.date) -> pw.Expression:
        return (cls.started_on.is_null() | (cls.started_on <= on)) & (cls.ended_on.is_null() | (cls.ended_on > on))


class VotingProxy(BaseModel):
    """Who votes for a unit, for a period (R3)."""

    unit = pw.ForeignKeyField(Unit, backref="proxies", on_delete="CASCADE")
    person = pw.ForeignKeyField(Person, on_delete="CASCADE")
    start_date = pw.DateField(null=True)
    end_date = pw.DateField(null=True)  # last day


class Residency(BaseModel):
    """Someone living in or renting a unit (R4, seed 002)."""

    OWNER_RESIDENT, TENANT, HOUSEHOLD = "owner_resident", "tenant", "household"
    ROLES = (OWNER_RESIDENT, TENANT, HOUSEHOLD)

    unit = pw.ForeignKeyField(Unit, backref="residencies", on_delete="CASCADE")
    person = pw.ForeignKeyField(Person, backref="residencies", on_delete="CASCADE")
    role = pw.CharField(max_length=16, default=TENANT)
    start_date = pw.DateField(null=True)
    end_date = pw.DateField(null=True)  # last day with access
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        # "Does anyone live in this unit today?" answered from the index alone (the public search asks it
        # for every listed home).
        indexes = ((("unit", "start_date", "end_date"), False),)

    @classmethod
    def current(cls, on: dt.date) -> pw.Expression:
        return (cls.start_date.is_null() | (cls.start_date <= on)) & (cls.end_date.is_null() | (cls.end_date >= on))


class UnitFileEntry(BaseModel):
    """The unit file: repairs, changes, tenant changes (R5, seed 003)."""

    REPAIR, CHANGE, TENANT_CHANGE, OWNER_CHANGE, NOTE = "repair", "change", "tenant_change", "owner_change", "note"
    KINDS = (REPAIR, CHANGE, TENANT_CHANGE, OWNER_CHANGE, NOTE)

    unit = pw.ForeignKeyField(Unit, backref="file_entries", on_delete="CASCADE")
    happened_on = pw.DateField()
    kind = pw.CharField(max_length=16, default=NOTE)
    text = pw.TextField()
    author = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
