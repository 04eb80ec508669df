"""The board's look at one reading window (M2, M4): which units have meters to read, what each handed in,
the summary counts, and the windows list's "handed in of expected" per window.

A window's meters are those of units in use on its last day (`period_end`), remote-read ones included
(the reading company's file fills them). Main meters of a building are not a unit's and are left out of
the period view: the board keeps them on the meter register. Everything here costs a fixed number of
queries whatever the number of units: the period view asks for one page of units, then their meters,
then `readings.states` for those meters only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import peewee as pw
from babel import Locale, numbers
from flask_babel import get_locale

from blueprints.meters import readings
from models.db import db
from models.meters import Meter, Reading, ReadingWindow, as_decimal
from models.portal import Association
from models.register import Building, Unit

UNITS_PER_PAGE = 25  # 100 meter rows: a page a phone scrolls through, rendered within the goal
THREE_PLACES = Decimal("0.001")
ALL, MISSING, FLAGGED = "all", "missing", "flagged"
FILTERS = (ALL, MISSING, FLAGGED)
UPCOMING, OPEN, CLOSED, LOCKED = "upcoming", "open", "closed", "locked"


def state_of(window: ReadingWindow, today: dt.date) -> str:
    """Where a window stands today, as a word's key: upcoming, open, closed (not locked yet) or locked."""
    if window.is_locked:
        return LOCKED
    if today < window.opens_on:
        return UPCOMING
    return OPEN if today <= window.closes_on else CLOSED


def number(value: Decimal | None) -> str:
    """A reading or a use in the page's language (1 234,5), up to its three decimals; "" for none."""
    if value is None:
        return ""
    decimal, group = _symbols(str(get_locale() or "en"))
    text = f"{as_decimal(value).quantize(THREE_PLACES):,f}".rstrip("0").rstrip(".")
    # Babel writes each number in ~50 µs and a page of the period view shows eight hundred: the language's
    # two signs are looked up once and swapped into Python's own formatting instead.
    return text.translate({ord(","): group, ord("."): decimal}) if (decimal, group) != (".", ",") else text


@lru_cache(maxsize=16)
def _symbols(locale: str) -> tuple[str, str]:
    parsed = Locale.parse(locale)
    return numbers.get_decimal_symbol(parsed), numbers.get_group_symbol(parsed)


def window_meters(window: ReadingWindow) -> pw.ModelSelect:
    """The units' meters the window collects readings of: in use on its last day."""
    return Meter.select().where(
        (Meter.association == window.association_id)
        & Meter.unit.is_null(False)
        & Meter.in_use_during(window.period_end, window.period_end)
    )


def _window_meter_ids(window: ReadingWindow) -> pw.ModelSelect:
    return window_meters(window).select(Meter.id)


def _read_meter_ids(window: ReadingWindow) -> pw.ModelSelect:
    return Reading.select(Reading.meter).where(Reading.window == window.id)


@dataclass
class Summary:
    """The counts at the top of the period view."""

    units: int = 0
    units_complete: int = 0
    meters: int = 0
    handed_in: int = 0  # readings of any source
    missing: int = 0
    estimated: int = 0
    flagged: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    # Each filter's units, found in the same pass: the list pages through them without asking again.
    unit_ids: dict[str, set[int]] = field(default_factory=dict)


def _fetch(query: pw.SelectQuery) -> list[tuple]:
    """A query's rows as the driver gives them: plain ids, strings and counts need none of peewee's per-row
    conversion, which cost more than the database on these few thousand rows a request."""
    return db.execute_sql(*query.sql()).fetchall()


