"""Access matrix entries for how invoices went out: a run's page, sending again, print batches (B3a).

All need invoices.manage. world() makes a run of alpha with one invoice addressed to the member, its
e-mail delivery failed (so "send again" has something to do) and a ready print batch without a file
(its download leads back to the batch's page). Empty posts without their CSRF token are refused by the
matrix's own switch-off of CSRF, so they act: sending again finds no address (302 back with a message),
a print batch without paper invoices says so (302).
"""

import datetime as dt

from models import Person
from models.billing import Invoice, InvoiceDelivery, InvoiceRun, PrintBatch
from tests.access.common import BOARD_UP, LOGIN, holders_of


def managers(status=200):
    return holders_of(BOARD_UP, status)


MATRIX = {
    ("billing.run", "GET"): managers(),
    ("billing.run_send_again", "POST"): managers(302),
    ("billing.delivery_send_again", "POST"): managers(302),
    ("billing.run_print_batch", "POST"): managers(302),
    ("billing.print_batch_new", "POST"): managers(302),
    ("billing.print_batch", "GET"): managers(),
    ("billing.print_batch_pdf", "GET"): managers(302),  # no file: back to the batch's page
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    member = Person.get((Person.user == users["member"]) & (Person.association == alpha))
    run = InvoiceRun.create(
        association=alpha,
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
        issue_date=dt.date(2026, 9, 25),
        due_date=dt.date(2026, 10, 9),
        invoice_count=1,
    )
    invoice = Invoice.create(
        association=alpha,
        number=9501,  # a number no other module of the matrix uses
        recipient=member,
        recipient_name=member.full_name,
        issue_date=dt.date(2026, 9, 25),
        due_date=dt.date(2026, 10, 9),
        currency=alpha.currency,
        net_total=100000,
        total=100000,
        run=run,
    )
    delivery = InvoiceDelivery.create(
        invoice=invoice, channel=InvoiceDelivery.EMAIL, state=InvoiceDelivery.FAILED, error="550 No such user"
    )
    batch = PrintBatch.create(association=alpha, run=run, state=PrintBatch.READY, total=0)
    return {"run_id": run.id, "delivery_id": delivery.id, "batch_id": batch.id}
