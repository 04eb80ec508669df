"""Factories for the register's tests: buildings, units, owners and residents."""

from __future__ import annotations

import pytest

from models import Person
from models.register import Building, Ownership, Residency, Unit


@pytest.fixture
def make_building(app):
    def make(association, name: str = "House A", **fields) -> Building:
        return Building.create(association=association, name=name, **fields)

    return make


@pytest.fixture
def make_unit(app, make_building):
    buildings = {}

    def make(association, number: str = "1", share: tuple[int, int] = (1, 10), building=None, **fields) -> Unit:
        if building is None:
            building = buildings.get(association.id) or make_building(association)
            buildings[association.id] = building
        return Unit.create(
            association=association,
            building=building,
            number=number,
            share_numerator=share[0],
            share_denominator=share[1],
            **fields,
        )

    return make


@pytest.fixture
def make_owner(app):
    def make(unit: Unit, person: Person, share=(1, 1), is_main=True, **fields) -> Ownership:
        return Ownership.create(
            unit=unit, person=person, share_numerator=share[0], share_denominator=share[1], is_main=is_main, **fields
        )

    return make


@pytest.fixture
def make_resident(app):
    def make(unit: Unit, person: Person, role: str = Residency.TENANT, **fields) -> Residency:
        return Residency.create(unit=unit, person=person, role=role, **fields)

    return make
