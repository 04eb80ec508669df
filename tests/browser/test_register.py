"""The board runs the register on a phone (360×740): search units as it types, change a unit's owner."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from models import Person
from models.register import Building, Ownership, Unit
from tests.helpers import PASSWORD

MIN_TAP = 44


def log_in(page: Page, email: str) -> None:
    page.goto("/alpha/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/alpha/$"))


def test_board_searches_units_and_changes_an_owner(page, alpha, make_user, make_person, shots_dir):
    make_user(alpha, "board@example.com", "board")
    building = Building.create(association=alpha, name="Storgatan 5")
    units = [
        Unit.create(association=alpha, building=building, number=str(n), share_numerator=1, share_denominator=3)
        for n in (101, 102, 201)
    ]
    seller = make_person(alpha, given_name="Sven", surname="Säljare")
    Ownership.create(unit=units[0], person=seller, is_main=True, started_on=dt.date(2012, 4, 1))
    buyer = make_person(alpha, given_name="Karin", surname="Köpare", email="karin@example.com")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    log_in(page, "board@example.com")
    page.goto("/alpha/units")
    expect(page.get_by_text("Shares add up to 1")).to_be_visible()
    page.get_by_label("Search by unit number or owner").press_sequentially("Sälj", delay=30)
    expect(page).to_have_url(re.compile(r"q=S"))  # the list filtered in place and the address followed
    rows = page.locator("#unit-list li")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sven Säljare")
    page.screenshot(path=shots_dir / "units-search-360.png", full_page=True)

    rows.first.get_by_role("link", name="101").click()
    expect(page.get_by_role("heading", name=re.compile("Flat 101"))).to_be_visible()
    change = page.get_by_role("link", name="Change of owner")
    assert change.bounding_box()["height"] >= MIN_TAP
    change.click()

    page.get_by_label("Date of the change").fill("2026-02-15")
    first = page.locator("fieldset.owner-row").first
    # Ready for one new owner: the whole unit, main owner.
    expect(first.get_by_label("Share of the unit")).to_have_value("1")
    expect(first.get_by_label("Main owner (receives the invoices)")).to_be_checked()
    # The picker searches as the board types, accents aside; one match is chosen.
    first.get_by_label("Find a person in the register").press_sequentially("kopare", delay=30)
    expect(first.get_by_label("Person from the register")).to_have_value(str(buyer.id))
    expect(first.get_by_label("Person from the register").locator("option")).to_have_count(2)
    page.get_by_label("Note for the unit file").fill("Sold by contract of 1 February")
    page.screenshot(path=shots_dir / "change-owner-360.png", full_page=True)
    page.get_by_role("button", name="Save the change of owner").click()

    expect(page).to_have_url(re.compile(rf"/alpha/units/{units[0].id}$"))
    owners = page.locator("#owners")
    expect(owners).to_contain_text("Karin Köpare")
    expect(owners).to_contain_text("Main owner")
    expect(owners).not_to_contain_text("Sven Säljare")
    expect(page.locator("#unit-file")).to_contain_text("Sven Säljare → Karin Köpare")
    page.screenshot(path=shots_dir / "unit-360.png", full_page=True)

    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History of unit 101")).to_be_visible()
    history = page.locator("main")
    expect(history).to_contain_text("Sven Säljare")
    expect(history).to_contain_text("Past")
    expect(history).to_contain_text("Karin Köpare")
    page.screenshot(path=shots_dir / "unit-history-360.png", full_page=True)

    # A sale entered ahead of its day is scheduled, on the unit page and in the history.
    page.goto(f"/alpha/units/{units[0].id}/change-owner")
    ahead = alpha.today() + dt.timedelta(days=30)
    page.get_by_label("Date of the change").fill(ahead.isoformat())
    first = page.locator("fieldset.owner-row").first
    first.get_by_label("Find a person in the register").press_sequentially("sven", delay=30)
    expect(first.get_by_label("Person from the register")).to_have_value(str(seller.id))
    page.get_by_role("button", name="Save the change of owner").click()
    expect(owners.get_by_text("Scheduled")).to_be_visible()
    expect(owners).to_contain_text("Karin Köpare")  # still the owner until the day
    page.goto(f"/alpha/units/{units[0].id}/history")
    expect(page.locator("main li", has_text="Sven Säljare").filter(has_text="Scheduled")).to_have_count(1)

    assert Ownership.get(Ownership.person == seller, Ownership.ended_on.is_null(False)).ended_on == dt.date(2026, 2, 15)
    assert Ownership.get(Ownership.person == buyer).started_on == dt.date(2026, 2, 15)
    assert Person.select().count() == 3  # board, seller, buyer: nobody created by accident
    assert problems == []
