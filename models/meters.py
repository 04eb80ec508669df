"""Meters, the board's reading windows and the readings handed in (SPEC M1–M4).

A meter belongs to a unit, or to a building when `unit` is empty (a main meter). A replaced meter keeps
its readings and its removal day; the new one names it in `replaces` and starts from its own first
reading. Readings are exact decimals (never floats); a window's period is what the readings are for,
and residents hand them in only between its opening and closing days, until the board locks it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import peewee as pw

from core import clock
from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp
from models import permissions as perms
from models.db import AssociationScoped, BaseModel
from models.mail import OutboundEmail
from models.portal import Association, User
from models.register import Building, Unit

# Readings keep three decimals (litres of a cubic metre, watt-hours of a kilowatt-hour).
READING = {"max_digits": 15, "decimal_places": 3, "auto_round": True}


class Meter(AssociationScoped, BaseModel):
    """One meter: in a unit, or the building's main meter when `unit` is empty (M1)."""

    COLD_WATER, HOT_WATER, ELECTRICITY, HEAT, GAS, HEAT_ALLOCATOR = (
        "cold_water", "hot_water", "electricity", "heat", "gas", "allocator",
    )  # fmt: skip
    KINDS = {
        COLD_WATER: _l("Cold water"),
        HOT_WATER: _l("Hot water"),
        ELECTRICITY: _l("Electricity"),
        HEAT: _l("Heat"),
        GAS: _l("Gas"),
        HEAT_ALLOCATOR: _l("Heat cost allocator"),
    }
    # What each kind is usually measured in; the board may write another.
    MEASURES = {
        COLD_WATER: "m³", HOT_WATER: "m³", ELECTRICITY: "kWh", HEAT: "kWh", GAS: "m³", HEAT_ALLOCATOR: "",
    }  # fmt: skip

    association = pw.ForeignKeyField(Association, backref="meters", on_delete="CASCADE")
    building = pw.ForeignKeyField(Building, backref="meters", on_delete="RESTRICT")
    unit = pw.ForeignKeyField(Unit, null=True, backref="meters", on_delete="RESTRICT")
    kind = pw.CharField(max_length=12)
    serial = pw.CharField(max_length=60, default="")
    measure = pw.CharField(max_length=12, default="")  # "m³", "kWh"; empty for allocators' units
    installed_on = pw.DateField()
    removed_on = pw.DateField(null=True)  # its last day
    replaces = pw.ForeignKeyField("self", null=True, backref="replaced_by", on_delete="SET NULL")
    remote_read = pw.BooleanField(default=False)  # read by the reading company, not by the residents
    note = pw.CharField(max_length=200, default="")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "unit"), False), (("association", "building"), False))

    @property
    def kind_label(self) -> str:
        return str(self.KINDS.get(self.kind, self.kind))

    def in_use(self, on: dt.date) -> bool:
        return self.installed_on <= on and (self.removed_on is None or self.removed_on >= on)

    @classmethod
    def in_use_during(cls, first: dt.date, last: dt.date) -> pw.Expression:
        """Meters installed by `last` and not removed before `first`."""
        return (cls.installed_on <= last) & (cls.removed_on.is_null() | (cls.removed_on >= first))

    @classmethod
    def visible_to(cls, membership) -> pw.ModelSelect:
        """Every meter for the board (meters.manage); else the meters of the units the member's person owns
        or lives in today. A building's main meters are the board's alone."""
        association = membership.association
        query = cls.of(association)
        if membership.can(perms.METERS_MANAGE):
            return query
        held = Unit.ids_held_by(membership.person_id, association.today())
        return query.where(cls.unit.in_(held))