def summary(window: ReadingWindow) -> Summary:
    """How many units and meters, readings by source, flags and missing ones, and which units each filter
    shows (two queries).

    Each unit's meters are counted from the meters alone, and the window's readings by unit, source and
    flag from its readings (the (window, meter) index) joined to their meters: two scans the size of the
    association, added up per unit here. The list's page of units is then chosen from these ids, so the
    meters and readings are read once a request, not once for the counts and again for each filter."""
    meters_per_unit = dict(_fetch(window_meters(window).select(Meter.unit, pw.fn.COUNT(Meter.id)).group_by(Meter.unit)))
    read_per_unit: dict[int, int] = defaultdict(int)
    flagged_units: set[int] = set()
    found = Summary(units=len(meters_per_unit), meters=sum(meters_per_unit.values()))
    rows = _fetch(
        Reading.select(Meter.unit, Reading.source, Reading.flag != "", pw.fn.COUNT(Reading.id))
        .join(Meter)
        .where((Reading.window == window.id) & Meter.id.in_(_window_meter_ids(window)))
        .group_by(Meter.unit, Reading.source, Reading.flag != "")
    )
    for unit_id, source, flagged, count in rows:
        read_per_unit[unit_id] += count
        found.by_source[source] = found.by_source.get(source, 0) + count
        found.handed_in += count
        if flagged:
            found.flagged += count
            flagged_units.add(unit_id)
    missing_units = {unit for unit, count in meters_per_unit.items() if read_per_unit[unit] < count}
    found.units_complete = found.units - len(missing_units)
    found.unit_ids = {ALL: set(meters_per_unit), MISSING: missing_units, FLAGGED: flagged_units}
    found.missing = found.meters - found.handed_in
    found.estimated = found.by_source.get(Reading.ESTIMATE, 0)
    return found


def completion(windows: list[ReadingWindow]) -> dict[int, tuple[int, int]]:
    """Each window's (units that handed in every reading, units expected), in one query for the list."""
    if not windows:
        return {}
    Counted = ReadingWindow.alias()  # noqa: N806 (a model alias)
    per_unit = (
        Counted.select(
            Counted.id.alias("window_id"),
            Meter.unit.alias("unit_id"),
            pw.fn.COUNT(Meter.id).alias("meters"),
            pw.fn.COUNT(Reading.id).alias("read"),
        )
        .join(
            Meter,
            on=(
                (Meter.association == Counted.association)
                & Meter.unit.is_null(False)
                & (Meter.installed_on <= Counted.period_end)
                & (Meter.removed_on.is_null() | (Meter.removed_on >= Counted.period_end))
            ),
        )  # fmt: skip
        .join(Reading, pw.JOIN.LEFT_OUTER, on=((Reading.meter == Meter.id) & (Reading.window == Counted.id)))
        .where(Counted.id.in_([w.id for w in windows]))
        .group_by(Counted.id, Meter.unit)
    )
    rows = (
        ReadingWindow.select(
            per_unit.c.window_id,
            pw.fn.COUNT(per_unit.c.unit_id),
            pw.fn.SUM(pw.Case(None, [(per_unit.c.read >= per_unit.c.meters, 1)], 0)),
        )
        .from_(per_unit)
        .group_by(per_unit.c.window_id)
        .tuples()
    )
    return {window_id: (int(done or 0), int(units)) for window_id, units, done in rows}


@dataclass
class MeterRow:
    """One meter's line in the period view."""

    state: readings.MeterState
    derived: Decimal | None

    @property
    def meter(self) -> Meter:
        return self.state.meter

    @property
    def current(self) -> Reading | None:
        return self.state.current

    @property
    def previous(self) -> Reading | None:
        return self.state.previous

    @property
    def use(self) -> Decimal | None:
        return self.state.use()


@dataclass
class UnitRows:
    unit: Unit
    building_name: str
    meters: list[MeterRow]

    @property
    def missing(self) -> int:
        return sum(row.current is None for row in self.meters)


