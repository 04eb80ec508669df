"""A resident hands in meter readings on a phone (360×740): two meters in one form, an unusual reading
(lower than the previous one) is asked about and confirmed, and the readings show as handed in. The form
swaps in place with htmx. axe-core checks every page on the way; screenshots of the residents' page and the
board's register at 360×740 and 1280×800 go to the shots folder for people to look at."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect

from models.meters import Reading
from tests.blueprints.meters import hand_in_world
from tests.browser.test_signup_flow import log_in

meter_world = hand_in_world.meter_world  # a fixture
DESKTOP = {"width": 1280, "height": 800}


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def handed_in(meter) -> list[Reading]:
    return list(Reading.select().where((Reading.meter == meter) & Reading.window.is_null(False)))


def test_a_resident_hands_in_two_readings_and_confirms_an_unusual_one(page, live_server, meter_world, shots_dir):
    w = meter_world
    log_in(page, "tenant@alpha.example")
    page.goto("/alpha/meters/")
    expect(page.get_by_role("heading", name="Meter readings")).to_be_visible()
    expect(page.locator(f"#reading-{w.cold.id}-hint")).to_contain_text("Previous reading: 30.4 m³")
    no_sideways_scroll(page)
    page.screenshot(path=str(shots_dir / "meters-mine-360.png"), full_page=True)
    page.evaluate("window.stayedOnPage = true")  # gone if the page reloads instead of swapping

    page.get_by_label("Reading (m³)").first.fill("29,9")  # cold water: lower than 30.4
    page.get_by_label("Reading (m³)").nth(1).fill("16,8")
    page.get_by_role("button", name="Hand in the readings").click()
    expect(page.locator(f"#hand-in-{w.unit.id}")).to_contain_text("lower than the previous reading (30.4)")
    assert handed_in(w.cold) == [] and handed_in(w.hot) == []  # nothing stored before confirming
    no_sideways_scroll(page)

    page.get_by_label("Yes, this reading is right").check()
    page.get_by_role("button", name="Hand in the readings").click()
    expect(page.get_by_role("status")).to_contain_text("your readings are handed in")
    table = page.locator("table.handed-in-list")
    expect(table).to_contain_text("29.9")
    expect(table).to_contain_text("16.8")
    expect(table).to_contain_text("lower than the previous reading")
    assert page.evaluate("window.stayedOnPage") is True
    (cold,) = handed_in(w.cold)
    assert cold.value == Decimal("29.9") and cold.flag == Reading.LOWER
    assert handed_in(w.hot)[0].value == Decimal("16.8")

    # Seen again on the page after a reload, with what was handed in in each box to correct.
    page.goto("/alpha/meters/")
    expect(page.locator("table.handed-in-list")).to_contain_text("29.9")
    expect(page.get_by_label("Reading (m³)").first).to_have_value("29.9")
    page.screenshot(path=str(shots_dir / "meters-mine-handed-in-360.png"), full_page=True)


def test_screenshots_of_the_register_and_the_residents_page(new_context, live_server, meter_world, shots_dir):
    for viewport, suffix in (({"width": 360, "height": 740}, "360"), (DESKTOP, "1280")):
        board = new_context(viewport=viewport).new_page()
        log_in(board, "board@alpha.example")
        board.goto("/alpha/meters/all")
        expect(board.get_by_role("heading", name="Meters", exact=False).first).to_be_visible()
        expect(board.locator("#meter-list")).to_contain_text("CW-1")
        board.screenshot(path=str(shots_dir / f"meters-register-{suffix}.png"), full_page=True)
        board.get_by_label("Unit number").fill("2")
        expect(board.locator("#meter-list")).not_to_contain_text("CW-1")
        expect(board.locator("#meter-list")).to_contain_text("CW-2")
        resident = new_context(viewport=viewport).new_page()
        log_in(resident, "owner@alpha.example")
        resident.goto("/alpha/meters/")
        expect(resident.get_by_role("heading", name="Meter readings")).to_be_visible()
        resident.screenshot(path=str(shots_dir / f"meters-mine-{suffix}.png"), full_page=True)
