"""Meters, reading windows and readings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models.meters import Meter, Reading, ReadingWindow
from models.register import Unit


def make_meter(unit: Unit, kind: str = Meter.COLD_WATER, serial: str = "", **fields) -> Meter:
    """A meter in `unit`, installed on 1 January 2025 unless told otherwise; serials default to M-<n>."""
    count = Meter.select().count() + 1
    return Meter.create(
        association=unit.association_id,
        building=unit.building_id,
        unit=unit,
        kind=kind,
        serial=serial or f"M-{count}",
        measure=fields.pop("measure", Meter.MEASURES[kind]),
        installed_on=fields.pop("installed_on", dt.date(2025, 1, 1)),
        **fields,
    )


def make_window(
    association, period_end: dt.date = dt.date(2026, 11, 30), opens_on=None, closes_on=None, **fields
) -> ReadingWindow:
    """A window for the month ending `period_end`, open from its 25th to the 5th of the next month."""
    return ReadingWindow.create(
        association=association,
        period_start=fields.pop("period_start", period_end.replace(day=1)),
        period_end=period_end,
        opens_on=opens_on or period_end.replace(day=25),
        closes_on=closes_on or period_end + dt.timedelta(days=5),
        **fields,
    )


def make_reading(meter: Meter, value, read_on: dt.date, window: ReadingWindow | None = None, **fields) -> Reading:
    return Reading.create(
        meter=meter,
        window=window,
        read_on=window.period_end if window is not None else read_on,
        value=Decimal(str(value)),
        source=fields.pop("source", Reading.BOARD if window is None else Reading.RESIDENT),
        **fields,
    )
