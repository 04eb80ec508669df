"""Events on a phone (360×740): the board makes a weekly event on the document form; a member finds it in the
upcoming list and in the month view (a list of days on a phone), and chooses reminders in My account.
axe checks every page on the way."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from tests.browser.test_register import log_in


def test_the_board_makes_a_weekly_event_and_a_member_finds_it_in_the_month(
    new_context, alpha, make_user, shots_dir, outbox
):
    make_user(alpha, "board@example.com", "board")
    make_user(alpha, "owner@example.com", "member")
    day = alpha.today() + dt.timedelta(days=3)

    board = new_context().new_page()
    log_in(board, "board@example.com")
    board.goto("/alpha/documents/new")
    board.get_by_label("Title").fill("Choir practice")
    board.get_by_label("Folder").select_option(label="Notice board")
    board.get_by_label("Date", exact=True).fill(day.isoformat())
    board.get_by_label("Starts at").fill("18:00")
    board.get_by_label("Repeats").select_option(label="Every week")
    board.screenshot(path=shots_dir / "event-form-360.png", full_page=True)
    board.get_by_role("button", name="Publish").click()
    expect(board.get_by_text("The document is published.")).to_be_visible()
    expect(board.locator(".event-when")).to_contain_text("Every week")

    owner = new_context().new_page()
    log_in(owner, "owner@example.com")
    owner.goto("/alpha/events")
    expect(owner.locator(".events")).to_contain_text("Choir practice")
    owner.get_by_role("link", name="Month view").click()
    expect(owner.locator(".month")).to_contain_text("18:00 Choir practice")
    # On a phone the month is a list of the days that have events, each under its full date.
    expect(owner.locator(".month .day.empty").first).to_be_hidden()
    assert owner.evaluate("document.documentElement.scrollWidth") <= 360
    owner.screenshot(path=shots_dir / "events-month-360.png", full_page=True)
    owner.get_by_role("link", name="Next month").click()
    expect(owner.locator("h1")).not_to_have_text("")

    owner.goto("/alpha/account#notifications")
    owner.get_by_label("A week before", exact=True).check()
    owner.get_by_role("button", name="Save notifications").click()
    expect(owner.get_by_text("Your notification choices are saved.")).to_be_visible()
    expect(owner.get_by_label("A week before", exact=True)).to_be_checked()
    owner.get_by_role("button", name="Make my calendar address").click()
    expect(owner.locator("#calendar-address")).to_be_visible()
    owner.screenshot(path=shots_dir / "account-calendar-360.png", full_page=True)
