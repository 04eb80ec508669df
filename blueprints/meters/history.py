"""A meter's history (M4): its readings period by period with the use since the one before, for the chart
and the table of a unit's or a meter's history page.

Who sees it: the board every unit's; a member who may hand in readings, the units they own or live in
today. Anything else is a 404, like an id that does not exist. A replaced meter keeps its own history;
the new one starts from its first reading.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import peewee as pw
from flask import abort
from flask_babel import format_date

from blueprints.meters import chart, period
from models import permissions as perms
from models.meters import Meter, Reading, ReadingWindow, as_decimal
from models.register import Unit

# The history shows the last this many readings of each meter (two years of monthly readings and the first).
POINTS = 25


@dataclass
class Point:
    reading: Reading
    period_start: dt.date | None
    period_end: dt.date | None
    use: Decimal | None

    @property
    def label(self) -> str:
        """The period in words: its month for a window's reading, else the reading's day."""
        if self.period_end is not None:
            return format_date(self.period_end, "MMM y")
        return format_date(self.reading.read_on, "d MMM y")


@dataclass
class MeterHistory:
    meter: Meter
    points: list[Point]
    chart: chart.Chart


def visible_unit(membership, unit_id: int) -> Unit:
    """The unit if the member may see its meters' history, else 404."""
    query = Unit.of(membership.association).where(Unit.id == unit_id)
    if not membership.can(perms.METERS_MANAGE):
        held = Unit.ids_held_by(membership.person_id, membership.association.today())
        query = query.where(Unit.id.in_(held) & Unit.archived_at.is_null())  # as Unit.visible_to
    unit = query.first()
    if unit is None:
        abort(404)
    return unit


def visible_meter(membership, meter_id: int) -> Meter:
    """The meter if the member may see its history (Meter.visible_to: the board's, or a unit held today)."""
    meter = Meter.visible_to(membership).where(Meter.id == meter_id).first()
    if meter is None:
        abort(404)
    return meter


def of_meters(meters: list[Meter]) -> list[MeterHistory]:
    """Each meter's last POINTS readings with their periods and uses (one query for all of them)."""
    ids = [meter.id for meter in meters]
    found: dict[int, list[tuple]] = defaultdict(list)
    if ids:
        rows = (
            Reading.select(Reading, ReadingWindow.period_start, ReadingWindow.period_end)
            .join(ReadingWindow, pw.JOIN.LEFT_OUTER, on=(Reading.window == ReadingWindow.id))
            .where(Reading.meter.in_(ids))
            .order_by(Reading.meter, Reading.read_on, Reading.id)
            .objects()
        )
        for reading in rows:
            found[reading.meter_id].append(reading)
    histories = []
    for meter in meters:
        points, before = [], None
        for reading in found.get(meter.id, []):
            value = as_decimal(reading.value)
            use = None if before is None else value - before
            points.append(Point(reading, reading.period_start, reading.period_end, use))
            before = value
        points = points[-POINTS:]
        title = f"{meter.kind_label} {meter.serial}".strip()
        used = [(p.label, p.use, p.reading.is_estimate) for p in points if p.use is not None]
        histories.append(MeterHistory(meter, points, chart.bars(title, used, period.number)))
    return histories


def unit_meters(unit: Unit) -> list[Meter]:
    """The unit's meters, those in use first, then removed ones (newest removal first)."""
    meters = list(Meter.select().where(Meter.unit == unit.id).order_by(Meter.kind, Meter.installed_on, Meter.id))
    return sorted(meters, key=lambda m: (m.removed_on is not None, m.kind, -(m.removed_on or dt.date.min).toordinal()))
