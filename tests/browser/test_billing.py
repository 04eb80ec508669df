"""A resident's invoices and contracts on a phone (360×740): a row opens in place, loads its details,
orders the invoice's PDF and shows the order become "sent"; nothing scrolls sideways. Without
JavaScript the rows still open and link to their pages."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from models import Person
from models.billing import BillingSettings
from models.mail import PdfOrder
from models.register import Ownership
from tests.browser.test_signup_flow import log_in
from tests.factories.billing import make_billing, make_contract, make_invoice, make_payment, make_unit

MIN_TAP = 44
WIDE = {"width": 1280, "height": 800}


def billing_world(alpha, make_user):
    """A resident of unit 1102 with a contract, a parking contract and three invoices (paid, partly paid, open)."""
    make_user(alpha, "owner@alpha.example", "member")
    me = Person.get(Person.email == "owner@alpha.example")
    me.given_name, me.surname = "Olga", "Owner"
    me.save()
    make_billing(alpha, bankgiro="50501055", iban="", bic="", reference_standard=BillingSettings.SE_OCR)
    unit = make_unit(alpha, "1102")
    Ownership.create(unit=unit, person=me, is_main=True)
    contract = make_contract(alpha, unit, [me], "100-1", type_label="1 room and kitchen")
    make_contract(alpha, unit, [me], "P-12", category="parking", rent=45000)
    today = alpha.today()
    invoices = []
    for months_ago in (2, 1, 0):
        issue = today - dt.timedelta(days=30 * months_ago + 10)
        start = (issue + dt.timedelta(days=20)).replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        invoices.append(
            make_invoice(
                alpha,
                me,
                unit=unit,
                issue_date=issue,
                due_date=max(issue + dt.timedelta(days=30), today + dt.timedelta(days=5)),
                period=(start, end),
                lines=[("Monthly fee", 400000, 0), ("Water advance", 16700, 0)],
                reference=f"12520{months_ago}2",
                message="Thank you for paying on time." if months_ago == 0 else "",
            )
        )
    make_payment(invoices[0], invoices[0].total, paid_on=invoices[0].issue_date + dt.timedelta(days=5))
    make_payment(invoices[1], 100000, paid_on=invoices[1].issue_date + dt.timedelta(days=5))
    return me, contract, invoices


def no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_a_resident_opens_an_invoice_and_orders_its_pdf(page, live_server, alpha, make_user, outbox, shots_dir):
    me, _contract, invoices = billing_world(alpha, make_user)
    newest = invoices[-1]
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    log_in(page, "owner@alpha.example")
    page.goto("/alpha/invoices")
    expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
    rows = page.locator("details.invoice-row")
    expect(rows).to_have_count(3)
    no_sideways_scroll(page)

    # The newest row opens in place and loads its details.
    row = page.locator(f"#invoice-row-{newest.id}")
    summary = row.locator("summary")
    assert summary.bounding_box()["height"] >= MIN_TAP
    summary.locator(".bill-period").click()
    details = row.locator(f"#invoice-{newest.id}")
    expect(details).to_be_visible()
    expect(details).to_contain_text("Water advance")
    expect(details).to_contain_text(newest.reference)
    expect(details).to_contain_text("5050-1055")
    expect(page).to_have_url(re.compile(r"/alpha/invoices$"))  # still the list
    # The summary holds text only; the opened row links to the invoice's page, below its details.
    expect(summary.locator("a")).to_have_count(0)
    page_link = row.get_by_role("link", name=f"Show invoice {newest.number}")
    expect(page_link).to_be_visible()
    assert page_link.bounding_box()["y"] > details.bounding_box()["y"]
    no_sideways_scroll(page)
    page.screenshot(path=shots_dir / "billing-invoices-open-360.png", full_page=True)

    # Order the PDF: the order's status follows until it is sent (inline jobs write the mail to the outbox).
    order = details.get_by_role("button", name=re.compile("Order PDF", re.I))
    assert order.bounding_box()["height"] >= MIN_TAP
    order.click()
    status = details.locator(".pdf-order")
    expect(status).to_have_class(re.compile(r"\bpdf-order-sent\b"), timeout=20_000)
    expect(status.locator(".state")).to_have_text(re.compile(r"^\s*Sent\s*$"))
    expect(page).to_have_url(re.compile(r"/alpha/invoices$"))
    (order_row,) = PdfOrder.select().where(PdfOrder.invoice == newest)
    assert order_row.to_address == "owner@alpha.example"
    (mail,) = outbox.rows()
    assert mail.to_address == "owner@alpha.example" and mail.id == order_row.email_id
    assert mail.attachment_name.endswith(".pdf")
    no_sideways_scroll(page)
    page.screenshot(path=shots_dir / "billing-invoices-ordered-360.png", full_page=True)

    # It closes again; another row opens beside it.
    summary.locator(".bill-period").click()
    expect(details).to_be_hidden()
    page.locator(f"#invoice-row-{invoices[1].id} summary .bill-period").click()
    expect(page.locator(f"#invoice-{invoices[1].id}")).to_contain_text("Partly paid")

    # Contracts: the same, and no sideways scrolling either.
    page.goto("/alpha/contracts")
    expect(page.locator("details.contract-row")).to_have_count(2)
    no_sideways_scroll(page)
    page.locator("details.contract-row summary .bill-category").first.click()
    expect(page.locator(".contract-details").first).to_contain_text("1 room and kitchen")
    expect(page.locator(".contract-details").first).to_contain_text("Olga Owner")
    no_sideways_scroll(page)
    page.screenshot(path=shots_dir / "billing-contracts-open-360.png", full_page=True)
    assert not problems, problems


def test_wide_screens_show_columns(new_context, alpha, make_user, shots_dir):
    _me, _contract, invoices = billing_world(alpha, make_user)
    page = new_context(viewport=WIDE).new_page()
    log_in(page, "owner@alpha.example")
    page.goto("/alpha/invoices")
    expect(page.locator(".invoice-list .bill-head")).to_be_visible()
    row = page.locator(f"#invoice-row-{invoices[-1].id}")
    # One line per row: number, period, amount, due date and status side by side.
    tops = [
        row.locator(f"summary {part}").bounding_box()["y"]
        for part in (".bill-number", ".bill-period", ".bill-amount", ".bill-status")
    ]
    assert max(tops) - min(tops) < 16, tops
    row.locator("summary .bill-period").click()
    expect(page.locator(f"#invoice-{invoices[-1].id}")).to_contain_text("Water advance")
    page.screenshot(path=shots_dir / "billing-invoices-open-1280.png", full_page=True)
    page.goto("/alpha/contracts")
    page.locator("details.contract-row summary .bill-category").first.click()
    expect(page.locator(".contract-details").first).to_contain_text("1 room and kitchen")
    page.screenshot(path=shots_dir / "billing-contracts-open-1280.png", full_page=True)


def test_without_javascript_a_row_opens_and_links_to_its_page(new_context, alpha, make_user):
    _me, contract, invoices = billing_world(alpha, make_user)
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "owner@alpha.example")
    page.goto("/alpha/invoices")
    page.locator(f"#invoice-row-{invoices[-1].id} summary .bill-period").click()
    link = page.get_by_role("link", name=f"Show invoice {invoices[-1].number}")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(rf"/alpha/invoices/{invoices[-1].id}$"))
    expect(page.get_by_role("heading", name=re.compile(f"Invoice {invoices[-1].number}"))).to_be_visible()
    expect(page.locator(f"#invoice-{invoices[-1].id}")).to_contain_text("Water advance")
    page.goto(f"/alpha/contracts/{contract.id}")
    expect(page.locator(".contract-details")).to_contain_text("1 room and kitchen")
