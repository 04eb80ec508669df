"""Access matrix entries for the board's invoice list, invoice page, payments and residents (SPEC B4).

Everything here is the board's: invoices.view_all to read, invoices.manage to
record or remove a payment; the tenant and the member get 403 whatever the
row, beta's board 403 (not a member). The URLs reuse invoice_id
(billing_resident.py: the member's invoice) and person_id (people.py: a person
of alpha's register); this module adds payment_id, a payment on an invoice of
its own, so removing it changes nothing the other routes use.
"""

import datetime as dt

from models import Person
from models.billing import Invoice, Payment
from tests.access.common import BOARD_UP, LOGIN, holders_of


def board(status=200):
    return holders_of(BOARD_UP, status)


MATRIX = {
    ("billing.board_invoices", "GET"): board(),
    ("billing.board_invoices_csv", "GET"): board(),
    ("billing.board_invoice", "GET"): board(),
    ("billing.payment_create", "POST"): board(422),  # nothing typed
    ("billing.payment_delete", "GET"): board(),
    ("billing.payment_delete", "POST"): board(302),  # confirmed: removed, back to the invoice
    ("billing.residents", "GET"): board(),
    ("billing.resident_billing", "GET"): board(),
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """An invoice to the member, partly paid: the payment is the one the delete routes remove."""
    member = Person.get((Person.user == users["member"]) & (Person.association == alpha))
    invoice = Invoice.create(
        association=alpha,
        number=9101,
        recipient=member,
        recipient_name=member.full_name,
        issue_date=dt.date(2026, 10, 15),
        due_date=dt.date(2026, 10, 31),
        currency=alpha.currency,
        net_total=100000,
        total=100000,
        paid_total=40000,
    )
    payment = Payment.create(association=alpha, invoice=invoice, amount=40000, paid_on=dt.date(2026, 10, 20))
    return {"payment_id": payment.id}
