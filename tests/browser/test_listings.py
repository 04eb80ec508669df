"""A home seeker on a phone (360×740): filters the vacant homes by step-free access and rooms (the results
swap in place and the address follows), opens a listing and writes to the landlord through its contact form.
axe-core checks every page on the way. Screenshots at 360×740 and 1280×800 for people to look at."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.blueprints.listings.public_world import add_photo, form_route, world


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def test_a_seeker_filters_opens_a_listing_and_contacts_the_landlord(
    page, app, live_server, smtp_server, shots_dir, new_context
):
    made = world(contact_text="Call the office on weekdays.")
    form_route(made.association, email="letting@alpha.example")
    for vacancy in made.homes.values():
        add_photo(app, vacancy)
    senior = made.homes["senior"]

    page.goto("/alpha/homes")
    expect(page.get_by_role("heading", name="Vacant homes")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("4 homes")
    no_sideways_scroll(page)
    page.screenshot(path=shots_dir / "listings-homes-360.png", full_page=True)

    page.evaluate("window.stayedOnPage = true")  # gone if the page reloads instead of swapping
    page.get_by_text("More filters").click()
    page.get_by_label("Step-free entrance").check()
    expect(page.get_by_role("status")).to_contain_text("2 homes")
    page.get_by_label("Rooms: from").fill("2")
    page.get_by_label("Rooms: from").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("1 home")
    expect(page).to_have_url(re.compile(r"/alpha/homes\?rooms_min=2&access=step_free$"))
    assert page.evaluate("window.stayedOnPage") is True
    no_sideways_scroll(page)

    page.get_by_role("link", name="Senior home, 2 rooms, 60 m²").click()
    expect(page).to_have_url(re.compile(rf"/alpha/homes/{senior.id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Senior home, 2 rooms, 60 m²")
    expect(page.locator(".listing-facts")).to_contain_text("Wheelchair accessible")
    no_sideways_scroll(page)
    page.screenshot(path=shots_dir / "listings-listing-360.png", full_page=True)

    page.get_by_role("link", name="Contact the landlord").click()
    page.get_by_label("Your name").fill("Sofie Seeker")
    page.get_by_label("Your e-mail address").fill("sofie@seeker.example")
    page.get_by_label("Your message").fill("May I see the flat next week?")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_role("heading", name="Your message is on its way")).to_be_visible()
    smtp_server.wait_for(2)
    assert smtp_server.to("letting@alpha.example") and smtp_server.to("sofie@seeker.example")

    wide = new_context(viewport={"width": 1280, "height": 800}).new_page()
    wide.goto("/homes?access=step_free")
    expect(wide.get_by_role("status")).to_contain_text("2 homes")
    wide.screenshot(path=shots_dir / "listings-homes-1280.png", full_page=True)
    wide.goto(f"/alpha/homes/{senior.id}")
    wide.screenshot(path=shots_dir / "listings-listing-1280.png", full_page=True)


def test_the_search_works_without_javascript(app, live_server, new_context):
    world()
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/alpha/homes")
    page.get_by_label("Rooms: from").fill("3")
    page.get_by_role("button", name="Show homes").click()
    expect(page).to_have_url(re.compile(r"rooms_min=3"))
    expect(page.get_by_role("status")).to_contain_text("2 homes")
