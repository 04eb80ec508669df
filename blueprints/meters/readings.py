"""What a meter read before, what it usually uses, and whether a new reading looks right (M2, M4).

Every function here takes many meters at once and asks the database a fixed number of times, so the
resident's form (four meters) and the board's period view (a page of units) cost the same few queries.

Dates: a reading handed in, entered or imported for a window is the meter's state on the window's last
day (`period_end`); a newly installed meter's first reading is dated its installation day, and a removed
meter's last one its removal day. Consumption over a period is the last reading on or before its end
minus the last one before it starts (or the meter's first reading, for one installed during it), summed
over the meters of a kind in use then: a replaced meter's use is its own readings' and its successor's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import peewee as pw

from core.audit import audit
from core.clock import utcnow_naive
from models.db import db, transaction
from models.meters import Meter, Reading, ReadingChange, ReadingWindow, as_decimal
from models.portal import User

# A reading is far too high when the use since the previous one is above this many times the usual use
# over as many days (seed 002: "a reading far from the usual asks for confirmation"; the 3×).
HIGH_FACTOR = 3
# An imported reading is flagged when its use is this far from the unit's average: more than double,
# or less than half.
DEVIATION_FACTOR = 2
# The usual use is the average daily use over the readings of this many days before the period.
USUAL_DAYS = 365
THREE_PLACES = Decimal("0.001")


@dataclass
class MeterState:
    """A meter as the reading form and the period view show it, for one window."""

    meter: Meter
    previous: Reading | None  # the last reading before this window's (any source)
    current: Reading | None  # this window's reading, if any
    daily_use: Decimal | None  # the usual use per day, None without two readings to tell it

    def expected_use(self, on: dt.date) -> Decimal | None:
        """The usual use from the previous reading to `on`."""
        if self.previous is None or self.daily_use is None:
            return None
        return (self.daily_use * (on - self.previous.read_on).days).quantize(THREE_PLACES)

    def derived(self, on: dt.date) -> Decimal | None:
        """The previous reading plus the usual use since: shown as a guide, and offered to the board as an
        estimate for a unit that handed nothing in. Never stored unless the board accepts it."""
        use = self.expected_use(on)
        return None if use is None else as_decimal(self.previous.value) + use

    def use(self) -> Decimal | None:
        """This window's use: its reading minus the previous one."""
        if self.current is None or self.previous is None:
            return None
        return as_decimal(self.current.value) - as_decimal(self.previous.value)


def judge(state: MeterState, value: Decimal, on: dt.date) -> str:
    """The flag a reading of `value` on `on` earns: lower than the previous one, far above the usual
    use, or none (""). A flagged reading is stored only once the resident confirms it."""
    if state.previous is not None and value < as_decimal(state.previous.value):
        return Reading.LOWER
    expected = state.expected_use(on)
    if expected is not None and expected > 0 and value - as_decimal(state.previous.value) > HIGH_FACTOR * expected:
        return Reading.HIGH
    return ""


def deviates(state: MeterState, value: Decimal, on: dt.date) -> bool:
    """An imported reading whose use is more than double, or less than half, the meter's usual use."""
    expected = state.expected_use(on)
    if expected is None or expected <= 0 or state.previous is None:
        return False
    use = value - as_decimal(state.previous.value)
    return use > DEVIATION_FACTOR * expected or use * DEVIATION_FACTOR < expected


def states(meters: list[Meter], window: ReadingWindow) -> list[MeterState]:
    """Each meter's previous and current reading and usual daily use for the window: three queries."""
    ids = [meter.id for meter in meters]
    if not ids:
        return []
    current = {
        reading.meter_id: reading
        for reading in Reading.select().where(Reading.meter.in_(ids) & (Reading.window == window.id))
    }
    previous = last_before(ids, window.period_end, exclude_window=window.id)
    daily = daily_use(ids, window.period_end)
    return [MeterState(meter, previous.get(meter.id), current.get(meter.id), daily.get(meter.id)) for meter in meters]


def last_before(meter_ids: Iterable[int], day: dt.date, *, exclude_window: int | None = None) -> dict[int, Reading]:
    """Each meter's latest reading dated on or before `day` (one query; a window's own reading left out,
    so the previous reading of a window is the one before it even when dated the same day)."""
    ids = list(meter_ids)
    if not ids:
        return {}
    rule = Reading.meter.in_(ids) & (Reading.read_on <= day)
    if exclude_window is not None:
        rule &= Reading.window.is_null() | (Reading.window != exclude_window)
    found: dict[int, Reading] = {}
    # Newest first: the first row met for each meter is its latest (a few rows per meter at most).
    for reading in Reading.select().where(rule).order_by(Reading.meter, Reading.read_on.desc(), Reading.id.desc()):
        found.setdefault(reading.meter_id, reading)
    return found


def daily_use(meter_ids: Iterable[int], before: dt.date) -> dict[int, Decimal]:
    """Each meter's average use per day over its readings in the USUAL_DAYS before `before` (one query).
    A meter with fewer than two readings there, or none a day apart, has no usual use."""
    ids = list(meter_ids)
    if not ids:
        return {}
    since = before - dt.timedelta(days=USUAL_DAYS)
    spans: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    rows = (
        Reading.select(Reading.meter, Reading.read_on, Reading.value)
        .where(Reading.meter.in_(ids) & (Reading.read_on >= since) & (Reading.read_on < before))
        .order_by(Reading.meter, Reading.read_on)
        .tuples()
    )
    for meter_id, read_on, value in rows:
        spans[meter_id].append((read_on, as_decimal(value)))
    usual = {}
    for meter_id, points in spans.items():
        (first_day, first_value), (last_day, last_value) = points[0], points[-1]
        days = (last_day - first_day).days
        if days > 0 and last_value >= first_value:
            usual[meter_id] = (last_value - first_value) / days
    return usual


