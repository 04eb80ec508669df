"""The readings service: previous reading, usual use, the flags, consumption across a replaced meter."""

import datetime as dt
from decimal import Decimal

import pytest

from blueprints.meters import readings
from models.db import transaction
from models.meters import Meter, Reading, ReadingChange
from tests.factories.meters import make_meter, make_reading, make_window
from tests.factories.portal import make_association
from tests.factories.register import make_unit


@pytest.fixture
def meter(app):
    association = make_association()
    unit = make_unit(association)
    meter = make_meter(unit, installed_on=dt.date(2025, 12, 31))
    # 100 litres a day through 2026: 0 on 31 Dec, then monthly.
    for month, value in ((1, "3.1"), (4, "12.0"), (7, "21.1"), (10, "30.3")):
        day = dt.date(2026, month + 1, 1) - dt.timedelta(days=1)
        make_reading(meter, value, day)
    make_reading(meter, "0", dt.date(2025, 12, 31), source=Reading.INSTALLED)
    return meter


def test_previous_reading_usual_use_and_derived_estimate(meter):
    window = make_window(meter.association, dt.date(2026, 11, 30))
    (state,) = readings.states([meter], window)
    assert state.previous.value == Decimal("30.300") and state.current is None
    assert state.daily_use == Decimal("30.3") / 304
    assert state.derived(window.period_end) == Decimal("30.300") + (Decimal("30.3") / 304 * 30).quantize(
        Decimal("0.001")
    )


def test_lower_and_far_too_high_readings_are_flagged(meter):
    window = make_window(meter.association, dt.date(2026, 11, 30))
    (state,) = readings.states([meter], window)
    assert readings.judge(state, Decimal("30.2"), window.period_end) == Reading.LOWER
    assert readings.judge(state, Decimal("33.3"), window.period_end) == ""
    assert readings.judge(state, Decimal("45"), window.period_end) == Reading.HIGH


def test_a_correction_keeps_the_old_value_and_a_locked_window_needs_a_reason(meter):
    window = make_window(meter.association, dt.date(2026, 11, 30))
    (state,) = readings.states([meter], window)
    with transaction():
        readings.store(state, window, Decimal("33"), source=Reading.RESIDENT, user=None)
        readings.store(state, window, Decimal("33.5"), source=Reading.RESIDENT, user=None)
    assert [(c.old_value, c.new_value) for c in ReadingChange.select()] == [(Decimal("33.000"), Decimal("33.500"))]
    window.locked_at = dt.datetime(2026, 12, 6)
    with pytest.raises(readings.ReadingRefusedError):
        readings.store(state, window, Decimal("34"), source=Reading.BOARD, user=None)


def test_consumption_counts_a_replaced_meter_and_its_successor(meter):
    unit = meter.unit
    make_reading(meter, "31.0", dt.date(2026, 11, 15))
    meter.removed_on = dt.date(2026, 11, 15)
    meter.save()
    new = make_meter(unit, installed_on=dt.date(2026, 11, 15), replaces=meter)
    make_reading(new, "5", dt.date(2026, 11, 15), source=Reading.INSTALLED)
    make_reading(new, "6.25", dt.date(2026, 12, 31))
    make_meter(unit, kind=Meter.HOT_WATER)  # another kind: not counted
    used = readings.unit_consumption(unit.association_id, Meter.COLD_WATER, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert used == {unit.id: Decimal("31.0") + Decimal("1.25")}


def test_a_first_reading_written_twice_at_once_becomes_a_correction(meter):
    """Two people's forms, both shown before either was sent: the second finds the first reading and corrects it."""
    window = make_window(meter.association, dt.date(2026, 11, 30))
    (mine,) = readings.states([meter], window)
    (theirs,) = readings.states([meter], window)
    with transaction():
        readings.store(theirs, window, Decimal("33"), source=Reading.RESIDENT, user=None)
    with transaction():
        readings.store(mine, window, Decimal("33.4"), source=Reading.RESIDENT, user=None)
    (stored,) = Reading.select().where(Reading.window == window.id)
    assert stored.value == Decimal("33.400")
    assert [(c.old_value, c.new_value) for c in ReadingChange.select()] == [(Decimal("33.000"), Decimal("33.400"))]
