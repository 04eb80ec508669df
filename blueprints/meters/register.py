"""The board's meter register (M1): adding, changing and replacing meters, and the register's pages.

A meter starts with its INSTALLED reading, dated the day it was installed. A replaced meter keeps all its
readings: it gets its removal day and a last BOARD reading dated that day (no window), and the new meter
names it in `replaces` and starts from its own INSTALLED reading, so consumption across the change is the
old meter's use plus the new one's (readings.consumption).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import peewee as pw

from core.audit import audit
from core.text import lazy_gettext as _l
from models.db import transaction
from models.meters import Meter, Reading, as_decimal
from models.portal import Association, User
from models.register import Building, Unit

# Units per page of the register: with four meters each, a hundred rows.
PAGE = 25


class MeterRefusedError(ValueError):
    """A change the register does not take; `field` names the form field the message belongs to."""

    def __init__(self, message, field: str = ""):
        super().__init__(str(message))
        self.message = message
        self.field = field


def create_meter(
    association: Association,
    *,
    building: Building,
    unit: Unit | None,
    kind: str,
    serial: str,
    measure: str,
    installed_on: dt.date,
    first_reading: Decimal,
    user: User | None,
    removed_on: dt.date | None = None,
    remote_read: bool = False,
    note: str = "",
) -> Meter:
    """A new meter and its first reading (INSTALLED, dated the installation day), audited."""
    with transaction():
        meter = Meter.create(
            association=association, building=building, unit=unit, kind=kind, serial=serial.strip(),
            measure=measure.strip(), installed_on=installed_on, removed_on=removed_on, remote_read=remote_read,
            note=note.strip(),
        )  # fmt: skip
        Reading.create(
            meter=meter, window=None, read_on=installed_on, value=first_reading, source=Reading.INSTALLED,
            entered_by=user,
        )  # fmt: skip
        audit(
            "meters.meter_created", actor=user, association=association, target=f"meter:{meter.id}",
            serial=meter.serial, kind=kind, unit=unit.number if unit is not None else "",
        )  # fmt: skip
    return meter


def edit_meter(meter: Meter, user: User | None, **fields) -> Meter:
    """Change a meter's details; its first reading moves with its installation day."""
    first_day = meter.installed_on
    with transaction():
        for name, value in fields.items():
            setattr(meter, name, value.strip() if isinstance(value, str) else value)
        _check_dates(meter)
        meter.save()
        if meter.installed_on != first_day:
            (
                Reading.update(read_on=meter.installed_on)
                .where((Reading.meter == meter) & (Reading.source == Reading.INSTALLED))
                .execute()
            )
        audit(
            "meters.meter_edited", actor=user, association=meter.association, target=f"meter:{meter.id}",
            serial=meter.serial,
        )  # fmt: skip
    return meter


def _check_dates(meter: Meter) -> None:
    """Its readings must lie between its installation and removal days."""
    if meter.removed_on is not None and meter.removed_on < meter.installed_on:
        raise MeterRefusedError(_l("A meter cannot be removed before it was installed."), "removed_on")
    readings = Reading.select(pw.fn.MIN(Reading.read_on), pw.fn.MAX(Reading.read_on)).where(
        (Reading.meter == meter) & (Reading.source != Reading.INSTALLED)
    )
    first, last = readings.scalar(as_tuple=True)
    if first is not None and _date(first) < meter.installed_on:
        raise MeterRefusedError(_l("The meter has readings from before that day."), "installed_on")
    if last is not None and meter.removed_on is not None and _date(last) > meter.removed_on:
        raise MeterRefusedError(_l("The meter has readings from after that day."), "removed_on")


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def last_reading(meter: Meter) -> Reading | None:
    return Reading.select().where(Reading.meter == meter).order_by(Reading.read_on.desc(), Reading.id.desc()).first()


def replace_meter(
    old: Meter,
    *,
    removed_on: dt.date,
    last_value: Decimal,
    serial: str,
    first_reading: Decimal,
    user: User | None,
    remote_read: bool = False,
    note: str = "",
) -> Meter:
    """Remove `old` on `removed_on` with its last reading, and install its successor that day."""
    problem = replacement_problem(old, removed_on, last_value)
    if problem is not None:
        raise problem
    with transaction():
        old.removed_on = removed_on
        old.save()
        Reading.create(
            meter=old, window=None, read_on=removed_on, value=last_value, source=Reading.BOARD, entered_by=user
        )
        new = Meter.create(
            association=old.association_id, building=old.building_id, unit=old.unit_id, kind=old.kind,
            serial=serial.strip(), measure=old.measure, installed_on=removed_on, replaces=old,
            remote_read=remote_read, note=note.strip(),
        )  # fmt: skip
        Reading.create(
            meter=new, window=None, read_on=removed_on, value=first_reading, source=Reading.INSTALLED,
            entered_by=user,
        )  # fmt: skip
        audit(
            "meters.meter_replaced", actor=user, association=old.association, target=f"meter:{old.id}",
            old_serial=old.serial, new_serial=new.serial, removed_on=removed_on.isoformat(),
            last_reading=str(last_value), first_reading=str(first_reading),
        )  # fmt: skip
    return new


