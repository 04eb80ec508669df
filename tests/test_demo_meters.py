"""The demo's meters and settlement (issue 14 item 6): what the README promises a visitor finds.

The demo's loaders up to billing, then the meters and the settlement, run once per test (documents,
discussions and votes have nothing to do with meters and take most of `flask demo`'s time); two tests
share out the checks, each a group of the promises below."""

import datetime as dt
from decimal import Decimal

import pytest

from blueprints.billing import allocation
from blueprints.meters import readings
from demo.meters import load_meters, monthly_periods
from demo.services import load_settlement
from models import Association, Person, Unit
from models.billing import Charge, Invoice, InvoiceLine, Payment, Service, Settlement
from models.meters import Meter, Reading, ReadingWindow
from models.notifications import NotificationChoice


@pytest.fixture
def demo(app, outbox):
    from demo.billing import load_billing
    from demo.people import load_people
    from demo.portal import load_associations
    from demo.register import load_register

    with app.app_context():
        for loader in (load_associations, load_register, load_people, load_billing, load_meters, load_settlement):
            for _line in loader():
                pass
        yield {a.slug: a for a in Association.select()}


def _open_window(association) -> ReadingWindow:
    today = association.today()
    (window,) = [w for w in ReadingWindow.of(association) if w.is_open(today)]
    return window


def _every_unit_and_building_has_meters(demo):
    for slug, association in demo.items():
        today = association.today()
        in_use = list(Meter.of(association).where(Meter.in_use_during(today, today)))
        units = {u.id for u in Unit.active(association)}
        assert units == {m.unit_id for m in in_use if m.unit_id}, slug
        mains = {m.building_id for m in in_use if m.unit_id is None and m.kind == Meter.COLD_WATER}
        assert mains == {u.building_id for u in Unit.active(association)}, slug
        serials = [m.serial for m in Meter.of(association)]
        assert len(set(serials)) == len(serials) and all(len(s) >= 8 for s in serials), slug
    kinds = {slug: {m.kind for m in Meter.of(a).where(Meter.unit.is_null(False))} for slug, a in demo.items()}
    assert kinds["kase5"] >= {Meter.COLD_WATER, Meter.HOT_WATER}
    assert kinds["nakopci"] >= {Meter.COLD_WATER, Meter.HOT_WATER, Meter.HEAT_ALLOCATOR}
    assert Meter.ELECTRICITY in kinds["solrosen"]


def _kase5_reads_monthly_with_one_window_open_and_one_late_flat(demo):
    kase5 = demo["kase5"]
    today = kase5.today()
    windows = list(ReadingWindow.of(kase5).order_by(ReadingWindow.period_end))
    assert len(windows) >= 24
    window = _open_window(kase5)
    assert window == windows[-1]
    assert all(w.is_locked for w in windows[:-1]) and not window.is_locked
    assert all(w.period_start.day == 1 and w.opens_on.day == 25 for w in windows)
    assert all(w.closes_on.day == 3 for w in windows[:-1])
    # Every flat handed in for the open window but one: the demo owner's, who asked for a reminder.
    flats = [u.id for u in Unit.active(kase5).where(Unit.kind == Unit.FLAT)]
    to_read = list(readings.meters_to_read(flats, window))
    handed_in = {r.meter_id for r in Reading.select().where(Reading.window == window)}
    late = {m.unit_id for m in to_read if m.id not in handed_in}
    owner = Person.get((Person.association == kase5) & (Person.email == "owner@kase5.example"))
    assert late == {owner.residencies.get().unit_id}
    choice = NotificationChoice.get((NotificationChoice.association == kase5) & (NotificationChoice.user == owner.user))
    assert (choice.kind, choice.enabled, choice.options) == ("meters.reminder", True, "3")
    # The late flat's form shows the previous reading and an estimate from the usual use.
    late_meters = [m for m in to_read if m.unit_id in late]
    assert all(s.previous is not None and s.derived(window.period_end) for s in readings.states(late_meters, window))
    # Hot water: more in winter than in summer, in every flat.
    year = window.period_end.year - 1 if window.period_end.month < 12 else window.period_end.year
    hot = readings.unit_consumption(kase5.id, Meter.HOT_WATER, dt.date(year, 1, 1), dt.date(year, 1, 31))
    summer = readings.unit_consumption(kase5.id, Meter.HOT_WATER, dt.date(year, 7, 1), dt.date(year, 7, 31))
    assert len(hot) == 20 and all(hot[u] > summer[u] > 0 for u in hot)
    assert window.opens_on <= today <= window.closes_on


def _kase5_history_has_an_estimate_a_confirmed_high_reading_and_a_replaced_meter(demo):
    kase5 = demo["kase5"]
    of_kase5 = Reading.select().join(Meter).where(Meter.association == kase5)
    estimates = list(of_kase5.where(Reading.source == Reading.ESTIMATE))
    assert len({(r.meter.unit_id, r.window_id) for r in estimates}) == 1 and len(estimates) == 2  # a flat's month
    assert estimates[0].window.is_locked

    (flagged,) = of_kase5.where(Reading.flag != "")
    assert flagged.flag == Reading.HIGH and flagged.source == Reading.RESIDENT
    (state,) = readings.states([flagged.meter], flagged.window)
    assert readings.judge(state, Decimal(str(flagged.value)), flagged.read_on) == Reading.HIGH

    (new,) = Meter.of(kase5).where(Meter.replaces.is_null(False))
    old = new.replaces
    assert old.unit_id == new.unit_id and old.kind == new.kind and old.removed_on == new.installed_on
    old_readings = list(old.readings.order_by(Reading.read_on))
    new_readings = list(new.readings.order_by(Reading.read_on))
    assert len(old_readings) > 6 and old_readings[-1].read_on == old.removed_on
    assert new_readings[0].source == Reading.INSTALLED and new_readings[0].read_on == new.installed_on
    assert len(new_readings) > 3 and Decimal(str(new_readings[0].value)) < 1
    # The month of the change counts both meters' use: the old one's last part and the new one's first.
    month = (new.installed_on.replace(day=1), new_readings[1].read_on)
    used = readings.unit_consumption(kase5.id, Meter.HOT_WATER, *month)[new.unit_id]
    assert used == readings.consumption([old], *month)[old.id] + readings.consumption([new], *month)[new.id]
    assert used > 0


