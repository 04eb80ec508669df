"""Access matrix entries for instalment plans, the payment grid, the debtors list and debt reminders
(issue 13 items 5 and 6).

The board's pages need invoices.view_all to read and invoices.manage to change: the tenant and the member
get 403, beta's board 403 (not a member). The resident's own plan page (billing.my_plan) answers the
member whose plan it is; everyone else of alpha gets 404, as for a plan that does not exist, the board
too (it reads plans on its own page). The URLs reuse person_id (register_people.py: a person of alpha's
register); this module adds plan_id, a plan of the member's with one instalment invoice.
"""

import datetime as dt

from models import Person
from models.billing import InstalmentPlan, Invoice
from tests.access.common import BOARD_UP, LOGIN, holders_of, members


def board(status=200):
    return holders_of(BOARD_UP, status)


def own_only():
    """The member whose plan it is; every other member of alpha 404."""
    expected = members(404)
    expected["member"] = 200
    return expected


MATRIX = {
    ("billing.plans_list", "GET"): board(),
    ("billing.plan_new", "GET"): board(),
    ("billing.plan_new", "POST"): board(422),  # nothing chosen
    ("billing.plan", "GET"): board(),
    ("billing.plan_cancel", "GET"): board(),
    ("billing.plan_cancel", "POST"): board(422),  # no reason given
    ("billing.my_plan", "GET"): own_only(),
    ("billing.payment_grid", "GET"): board(),
    ("billing.payment_grid_csv", "GET"): board(),
    ("billing.payment_grid_xlsx", "GET"): board(),
    ("billing.debtors", "GET"): board(),
    ("billing.debtors_csv", "GET"): board(),
    ("billing.debtors_xlsx", "GET"): board(),
    ("billing.debtor", "GET"): board(),
    ("billing.debtor_reminders", "POST"): board(422),  # nobody ticked
    ("billing.reminder_template", "GET"): board(),
    ("billing.reminder_template", "POST"): board(302),  # empty fields: the built-in text again
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """A plan of the member's: one instalment, due next year."""
    member = Person.get((Person.user == users["member"]) & (Person.association == alpha))
    plan = InstalmentPlan.create(
        association=alpha, person=member, total=30000, instalment_count=1, first_due=dt.date(2027, 1, 31)
    )
    Invoice.create(
        association=alpha,
        number=9601,  # a number no other module of the matrix uses
        recipient=member,
        recipient_name=member.full_name,
        issue_date=dt.date(2026, 12, 1),
        due_date=dt.date(2027, 1, 31),
        currency=alpha.currency,
        net_total=30000,
        total=30000,
        purpose=Invoice.INSTALMENT,
        plan=plan.id,
    )
    return {"plan_id": plan.id}
