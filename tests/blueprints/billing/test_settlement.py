"""The yearly settlement's sharing rule and run (issue 14 item 5): shares add up to each cost exactly, a unit
with no key figure pays nothing, advances − costs over the units equals the credits given less the invoiced
differences, and a second run creates nothing. Pure math first, then through the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueprints.billing import settlement as sharing
from blueprints.billing import settlement_run
from models import OutboundEmail
from models.billing import (
    Charge,
    Invoice,
    InvoiceLine,
    Payment,
    Receipt,
    Service,
    Settlement,
    SettlementCost,
    SettlementKey,
    SettlementUnit,
)
from models.meters import Meter, Reading
from models.register import Ownership, Unit
from tests.factories.billing import make_billing, make_invoice, make_unit
from tests.factories.meters import make_meter, make_reading
from tests.factories.register import make_owner, make_person, make_resident

RELAXED = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
YEAR = 2026


# --- the pure rule ------------------------------------------------------------------------------------

figures_st = st.lists(st.integers(0, 5000), min_size=1, max_size=30)


@given(
    cost=st.integers(0, 10**9),
    parts=st.lists(st.tuples(st.integers(1, 100), figures_st), min_size=1, max_size=3),
)
def test_shares_add_up_to_the_cost_and_zero_figures_pay_nothing(cost, parts):
    size = max(len(figures) for _, figures in parts)
    order = list(range(size))
    total_percent = sum(percent for percent, _ in parts)
    # Make the per cents add up to 100: the last part takes what is left (or the first alone is 100).
    keyed = [(percent, figures) for percent, figures in parts[:-1]]
    if total_percent == 100 or not keyed or sum(p for p, _ in keyed) >= 100:
        keyed = [(100, parts[0][1])]
    else:
        keyed.append((100 - sum(p for p, _ in keyed), parts[-1][1]))
    key_parts = [(percent, {i: Fraction(v) for i, v in enumerate(figures)}) for percent, figures in keyed]
    if any(sum(figures.values()) == 0 for _, figures in key_parts):
        with pytest.raises(ValueError):
            sharing.share_out(cost, key_parts, order)
        return
    shares = sharing.share_out(cost, key_parts, order)
    assert sum(shares.values()) == cost
    for unit in order:
        exact = sum(Fraction(p, 100) * cost * f.get(unit, 0) / sum(f.values()) for p, f in key_parts)
        assert exact - 1 < shares[unit] <= exact + 1  # off by less than one minor unit
        if all(f.get(unit, 0) == 0 for _, f in key_parts):
            assert shares[unit] == 0


def test_left_over_cents_go_to_the_largest_remainders_then_the_first_unit():
    # 100 shared by three equal units: 33.33… each, one cent left, to the first unit in order.
    assert sharing.share_out(100, [(100, {1: Fraction(1), 2: Fraction(1), 3: Fraction(1)})], [3, 1, 2]) == {
        3: 34,
        1: 33,
        2: 33,
    }
    # 10 shared 1:2: 3.33 and 6.67 -> the larger remainder (unit 2) takes the cent.
    assert sharing.share_out(10, [(100, {1: Fraction(1), 2: Fraction(2)})], [1, 2]) == {1: 3, 2: 7}


def test_days_lived_counts_each_residents_days_in_the_year():
    first, last = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    stays = [
        (None, None),
        (dt.date(YEAR, 7, 1), None),
        (dt.date(2020, 1, 1), dt.date(YEAR, 1, 31)),
        (None, dt.date(2025, 5, 1)),
    ]
    assert sharing.days_lived(stays, first, last) == 365 + 184 + 31


# --- through the database ------------------------------------------------------------------------------


@pytest.fixture
def ctx(app, frozen_clock, alpha):
    frozen_clock.set(dt.datetime(YEAR + 1, 2, 15, 9, 0))
    with app.app_context():
        make_billing(alpha)
        yield alpha


def service(alpha, name: str, position: int = 1) -> Service:
    return Service.create(association=alpha, name=name, position=position)


def settlement_of(alpha) -> Settlement:
    return sharing.new_settlement(alpha, YEAR)


def add_cost(settlement: Settlement, svc: Service, amount: int, *parts: tuple) -> SettlementCost:
    cost = SettlementCost.create(settlement=settlement, service=svc, amount=amount)
    for kind, percent, *meter in parts:
        SettlementKey.create(cost=cost, kind=kind, percent=percent, meter_kind=meter[0] if meter else "")
    return cost


def advance(alpha, unit: Unit, person, svc: Service, amount: int, month: int = 1, vat: int = 0) -> Invoice:
    """A monthly invoice for `unit` with one line from a charge that is `svc`'s advance."""
    charge = Charge.create(association=alpha, unit=unit, description=f"Advance {svc.name}", amount=amount, service=svc)
    invoice = make_invoice(
        alpha,
        person,
        unit=unit,
        lines=[(f"Advance {svc.name}", amount, vat)],
        period=(dt.date(YEAR, month, 1), dt.date(YEAR, month, 28)),
    )
    InvoiceLine.update(charge=charge).where(InvoiceLine.invoice == invoice).execute()
    return invoice


