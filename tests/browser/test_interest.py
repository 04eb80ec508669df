"""The board charges late interest on a phone (360×740): the preview updates in place as the day changes,
the run is made, and a charge opens to show its working. Without JavaScript the same steps work through
plain pages. axe-core checks every page on the way (settings, runs, preview, run)."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from models.billing import BillingSettings, InterestCharge, ReferenceRate
from tests.browser.test_signup_flow import log_in
from tests.factories.billing import make_billing, make_invoice


def interest_world(alpha, make_user, make_person):
    """A board member; Dana owes 3,650.00 due 40 days ago; the rule is the ECB rate + 8 points."""
    make_user(alpha, "board@alpha.example", "board")
    make_billing(
        alpha,
        interest_mode=BillingSettings.INTEREST_REFERENCE,
        interest_reference="ECB",
        interest_margin=800,
    )
    today = alpha.today()
    ReferenceRate.create(association=alpha, valid_from=today - dt.timedelta(days=400), rate=200)
    dana = make_person(alpha, given_name="Dana", surname="Debtor", email="")
    make_invoice(alpha, dana, lines=[("Fee", 365_000, 0)], due_date=today - dt.timedelta(days=40), number=701)
    return today


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def test_the_board_previews_in_place_charges_and_reads_the_working(
    page, live_server, alpha, make_user, make_person, outbox
):
    today = interest_world(alpha, make_user, make_person)
    log_in(page, "board@alpha.example")
    page.goto("/alpha/admin/billing/interest")
    expect(page.get_by_role("heading", name=re.compile("Late interest settings"))).to_be_visible()
    expect(page.locator("tr.in-force")).to_contain_text("In force today")
    no_sideways_scroll(page)

    page.goto("/alpha/admin/interest")
    page.evaluate("window.stayedOnPage = true")  # gone if the page reloads instead of swapping
    ten_days_ago = today - dt.timedelta(days=10)
    page.get_by_label("Charge interest up to and including").fill(ten_days_ago.isoformat())
    page.get_by_role("button", name="Preview the interest").click()
    expect(page.locator("#interest-preview")).to_contain_text("Dana Debtor")
    expect(page).to_have_url(re.compile(rf"/alpha/admin/interest/preview\?through={ten_days_ago.isoformat()}$"))
    assert page.evaluate("window.stayedOnPage") is True
    expect(page.locator(".interest-table")).to_contain_text("30 days × SEK 3,650.00 × 10 %")
    no_sideways_scroll(page)

    # A day not over yet is refused in place, with the reason beside the field.
    page.get_by_label("Charge interest up to and including").fill(today.isoformat())
    page.get_by_role("button", name="Preview the interest").click()
    expect(page.locator("#interest-preview")).to_contain_text("Choose a day before today")
    assert page.evaluate("window.stayedOnPage") is True

    page.get_by_label("Charge interest up to and including").fill(ten_days_ago.isoformat())
    page.get_by_role("button", name="Preview the interest").click()
    page.get_by_role("button", name="Charge interest to 1 person").click()
    expect(page.locator(".flash-success")).to_contain_text("is charged: 1 charges")
    charge = page.locator("details.interest-charge").first
    charge.locator("summary").click()
    expect(charge).to_contain_text("How it was worked out")
    expect(charge.get_by_role("link", name="Show invoice 701")).to_be_visible()
    no_sideways_scroll(page)
    assert InterestCharge.select().count() == 1


def test_without_javascript_the_preview_is_a_page_and_the_run_is_made(
    new_context, alpha, make_user, make_person, outbox
):
    today = interest_world(alpha, make_user, make_person)
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "board@alpha.example")
    page.goto("/alpha/admin/interest")
    page.get_by_role("button", name="Preview the interest").click()  # yesterday, preselected
    expect(page).to_have_url(re.compile(r"/alpha/admin/interest/preview\?through="))
    expect(page.locator(".interest-table")).to_contain_text("Dana Debtor")
    page.get_by_role("button", name="Charge interest to 1 person").click()
    expect(page.get_by_role("heading", name=re.compile("Late interest through"))).to_be_visible()
    page.locator("details.interest-charge summary").first.click()
    expect(page.get_by_role("link", name="Show invoice 701")).to_be_visible()
    charge = InterestCharge.get()
    assert charge.last_day == today - dt.timedelta(days=1)
