"""Factories for the people tests: units with owners and tenants."""

from __future__ import annotations

import pytest

from models import Building, Ownership, Residency, Unit


@pytest.fixture
def make_unit(app):
    def make(association, number: str, share=(1, 10), **fields) -> Unit:
        building = Building.of(association).first() or Building.create(association=association, name="House A")
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
def own(app):
    def make(unit, person, share=(1, 1), **fields) -> Ownership:
        return Ownership.create(
            unit=unit, person=person, share_numerator=share[0], share_denominator=share[1], **fields
        )

    return make


@pytest.fixture
def rent(app):
    def make(unit, person, **fields) -> Residency:
        return Residency.create(unit=unit, person=person, role=Residency.TENANT, **fields)

    return make
