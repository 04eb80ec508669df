"""Buildings, units, ownership, residents, the unit file and registration requests (SPEC R, P3, P4).

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
from models.db import AssociationScoped, BaseModel
from models.portal import Association, Person, User


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


class Unit(AssociationScoped, BaseModel):
    FLAT, COMMERCIAL, GARAGE, STORAGE = "flat", "commercial", "garage", "storage"
    KINDS = (FLAT, COMMERCIAL, GARAGE, STORAGE)
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
    resident_count = pw.IntegerField(null=True)
    archived_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("building", "number"), True), (("association", "number"), False))

    @property
    def share(self) -> Fraction:
        return Fraction(self.share_numerator, self.share_denominator or 1)

    @share.setter
    def share(self, value: Fraction) -> None:
        self.share_numerator, self.share_denominator = value.numerator, value.denominator

    @property
    def accessibility_set(self) -> set[str]:
        return set(self.accessibility.split())

    @classmethod
    def active(cls, association: Association) -> pw.ModelSelect:
        return cls.of(association).where(cls.archived_at.is_null())


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


class RegistrationRequest(AssociationScoped, BaseModel):
    """Someone asking for access from the public form (P4, seed 004 §4.13)."""

    PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"

    association = pw.ForeignKeyField(Association, backref="registrations", on_delete="CASCADE")
    name = pw.CharField(max_length=200)
    email = pw.CharField(max_length=254)
    unit_number = pw.CharField(max_length=40, default="")
    message = pw.TextField(default="")
    status = pw.CharField(max_length=10, default=PENDING, index=True)
    reason = pw.TextField(default="")
    person = pw.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    decided_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    decided_at = pw.DateTimeField(null=True)
    ip = pw.CharField(max_length=64, default="")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)


class SlugAlias(BaseModel):
    """An association's former address, which keeps redirecting (P1)."""

    association = pw.ForeignKeyField(Association, backref="aliases", on_delete="CASCADE")
    slug = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
