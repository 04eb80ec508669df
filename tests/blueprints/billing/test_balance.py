"""The balance pages (issue 13 items 1 and 3): a resident's own statement and its interest working, the board's
balance of a person and a unit, money received, credit used, allocations taken back, the statement ordered
as PDF; nobody reaches another's; hostile names stay text."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

import pytest

from blueprints.billing import allocation, ledger
from models import OutboundEmail, Person
from models.billing import AllocationUndo, Invoice, Payment, Receipt
from models.mail import PdfOrder
from tests.blueprints.billing.test_ledger import interest_invoice, invoice
from tests.factories.billing import make_billing, make_unit

HX = {"HX-Request": "true"}


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


@pytest.fixture
def dana(app, alpha, login_as, frozen_clock):
    """Dana (a member, logged in): an overdue invoice with late interest charged on it, and one paid."""
    frozen_clock.set(dt.datetime(2026, 12, 20, 9))
    make_billing(alpha)
    user = login_as("member", "dana@alpha.example")
    person = Person.get(Person.user == user)
    with app.test_request_context():
        overdue = invoice(alpha, person, dt.date(2026, 1, 15), 100000)
        paid = invoice(alpha, person, dt.date(2026, 2, 15), 50000)
        allocation.receive(person, 50000, dt.date(2026, 2, 20), first=paid, settle_others=False)
        carrier, charge = interest_invoice(
            alpha, person, dt.date(2026, 3, 1), overdue, dt.date(2026, 2, 1), dt.date(2026, 2, 28), 100000
        )
    return dict(user=user, person=person, overdue=overdue, paid=paid, carrier=carrier, charge=charge)


def text(response) -> str:
    return response.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")


def test_a_resident_reads_their_statement_and_its_interest(client, dana):
    page = client.get("/alpha/balance")
    assert page.status_code == 200
    body = text(page)
    assert "Statement for 2026" in body
    assert "Opening balance on" in body and "Closing balance on" in body
    charge = dana["charge"]
    assert f"Late interest, invoice {dana['carrier'].number}" in body
    assert f'/alpha/balance/interest/{charge.id}"' in body  # the no-JS link inside the interest line
    closing = re.search(r"Closing balance on [^<]+</strong><strong class=\"num\">([^<]+)<", body).group(1)
    assert closing == "SEK " + f"{(100000 + charge.amount) / 100:,.2f}"

    working = client.get(f"/alpha/balance/interest/{charge.id}", headers=HX)
    assert working.status_code == 200
    part = text(working)
    assert "<html" not in part  # the part only, for the open details
    assert "28 days × 8% × SEK 1,000.00 ÷ 365 days" in part
    assert f"rounded half up: SEK {charge.amount / 100:.2f}" in part
    full = client.get(f"/alpha/balance/interest/{charge.id}")
    assert full.status_code == 200 and "<html" in text(full) and "28 days × 8%" in text(full)


def test_a_resident_never_reaches_anothers_balance(client, alpha, dana, make_person, new_client, login, make_user):
    other_user = make_user(alpha, "olle@alpha.example", "member")
    olle = Person.get(Person.user == other_user)
    theirs = invoice(alpha, olle, dt.date(2026, 4, 15), 77700)
    with client.application.test_request_context():
        _carrier, their_charge = interest_invoice(
            alpha, olle, dt.date(2026, 6, 1), theirs, dt.date(2026, 5, 1), dt.date(2026, 5, 31), 77700
        )
    body = text(client.get("/alpha/balance"))
    assert f"Invoice {theirs.number}" not in body and "777.00" not in body
    assert client.get(f"/alpha/balance/interest/{their_charge.id}").status_code == 404
    assert client.get(f"/alpha/balance/interest/{their_charge.id}", headers=HX).status_code == 404
    assert client.get(f"/alpha/balance/statement.pdf?person={olle.id}").status_code == 404
    assert client.get("/alpha/balance/statement.pdf?person=x").status_code == 404
    own = client.get(f"/alpha/balance/statement.pdf?person={dana['person'].id}&period=2026")
    assert own.status_code == 200 and own.data.startswith(b"%PDF-")
    assert own.headers["Content-Disposition"].startswith("attachment;")
    # Ordering someone else's statement by naming them is refused, and nothing is ordered.
    response = client.submit("/alpha/balance/statement/order", {"person": olle.id}, form_page="/alpha/balance")
    assert response.status_code == 404 and not PdfOrder.select().exists()


def test_the_period_chooser_and_a_period_it_cannot_read(client, dana):
    march = text(client.get("/alpha/balance?period=2026-03"))
    assert "Statement for March 2026" in march and f"Late interest, invoice {dana['carrier'].number}" in march
    assert f"Invoice {dana['overdue'].number}" not in march  # issued in January: in the opening balance
    ranged = text(client.get("/alpha/balance?from=2026-02-01&to=2026-02-28", headers=HX))
    assert "<html" not in ranged and 'id="balance"' in ranged and "Payment received (recorded by hand)" in ranged
    wrong = text(client.get("/alpha/balance?period=2026-13"))
    assert "That period could not be read" in wrong and "Statement for 2026" in wrong


def test_ordering_the_statement_mails_it_as_pdf(app, client, dana, outbox):
    response = client.submit("/alpha/balance/statement/order", {"period": "2026-Q1"}, form_page="/alpha/balance")
    assert response.status_code == 302 and response.location.endswith("/alpha/balance?period=2026-Q1")
    order = PdfOrder.get()
    assert (
        order.kind == PdfOrder.STATEMENT and order.report_scope == f"person:{dana['person'].id}:2026-01-01:2026-03-31"
    )
    (mail,) = outbox.rows(kind="statement_pdf")
    assert mail.status == OutboundEmail.SENT and mail.to_address == "dana@alpha.example"
    (eml,) = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    (part,) = list(message.iter_attachments())
    assert part.get_filename() == f"statement-{dana['person'].id}-2026-01-01-2026-03-31.pdf"
    assert part.get_content().startswith(b"%PDF-")
    assert PdfOrder.get_by_id(order.id).state == PdfOrder.SENT
    # The page shows the order's status.
    assert "Mailed to dana@alpha.example" in text(client.get("/alpha/balance"))


def test_the_statement_maker_refuses_a_person_no_longer_theirs(app, dana, alpha, make_person):
    from blueprints.billing.statement_pdf import ordered_statement
    from core import orders
    from models import Membership

    stranger = make_person(alpha, given_name="Stranger")
    order = PdfOrder.create(
        association=alpha,
        user=dana["user"],
        to_address="dana@alpha.example",
        report=PdfOrder.STATEMENT,
        report_scope=f"person:{stranger.id}:2026-01-01:2026-12-31",
    )
    membership = Membership.current(dana["user"], alpha)
    with app.test_request_context(), pytest.raises(orders.RefusedError):
        ordered_statement(order, membership)


def test_the_balance_page_costs_the_same_for_few_and_many_invoices(client, dana, alpha):
    person = dana["person"]
    few = int(client.get("/alpha/balance").headers["X-Query-Count"])
    with client.application.test_request_context():
        for n in range(60):
            made = invoice(alpha, person, dt.date(2026, 4, 1) + dt.timedelta(days=n * 4), 1000 + n)
            if n % 5 == 0:
                interest_invoice(alpha, person, made.issue_date, made, made.issue_date, made.issue_date, 500)
            if n % 3 == 0:
                allocation.receive(person, 700, made.issue_date)
    assert int(client.get("/alpha/balance").headers["X-Query-Count"]) == few


# --- the board ----------------------------------------------------------------------------------------


@pytest.fixture
def board(app, alpha, login_as, make_person, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 12, 20, 9))
    make_billing(alpha)
    login_as("board")
    hostile = make_person(alpha, given_name="<script>alert(1)</script>", surname="O'Hara & <b>Sons</b>")
    unit = make_unit(alpha, "<i>7</i>")
    first = invoice(alpha, hostile, dt.date(2026, 10, 15), 10000, unit=unit)
    second = invoice(alpha, hostile, dt.date(2026, 11, 15), 10000, unit=unit)
    return dict(person=hostile, unit=unit, first=first, second=second)


def test_the_board_records_money_received_and_it_settles_oldest_first(client, board, alpha):
    person = board["person"]
    page = f"/alpha/admin/people/{person.id}/balance"
    response = client.submit(
        f"/alpha/admin/people/{person.id}/receipts",
        {
            "amount": "250",
            "received_on": "2026-12-01",
            "reference": "<img src=x onerror=alert(1)>",
            "note": "",
            "first": str(board["second"].id),
        },  # fmt: skip
        form_page=page,
    )
    assert response.status_code == 302
    assert (Invoice.get_by_id(board["second"].id).paid_total, Invoice.get_by_id(board["first"].id).paid_total) == (
        10000,
        10000,
    )
    assert allocation.credit_of(person) == 5000
    body = text(client.get(page))
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "SEK 50.00 kept as credit" in body
    assert "Use credit now" not in body  # nothing open to settle


def test_an_amount_the_form_refuses_is_shown_again(client, board):
    person = board["person"]
    page = f"/alpha/admin/people/{person.id}/balance"
    response = client.submit(
        f"/alpha/admin/people/{person.id}/receipts", {"amount": "-5", "received_on": "2026-12-01"}, form_page=page
    )
    assert response.status_code == 422 and "greater than zero" in text(response)
    response = client.submit(
        f"/alpha/admin/people/{person.id}/receipts", {"amount": "5", "received_on": "2027-01-01"}, form_page=page
    )
    assert response.status_code == 422 and "cannot be in the future" in text(response)
    assert not Receipt.select().exists()


def test_the_board_uses_a_credit_now(client, board, alpha):
    person = board["person"]
    Receipt.create(association=alpha, person=person, amount=4000, currency="SEK", received_on=dt.date(2026, 9, 1))
    page = f"/alpha/admin/people/{person.id}/balance"
    assert "Use credit now" in text(client.get(page))
    response = client.submit(f"/alpha/admin/people/{person.id}/credit", {}, form_page=page)
    assert response.status_code == 302
    assert Invoice.get_by_id(board["first"].id).paid_total == 4000 and allocation.credit_of(person) == 0
    assert "SEK 40.00 of credit settled open invoices." in text(client.get(response.location))


def test_the_units_balance_holds_its_invoices(client, board):
    body = text(client.get(f"/alpha/admin/units/{board['unit'].id}/balance?period=2026"))
    assert f"Invoice {board['first'].number}" in body and f"Invoice {board['second'].number}" in body
    assert "&lt;i&gt;7&lt;/i&gt;" in body and "<i>7</i>" not in body
    assert client.get("/alpha/admin/units/999999/balance").status_code == 404


def test_a_bank_payment_is_taken_back_with_a_reason(client, board, alpha):
    person, first = board["person"], board["first"]
    with client.application.test_request_context():
        allocation.receive(person, 10000, dt.date(2026, 10, 20), source=Receipt.BANK_FILE)
    payment = Payment.get(Payment.invoice == first)
    invoice_page = text(client.get(f"/alpha/admin/invoices/{first.id}"))
    assert "From a bank file" in invoice_page and "Take back" in invoice_page
    assert f"/alpha/admin/payments/{payment.id}/delete" not in invoice_page  # not removable: it is bank money
    form = client.get(f"/alpha/admin/payments/{payment.id}/undo", headers=HX)
    assert form.status_code == 200 and "Why is it taken back?" in text(form)
    path = f"/alpha/admin/payments/{payment.id}/undo"
    refused = client.submit(path, {"reason": "  "}, form_page=path)
    assert refused.status_code == 422 and Payment.get_or_none(Payment.id == payment.id) is not None
    done = client.submit(path, {"reason": "<b>Meant for the garage</b>"}, form_page=path)
    assert done.status_code == 302
    assert Payment.get_or_none(Payment.id == payment.id) is None and allocation.credit_of(person) == 10000
    undo = AllocationUndo.get()
    assert (undo.amount, undo.reason, undo.invoice_id) == (10000, "<b>Meant for the garage</b>", first.id)
    after = text(client.get(f"/alpha/admin/invoices/{first.id}"))
    assert "Taken back" in after and "&lt;b&gt;Meant for the garage&lt;/b&gt;" in after
    ledger_page = text(client.get(f"/alpha/admin/people/{person.id}/balance"))
    assert f"Payment of invoice {first.number} taken back" in ledger_page
    assert "went back to credit: &lt;b&gt;Meant for the garage&lt;/b&gt;" in ledger_page


def test_removing_a_payment_that_is_part_of_more_money_is_refused_with_the_reason(client, board):
    person, first = board["person"], board["first"]
    with client.application.test_request_context():
        allocation.receive(person, 15000, dt.date(2026, 11, 20))  # 10000 on the first, 5000 on the second
    payment = Payment.get(Payment.invoice == first)
    path = f"/alpha/admin/payments/{payment.id}/delete"
    response = client.submit(path, {}, form_page=f"/alpha/admin/invoices/{first.id}")
    assert response.status_code == 409
    assert "take it back with a reason instead" in text(response)
    assert Payment.get_or_none(Payment.id == payment.id) is not None


def test_the_ledger_matches_what_the_board_pages_say_is_owed(client, board):
    person = board["person"]
    with client.application.test_request_context():
        statement = ledger.person_statement(person, ledger.Period.year(2026), dt.date(2026, 12, 20))
    assert statement.closing == 20000 and statement.overdue == 20000
    body = text(client.get(f"/alpha/admin/people/{person.id}/balance"))
    assert "SEK 200.00" in body
    pdf = client.get(f"/alpha/admin/people/{person.id}/balance/statement.pdf?period=2026")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")


def test_the_board_undoes_money_recorded_by_mistake_from_the_balance_page(client, board, alpha):
    """A typo recorded on the person's account is undone with a reason: the invoices owe again, no credit stays."""
    person = board["person"]
    page = f"/alpha/admin/people/{person.id}/balance"
    client.submit(f"/alpha/admin/people/{person.id}/receipts", {"amount": "20000", "received_on": "2026-12-01"},
                  form_page=page)  # fmt: skip
    receipt = Receipt.get(Receipt.person == person)
    assert f"/alpha/admin/receipts/{receipt.id}/undo" in text(client.get(page))
    confirm = f"/alpha/admin/receipts/{receipt.id}/undo"
    assert "It settled" in text(client.get(confirm))
    refused = client.submit(confirm, {"reason": ""}, form_page=confirm)
    assert refused.status_code == 422 and Receipt.select().exists()
    done = client.submit(confirm, {"reason": "<b>Typed 20,000 for 200</b>"}, form_page=confirm)
    assert done.status_code == 302 and not Receipt.select().exists()
    assert Invoice.get_by_id(board["first"].id).paid_total == 0
    shown = text(client.get(page))
    assert "&lt;b&gt;Typed 20,000 for 200&lt;/b&gt;" in shown and "<b>Typed" not in shown