def _nakopci_and_solrosen_read_yearly(demo):
    for slug in ("nakopci", "solrosen"):
        association = demo[slug]
        year = association.today().year
        windows = list(ReadingWindow.of(association).order_by(ReadingWindow.period_end))
        assert [(w.period_start, w.period_end) for w in windows] == [
            (dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in (year - 2, year - 1)
        ]
        assert all(w.is_locked for w in windows if w.closes_on < association.today())
    # Solrosen's electricity and Na Kopci's allocators come from the reading company.
    solrosen_sources = {
        r.source
        for r in Reading.select().join(Meter).where((Meter.association == demo["solrosen"]) & Meter.unit.is_null(False))
    }
    assert solrosen_sources == {Reading.IMPORTED, Reading.INSTALLED}
    allocators = Meter.of(demo["nakopci"]).where(Meter.kind == Meter.HEAT_ALLOCATOR)
    assert all(m.remote_read and m.note for m in allocators)


def _nakopci_has_last_years_draft_settlement_with_advances_and_consumption(demo):
    nakopci = demo["nakopci"]
    year = nakopci.today().year - 1
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    settlement = Settlement.of(nakopci).get()
    assert (settlement.year, settlement.state, settlement.deadline) == (
        year,
        Settlement.DRAFT,
        dt.date(year + 1, 4, 30),
    )
    costs = list(settlement.costs)
    assert [c.service.name for c in costs] == ["Vodné a stočné", "Teplo", "Úklid", "Výtah"]
    for cost in costs:
        assert cost.amount > 0 and sum(k.percent for k in cost.keys) == 100, cost.service.name
        assert all(k.meter_kind for k in cost.keys if k.kind == "consumption")
    heating = {(k.kind, k.percent, k.meter_kind) for k in costs[1].keys}
    assert heating == {("area", 50, ""), ("consumption", 50, Meter.HEAT_ALLOCATOR)}

    # Every flat was invoiced each service's advance in each month of last year.
    flats = [u.id for u in Unit.active(nakopci).where(Unit.kind == Unit.FLAT)]
    for service in Service.of(nakopci):
        lines = (
            InvoiceLine.select(Invoice.unit, Invoice.period_start)
            .join(Invoice)
            .switch(InvoiceLine)
            .join(Charge)
            .where((Charge.service == service) & (Invoice.period_start.between(first, last)))
            .tuples()
        )
        assert sorted(lines) == sorted((u, dt.date(year, m, 1)) for u in flats for m in range(1, 13)), service.name
    last_years = Invoice.of(nakopci).where(Invoice.period_start.between(first, last))
    assert all(i.paid_total == i.total - i.credited_total for i in last_years)
    # Last year's runs left the balances demo's overpayment waiting for its payer's next invoice.
    assert allocation.people_with_credit(nakopci).exists()
    assert (
        not Payment.select()
        .join(Invoice)
        .where(Invoice.id.in_(last_years.select(Invoice.id)) & Payment.receipt.is_null(False))
    )

    # The keys have figures: water used by every flat, the cleaning key's residents counted.
    for kind in (Meter.COLD_WATER, Meter.HOT_WATER, Meter.HEAT_ALLOCATOR):
        used = readings.unit_consumption(nakopci.id, kind, first, last)
        assert set(used) == set(flats) and all(v > 0 for v in used.values()), kind
    counted = [
        u for u in Unit.active(nakopci).where(Unit.kind == Unit.FLAT) if u.resident_count or u.residencies.count()
    ]
    assert len(counted) == len(flats)


def _loaded_once(demo):
    before = (Meter.select().count(), Reading.select().count(), Settlement.select().count(), Invoice.select().count())
    lines = list(load_meters()) + list(load_settlement())
    assert all("left as" in line for line in lines), lines
    after = (Meter.select().count(), Reading.select().count(), Settlement.select().count(), Invoice.select().count())
    assert after == before


def test_demo_meters_windows_and_readings(demo):
    """Meters everywhere; Kase 5's monthly windows and their history; yearly readings elsewhere."""
    _every_unit_and_building_has_meters(demo)
    _kase5_reads_monthly_with_one_window_open_and_one_late_flat(demo)
    _kase5_history_has_an_estimate_a_confirmed_high_reading_and_a_replaced_meter(demo)
    _nakopci_and_solrosen_read_yearly(demo)


def test_demo_settlement_of_last_year_and_a_second_load(demo):
    """Na Kopci's draft with advances and key figures; loading again adds nothing."""
    _nakopci_has_last_years_draft_settlement_with_advances_and_consumption(demo)
    _loaded_once(demo)


@pytest.mark.parametrize("day", [1, 3, 4, 10, 24, 25, 28, 31])
def test_exactly_one_monthly_window_is_open_whatever_the_day(day):
    today = dt.date(2027, 1, day)
    periods = monthly_periods(today)
    open_today = [p for p in periods if p.opens_on <= today <= p.closes_on]
    assert open_today == [periods[-1]] and periods[-1].open_today
    assert len(periods) == 24 and periods[-1].end < today + dt.timedelta(days=31)
    assert all(a.end + dt.timedelta(days=1) == b.start for a, b in zip(periods, periods[1:], strict=False))
