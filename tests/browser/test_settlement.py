"""The board reads a settlement's preview on a phone (360×740) and on a wide screen (1280×800); axe-core
checks each page. Screenshots go to the shots folder for people to look at."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from playwright.sync_api import expect

from models.billing import Service, SettlementKey
from models.meters import Meter
from tests.blueprints.billing.test_settlement import YEAR, add_cost, advance
from tests.browser.test_signup_flow import log_in
from tests.factories.billing import make_billing, make_unit
from tests.factories.meters import make_meter, make_reading
from tests.factories.register import make_owner, make_person


def world(alpha, make_user):
    from blueprints.billing import settlement as sharing

    make_user(alpha, "board@alpha.example", "board")
    make_billing(alpha)
    year = YEAR
    heating = Service.create(association=alpha, name="Heating", position=1)
    water = Service.create(association=alpha, name="Water", position=2)
    for number in range(1, 6):
        unit = make_unit(alpha, f"{number}0{number}", area=Decimal(40 + 10 * number))
        owner = make_person(alpha, given_name="Owner", surname=f"Number{number}")
        make_owner(unit, owner)
        meter = make_meter(unit, Meter.HEAT_ALLOCATOR, installed_on=dt.date(year - 2, 1, 1))
        make_reading(meter, 100, dt.date(year - 1, 12, 31))
        make_reading(meter, 100 + 7 * number, dt.date(year, 12, 31))
        for month in range(1, 13):
            advance(alpha, unit, owner, heating, 2500, month=month)
    settlement = sharing.new_settlement(alpha, year)
    add_cost(
        settlement, heating, 160_000, (SettlementKey.AREA, 50), (SettlementKey.CONSUMPTION, 50, Meter.HEAT_ALLOCATOR)
    )
    add_cost(settlement, water, 50_001, (SettlementKey.EQUAL, 100))
    return settlement


def test_the_settlement_preview_reads_on_a_phone_and_a_wide_screen(
    new_context, live_server, alpha, make_user, shots_dir
):
    settlement = world(alpha, make_user)
    for name, size in (
        ("settlement-360", {"width": 360, "height": 740}),
        ("settlement-1280", {"width": 1280, "height": 800}),
    ):
        page = new_context(viewport=size).new_page()
        log_in(page, "board@alpha.example")
        page.goto(f"/alpha/admin/settlements/{settlement.id}")
        expect(page.get_by_role("heading", name=f"Settlement of services {settlement.year}")).to_be_visible()
        expect(page.locator("#settlement-preview")).to_contain_text("The units' shares add up to the costs exactly.")
        page.screenshot(path=str(shots_dir / f"{name}.png"), full_page=True)
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => !(e.parentElement && e.parentElement.closest('.run-table-wrap')) && e.getBoundingClientRect().right > innerWidth + 1)"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], wide