def page(window: ReadingWindow, show: str, page_number: int, counted: Summary) -> tuple[list[UnitRows], int]:
    """One page of the units `counted` found under the filter, with their meters' states, and how many
    units match (six queries, whatever the page's size)."""
    chosen = counted.unit_ids[show]
    # The association's units in their order, as ids, kept when the filter chose them: a page is a slice
    # of that (never an IN list of thousands of ids).
    ordered = _fetch(
        Unit.select(Unit.id)
        .join(Building)
        .where(Unit.association == window.association_id)
        .order_by(*Unit.natural_order(), Unit.id)
    )
    in_order = [unit_id for (unit_id,) in ordered if unit_id in chosen]
    start = (page_number - 1) * UNITS_PER_PAGE
    on_page = in_order[start : start + UNITS_PER_PAGE]
    units = sorted(
        Unit.select(Unit, Building.name).join(Building).where(Unit.id.in_(on_page)).objects(),
        key=lambda unit: on_page.index(unit.id),
    )
    total = len(in_order)
    meters = list(
        window_meters(window)
        .where(Meter.unit.in_([unit.id for unit in units]))
        .order_by(Meter.unit, Meter.kind, Meter.serial, Meter.id)
    )
    by_unit: dict[int, list[MeterRow]] = defaultdict(list)
    for state in states(meters, window):
        by_unit[state.meter.unit_id].append(MeterRow(state, state.derived(window.period_end)))
    return [UnitRows(unit, unit.name, by_unit.get(unit.id, [])) for unit in units], total


def meter_of_window(window: ReadingWindow, meter_id: int) -> Meter | None:
    """One of the window's meters by id (None when it is not one: another association's, or not in use)."""
    return window_meters(window).where(Meter.id == meter_id).first()


def all_states(window: ReadingWindow) -> list[readings.MeterState]:
    """Every meter's state for the window (the export, the estimates): a fixed number of queries."""
    meters = list(window_meters(window).order_by(Meter.unit, Meter.kind, Meter.serial, Meter.id))
    return readings.states(meters, window)


def windows_of(association: Association) -> pw.ModelSelect:
    """The association's windows, newest period first."""
    return ReadingWindow.of(association).order_by(ReadingWindow.period_end.desc(), ReadingWindow.id.desc())


def states(meters: list[Meter], window: ReadingWindow) -> list[readings.MeterState]:
    """What readings.states() finds, for a page of the period view, without reading every earlier reading of
    every meter: the database picks each meter's previous reading and the first and last of its usual-use
    span by index (four queries). Tested to agree with readings.states()."""
    ids = [meter.id for meter in meters]
    if not ids:
        return []
    current = {r.meter_id: r for r in Reading.select().where(Reading.meter.in_(ids) & (Reading.window == window.id))}
    since = window.period_end - dt.timedelta(days=readings.USUAL_DAYS)
    Earlier = Reading.alias()  # noqa: N806 (a model alias)

    def pick(rule, *order) -> pw.SelectQuery:
        return Earlier.select(Earlier.id).where((Earlier.meter == Meter.id) & rule).order_by(*order).limit(1)

    before_end = Earlier.read_on <= window.period_end
    not_this = Earlier.window.is_null() | (Earlier.window != window.id)
    span = (Earlier.read_on >= since) & (Earlier.read_on < window.period_end)
    picked = list(
        Meter.select(
            Meter.id,
            pick(before_end & not_this, Earlier.read_on.desc(), Earlier.id.desc()),
            pick(span, Earlier.read_on, Earlier.id),
            pick(span, Earlier.read_on.desc(), Earlier.id.desc()),
        )
        .where(Meter.id.in_(ids))
        .tuples()
    )
    previous_ids = [row[1] for row in picked if row[1] is not None]
    previous = {r.id: r for r in Reading.select().where(Reading.id.in_(previous_ids))} if previous_ids else {}
    ends = {i for row in picked for i in row[2:] if i is not None}
    points = dict(
        (i, (day, as_decimal(value)))
        for i, day, value in Reading.select(Reading.id, Reading.read_on, Reading.value).where(Reading.id.in_(list(ends))).tuples()
    ) if ends else {}  # fmt: skip
    found = {}
    for meter_id, previous_id, first_id, last_id in picked:
        usual = None
        if first_id is not None and last_id is not None:
            (first_day, first_value), (last_day, last_value) = points[first_id], points[last_id]
            days = (last_day - first_day).days
            if days > 0 and last_value >= first_value:
                usual = (last_value - first_value) / days
        found[meter_id] = (previous.get(previous_id), usual)
    return [readings.MeterState(m, found[m.id][0], current.get(m.id), found[m.id][1]) for m in meters]
