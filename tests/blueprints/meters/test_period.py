"""The board's period view: each meter's previous reading, this period's, the use, the derived estimate,
the source and the flags in words; filters (plain and htmx); the same number of queries for 5 units as
for 40; entering a missing reading; accepted estimates marked as estimated in the view, the export and
the history."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from models import AuditLog
from models.meters import Reading
from tests.blueprints.billing.test_interest_runs import count_queries
from tests.blueprints.meters.period_world import NOVEMBER, furnish, november, words
from tests.factories.meters import make_reading

HX = {"HX-Request": "true"}


@pytest.fixture
def board(login_as, frozen_clock, alpha):
    frozen_clock.set(dt.datetime(2026, 12, 2, 9, 0))
    return login_as("board")


@pytest.fixture
def world(alpha):
    """Three units: 1 handed in both readings, 2 handed in a low cold-water one, 3 nothing."""
    units = furnish(alpha, 3)
    window = november(alpha)
    meters = {m.serial: m for unit in units for m in unit.meters}
    make_reading(meters["CW-1"], "33.5", NOVEMBER, window)
    make_reading(meters["HW-1"], "11", NOVEMBER, window)
    make_reading(meters["CW-2"], "29", NOVEMBER, window, flag=Reading.LOWER)
    return window, units, meters


def test_each_meter_shows_previous_current_use_estimate_source_and_flag(client, board, world):
    window, _units, _meters = world
    page = words(client.get(f"/alpha/meters/windows/{window.id}"))
    # Unit 1: cold water 30 -> 33.5 (use 3.5), handed in; derived estimate 30 + 30 days of
    # 30 m³ over 304 days = 32.961.
    assert "CW-1 · m³ 30 31/10/2026 33.5 Correct 3.5 32.961 Handed in" in page
    assert "lower than the previous reading" in page  # unit 2's flag, in words
    assert page.count("Missing") >= 3  # unit 2's hot water and unit 3's two meters
    assert "Units handed in 1 of 3" in page and "Readings 3 of 6 meters" in page and "Flagged 1" in page


def test_filters_show_missing_or_flagged_units_plain_and_htmx(client, board, world):
    window, _units, _meters = world
    view = f"/alpha/meters/windows/{window.id}"
    missing = words(client.get(f"{view}?show=missing"))
    assert "Flat 2" in missing and "Flat 3" in missing and "Flat 1 " not in missing
    flagged = client.get(f"{view}?show=flagged", headers=HX)
    assert flagged.status_code == 200 and "<html" not in flagged.get_data(as_text=True)
    assert "Flat 2" in words(flagged) and "Flat 3" not in words(flagged)
    assert "Flat 1 " in words(client.get(f"{view}?show=nonsense"))  # an unknown filter shows all


def test_the_view_costs_the_same_queries_for_5_units_as_for_40(client, board, alpha):
    furnish(alpha, 5)
    window = november(alpha)
    view = f"/alpha/meters/windows/{window.id}"
    client.get(view)  # the first request warms the session
    few = count_queries(lambda: client.get(view))
    furnish(alpha, 35, start=6)
    many = count_queries(lambda: client.get(view))
    assert "Flat 25" in words(client.get(view))  # 25 units a page
    assert "Flat 40" in words(client.get(f"{view}?page=2"))
    assert many == few == count_queries(lambda: client.get(f"{view}?page=2"))


def test_the_board_enters_a_missing_reading_plain_and_htmx(client, board, world):
    window, _units, meters = world
    view = f"/alpha/meters/windows/{window.id}"
    path = f"{view}/meters/{meters['CW-3'].id}"
    assert client.submit(path, {"value": "abc"}, form_page=view).status_code == 422
    response = client.submit(path, {"value": "33,25"}, form_page=view, headers=HX)
    assert response.status_code == 200 and "The reading is saved." in words(response)
    reading = Reading.get(Reading.meter == meters["CW-3"].id, Reading.window == window.id)
    assert (reading.value, reading.source, reading.entered_by_id) == (Decimal("33.250"), Reading.BOARD, board.id)
    assert AuditLog.select().where(AuditLog.action == "meters.reading_entered").count() == 1
    again = client.submit(path, {"value": "40"}, form_page=view)
    assert again.status_code == 409  # it has a reading now: a correction is another page


def test_accepted_estimates_are_marked_estimated_in_the_view_the_export_and_the_history(client, board, world):
    window, units, meters = world
    view = f"/alpha/meters/windows/{window.id}"
    asked = client.submit(f"{view}/estimates", {}, form_page=view)
    assert asked.status_code == 200 and "3 meters have no reading" in words(asked)
    assert Reading.select().where(Reading.source == Reading.ESTIMATE).count() == 0
    done = client.submit(f"{view}/estimates", {"confirmed": "yes"}, form_page=view)
    assert done.status_code == 302
    estimate = Reading.get(Reading.meter == meters["HW-3"].id, Reading.window == window.id)
    assert estimate.source == Reading.ESTIMATE and estimate.value == Decimal("10.987")

    assert "Estimated 3" in words(client.get(view))
    assert "HW-3 · m³ 10 31/10/2026 10.987 Correct 0.987 10.987 Estimated" in words(client.get(f"{view}?show=all"))
    sheet = load_workbook(io.BytesIO(client.get(f"{view}/export.xlsx").data)).active
    rows = {row[3]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["HW-3"][8] == "Estimated" and rows["HW-1"][8] == "Handed in"
    assert "Estimated" in client.get(f"{view}/export.csv").get_data(as_text=True)
    history = words(client.get(f"/alpha/meters/units/{units[2].id}/history"))
    assert "Nov 2026 10.987 0.987 Estimated" in history


def test_the_period_views_states_agree_with_the_readings_service(app, world):
    from blueprints.meters import period, readings

    window, _units, meters = world
    make_reading(meters["HW-3"], "10.5", dt.date(2026, 11, 15))  # a reading between windows
    chosen = list(meters.values())
    fast = period.states(chosen, window)
    slow = readings.states(chosen, window)
    assert [(s.meter.id, s.previous and s.previous.id, s.current and s.current.id, s.daily_use) for s in fast] == [
        (s.meter.id, s.previous and s.previous.id, s.current and s.current.id, s.daily_use) for s in slow
    ]