class ReadingWindow(AssociationScoped, BaseModel):
    """A period the board collects readings for, open to residents from `opens_on` to `closes_on` (M2).

    Until the board locks it, residents correct their own readings; after, only the board does, with a
    reason (ReadingChange)."""

    association = pw.ForeignKeyField(Association, backref="reading_windows", on_delete="CASCADE")
    period_start = pw.DateField()
    period_end = pw.DateField()  # the readings are the meters' state on this day
    opens_on = pw.DateField()
    closes_on = pw.DateField()  # the last day residents hand in
    locked_at = pw.DateTimeField(null=True)
    locked_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "period_end"), True), (("association", "closes_on"), False))

    def is_open(self, today: dt.date) -> bool:
        """Residents may hand in readings today."""
        return self.locked_at is None and self.opens_on <= today <= self.closes_on

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @classmethod
    def open_on(cls, today: dt.date) -> pw.Expression:
        return cls.locked_at.is_null() & (cls.opens_on <= today) & (cls.closes_on >= today)


class Reading(BaseModel):
    """A meter's state on a day: handed in by a resident, entered by the board, imported from a reading
    company, an estimate the board accepted, or the first reading of a newly installed meter."""

    RESIDENT, BOARD, IMPORTED, ESTIMATE, INSTALLED = "resident", "board", "imported", "estimate", "installed"
    SOURCES = {
        RESIDENT: _lp("reading source", "Handed in"),
        BOARD: _lp("reading source", "By the board"),
        IMPORTED: _lp("reading source", "Imported"),
        ESTIMATE: _lp("reading source", "Estimated"),
        INSTALLED: _lp("reading source", "First reading"),
    }
    # Why the board should look: lower than the one before, far above the unit's usual use (the
    # resident confirmed both), or far from the unit's average in an imported file.
    LOWER, HIGH, DEVIATES = "lower", "high", "deviates"
    FLAGS = {
        LOWER: _l("lower than the previous reading"),
        HIGH: _l("far above the usual use"),
        DEVIATES: _l("far from the unit's average"),
    }

    meter = pw.ForeignKeyField(Meter, backref="readings", on_delete="CASCADE")
    window = pw.ForeignKeyField(ReadingWindow, null=True, backref="readings", on_delete="RESTRICT")
    read_on = pw.DateField()
    value = pw.DecimalField(**READING)
    source = pw.CharField(max_length=10, default=RESIDENT)
    flag = pw.CharField(max_length=10, default="")
    photo = pw.CharField(max_length=100, null=True)  # a re-encoded image under UPLOAD_DIR/<association>/meters/
    entered_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    updated_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("meter", "window"), True), (("meter", "read_on"), False), (("window", "meter"), False))

    @property
    def is_estimate(self) -> bool:
        return self.source == self.ESTIMATE

    @property
    def source_label(self) -> str:
        return str(self.SOURCES.get(self.source, self.source))

    @property
    def flag_label(self) -> str:
        return str(self.FLAGS.get(self.flag, "")) if self.flag else ""


class ReadingChange(BaseModel):
    """A correction of a reading: who, when, from what to what; after the lock, with the board's reason."""

    reading = pw.ForeignKeyField(Reading, backref="changes", on_delete="CASCADE")
    old_value = pw.DecimalField(**READING)
    new_value = pw.DecimalField(**READING)
    reason = pw.CharField(max_length=300, default="")
    changed_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    changed_at = pw.DateTimeField(default=clock.utcnow_naive)


class ReadingReminder(BaseModel):
    """A reminder mailed to a member about a window: one per window and member, however often the
    periodic job runs (M3)."""

    window = pw.ForeignKeyField(ReadingWindow, backref="reminders", on_delete="CASCADE")
    user = pw.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    email = pw.ForeignKeyField(OutboundEmail, null=True, on_delete="SET NULL", backref="+")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("window", "user"), True),)


class ReadingImportMapping(AssociationScoped, BaseModel):
    """A reading company's column mapping, remembered by the file's header line, as JSON (M4)."""

    association = pw.ForeignKeyField(Association, backref="reading_mappings", on_delete="CASCADE")
    source = pw.CharField(max_length=120, default="")  # the name the board gave, e.g. "Techem"
    header_key = pw.CharField(max_length=64)  # sha256 of the normalised header line
    mapping = pw.TextField()  # {"serial": "Zählernummer", "value": "Stand", ...} plus the decimal format
    updated_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "header_key"), True),)


def as_decimal(value) -> Decimal:
    """A reading as read back from either database (SQLite may hand back a float or a string)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))
