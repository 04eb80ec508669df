"""Access matrix entries for invoice PDFs: download, order by mail, the order's status and retry (SPEC B3).

The invoice routes use billing_resident's `invoice_id` (the member's invoice): the member
and the board (invoices.view_all) may download and order it; the tenant gets 404, as for
any invoice not theirs. A PDF order is its orderer's own: world() gives the member a failed
order of their own invoice, whose status and retry are a 404 for everyone else, the
board included. beta's board gets 403 (not a member of alpha).
"""

import datetime as dt

from models import Person
from models.billing import Invoice, InvoiceLine
from models.mail import PdfOrder
from tests.access.common import BOARD_UP, LOGIN, members


def invoice_seeing(status=200):
    """The recipient and those who read every invoice; the tenant gets 404 (not theirs)."""
    expected = members(status)
    expected["tenant"] = 404
    for role in BOARD_UP:
        expected[role] = status
    return expected


def orderer_only(status=200):
    """Only the member who ordered it; any other member of alpha gets 404, as for a wrong id."""
    expected = members(404)
    expected["member"] = status
    return expected


MATRIX = {
    ("billing.invoice_pdf", "GET"): invoice_seeing(),
    ("billing.pdf_order_create", "POST"): invoice_seeing(302),  # ordered; back to the invoice
    ("exchange.pdf_order", "GET"): orderer_only(),
    ("exchange.pdf_order_retry", "POST"): orderer_only(302),  # started again; to its status page
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """The member's own failed order of the PDF of an invoice addressed to them."""
    member = Person.get((Person.user == users["member"]) & (Person.association == alpha))
    invoice = Invoice.create(
        association=alpha,
        number=9431,  # a number no other module of the matrix uses
        recipient=member,
        recipient_name=member.full_name,
        issue_date=dt.date(2026, 11, 15),
        due_date=dt.date(2026, 11, 30),
        currency=alpha.currency,
        net_total=100000,
        total=100000,
    )
    InvoiceLine.create(invoice=invoice, description="Parking", amount=100000)
    order = PdfOrder.create(
        association=alpha,
        user=users["member"],
        invoice=invoice,
        to_address=users["member"].email,
        state=PdfOrder.FAILED,
        error="The PDF could not be made.",
    )
    return {"order_id": order.id}