def replacement_problem(old: Meter, removed_on: dt.date, last_value: Decimal) -> MeterRefusedError | None:
    """Why this replacement cannot be made, or None."""
    if old.removed_on is not None:
        return MeterRefusedError(_l("This meter was removed already."), "removed_on")
    if removed_on < old.installed_on:
        return MeterRefusedError(_l("A meter cannot be removed before it was installed."), "removed_on")
    later = Reading.select().where((Reading.meter == old) & (Reading.read_on > removed_on)).exists()
    if later:
        return MeterRefusedError(_l("The meter has readings from after that day."), "removed_on")
    before = last_reading(old)
    if before is not None and last_value < as_decimal(before.value):
        return MeterRefusedError(_l("The last reading cannot be lower than the one before it."), "last_reading")
    return None


# --- the register's page ----------------------------------------------------------------------


@dataclass
class RegisterPage:
    """One page of the register: units with their meters, and (on the first page) the main meters."""

    units: list[Unit]
    meters: dict[int, list[Meter]]  # unit id -> its meters, the replaced ones after
    main_meters: list[Meter]  # the buildings' own meters
    last: dict[int, Reading] = field(default_factory=dict)  # meter id -> its latest reading
    matching: int = 0
    page: int = 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // PAGE))


def register_page(association: Association, *, building_id: int | None, number: str, page: int) -> RegisterPage:
    """A page of units (active ones, and archived ones that still have meters) with their meters and each
    meter's latest reading: four queries however many units and meters."""
    page = max(1, page)
    chosen = _units(association, building_id, number)
    matching = pw.fn.COUNT(pw.SQL("*")).over().alias("matching")
    rows = list(
        chosen.select_extend(matching).order_by(*Unit.natural_order(), Unit.id).limit(PAGE).offset((page - 1) * PAGE)
    )
    total = rows[0].matching if rows else 0
    if not rows and page > 1:
        count = chosen.count()
        if count:
            return register_page(association, building_id=building_id, number=number, page=-(-count // PAGE))
    main = [] if number or page > 1 else list(_main_meters(association, building_id))
    by_unit: dict[int, list[Meter]] = {unit.id: [] for unit in rows}
    if rows:
        for meter in (
            Meter.select()
            .where(Meter.unit.in_(list(by_unit)))
            .order_by(Meter.removed_on.is_null(False), Meter.kind, Meter.serial, Meter.id)
        ):
            by_unit[meter.unit_id].append(meter)
    every = [meter for meters in by_unit.values() for meter in meters] + main
    return RegisterPage(rows, by_unit, main, latest_readings([m.id for m in every]), total, page)


def _units(association: Association, building_id: int | None, number: str) -> pw.ModelSelect:
    with_meters = Meter.select(Meter.unit).where((Meter.association == association) & Meter.unit.is_null(False))
    query = (
        Unit.select(Unit, Building)
        .join(Building)
        .where((Unit.association == association) & (Unit.archived_at.is_null() | Unit.id.in_(with_meters)))
    )
    if building_id:
        query = query.where(Unit.building == building_id)
    if number:
        query = query.where(pw.fn.LOWER(Unit.number).contains(number.lower()))
    return query


def _main_meters(association: Association, building_id: int | None) -> pw.ModelSelect:
    query = (
        Meter.select(Meter, Building)
        .join(Building)
        .where((Meter.association == association) & Meter.unit.is_null())
        .order_by(Building.name, Meter.removed_on.is_null(False), Meter.kind, Meter.serial, Meter.id)
    )
    return query.where(Meter.building == building_id) if building_id else query


def latest_readings(meter_ids: list[int]) -> dict[int, Reading]:
    """Each meter's latest reading, in one query (a window function picks one row per meter)."""
    if not meter_ids:
        return {}
    rank = (
        pw.fn.ROW_NUMBER()
        .over(partition_by=[Reading.meter], order_by=[Reading.read_on.desc(), Reading.id.desc()])
        .alias("rank")
    )
    ranked = Reading.select(Reading.id, rank).where(Reading.meter.in_(meter_ids)).alias("ranked")
    latest = Reading.select().join(ranked, on=(Reading.id == ranked.c.id)).where(ranked.c.rank == 1)
    return {reading.meter_id: reading for reading in latest}
