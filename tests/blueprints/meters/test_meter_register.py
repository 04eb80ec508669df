"""The board's meter register (M1): adding a meter with its first reading, changing it, replacing it (the
old one keeps its history, the new one starts from its own reading), refused input, inert serials, and a
list that costs the same queries for 5 units as for 40."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from blueprints.meters import readings
from models import AuditLog
from models.meters import Meter, Reading
from tests.blueprints.meters import hand_in_world
from tests.factories.meters import make_meter
from tests.factories.register import make_unit

meter_world = hand_in_world.meter_world  # a fixture


@pytest.fixture
def board(client, login, meter_world):
    login(client, "board@alpha.example")
    return client


def new_meter(client, **fields):
    data = {
        "kind": Meter.ELECTRICITY, "serial": "EL-77", "measure": "", "installed_on": "2026-06-01",
        "first_reading": "1 234,5", **fields,
    }  # fmt: skip
    return client.submit("/alpha/meters/new", data)


def test_a_new_meter_starts_from_its_first_reading(board, meter_world):
    w = meter_world
    response = new_meter(board, place=f"unit:{w.other.id}")
    assert response.status_code == 302, response.get_data(as_text=True)
    meter = Meter.get(Meter.serial == "EL-77")
    assert (meter.unit_id, meter.building_id, meter.measure) == (w.other.id, w.house.id, "kWh")  # from its kind
    (first,) = meter.readings
    assert (first.source, first.read_on, first.value, first.window_id) == (
        Reading.INSTALLED, dt.date(2026, 6, 1), Decimal("1234.5"), None,
    )  # fmt: skip
    assert AuditLog.select().where(AuditLog.action == "meters.meter_created").count() == 1
    page = board.get(response.location).get_data(as_text=True)
    assert "EL-77" in page and "1,234.5" not in page and "1234.5" in page


def test_a_main_meter_belongs_to_the_building(board, meter_world):
    w = meter_world
    assert new_meter(board, place=f"building:{w.house.id}", serial="MAIN-1").status_code == 302
    meter = Meter.get(Meter.serial == "MAIN-1")
    assert meter.unit_id is None and meter.building_id == w.house.id
    page = board.get("/alpha/meters/all").get_data(as_text=True)
    assert "The buildings' main meters" in page and "MAIN-1" in page


def test_the_form_preselects_a_unit(board, meter_world):
    page = board.get(f"/alpha/meters/new?unit={meter_world.other.id}").get_data(as_text=True)
    assert f'<option selected value="unit:{meter_world.other.id}">' in page


def test_refused_input(board, meter_world):
    w = meter_world
    beta_unit = w.beta_unit
    assert new_meter(board, place=f"unit:{beta_unit.id}").status_code == 404  # another association's unit
    w.other.archived_at = dt.datetime(2026, 1, 1)
    w.other.save()
    archived = new_meter(board, place=f"unit:{w.other.id}")
    assert archived.status_code == 422 and "archived" in archived.get_data(as_text=True)
    removed_first = new_meter(board, place=f"unit:{w.unit.id}", removed_on="2026-05-01")
    assert removed_first.status_code == 422
    assert "cannot be removed before it was installed" in removed_first.get_data(as_text=True)
    for field, value in (("serial", ""), ("first_reading", "-1"), ("first_reading", "x"), ("kind", "")):
        assert new_meter(board, place=f"unit:{w.unit.id}", **{field: value}).status_code == 422, field
    assert not Meter.select().where(Meter.serial == "EL-77").exists()


def test_a_hostile_serial_is_shown_as_text(board, meter_world):
    serial = '<img src=x onerror="alert(1)">'
    assert new_meter(board, place=f"unit:{meter_world.unit.id}", serial=serial).status_code == 302
    page = board.get("/alpha/meters/all").get_data(as_text=True)
    assert serial not in page and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page


def test_editing_a_meter(board, meter_world):
    w = meter_world
    path = f"/alpha/meters/{w.hot.id}/edit"
    data = {"kind": Meter.HOT_WATER, "serial": "HW-1b", "measure": "m³", "installed_on": "2025-12-31", "note": "Bath"}
    assert board.submit(path, data).status_code == 302
    meter = Meter.get_by_id(w.hot.id)
    assert (meter.serial, meter.note) == ("HW-1b", "Bath")
    # Its readings lie between its installation and removal days.
    late = board.submit(path, {**data, "installed_on": "2026-11-01"})
    assert late.status_code == 422 and "readings from before that day" in late.get_data(as_text=True)
    early = board.submit(path, {**data, "removed_on": "2026-10-01"})
    assert early.status_code == 422 and Meter.get_by_id(w.hot.id).removed_on is None


def test_replacing_a_meter_keeps_the_old_ones_history_and_starts_the_new_one_from_its_own_reading(board, meter_world):
    w = meter_world
    path = f"/alpha/meters/{w.cold.id}/replace"
    data = {"removed_on": "2026-11-15", "last_reading": "31,9", "serial": "CW-NEW", "first_reading": "0,25"}
    confirm = board.submit(path, data)
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Yes, replace the meter" in page
    assert "Meter CW-1 is marked removed on 15 Nov 2026, with its last reading 31.9" in page
    assert not Meter.select().where(Meter.serial == "CW-NEW").exists()  # nothing until confirmed
    assert board.submit(path, {**data, "confirmed": "yes"}).status_code == 302
    old = Meter.get_by_id(w.cold.id)
    new = Meter.get(Meter.serial == "CW-NEW")
    assert old.removed_on == dt.date(2026, 11, 15) and new.replaces_id == old.id
    assert (new.unit_id, new.kind, new.installed_on) == (old.unit_id, old.kind, dt.date(2026, 11, 15))
    last = Reading.get((Reading.meter == old) & (Reading.read_on == dt.date(2026, 11, 15)))
    assert (last.source, last.value, last.window_id) == (Reading.BOARD, Decimal("31.9"), None)
    assert [r.value for r in old.readings.order_by(Reading.read_on)] == [Decimal("0"), Decimal("30.4"), Decimal("31.9")]
    (first,) = new.readings
    assert (first.source, first.value) == (Reading.INSTALLED, Decimal("0.25"))
    assert AuditLog.select().where(AuditLog.action == "meters.meter_replaced").count() == 1
    Reading.create(meter=new, read_on=dt.date(2026, 11, 30), value=Decimal("1.25"), source=Reading.BOARD)
    used = readings.unit_consumption(w.alpha.id, Meter.COLD_WATER, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert used == {w.unit.id: Decimal("1.5") + Decimal("1.0")}
    # A removed meter is not replaced twice.
    assert board.submit(path, {**data, "confirmed": "yes"}).status_code == 409


def test_a_replacement_lower_than_the_last_reading_or_before_it_is_refused(board, meter_world):
    path = f"/alpha/meters/{meter_world.cold.id}/replace"
    data = {
        "removed_on": "2026-11-15",
        "last_reading": "20",
        "serial": "CW-NEW",
        "first_reading": "0",
        "confirmed": "yes",
    }
    assert board.submit(path, data).status_code == 422
    assert board.submit(path, {**data, "last_reading": "31", "removed_on": "2026-10-01"}).status_code == 422
    assert (
        Meter.get_by_id(meter_world.cold.id).removed_on is None
        and not Meter.select().where(Meter.serial == "CW-NEW").exists()
    )


def test_the_register_filters_by_building_and_unit_number(board, meter_world):
    w = meter_world
    page = board.get(f"/alpha/meters/all?building={w.house.id}&unit=2").get_data(as_text=True)
    assert "CW-2" in page and "CW-1" not in page
    part = board.get("/alpha/meters/all?unit=1", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert part.lstrip().startswith('<div id="meter-list"') and "CW-1" in part and "CW-2" not in part
    assert "No unit matches" in board.get("/alpha/meters/all?unit=nothing").get_data(as_text=True)


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def queries(client, path, **headers) -> int:
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return int(response.headers["X-Query-Count"])


def add_units(world, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        unit = make_unit(world.alpha, f"Q{n}", building=world.house)
        for kind in (Meter.COLD_WATER, Meter.HOT_WATER, Meter.ELECTRICITY, Meter.HEAT):
            meter = make_meter(unit, kind)
            Reading.create(meter=meter, read_on=dt.date(2026, 10, 31), value=n, source=Reading.BOARD)


def test_the_register_costs_the_same_queries_for_5_and_40_units(board, meter_world):
    add_units(meter_world, 3)  # with the world's two: 5
    few = queries(board, "/alpha/meters/all")
    few_htmx = queries(board, "/alpha/meters/all?unit=Q", **{"HX-Request": "true"})
    add_units(meter_world, 35, start=3)  # 40
    assert queries(board, "/alpha/meters/all") == few
    assert queries(board, "/alpha/meters/all?page=2") == few - 1  # no main meters asked for after the first page
    assert queries(board, "/alpha/meters/all?unit=Q", **{"HX-Request": "true"}) == few_htmx