def test_preview_shares_heating_half_by_area_half_by_allocators(ctx):
    alpha = ctx
    heating = service(alpha, "Heating")
    a = make_unit(alpha, "1", area=Decimal("50"))
    b = make_unit(alpha, "2", area=Decimal("150"))
    for unit, use in ((a, 30), (b, 10)):
        meter = make_meter(unit, Meter.HEAT_ALLOCATOR, installed_on=dt.date(2024, 1, 1))
        make_reading(meter, 100, dt.date(2025, 12, 31))
        make_reading(meter, 100 + use, dt.date(YEAR, 12, 31))
    s = settlement_of(alpha)
    add_cost(s, heating, 100_001, (SettlementKey.AREA, 50), (SettlementKey.CONSUMPTION, 50, Meter.HEAT_ALLOCATOR))
    plan = sharing.preview(s)
    assert plan.ready
    shares = {line.unit.number: line.shares[heating.id] for line in plan.units}
    # area: 50 000.5 × 1/4 and 3/4; allocators: 50 000.5 × 3/4 and 1/4 -> 50 000.5 each exactly; a tie
    # on the remainder: the cent goes to unit 1 (first in order).
    assert shares == {"1": 50_001, "2": 50_000}
    assert sum(shares.values()) == 100_001


def test_a_key_nobody_has_a_share_of_is_refused_naming_the_service(ctx):
    alpha = ctx
    water = service(alpha, "Cold water")
    make_unit(alpha, "1", area=Decimal("40"))
    s = settlement_of(alpha)
    add_cost(s, water, 5000, (SettlementKey.CONSUMPTION, 100, Meter.COLD_WATER))
    plan = sharing.preview(s)
    assert not plan.ready
    assert any("Cold water" in problem and "no unit has a share" in problem for problem in plan.problems)
    with pytest.raises(settlement_run.SettlementRunError):
        settlement_run.run(s)
    assert Settlement.get_by_id(s.id).state == Settlement.DRAFT and not SettlementUnit.select().exists()


def test_residents_key_counts_days_lived_or_the_fixed_count(ctx):
    alpha = ctx
    lift = service(alpha, "Lift")
    a = make_unit(alpha, "1")
    make_unit(alpha, "2", resident_count=2)
    make_unit(alpha, "3")  # nobody lives there: pays nothing
    make_resident(a, make_person(alpha), start_date=dt.date(YEAR, 7, 1))
    s = settlement_of(alpha)
    add_cost(s, lift, 91_500, (SettlementKey.RESIDENTS, 100))
    plan = sharing.preview(s)
    figures = {line.unit.number: line.figures["residents"] for line in plan.units}
    assert figures == {"1": 184, "2": 730, "3": 0}
    shares = {line.unit.number: line.shares[lift.id] for line in plan.units}
    assert shares["3"] == 0 and sum(shares.values()) == 91_500


def test_advances_sum_the_services_lines_with_vat_less_credit_notes_and_skip_archived_units(ctx):
    alpha = ctx
    water = service(alpha, "Water")
    other = service(alpha, "Cleaning", 2)
    unit = make_unit(alpha, "1", area=Decimal("60"))
    gone = make_unit(alpha, "2", area=Decimal("60"), archived_at=dt.datetime(YEAR, 1, 1))
    owner = make_person(alpha)
    advance(alpha, unit, owner, water, 1000, month=1)
    credited = advance(alpha, unit, owner, water, 1000, month=2)
    advance(alpha, unit, owner, water, 1000, month=3, vat=2500)  # 1,000 + 250 VAT
    advance(alpha, unit, owner, other, 700, month=4)  # another service
    last_year = advance(alpha, unit, owner, water, 999, month=1)  # for December of the year before: not counted
    Invoice.update(period_start=dt.date(YEAR - 1, 12, 1)).where(Invoice.id == last_year.id).execute()
    note = make_invoice(
        alpha,
        owner,
        unit=unit,
        lines=[("Advance Water", -1000, 0)],
        kind=Invoice.CREDIT_NOTE,
        credits=credited.id,
        period=(dt.date(YEAR, 2, 1), dt.date(YEAR, 2, 28)),
    )
    assert note.id
    s = settlement_of(alpha)
    add_cost(s, water, 2000, (SettlementKey.AREA, 100))
    plan = sharing.preview(s)
    assert [line.unit.id for line in plan.units] == [unit.id]  # the archived unit is in no key
    assert gone.id not in {line.unit.id for line in plan.units}
    (line,) = plan.units
    assert line.advances == {water.id: 1000 + 1000 + 1250 - 1000}
    assert line.shares == {water.id: 2000} and line.difference == 250


