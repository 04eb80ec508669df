"""Access matrix entries for the board's contracts and recurring charges.

Everything here is the board's: residents get 403, beta's board 403 (not a
member of alpha). contract_id is the member's contract from billing_resident.py
(it has an invoice, so deleting it is refused with 409) and unit_id is the
register's unit; this module adds only a charge of its own, on unit K1.
"""

from models.billing import Charge
from models.register import Building, Unit
from tests.access.common import BOARD_UP, LOGIN, holders_of


def board(status=200):
    return holders_of(BOARD_UP, status)


MATRIX = {
    ("billing.board_contracts", "GET"): board(),
    ("billing.contract_new", "GET"): board(),
    ("billing.contract_new", "POST"): board(422),  # nothing typed
    ("billing.contract_edit", "GET"): board(),
    ("billing.contract_edit", "POST"): board(422),  # nothing sent: no unit, no number
    ("billing.contract_terminate", "POST"): board(422),  # no last day
    ("billing.contract_delete", "GET"): board(),
    ("billing.contract_delete", "POST"): board(409),  # it has an invoice
    ("billing.contract_charges", "GET"): board(),
    ("billing.contract_charges", "POST"): board(422),  # no description, no amount
    ("billing.unit_charges", "GET"): board(),
    ("billing.unit_charges", "POST"): board(422),
    ("billing.charge_delete", "GET"): board(),
    ("billing.charge_delete", "POST"): board(302),
    ("billing.charges_overview", "GET"): board(),
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """A monthly fee on unit K1 of Charge House."""
    building = Building.create(association=alpha, name="Charge House")
    unit = Unit.create(association=alpha, building=building, number="K1", share_numerator=1, share_denominator=1)
    charge = Charge.create(association=alpha, unit=unit, description="Monthly fee", amount=416700)
    return {"charge_id": charge.id}
