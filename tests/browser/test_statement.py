"""A resident's balance statement on a phone (360×740): they choose the period, the late-interest line opens in
place and loads how it was worked out (days × rate × principal); nothing scrolls sideways. Without JavaScript
the interest line still opens and links to a page with the same working."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from blueprints.billing import allocation
from models import Person
from tests.blueprints.billing.test_ledger import interest_invoice, invoice
from tests.browser.test_signup_flow import log_in
from tests.factories.billing import make_billing

MIN_TAP = 44


def statement_world(app, alpha, make_user):
    """Olga: an invoice 100 days old, left unpaid for a month and paid later, with late interest charged on it;
    and a newer one partly paid. Her neighbour has a debt of his own."""
    make_billing(alpha)
    make_user(alpha, "owner@alpha.example", "member")
    me = Person.get(Person.email == "owner@alpha.example")
    me.given_name, me.surname = "Olga", "Owner"
    me.save()
    make_user(alpha, "neighbour@alpha.example", "member")
    neighbour = Person.get(Person.email == "neighbour@alpha.example")
    today = alpha.today()
    issued = today - dt.timedelta(days=100)
    with app.test_request_context():
        overdue = invoice(alpha, me, issued, 100000)
        due = overdue.due_date
        allocation.receive(me, 100000, due + dt.timedelta(days=31))
        _carrier, charge = interest_invoice(
            alpha, me, due + dt.timedelta(days=35), overdue, due + dt.timedelta(days=1), due + dt.timedelta(days=30),
            100000,
        )  # fmt: skip
        newer = invoice(alpha, me, today - dt.timedelta(days=20), 50000)
        allocation.receive(me, 20000, today - dt.timedelta(days=2), first=newer)
        invoice(alpha, neighbour, issued, 987600)
    return me, charge, issued


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def test_a_resident_opens_their_statement_and_expands_the_interest_line(
    page, app, live_server, alpha, make_user, shots_dir
):
    _me, charge, issued = statement_world(app, alpha, make_user)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    log_in(page, "owner@alpha.example")
    page.goto("/alpha/balance")
    expect(page.get_by_role("heading", name="My balance")).to_be_visible()
    # The period from the first invoice to today, chosen with the from–to form (htmx swaps the statement).
    page.get_by_label("From").fill((issued - dt.timedelta(days=1)).isoformat())
    page.get_by_label("To").fill(alpha.today().isoformat())
    page.locator("form.period-range").get_by_role("button", name="Show").click()
    expect(page).to_have_url(
        f"{live_server}/alpha/balance?from={(issued - dt.timedelta(days=1)).isoformat()}&to={alpha.today().isoformat()}"
    )
    sums = page.locator(".statement-sums").first
    expect(sums).to_contain_text("Opening balance on")
    expect(sums).to_contain_text("Closing balance on")
    expect(page.locator(".statement")).not_to_contain_text("9,876.00")  # the neighbour's debt is not hers
    no_sideways_scroll(page)

    # The late-interest line opens in place and loads its working.
    line = page.locator("details.interest-line").first
    summary = line.locator("summary")
    assert summary.bounding_box()["height"] >= MIN_TAP
    expect(summary).to_contain_text(f"SEK {charge.amount / 100:.2f}")
    summary.click()
    working = line.locator(".interest-working")
    expect(working).to_contain_text("30 days × 8% × SEK 1,000.00 ÷ 365 days")
    expect(working).to_contain_text(f"rounded half up: SEK {charge.amount / 100:.2f}")
    expect(line.get_by_role("link", name="How this was worked out")).to_have_count(0)  # replaced by the working
    no_sideways_scroll(page)
    page.screenshot(path=str(shots_dir / "statement-interest-phone.png"), full_page=True)
    assert not problems, problems


def test_without_javascript_the_interest_line_links_to_its_working(new_context, app, live_server, alpha, make_user):
    _me, charge, issued = statement_world(app, alpha, make_user)
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "owner@alpha.example")
    page.goto(f"/alpha/balance?from={(issued - dt.timedelta(days=1)).isoformat()}&to={alpha.today().isoformat()}")
    line = page.locator("details.interest-line").first
    line.locator("summary").click()
    line.get_by_role("link", name="How this was worked out").first.click()
    expect(page).to_have_url(f"{live_server}/alpha/balance/interest/{charge.id}")
    expect(page.locator(".interest-working")).to_contain_text("30 days × 8% × SEK 1,000.00 ÷ 365 days")
    no_sideways_scroll(page)


def test_the_board_records_money_and_takes_a_payment_back(page, app, live_server, alpha, make_user, shots_dir):
    me, charge, _issued = statement_world(app, alpha, make_user)
    make_user(alpha, "board@alpha.example", "board")
    log_in(page, "board@alpha.example")
    page.goto(f"/alpha/admin/people/{me.id}/balance")
    expect(page.get_by_role("heading", name="Record money received")).to_be_visible()
    page.get_by_label("Amount received").fill("400")
    page.get_by_role("button", name="Record the money").click()
    expect(page.locator(".flash")).to_contain_text("SEK 400.00 received")
    # The interest invoice (the oldest open) and the newer invoice's 300.00 are settled; the rest is credit.
    expect(page.locator(".balance-money")).to_contain_text(f"SEK {(40000 - 30000 - charge.amount) / 100:.2f}")
    no_sideways_scroll(page)
    page.screenshot(path=str(shots_dir / "person-balance-phone.png"), full_page=True)

    page.get_by_role("link", name="Invoice 1003").first.click()
    page.get_by_role("link", name="Take back").first.click()
    page.get_by_label("Why is it taken back?").fill("Paid to the wrong association")
    page.get_by_role("button", name="Take the payment back").click()
    expect(page.locator("#payments")).to_contain_text("Paid to the wrong association")
    no_sideways_scroll(page)