# --- the run ---------------------------------------------------------------------------------------------------


def _world(alpha, data):
    """Units with owners, figures and advances from hypothesis' data; costs with random keys."""
    units, owners = [], {}
    count = data.draw(st.integers(1, 6), label="units")
    for n in range(count):
        unit = make_unit(
            alpha,
            str(n + 1),
            share=(data.draw(st.integers(0, 100), label="share"), 100),
            area=Decimal(data.draw(st.integers(0, 120), label="area")),
            resident_count=data.draw(st.none() | st.integers(0, 5), label="residents"),
        )
        person = make_person(alpha, email=f"o{n}@example.org" if n % 2 == 0 else "")
        make_owner(unit, person)
        units.append(unit)
        owners[unit.id] = person
        use = data.draw(st.integers(0, 50), label="use")
        meter = make_meter(unit, Meter.COLD_WATER, installed_on=dt.date(2024, 1, 1))
        make_reading(meter, 10, dt.date(2025, 12, 31))
        make_reading(meter, 10 + use, dt.date(YEAR, 12, 31))
    services = [service(alpha, f"Service {i}", i) for i in range(data.draw(st.integers(1, 3), label="services"))]
    for unit in units:
        for svc in services:
            paid = data.draw(st.integers(0, 50_000), label="advance")
            if paid:
                advance(alpha, unit, owners[unit.id], svc, paid)
    s = settlement_of(alpha)
    kinds = [
        SettlementKey.AREA,
        SettlementKey.SHARE,
        SettlementKey.RESIDENTS,
        SettlementKey.EQUAL,
        SettlementKey.CONSUMPTION,
    ]
    for svc in services:
        first = data.draw(st.sampled_from(kinds), label="key")
        second = data.draw(st.sampled_from(kinds), label="key 2")
        split = data.draw(st.integers(1, 100), label="percent")
        parts = [(first, split, Meter.COLD_WATER)] + ([(second, 100 - split, Meter.COLD_WATER)] if split < 100 else [])
        add_cost(s, svc, data.draw(st.integers(0, 2_000_000), label="cost"), *parts)
    return s, units


@RELAXED
@given(data=st.data())
def test_a_run_settles_every_unit_exactly_and_a_second_run_creates_nothing(ctx, outbox, data):
    alpha = ctx
    for model in (
        Payment,
        SettlementUnit,
        SettlementKey,
        SettlementCost,
        Settlement,
        Receipt,
        InvoiceLine,
        Invoice,
        Charge,
        Service,
        Reading,
        Meter,
        Ownership,
        Unit,
        OutboundEmail,
    ):
        model.delete().execute()
    s, units = _world(alpha, data)
    plan = sharing.preview(s)
    if not plan.ready:  # a key nobody has a share of: refused, nothing written
        with pytest.raises(settlement_run.SettlementRunError):
            settlement_run.run(s)
        assert not SettlementUnit.select().exists()
        return
    for cost in plan.costs:
        assert sum(line.shares[cost.service_id] for line in plan.units) == cost.amount
        for line in plan.units:
            if all(line.figures.get(part.figure_key, 0) == 0 for part in cost.parts):
                assert line.shares[cost.service_id] == 0
    invoices_before = Invoice.select().count()
    assert settlement_run.run(s) is True
    rows = list(SettlementUnit.select().where(SettlementUnit.settlement == s.id))
    assert len(rows) == len(units)
    credits = sum(r.amount for r in Receipt.select().where(Receipt.source == Receipt.SETTLEMENT))
    invoiced = sum(i.total for i in Invoice.select().where(Invoice.purpose == Invoice.SETTLEMENT))
    assert sum(r.advances - r.costs for r in rows) == credits - invoiced
    assert sum(r.costs for r in rows) == sum(cost.amount for cost in plan.costs)
    for row in rows:
        if row.difference < 0:
            assert Invoice.get_by_id(row.invoice_id).total == -row.difference
        elif row.difference > 0:
            assert Receipt.get_by_id(row.receipt_id).amount == row.difference
        else:
            assert row.invoice_id is None and row.receipt_id is None
    made = (Invoice.select().count(), Receipt.select().count(), SettlementUnit.select().count(), len(outbox.rows()))
    assert made[0] - invoices_before == sum(1 for r in rows if r.difference < 0)
    assert settlement_run.run(Settlement.get_by_id(s.id)) is False
    assert (
        Invoice.select().count(),
        Receipt.select().count(),
        SettlementUnit.select().count(),
        len(outbox.rows()),
    ) == made
    assert Settlement.get_by_id(s.id).state == Settlement.DONE
