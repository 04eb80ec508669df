"""The board imports a bank file on a phone (360×740): uploads it, reads the preview, books it, and works
through the bank queue, a row opening in place with its forms; nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from models.billing import BankTransaction, BillingSettings, Invoice
from tests.blueprints.billing.bank import samples
from tests.browser.test_signup_flow import log_in
from tests.factories.billing import make_billing, make_invoice


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def test_the_board_imports_a_statement_and_works_the_queue(page, live_server, alpha, make_user, make_person, tmp_path):
    alpha.currency = "EUR"
    alpha.save()
    make_billing(alpha, reference_standard=BillingSettings.EE)
    make_user(alpha, "board@alpha.example", "board")
    mari = make_person(alpha, given_name="Mari", surname="Maasikas")
    make_invoice(alpha, mari, lines=[("Fee", 41670, 0)], reference="10016", number=1001,
                 issue_date=dt.date(2026, 11, 15), due_date=dt.date(2026, 11, 30))  # fmt: skip
    statement = tmp_path / "december.xml"
    statement.write_bytes(samples.CAMT053_V02)

    log_in(page, "board@alpha.example")
    page.goto("/alpha/admin/bank")
    expect(page.get_by_role("heading", name="Bank files", exact=True)).to_be_visible()
    page.get_by_label("Bank file", exact=True).set_input_files(str(statement))
    page.get_by_role("button", name="Read the file").click()

    expect(page.get_by_role("heading", name="Preview: nothing is booked yet")).to_be_visible()
    expect(page.locator(".state-bank-matched")).to_have_count(1)  # Mari's, by its reference
    expect(page.locator(".state-bank-unmatched")).to_have_count(2)  # no invoice names them
    no_sideways_scroll(page)
    page.get_by_role("button", name="Book 1 payment").click()
    expect(page.locator(".flash-success")).to_contain_text("1 payment was booked (€416.70). 2 wait in the bank queue.")
    assert Invoice.get(Invoice.number == 1001).paid_total == 41670

    page.goto("/alpha/admin/bank/queue")
    rows = page.locator("details.bank-queue-row")
    expect(rows).to_have_count(2)
    no_sideways_scroll(page)
    rows.first.locator("summary").click()
    reason = page.get_by_label("Why it is not booked")
    expect(reason).to_be_visible()  # loaded in place by htmx
    reason.fill("Paid to us by mistake; sent back")
    page.get_by_role("button", name="Leave unbooked").click()
    expect(page.get_by_text("is left unbooked")).to_be_visible()
    tx = BankTransaction.get(BankTransaction.payer_name == "Jüri Tamm")  # the oldest waits first
    assert (tx.state, tx.ignore_reason) == ("ignored", "Paid to us by mistake; sent back")
    no_sideways_scroll(page)
