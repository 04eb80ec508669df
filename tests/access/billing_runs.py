"""Access matrix entries for the board's invoicing pages: invoice runs, a single invoice, credit notes and
the billing settings. All need invoices.manage (the board and the administrator); members and tenants get
403, beta's board 403 (not a member of alpha).

The credit note uses `invoice_id` from billing_resident.py (the member's invoice in alpha, not credited):
the confirmation opens, and an empty post credits it (the reason is optional). Empty posts of the other
forms are refused with 422 (no month, no recipient or lines, no payee name).
"""

from tests.access.common import BOARD_UP, LOGIN, holders_of


def managers(status=200):
    return holders_of(BOARD_UP, status)


MATRIX = {
    ("billing.runs", "GET"): managers(),
    ("billing.run_preview", "GET"): managers(),  # no month given: next month's preview
    ("billing.run_create", "POST"): managers(422),  # no month
    ("billing.invoice_new", "GET"): managers(),
    ("billing.invoice_new", "POST"): managers(422),  # no recipient, no lines
    ("billing.credit_note", "GET"): managers(),
    ("billing.credit_note", "POST"): managers(302),  # credited, then back to the invoice
    ("billing.billing_settings", "GET"): managers(),
    ("billing.billing_settings", "POST"): managers(422),  # no payee name
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """Nothing of its own: the runs pages work on an empty register, the credit note on billing_resident's invoice."""
    return {}
