"""Recording and removing payments: the service's rules, and the board's form on the invoice page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from blueprints.billing.payments import PaymentError, delete_payment, record_payment
from models import AuditLog
from models.billing import Invoice, Payment
from tests.factories.billing import make_billing, make_invoice, make_payment, make_unit

TODAY = dt.datetime(2026, 11, 20, 9)  # the factories' invoice is due on 30 November 2026
TOTAL = 416700


@pytest.fixture
def invoice(app, alpha, make_person, frozen_clock):
    frozen_clock.set(TODAY)
    make_billing(alpha)
    person = make_person(alpha, given_name="Anna", surname="Andersson")
    return make_invoice(alpha, person, unit=make_unit(alpha, "12"), reference="1234561")


def reload(invoice: Invoice) -> Invoice:
    return Invoice.get_by_id(invoice.id)


# --- the service ----------------------------------------------------------------------------


def test_a_full_payment_settles_the_invoice_and_is_audited(app, invoice, make_user, alpha):
    board = make_user(alpha, "board@alpha.example", "board")
    with app.app_context():
        payment = record_payment(invoice, TOTAL, dt.date(2026, 11, 19), reference="OCR 1234561", user=board)
    assert payment.amount == TOTAL and payment.recorded_by_id == board.id and payment.source == Payment.MANUAL
    assert invoice.paid_total == TOTAL  # the caller's object follows
    stored = reload(invoice)
    assert stored.paid_total == TOTAL
    assert stored.status_on(dt.date(2026, 11, 20)) == Invoice.PAID
    assert stored.status_on(dt.date(2026, 12, 20)) == Invoice.PAID  # paid stays paid after the due date
    entry = AuditLog.get(AuditLog.action == "billing.payment_recorded")
    assert entry.actor_id == board.id and entry.target == f"invoice {invoice.number}" and str(TOTAL) in entry.detail


def test_partial_payments_add_up(app, invoice):
    with app.app_context():
        record_payment(invoice, 100000, dt.date(2026, 11, 18))
        assert reload(invoice).status_on(dt.date(2026, 11, 20)) == Invoice.PARTLY_PAID
        assert reload(invoice).status_on(dt.date(2026, 12, 1)) == Invoice.OVERDUE  # still owing after the due date
        record_payment(invoice, TOTAL - 100000, dt.date(2026, 11, 19))
    assert reload(invoice).paid_total == TOTAL
    assert reload(invoice).status_on(dt.date(2026, 11, 20)) == Invoice.PAID
    assert Payment.select().where(Payment.invoice == invoice).count() == 2


def test_overpayment_is_refused_and_nothing_is_written(app, invoice):
    with app.app_context():
        record_payment(invoice, 400000, dt.date(2026, 11, 18))
        with pytest.raises(PaymentError) as refused:
            record_payment(invoice, TOTAL - 400000 + 1, dt.date(2026, 11, 19))
        assert refused.value.field == "amount"
        assert "167.00" in str(refused.value.message)  # says how much is still owed
        record_payment(invoice, TOTAL - 400000, dt.date(2026, 11, 19))  # exactly what is left is fine
        with pytest.raises(PaymentError, match="already settled"):
            record_payment(invoice, 1, dt.date(2026, 11, 19))
    assert reload(invoice).paid_total == TOTAL
    assert Payment.select().where(Payment.invoice == invoice).count() == 2


def test_a_stale_invoice_object_cannot_overpay(app, invoice):
    """The check is in the UPDATE: a payment recorded meanwhile by someone else counts."""
    stale = reload(invoice)
    make_payment(invoice, TOTAL)  # another board member, a moment ago
    with app.app_context(), pytest.raises(PaymentError):
        record_payment(stale, 100, dt.date(2026, 11, 19))
    assert reload(invoice).paid_total == TOTAL


@pytest.mark.parametrize("amount", [0, -100, 12.5, "100", True])
def test_amounts_must_be_positive_minor_units(app, invoice, amount):
    with app.app_context(), pytest.raises(PaymentError):
        record_payment(invoice, amount, dt.date(2026, 11, 19))
    assert reload(invoice).paid_total == 0


def test_credit_notes_are_not_paid_and_future_dates_are_refused(app, invoice, alpha):
    credit = make_invoice(
        alpha, invoice.recipient, kind=Invoice.CREDIT_NOTE, credits=invoice, lines=[("Back", -1000, 0)]
    )
    with app.app_context():
        with pytest.raises(PaymentError, match="credit note"):
            record_payment(credit, 1000, dt.date(2026, 11, 19))
        with pytest.raises(PaymentError, match="future") as refused:
            record_payment(invoice, 1000, dt.date(2026, 11, 21))
        assert refused.value.field == "paid_on"
        with pytest.raises(PaymentError, match="between the years") as refused:
            record_payment(invoice, 1000, dt.date(1, 1, 1))
        assert refused.value.field == "paid_on"
        with pytest.raises(PaymentError, match="reference"):
            record_payment(invoice, 1000, dt.date(2026, 11, 19), reference="x" * 36)
    assert Payment.select().count() == 0


def test_credited_amount_lowers_what_may_be_paid(app, invoice):
    Invoice.update(credited_total=TOTAL - 1000).where(Invoice.id == invoice.id).execute()
    with app.app_context():
        with pytest.raises(PaymentError):
            record_payment(reload(invoice), 1001, dt.date(2026, 11, 19))
        record_payment(reload(invoice), 1000, dt.date(2026, 11, 19))
    assert reload(invoice).status_on(dt.date(2026, 11, 20)) == Invoice.PAID


def test_deleting_a_payment_restores_the_status(app, invoice, alpha, make_user):
    board = make_user(alpha, "board@alpha.example", "board")
    with app.app_context():
        first = record_payment(invoice, 100000, dt.date(2026, 11, 18))
        second = record_payment(invoice, TOTAL - 100000, dt.date(2026, 11, 19))
        assert reload(invoice).status_on(dt.date(2026, 11, 20)) == Invoice.PAID
        back = delete_payment(second, board)
        assert back.paid_total == 100000
        assert reload(invoice).status_on(dt.date(2026, 11, 20)) == Invoice.PARTLY_PAID
        delete_payment(first, board)
        delete_payment(first, board)  # twice: the second time there is nothing to take back
    assert reload(invoice).paid_total == 0
    assert reload(invoice).status_on(dt.date(2026, 11, 20)) == Invoice.OPEN
    assert Payment.select().count() == 0
    assert AuditLog.select().where(AuditLog.action == "billing.payment_deleted").count() == 2


# --- the board's form -------------------------------------------------------------------------


def page_of(invoice) -> str:
    return f"/alpha/admin/invoices/{invoice.id}"


def test_the_form_offers_the_outstanding_amount_and_records_without_js(client, invoice, login_as):
    login_as("board")
    page = client.get(page_of(invoice)).get_data(as_text=True)
    assert 'value="4167.00"' in page and 'value="2026-11-20"' in page
    # More than is owed here is recorded on the payer's balance, where the rest is kept as credit (issue 13).
    assert "or stay as credit is recorded on the payer" in page
    assert f'href="/alpha/admin/people/{invoice.recipient_id}/balance"' in page
    response = client.submit(
        f"{page_of(invoice)}/payments",
        {"amount": "1 000,50", "paid_on": "2026-11-19", "reference": "1234561", "note": "Swish"},
        form_page=page_of(invoice),
    )
    assert response.status_code == 302 and response.location.endswith(page_of(invoice))
    payment = Payment.get(Payment.invoice == invoice)
    assert (payment.amount, payment.paid_on, payment.reference, payment.note) == (
        100050,
        dt.date(2026, 11, 19),
        "1234561",
        "Swish",
    )
    page = client.get(page_of(invoice)).get_data(as_text=True)
    assert "The payment is recorded. The invoice is now Partly paid." in page
    assert 'state-invoice-partly_paid">Partly paid' in page
    assert 'value="3166.50"' in page  # the rest is offered next


def test_the_offered_amount_is_written_in_the_pages_language(client, invoice, login_as):
    """Issue 17, item 10: "4 167,00" for a Czech board member, as they would type it; and it posts back."""
    board = login_as("board")
    board.ui_language = "cs"
    board.save()
    page = client.get(page_of(invoice)).get_data(as_text=True)
    assert 'value="4 167,00"' in page and 'value="4167.00"' not in page
    response = client.submit(
        f"{page_of(invoice)}/payments", {"amount": "4 167,00", "paid_on": "2026-11-19"}, form_page=page_of(invoice)
    )
    assert response.status_code == 302
    assert reload(invoice).paid_total == 416700


def test_with_htmx_the_payments_part_swaps_itself(client, invoice, login_as):
    login_as("board")
    response = client.submit(
        f"{page_of(invoice)}/payments",
        {"amount": "4167", "paid_on": "2026-11-20"},
        form_page=page_of(invoice),
        headers={"HX-Request": "true", "HX-Target": "payments"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith("{#") is False and 'id="payments"' in body and "<html" not in body
    assert 'hx-target="this"' in body and 'hx-swap="outerHTML"' in body
    assert "The invoice is now Paid" in body and "Nothing is left to pay on this invoice." in body
    assert reload(invoice).paid_total == TOTAL


@pytest.mark.parametrize(
    ("amount", "paid_on", "message"),
    [
        ("4167.01", "2026-11-19", "4,167.00). Record at most that"),
        ("12.345", "2026-11-19", "Enter an amount such as 1234.55."),
        ("abc", "2026-11-19", "Enter an amount such as"),
        ("0", "2026-11-19", "Enter an amount greater than zero."),
        ("", "2026-11-19", "Enter the amount received."),
        ("100", "", "Enter the date the money arrived."),
        ("100", "2026-12-24", "cannot be in the future"),
    ],
)
def test_refused_payments_show_why_with_422(client, invoice, login_as, amount, paid_on, message):
    login_as("board")
    for headers in ({}, {"HX-Request": "true"}):
        response = client.submit(
            f"{page_of(invoice)}/payments",
            {"amount": amount, "paid_on": paid_on},
            form_page=page_of(invoice),
            headers=headers,
        )
        body = response.get_data(as_text=True)
        assert response.status_code == 422
        assert message in body
        assert f'value="{amount}"' in body  # what was typed comes back
    assert Payment.select().count() == 0


def test_removing_a_payment_asks_first(client, invoice, login_as):
    login_as("board")
    payment = make_payment(invoice, TOTAL)
    url = f"/alpha/admin/payments/{payment.id}/delete"
    page = client.get(url).get_data(as_text=True)
    assert re.search(r"Remove this payment of SEK\s?4,167.00\?", page) and "<html" in page
    assert reload(invoice).paid_total == TOTAL  # asking removes nothing
    part = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in part and "Remove the payment" in part
    response = client.submit(url, {}, form_page=url)
    assert response.status_code == 302 and response.location.endswith(page_of(invoice))
    assert not Payment.select().exists()
    page = client.get(page_of(invoice)).get_data(as_text=True)
    assert "The payment is removed." in page and 'state-invoice-open">Open' in page
    assert client.get(url).status_code == 404  # gone


def test_a_credit_note_and_a_settled_invoice_offer_no_form(client, invoice, alpha, login_as):
    login_as("board")
    credit = make_invoice(
        alpha, invoice.recipient, kind=Invoice.CREDIT_NOTE, credits=invoice, lines=[("Back", -1000, 0)]
    )
    page = client.get(page_of(credit)).get_data(as_text=True)
    assert "Record payment" not in page and 'state-invoice-credited">Credited' in page
    assert (
        client.submit(
            f"{page_of(credit)}/payments", {"amount": "10", "paid_on": "2026-11-19"}, form_page=page_of(invoice)
        ).status_code
        == 422
    )
    make_payment(invoice, TOTAL)
    assert "Record payment" not in client.get(page_of(invoice)).get_data(as_text=True)


def test_viewers_without_manage_see_no_form_and_cannot_post(client, invoice, alpha, login_as):
    from models import Role

    role = Role.create(association=alpha, key="auditor", name="Auditor", permissions="invoices.view_all")
    user = login_as("board", "auditor@alpha.example")
    from models import Membership

    Membership.update(role=role).where(Membership.user == user).execute()
    page = client.get(page_of(invoice)).get_data(as_text=True)
    assert "Record payment" not in page and "4,167.00" in page
    response = client.submit(
        f"{page_of(invoice)}/payments", {"amount": "10", "paid_on": "2026-11-19"}, form_page=page_of(invoice)
    )
    assert response.status_code == 403
    assert Payment.select().count() == 0


def test_another_associations_invoice_and_payment_are_404(client, invoice, login_as, make_association, make_person):
    beta = make_association("beta")
    theirs = make_invoice(beta, make_person(beta), unit=make_unit(beta, "1"))
    their_payment = make_payment(theirs, 1000)
    login_as("board")
    assert client.get(page_of(theirs)).status_code == 404
    assert (
        client.submit(
            f"{page_of(theirs)}/payments", {"amount": "10", "paid_on": "2026-11-19"}, form_page=page_of(invoice)
        ).status_code
        == 404
    )
    url = f"/alpha/admin/payments/{their_payment.id}/delete"
    assert client.get(url).status_code == 404
    assert client.submit(url, {}, form_page=page_of(invoice)).status_code == 404
    assert Invoice.get_by_id(theirs.id).paid_total == 1000 and Payment.select().count() == 1
