"""Access matrix entries for the residents' Contracts and Invoices.

In world() the member has a contract on unit R1 and an invoice for it; the
tenant lives elsewhere, so the contract and the invoice (page or htmx details)
are a 404 for the tenant, as for anyone who cannot see them. The board and the
administrator hold invoices.view_all and open any row's details. The lists are
every member's own (they may be empty). beta's board gets 403 (not a member).

contract_id and invoice_id are the URL argument names every billing route uses
for "this contract/invoice"; this module supplies them (the member's own rows),
so the other billing modules can reuse them instead of naming their own.
"""

import datetime as dt

from models import Person
from models.billing import Contract, ContractParty, Invoice, InvoiceLine
from models.register import Building, Unit
from tests.access.common import BOARD_UP, LOGIN, members

SEEING = ("member",) + BOARD_UP  # the party/recipient, and those who see every resident's


def seeing():
    """The member and the board see it; the tenant gets 404 (not theirs), like a wrong id."""
    expected = members(200)
    expected["tenant"] = 404
    assert set(SEEING) <= set(expected)
    return expected


MATRIX = {
    ("billing.contracts", "GET"): members(),
    ("billing.contract", "GET"): seeing(),
    ("billing.invoices", "GET"): members(),
    ("billing.invoice", "GET"): seeing(),
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """Unit R1, the member's contract on it and an invoice addressed to the member."""
    building = Building.create(association=alpha, name="Resident House")
    unit = Unit.create(association=alpha, building=building, number="R1", share_numerator=1, share_denominator=1)
    member = Person.get((Person.user == users["member"]) & (Person.association == alpha))
    contract = Contract.create(
        association=alpha, unit=unit, number="R1-1", type_label="1 room and kitchen", start_date=dt.date(2024, 1, 1)
    )
    ContractParty.create(contract=contract, person=member)
    invoice = Invoice.create(
        association=alpha,
        number=9001,
        unit=unit,
        contract=contract,
        recipient=member,
        recipient_name=member.full_name,
        issue_date=dt.date(2026, 11, 15),
        due_date=dt.date(2026, 11, 30),
        period_start=dt.date(2026, 12, 1),
        period_end=dt.date(2026, 12, 31),
        currency=alpha.currency,
        net_total=416700,
        total=416700,
    )
    InvoiceLine.create(invoice=invoice, description="Monthly fee", amount=416700)
    return {"contract_id": contract.id, "invoice_id": invoice.id}
