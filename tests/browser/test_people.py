"""The board's register on a phone (360×740): search as you type, expand a resident's row in place."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_signup_flow import log_in


def test_board_searches_as_they_type_and_expands_a_row(
    page, live_server, alpha, make_user, make_person, shots_dir, smtp_server
):
    make_user(alpha, "board@alpha.example", "board")
    make_person(alpha, given_name="Eva", surname="Lindqvist", email="eva@example.com", phone_mobile="070-123 45 67")
    make_person(alpha, given_name="Bo", surname="Andersson", email="bo@example.com")
    make_person(alpha, given_name="Cia", surname="Berg", phone_home="08-555 10 10")

    log_in(page, "board@alpha.example")
    page.goto("/alpha/people")
    rows = page.locator("details.person-row")
    expect(rows.filter(has_text="Andersson Bo")).to_be_visible()

    # Typing filters the list without pressing enter; the address follows the search.
    page.get_by_label("Search by name, unit, e-mail or phone").press_sequentially("lindq", delay=40)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Lindqvist Eva")
    expect(page).to_have_url(re.compile(r"/alpha/people\?q=lindq$"))

    # The row opens in place and loads the contacts.
    rows.first.locator("summary").click()
    details = page.locator(".person-details")
    expect(details).to_contain_text("eva@example.com")
    expect(details).to_contain_text("070-123 45 67")
    expect(page).to_have_url(re.compile(r"/alpha/people\?q=lindq$"))  # still the list
    page.screenshot(path=shots_dir / "people-search-360.png", full_page=True)

    # Its actions are big enough to tap.
    invite = details.get_by_role("button", name="Send invitation")
    assert invite.bounding_box()["height"] >= 44

    # An invitation sent in place changes the row's state at once, not after a reload.
    state = rows.first.locator("summary .state")
    expect(state).to_have_text("No account")
    invite.click()
    expect(details).to_contain_text("The invitation is on its way to eva@example.com.")
    expect(state).to_have_text("Invited")
    smtp_server.wait_for(1)
