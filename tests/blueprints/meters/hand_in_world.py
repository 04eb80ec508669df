"""A small world for the meter register and the residents' readings (helper A's tests).

Association alpha, on 2 December 2026 (the clock is frozen):
  House A, unit 1: owned by owner@, rented by tenant@; a cold and a hot water meter read by the
    residents, and a heat cost allocator read remotely. Cold water used 0.1 m³ a day through 2026
    (30.4 on 31 October), hot water 0.05 (15.2).
  House A, unit 2: owned by neighbour@, with a cold water meter.
  board@ keeps the meters. The window for November 2026 is open from 25 November to 5 December.
Association beta has its own tenant (beta-tenant@) in its own unit.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from models import Person
from models.meters import Meter, Reading
from tests.factories.meters import make_meter, make_reading, make_window
from tests.factories.register import make_building, make_owner, make_resident, make_unit

TODAY = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def person_of(user) -> Person:
    return Person.get(Person.user == user)


@pytest.fixture
def meter_world(app, alpha, make_association, make_user, frozen_clock):
    frozen_clock.set(TODAY)
    users = {
        name: make_user(alpha, f"{name}@alpha.example", role)
        for name, role in (("owner", "member"), ("tenant", "tenant"), ("neighbour", "member"), ("board", "board"))
    }
    house = make_building(alpha, "House A")
    unit = make_unit(alpha, "1", building=house)
    other = make_unit(alpha, "2", building=house)
    make_owner(unit, person_of(users["owner"]))
    make_resident(unit, person_of(users["tenant"]))
    make_owner(other, person_of(users["neighbour"]))
    start = dt.date(2025, 12, 31)
    cold = make_meter(unit, Meter.COLD_WATER, "CW-1", installed_on=start)
    hot = make_meter(unit, Meter.HOT_WATER, "HW-1", installed_on=start)
    remote = make_meter(unit, Meter.HEAT_ALLOCATOR, "HCA-1", installed_on=start, remote_read=True)
    neighbours = make_meter(other, Meter.COLD_WATER, "CW-2", installed_on=start)
    for meter, usual in ((cold, "30.4"), (hot, "15.2"), (neighbours, "20")):
        make_reading(meter, "0", start, source=Reading.INSTALLED)
        make_reading(meter, usual, dt.date(2026, 10, 31))
    window = make_window(alpha, dt.date(2026, 11, 30))
    beta = make_association("beta")
    beta_tenant = make_user(beta, "beta-tenant@beta.example", "tenant")
    beta_unit = make_unit(beta, "B1")
    make_resident(beta_unit, person_of(beta_tenant))
    return SimpleNamespace(
        alpha=alpha, beta=beta, users=users, house=house, unit=unit, other=other, cold=cold, hot=hot, remote=remote,
        neighbours=neighbours, window=window, beta_unit=beta_unit, clock=frozen_clock,
    )  # fmt: skip


def hand_in_path(world, unit=None, window=None) -> str:
    unit = unit or world.unit
    window = window or world.window
    return f"/alpha/meters/units/{unit.id}/windows/{window.id}"