def consumption(meters: list[Meter], first: dt.date, last: dt.date) -> dict[int, Decimal]:
    """Each meter's use from `first` to `last` (two queries): its last reading on or before `last` minus
    its last one before `first`, or its first reading when it was installed during the period. A meter
    with no reading in the period used nothing that anyone knows of and is left out."""
    ids = [meter.id for meter in meters if meter.installed_on <= last]
    ending = last_before(ids, last)
    starting = last_before(ids, first - dt.timedelta(days=1))
    missing = [meter_id for meter_id in ids if meter_id not in starting]
    if missing:
        for reading in (
            Reading.select()
            .where(Reading.meter.in_(missing) & (Reading.read_on <= last))
            .order_by(Reading.meter, Reading.read_on, Reading.id)
        ):
            starting.setdefault(reading.meter_id, reading)
    used = {}
    for meter_id, end in ending.items():
        start = starting.get(meter_id)
        if start is not None and end.read_on >= first:
            used[meter_id] = as_decimal(end.value) - as_decimal(start.value)
    return used


def unit_consumption(association_id: int, kind: str, first: dt.date, last: dt.date) -> dict[int, Decimal]:
    """Each unit's use of a meter kind over a period, its replaced meters included (the settlement's
    consumption key): unit id -> use. Units without such a meter are left out."""
    meters = list(
        Meter.select().where(
            (Meter.association == association_id)
            & (Meter.kind == kind)
            & Meter.unit.is_null(False)
            & Meter.in_use_during(first, last)
        )
    )
    used = consumption(meters, first, last)
    per_unit: dict[int, Decimal] = defaultdict(Decimal)
    for meter in meters:
        if meter.id in used:
            per_unit[meter.unit_id] += used[meter.id]
    return dict(per_unit)


class ReadingRefusedError(ValueError):
    """A reading that may not be stored: the window is locked or closed, or the value is not a reading."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def store(
    state: MeterState,
    window: ReadingWindow,
    value: Decimal,
    *,
    source: str,
    user: User | None,
    flag: str = "",
    photo: str | None = None,
    reason: str = "",
) -> Reading:
    """Write the window's reading of a meter, or correct it (call inside a transaction).

    A correction keeps the old value in ReadingChange; after the window is locked only the board corrects,
    with a reason, and the audit log has it. The caller checks who may write (the unit's residents while
    the window is open, the board always)."""
    if value < 0:
        raise ReadingRefusedError("negative", "A meter reading cannot be negative.")
    if window.is_locked and not reason.strip():
        raise ReadingRefusedError("locked", "The period is locked: a correction needs a reason.")
    now = utcnow_naive()
    existing = state.current
    if existing is None:
        try:
            with db.atomic():  # a savepoint: the caller's transaction goes on if another hand got there first
                reading = Reading.create(
                    meter=state.meter, window=window, read_on=window.period_end, value=value, source=source,
                    flag=flag, photo=photo, entered_by=user, created_at=now, updated_at=now,
                )  # fmt: skip
            state.current = reading
            return reading
        except pw.IntegrityError:
            # The owner and the tenant (or an import) wrote the first reading at the same moment: this one
            # becomes a correction of it, kept in its history.
            existing = state.current = Reading.get((Reading.meter == state.meter.id) & (Reading.window == window.id))
    old = as_decimal(existing.value)
    if old != value or reason:
        ReadingChange.create(
            reading=existing, old_value=old, new_value=value, reason=reason.strip()[:300], changed_by=user,
            changed_at=now,
        )  # fmt: skip
    existing.value, existing.source, existing.flag, existing.entered_by, existing.updated_at = (
        value, source, flag, user, now,
    )  # fmt: skip
    if photo is not None:
        existing.photo = photo
    existing.save()
    if window.is_locked:
        audit(
            "meters.reading_corrected", actor=user, association=window.association, target=f"reading:{existing.id}",
            meter=state.meter.serial, old=str(old), new=str(value), reason=reason.strip()[:300],
        )  # fmt: skip
    return existing


def accept_estimates(window: ReadingWindow, meters: list[Meter], user: User | None) -> int:
    """Store the derived reading as an estimate for each meter without one this window; how many."""
    stored = 0
    with transaction():
        for state in states(meters, window):
            estimate = state.derived(window.period_end)
            if state.current is None and estimate is not None:
                store(state, window, estimate, source=Reading.ESTIMATE, user=user)
                stored += 1
    return stored


def meters_to_read(unit_ids: Iterable[int], window: ReadingWindow) -> pw.ModelSelect:
    """The meters residents read in these units for the window: in use on its last day, not remote-read."""
    return (
        Meter.select()
        .where(
            Meter.unit.in_(list(unit_ids))
            & (Meter.remote_read == False)  # noqa: E712 (SQL)
            & Meter.in_use_during(window.period_end, window.period_end)
        )
        .order_by(Meter.unit, Meter.kind, Meter.serial, Meter.id)
    )
