"""Access matrix entries for balances: the residents' "My balance", its PDF and interest workings, and the
board's balance of a person and of a unit, money received, credit spent and allocations taken back.

"My balance" and its PDF are every member's own (their register entries: never another's, so every member
gets 200 and sees only theirs). An interest charge opens through the invoice it was charged for: the member's
charge is a 404 for the tenant, as any id they cannot see. The board's pages need invoices.view_all, and
invoices.manage to change anything; beta's board is refused (403, not a member).

URL values: person_id (register_people.py), unit_id (register.py) and payment_id (billing_board.py) are
reused; this module supplies interest_charge_id, a charge on an interest invoice to the member, and
receipt_id, money received from the member.
"""

import datetime as dt

from models import Person
from models.billing import InterestCharge, InterestRun, Invoice, Receipt
from tests.access.billing_resident import seeing
from tests.access.common import BOARD_UP, LOGIN, holders_of, members


def board(status=200):
    return holders_of(BOARD_UP, status)


MATRIX = {
    ("billing.balance", "GET"): members(),
    ("billing.statement_pdf", "GET"): members(),  # their own register entry's
    ("billing.statement_order", "POST"): members(302),  # ordered, back to the balance
    ("billing.statement_interest", "GET"): seeing(),
    ("billing.person_balance", "GET"): board(),
    ("billing.person_statement_pdf", "GET"): board(),
    ("billing.receipt_create", "POST"): board(422),  # nothing typed
    ("billing.credit_settle", "POST"): board(302),  # nothing to settle: back to the balance
    ("billing.unit_balance", "GET"): board(),
    ("billing.payment_undo", "GET"): board(),
    ("billing.payment_undo", "POST"): board(422),  # no reason given
    ("billing.receipt_void", "GET"): board(),
    ("billing.receipt_void", "POST"): board(422),  # no reason given
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """An overdue invoice to the member and an interest invoice carrying a charge on it."""
    member = Person.get((Person.user == users["member"]) & (Person.association == alpha))
    common = dict(association=alpha, recipient=member, recipient_name=member.full_name, currency=alpha.currency)
    overdue = Invoice.create(
        number=9201, issue_date=dt.date(2026, 1, 15), due_date=dt.date(2026, 1, 31), total=100000, **common
    )
    carrier = Invoice.create(
        number=9202,
        purpose=Invoice.INTEREST,
        issue_date=dt.date(2026, 3, 1),
        due_date=dt.date(2026, 3, 15),
        total=614,
        **common,
    )
    run = InterestRun.create(association=alpha, through=dt.date(2026, 2, 28), charged_as="invoice")
    charge = InterestCharge.create(
        association=alpha,
        run=run,
        invoice=overdue,
        person=member,
        first_day=dt.date(2026, 2, 1),
        last_day=dt.date(2026, 2, 28),
        amount=614,
        calculation='[{"from":"2026-02-01","to":"2026-02-28","days":28,"principal":100000,"rate":800,'
        '"year_days":365,"exact":"44800/73"}]',
        charged_on=carrier,
    )
    receipt = Receipt.create(
        association=alpha, person=member, amount=5000, currency=alpha.currency, received_on=dt.date(2026, 2, 2)
    )
    return {"interest_charge_id": charge.id, "receipt_id": receipt.id}
